"""parallel.ahead: results in order from a second process, and it never hangs or leaks."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from reelive_quiz import parallel


def test_results_in_order_from_a_second_process() -> None:
    items = [(str(i) * (i % 7),) for i in range(3 * parallel.AHEAD)]
    made = parallel.ahead(len, items)
    assert made.worker is not None
    assert list(made) == [len(s) for (s,) in items]
    assert made.worker is None  # stopped once read


def test_few_items_need_no_second_process() -> None:
    made = parallel.ahead(len, [("ab",)] * (parallel.PARALLEL_ITEMS - 1))
    assert made.worker is None and list(made) == [2] * (parallel.PARALLEL_ITEMS - 1)


def test_an_error_of_the_work_reaches_the_caller() -> None:
    made = parallel.ahead(int, [("1",)] * 20 + [("not a number",)] + [("2",)] * 20)
    got = []
    try:
        for value in made:
            got.append(value)
    except ValueError as exc:
        assert "not a number" in str(exc)
    else:
        raise AssertionError("no error")
    assert got == [1] * 20 and made.worker is None


def test_closing_never_waits_for_a_stuck_second_process() -> None:
    """A Ctrl-C or an error stops the second process; if it is stuck in an item (here
    asleep for 1,000 s) it is killed after a bound, never waited for (Python's own
    `shutdown(wait=True)` would wait). Run in a child with a time limit."""
    script = textwrap.dedent("""
        import os, time
        from reelive_quiz import parallel
        parallel._STOP_SECONDS = 1.0
        made = parallel.ahead(time.sleep, [(1000,)] * 20)
        worker = made.worker.process
        time.sleep(0.5)  # the second process is asleep in the first item
        start = time.monotonic()
        made.close()
        print("closed", time.monotonic() - start < 10, worker.is_alive())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["closed", "True", "False"]


def _slow_len(text: str) -> int:
    import time

    time.sleep(0.01)
    return len(text)


def test_the_second_process_keeps_working_while_the_caller_does_not_read() -> None:
    """It is handed the next item as each result comes back, not when the caller reads
    one (an import writes its YAML meanwhile), and it stops at its window: what waits
    for the caller is bounded."""
    import time

    items = [("x" * i,) for i in range(200)]
    made = parallel.ahead(_slow_len, items, window=50)
    try:
        deadline = time.monotonic() + 60
        while len(made._arrived) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # time for ~30 more, were the window not kept
        assert len(made._arrived) == 50 > parallel.IN_FLIGHT
        assert list(made) == [len(s) for (s,) in items]
    finally:
        made.close()


def _pid_after(seconds: float) -> int:
    import os
    import time

    time.sleep(seconds)
    return os.getpid()


def test_spare_items_are_left_to_this_process_and_the_rest_go_on_meanwhile() -> None:
    """`spare`: the last of the `local` items are never handed over, so the second
    process starts on the items only it may do (an import's which-film rows) while
    this one makes those. Without it, those came last, with this process waiting."""
    import os
    import time

    local, spare = 40, 8
    items = [(0.005,)] * local + [(0.05,)] * 4  # the last 4: the second process's alone
    made = parallel.ahead(_pid_after, items, local=local, spare=spare, window=64)
    try:
        started = time.monotonic()
        while len(made._arrived) < local - spare + 4 and time.monotonic() - started < 60:
            time.sleep(0.01)
        # the second process went past the spare items without waiting for them
        assert set(made._arrived) == set(range(local - spare)) | set(range(local, local + 4))
        pids = list(made)
    finally:
        made.close()
    here = os.getpid()
    assert pids[local - spare:local] == [here] * spare
    assert here not in pids[local:] and len(set(pids[local:])) == 1


def test_a_second_process_that_dies_while_the_caller_is_away_loses_nothing() -> None:
    import os
    import signal
    import time

    items = [("x" * i,) for i in range(100)]
    made = parallel.ahead(_slow_len, items, window=40)
    try:
        while len(made._arrived) < 5:
            time.sleep(0.01)
        assert made.worker is not None
        os.kill(made.worker.process.pid, signal.SIGKILL)
        assert list(made) == [len(s) for (s,) in items]
    finally:
        made.close()


def test_results_cross_as_they_were_made_plain_or_not() -> None:
    """Plain data (a deck's rows) crosses by marshal, anything else by pickle: either way
    the caller gets what `work` returned, with its types (tuples stay tuples, a named
    tuple stays one, text with a lone surrogate stays as it was)."""
    from reelive_quiz.store_catalogue import DeckFile

    plain = ("slug", "Title", {"scenes": 3}, "[]", "key",
             [("id-1", "T", "s", "kind", "p\ud800", "a", '["x"]', "src", "sib", "", "choice",
               1, 0)], None, True, 2.5, b"bytes", [1, [2, (3,)]])
    assert parallel._encode((0, True, plain))[:1] == parallel._MARSHAL
    assert parallel._decode(parallel._encode((0, True, plain))) == (0, True, plain)
    named = DeckFile("slug", "path", "signature", "title")
    assert parallel._encode((1, True, named))[:1] == parallel._PICKLE
    back = parallel._decode(parallel._encode((1, True, [named])))[2]
    assert back == [named] and type(back[0]) is DeckFile
    items = [(plain,), (named,)] * parallel.PARALLEL_ITEMS
    made = parallel.ahead(_same, items)
    assert made.worker is not None
    got = list(made)
    assert got == [item for (item,) in items]
    assert [type(value) for value in got] == [tuple, DeckFile] * parallel.PARALLEL_ITEMS


def _same(value: object) -> object:
    return value

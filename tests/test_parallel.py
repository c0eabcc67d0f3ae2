"""parallel.ahead: results in order from a second process, and it never hangs or leaks."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from reelive_quiz import parallel


def test_results_in_order_from_a_second_process() -> None:
    items = [(str(i) * (i % 7),) for i in range(3 * parallel.AHEAD)]
    made = parallel.ahead(len, items)
    assert made.pool is not None
    assert list(made) == [len(s) for (s,) in items]
    assert made.pool is None  # stopped once read


def test_few_items_need_no_second_process() -> None:
    made = parallel.ahead(len, [("ab",)] * (parallel.PARALLEL_ITEMS - 1))
    assert made.pool is None and list(made) == [2] * (parallel.PARALLEL_ITEMS - 1)


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
    assert got == [1] * 20 and made.pool is None


def test_closing_never_waits_for_a_stuck_second_process() -> None:
    """A Ctrl-C or an error stops the second process; if it is stuck in an item (here
    asleep for 1,000 s) it is killed after a bound, never waited for (Python's own
    `shutdown(wait=True)` would wait). Run in a child with a time limit."""
    script = textwrap.dedent("""
        import os, time
        from reelive_quiz import parallel
        parallel._STOP_SECONDS = 1.0
        made = parallel.ahead(time.sleep, [(1000,)] * 20)
        worker = list(made.pool._processes.values())[0]
        time.sleep(0.5)  # the second process is asleep in the first item
        start = time.monotonic()
        made.close()
        print("closed", time.monotonic() - start < 10, worker.is_alive())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["closed", "True", "False"]

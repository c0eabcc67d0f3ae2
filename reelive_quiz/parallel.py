"""Question generation on the machine's second core, a few decks ahead of its consumer.

Generating is ~40 µs a question of pure Python; writing what was generated (the
catalogue's rows, a package's notes) is about as much again. With many decks a
second process generates while this one writes: an `import` or an `export` of
1,000 films waits for the slower of the two, not for their sum. The results
come back in order and at most a window of decks early, so memory stays bounded.

The second process is a fork talking over two pipes, not a `ProcessPoolExecutor`:
on Python 3.11 the executor waits forever when its worker dies while sending a
result (its reader blocks on half a message; seen 2 runs in 6), and its
`shutdown(wait=True)` can wait forever after an item failed to pickle. A fork
also shares what is already in memory (`shared`). Where there is no fork (not
Linux), everything is done in this process.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import threading
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = ["AHEAD", "PARALLEL_ITEMS", "Ahead", "ahead", "second_process_start", "shared"]

T = TypeVar("T")

#: Fewer items than this are done in this process: starting a second one costs more.
PARALLEL_ITEMS = 8
#: Items done ahead of the consumer by default (a deck's questions: ~110 KB pickled),
#: and at most by this process while it waits (~300 KB each as objects).
AHEAD = 32
#: Items handed to the second process at a time.
IN_FLIGHT = 8
#: How long the second process may take to finish its item once stopped.
_STOP_SECONDS = 10.0

#: What `work` finds already in memory while an `Ahead` runs (`import`'s decks, by
#: path): the fork shares it with the second process, so nothing is pickled across
#: or read again.
_shared: Mapping[Any, Any] = {}


def shared() -> Mapping[Any, Any]:
    return _shared


class _Died(Exception):
    """The second process is gone (killed, out of memory) or its pipe broke."""


class Ahead(Iterator[T]):
    """`work(*args)` for each of `items`, in order, done by a second process ahead of
    the caller when there are many; `close()` stops it (also on Ctrl-C or failure).

    The second process is handed items from the front, a few at a time, and handed
    the next as each result comes back (by the thread that reads them), so it keeps
    working while the caller does something else: an `import` writes its YAML while
    the catalogue's first decks are generated. It runs at most `window` items ahead
    of the caller, and its results wait as the bytes they came in (a deck's
    questions: ~110 KB pickled, ~3 × that as objects). While the caller waits for
    one, it does here the last item within `AHEAD` (kept for its turn), so neither
    process idles while work is left. If the second process dies, this one does
    the rest. An error of `work` is raised in its item's turn. One at a time:
    `share` is the module's while it runs.
    """

    def __init__(self, work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
                 share: Mapping[Any, Any] | None = None, window: int = AHEAD,
                 local: int | None = None, spare: int = 0) -> None:
        import threading

        global _shared
        self.work, self.items, self.window = work, items, max(window, IN_FLIGHT)
        self.local = len(items) if local is None else local  # what this process may help with
        self.spare = range(max(self.local - spare, 0), self.local)  # never handed over
        self.index = 0  # the next item the caller reads
        self._here: dict[int, tuple[bool, Any]] = {}  # done here early: (ok, result | error)
        self._claimed: set[int] = set()  # taken by this process (done or being done)
        self._sent: deque[int] = deque()  # handed to the second process, not back yet
        self._arrived: dict[int, bytes] = {}  # back from it, not read yet
        self._front = 0  # the next item the second process may be handed
        self._gone = False  # the second process died or its pipe broke
        self._lock = threading.Condition()
        _shared = share or {}
        self.worker = _Worker.start(work) if _worth_a_process(len(items)) else None
        if self.worker is not None:
            self.worker.listen(self._arrive)
            self._hand_over()

    def __next__(self) -> T:
        if self.index >= len(self.items):
            self.close()
            raise StopIteration
        index = self.index
        got = self._wait_for(index)
        with self._lock:
            self.index += 1
        if self.worker is not None:
            self._hand_over()  # the window moved on
        if got is None:  # done here: early, or now (never handed over, or lost with it)
            ok, value = self._here.pop(index) if index in self._here \
                else _run(self.work, self.items[index])
        else:
            at, ok, value = _decode(got)
            assert at == index, (at, index)
        if not ok:
            self.close()
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the second process: it ends after its item, or is killed after a bound."""
        global _shared
        _shared = {}
        with self._lock:
            worker, self.worker = self.worker, None
            self._sent.clear()
            self._arrived.clear()
        if worker is not None:
            worker.stop()

    def _wait_for(self, index: int) -> bytes | None:
        """The second process's bytes for `index`, waited for while doing later items
        here; None if this process has it or must do it (not handed over, or lost)."""
        while True:
            with self._lock:
                if index in self._arrived:
                    return self._arrived.pop(index)
                if index not in self._sent or self._gone or self.worker is None:
                    if self._gone:
                        self._sent.clear()  # lost with the second process: done here
                    self._claimed.add(index)  # never to be handed over now
                    return None
                later = self._last_unclaimed()
                if later is None:
                    self._lock.wait()
                    continue
                self._claimed.add(later)
            self._here[later] = _run(self.work, self.items[later])

    def _last_unclaimed(self) -> int | None:
        """The last item nobody has within `AHEAD` of the caller (the lock is held): what
        is done here waits as objects, so not as far ahead as the second process goes."""
        for later in range(min(self.index + AHEAD, self.local) - 1,
                           self._front - 1, -1):
            if later not in self._claimed:
                return later
        return None

    def _arrive(self, data: bytes | None) -> None:
        """The reader thread's: a result in (None: the second process is gone)."""
        with self._lock:
            if data is None:
                self._gone = True
            elif self._sent:
                self._arrived[self._sent.popleft()] = data
            self._lock.notify_all()
        if data is not None:
            self._hand_over()

    def _hand_over(self) -> None:
        """Keep the second process a few items ahead, within the window (either thread)."""
        with self._lock:
            end = min(self.index + self.window, len(self.items))
            while self.worker is not None and not self._gone \
                    and len(self._sent) < IN_FLIGHT and self._front < end:
                if self._front not in self._claimed and self._front not in self.spare:
                    try:
                        self.worker.send(self._front, self.items[self._front])
                    except _Died:
                        self._gone = True
                        return
                    self._sent.append(self._front)
                self._front += 1


def _run(work: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    try:
        return True, work(*args)
    except Exception as exc:  # raised in its turn, as the second process would
        return False, exc


def ahead(work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
          share: Mapping[Any, Any] | None = None, window: int = AHEAD,
          local: int | None = None, spare: int = 0) -> Ahead[T]:
    """See `Ahead`: `work` must be a module's function, `items` and its results plain
    data (they cross a pipe). While it waits, this process helps with the first
    `local` items only (default: all): the rest may need what only the second
    process has; they are done here only if it dies. The last `spare` of those `local`
    items are left to this process: the second one goes on to the rest meanwhile, so
    that the work only it can do does not come last, with this process waiting."""
    return Ahead(work, items, share=share, window=window, local=local, spare=spare)


def _worth_a_process(items: int) -> bool:
    return items >= PARALLEL_ITEMS and sys.platform == "linux" and (os.cpu_count() or 1) >= 2


class _Worker:
    """The second process, its two pipes (tasks in, results out) and a thread here that
    reads results as they come: a deck's questions are more than a pipe holds, and the
    second process must not wait for this one to be done with its own item to send."""

    def __init__(self, process: BaseProcess, tasks: Connection, results: Connection) -> None:
        self.process, self.tasks, self.results = process, tasks, results
        self.reader: threading.Thread | None = None

    @classmethod
    def start(cls, work: Callable[..., Any]) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        tasks_in, tasks = context.Pipe(duplex=False)
        results, results_out = context.Pipe(duplex=False)
        _widen(results_out)
        process = context.Process(target=_serve, daemon=True,
                                  args=(work, tasks_in, results_out, tasks, results))
        process.start()
        tasks_in.close()  # the child's ends: its death is then EOF here
        results_out.close()
        return cls(process, tasks, results)

    def listen(self, deliver: Callable[[bytes | None], None]) -> None:
        """Start the thread that hands each result (as bytes) to `deliver`, then None."""
        import threading

        def read() -> None:
            while True:
                try:
                    data = self.results.recv_bytes()
                except Exception:  # EOF (it ended or died, even mid-message), a broken pipe
                    deliver(None)
                    return
                deliver(data)

        self.reader = threading.Thread(target=read, name="second-process results",
                                       daemon=True)
        self.reader.start()

    def send(self, index: int, args: tuple[Any, ...]) -> None:
        try:
            self.tasks.send((index, args))
        except OSError:
            raise _Died from None

    def stop(self) -> None:
        """Tell it to end, wait a bound for it (the reader drains what it still sends),
        kill it if it is stuck; the results pipe is closed once the reader is done."""
        with contextlib.suppress(OSError):
            self.tasks.send(None)
        self.tasks.close()
        self.process.join(timeout=_STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        if self.reader is not None:
            self.reader.join()
        self.results.close()


#: The results pipe's capacity (Linux's default is 64 KB, its usual limit 1 MB).
PIPE_BYTES = 1 << 20


def _widen(pipe: Connection) -> None:
    """Let a result (a deck's rows: ~140 KB) go into the pipe whole. The thread here
    that reads it needs the interpreter's lock between two reads of a full pipe, and
    while this process generates it gets it only every 5 ms (`sys.getswitchinterval`):
    the second process sat blocked in `send` for 5 of its 24 s at 1,000 films."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or above the limit set
        pass


def _serve(work: Callable[..., Any], tasks: Connection, results: Connection,
           parent_tasks: Connection, parent_results: Connection) -> None:
    """The second process: items in, (index, ok, result or error) out, until told to stop
    or the first process is gone."""
    parent_tasks.close()  # the first process's ends: its death is then EOF here
    parent_results.close()
    second_process_start()
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, args = task
        try:
            reply = (index, True, work(*args))
        except Exception as exc:
            reply = (index, False, exc)
        try:
            data = _encode(reply)
        except Exception as exc:  # a result or error that cannot be pickled
            data = _encode((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            results.send_bytes(data)
        except OSError:
            return


#: The first byte of a result's bytes: how the rest is encoded.
_MARSHAL, _PICKLE = b"M", b"P"


def _encode(reply: tuple[int, bool, Any]) -> bytes:
    """A result as bytes: `marshal` when it is plain data (a deck's rows: tuples of str
    and int), else `pickle`. At 1,000 films the rows are 220 MB through the pipe; marshal
    writes them in 0.36 s against pickle's 0.78 and reads them in 0.86 against 1.24
    (measured on an import's results). Both ends are the same interpreter (a fork), so
    marshal's version-bound format is safe; it refuses any type but the exact built-in
    ones (a subclass, an exception), and those go by pickle as before."""
    try:
        return _MARSHAL + marshal.dumps(reply)
    except ValueError:  # "unmarshallable object"
        import pickle

        return _PICKLE + pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: bytes) -> tuple[int, bool, Any]:
    """`_encode`'s result back."""
    if data[:1] == _MARSHAL:
        return marshal.loads(memoryview(data)[1:])  # type: ignore[no-any-return]
    import pickle

    return pickle.loads(memoryview(data)[1:])  # type: ignore[no-any-return]


def second_process_start() -> None:
    """Ctrl-C reaches the whole process group: the first process stops the second
    itself, so the second ignores it (and prints no traceback of its own).

    The second process writes nothing: its results go back by pipe. A fork copies
    the first process's locks as they are, and a progress bar's thread may hold the
    lock of stderr at that moment; flushing that stream when the second process ends
    would then wait forever. So it gets streams of its own.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

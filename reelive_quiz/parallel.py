"""Question generation on the machine's second core, a few decks ahead of its consumer.

Generating is ~40 µs a question of pure Python; writing what was generated (the
catalogue's rows, a package's notes) is about as much again. With many decks a
second process generates while this one writes: an `import` or an `export` of
1,000 films waits for the slower of the two, not for their sum. The results
come back in order and at most `AHEAD` decks early, so memory stays bounded.

The second process is a fork talking over two pipes, not a `ProcessPoolExecutor`:
on Python 3.11 the executor waits forever when its worker dies while sending a
result (its reader blocks on half a message; seen 2 runs in 6), and its
`shutdown(wait=True)` can wait forever after an item failed to pickle. A fork
also shares what is already in memory (`shared`). Where there is no fork (not
Linux), everything is done in this process.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = ["AHEAD", "PARALLEL_ITEMS", "Ahead", "ahead", "shared"]

T = TypeVar("T")

#: Fewer items than this are done in this process: starting a second one costs more.
PARALLEL_ITEMS = 8
#: Items done ahead of the consumer (a deck's questions: ~200 KB each).
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

    The second process is handed items from the front, a few at a time; while the
    caller waits for one, it does the last item of the window here (kept for its
    turn), so neither process idles while work is left. If the second process dies,
    this one does the rest. An error of `work` is raised in its item's turn. One at
    a time: `share` is the module's while it runs.
    """

    def __init__(self, work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
                 share: Mapping[Any, Any] | None = None) -> None:
        global _shared
        self.work, self.items = work, items
        self.index = 0
        self._here: dict[int, tuple[bool, Any]] = {}  # done here early: (ok, result | error)
        self._sent: deque[int] = deque()  # handed to the second process, in order
        self._front = 0  # the next item the second process may be handed
        _shared = share or {}
        self.worker = _Worker.start(work) if _worth_a_process(len(items)) else None
        self._hand_over()

    def __next__(self) -> T:
        if self.index >= len(self.items):
            self.close()
            raise StopIteration
        index = self.index
        self.index += 1
        if index in self._here:
            ok, value = self._here.pop(index)
        elif self.worker is not None and self._sent and self._sent[0] == index:
            while not self.worker.ready() and self._one_here():
                pass
            try:
                ok, value = self.worker.result(index)
            except _Died:
                self.close()  # this process does the rest
                ok, value = True, self.work(*self.items[index])
            else:
                self._sent.popleft()
                self._hand_over()
        else:
            return self.work(*self.items[index])
        if not ok:
            self.close()
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the second process: it ends after its item, or is killed after a bound."""
        global _shared
        _shared = {}
        worker, self.worker = self.worker, None
        self._sent.clear()
        if worker is not None:
            worker.stop()

    def _one_here(self) -> bool:
        """Do here the last item of the window not handed over nor done; False if none."""
        for later in range(min(self.index + AHEAD, len(self.items)) - 1, self._front - 1, -1):
            if later not in self._here:
                try:
                    self._here[later] = (True, self.work(*self.items[later]))
                except Exception as exc:  # raised in its turn, as the second process would
                    self._here[later] = (False, exc)
                return True
        return False

    def _hand_over(self) -> None:
        """Keep the second process a few items ahead (not more: the rest may be done here)."""
        while self.worker is not None and len(self._sent) < IN_FLIGHT \
                and self._front < len(self.items):
            if self._front not in self._here:
                try:
                    self.worker.send(self._front, self.items[self._front])
                except _Died:
                    self.close()
                    return
                self._sent.append(self._front)
            self._front += 1


def ahead(work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
          share: Mapping[Any, Any] | None = None) -> Ahead[T]:
    """See `Ahead`: `work` must be a module's function, `items` and its results plain
    data (they cross a pipe)."""
    return Ahead(work, items, share=share)


def _worth_a_process(items: int) -> bool:
    return items >= PARALLEL_ITEMS and sys.platform == "linux" and (os.cpu_count() or 1) >= 2


class _Worker:
    """The second process, its two pipes (tasks in, results out) and a thread here that
    reads results as they come: a deck's questions are more than a pipe holds, and the
    second process must not wait for this one to be done with its own item to send."""

    def __init__(self, process: BaseProcess, tasks: Connection, results: Connection) -> None:
        import queue
        import threading

        self.process, self.tasks, self.results = process, tasks, results
        self.received: queue.SimpleQueue[tuple[int, bool, Any] | None] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._read, name="second-process results",
                                       daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, work: Callable[..., Any]) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        tasks_in, tasks = context.Pipe(duplex=False)
        results, results_out = context.Pipe(duplex=False)
        process = context.Process(target=_serve, daemon=True,
                                  args=(work, tasks_in, results_out, tasks, results))
        process.start()
        tasks_in.close()  # the child's ends: its death is then EOF here
        results_out.close()
        return cls(process, tasks, results)

    def _read(self) -> None:
        while True:
            try:
                self.received.put(self.results.recv())
            except Exception:  # EOF (it ended or died, even mid-message), a broken pipe
                self.received.put(None)
                return

    def send(self, index: int, args: tuple[Any, ...]) -> None:
        try:
            self.tasks.send((index, args))
        except OSError:
            raise _Died from None

    def ready(self) -> bool:
        return not self.received.empty()

    def result(self, index: int) -> tuple[bool, Any]:
        got = self.received.get()
        if got is None or got[0] != index:
            self.received.put(None)
            raise _Died
        return got[1], got[2]

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
        self.reader.join()
        self.results.close()


def _serve(work: Callable[..., Any], tasks: Connection, results: Connection,
           parent_tasks: Connection, parent_results: Connection) -> None:
    """The second process: items in, (index, ok, result or error) out, until told to stop
    or the first process is gone."""
    parent_tasks.close()  # the first process's ends: its death is then EOF here
    parent_results.close()
    _child_start()
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
            results.send(reply)
        except OSError:
            return
        except Exception as exc:  # a result or error that cannot be pickled
            try:
                results.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            except Exception:
                return


def _child_start() -> None:
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

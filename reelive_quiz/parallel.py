"""Question generation on the machine's second core, a few decks ahead of its consumer.

Generating is ~40 µs a question of pure Python; writing what was generated (the
catalogue's rows, a package's notes) is about as much again. With many decks a
second process generates while this one writes: an `import` or an `export` of
1,000 films waits for the slower of the two, not for their sum. The results
come back in order and at most `AHEAD` decks early, so memory stays bounded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["AHEAD", "PARALLEL_ITEMS", "ahead", "shared"]

T = TypeVar("T")

#: Fewer items than this are done in this process: starting a second one costs more.
PARALLEL_ITEMS = 8
#: Items done ahead of the consumer (a deck's questions: ~200 KB each).
AHEAD = 32
#: How long the second process may take to finish its item once stopped.
_STOP_SECONDS = 10.0

#: What `work` finds already in memory while an `Ahead` runs (`import`'s decks, by
#: path): a fork shares it with the second process, so nothing is pickled across or
#: read again. A second process started otherwise sees it empty.
_shared: Mapping[Any, Any] = {}


def shared() -> Mapping[Any, Any]:
    return _shared


class Ahead(Iterator[T]):
    """`work(*args)` for each of `items`, in order, done by a second process ahead of
    the caller when there are many; `close()` stops it (also on Ctrl-C or failure).

    An item the second process has not begun when it is wanted is done here instead
    (so neither process waits for the other while work is left), and if the second
    process dies (killed, out of memory), this one does the rest.
    """

    def __init__(self, work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
                 share: Mapping[Any, Any] | None = None, needs_share: bool = False) -> None:
        global _shared
        self.work, self.items = work, items
        self.index = 0
        self._futures: list[Future[T] | None] = []
        _shared = share or {}
        self.pool = _pool(len(items), needs_share)
        self._submit()

    def __next__(self) -> T:
        if self.index >= len(self.items):
            self.close()
            raise StopIteration
        index = self.index
        self.index += 1
        if self.pool is None:
            return self.work(*self.items[index])
        future = self._futures[index]
        self._futures[index] = None  # its result goes once used
        self._submit()
        try:
            if future is not None and future.cancel():  # not begun there: done here, while
                return self.work(*self.items[index])  # the second process does the next
            return future.result()  # type: ignore[union-attr]
        except BaseException as exc:
            from concurrent.futures.process import BrokenProcessPool

            self.close()
            if isinstance(exc, BrokenProcessPool):
                return self.work(*self.items[index])
            raise

    def close(self) -> None:
        """Stop the second process: what it is doing ends, nothing waiting starts.

        Not `shutdown(wait=True)`: on Python 3.11 that can wait forever once an item
        failed to reach the second process (measured: a pickling error with 32 items
        queued). The process is joined instead, and killed if it does not end.
        """
        global _shared
        _shared = {}
        pool, self.pool = self.pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=_STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def _submit(self) -> None:
        limit = min(self.index + AHEAD, len(self.items))
        while self.pool is not None and len(self._futures) < limit:
            self._futures.append(self.pool.submit(self.work, *self.items[len(self._futures)]))


def ahead(work: Callable[..., T], items: Sequence[tuple[Any, ...]], *,
          share: Mapping[Any, Any] | None = None, needs_share: bool = False) -> Ahead[T]:
    """See `Ahead`; `needs_share`: `work` cannot do without `share` (then no second
    process where it would not get it)."""
    return Ahead(work, items, share=share, needs_share=needs_share)


def _pool(items: int, needs_share: bool) -> ProcessPoolExecutor | None:
    import sys

    fork = sys.platform == "linux"
    if items < PARALLEL_ITEMS or (os.cpu_count() or 1) < 2 or (needs_share and not fork):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the child has every module (and `_shared`) already; elsewhere a fresh
    # interpreter, which reads what it needs itself
    method = "fork" if fork else "spawn"
    pool = ProcessPoolExecutor(max_workers=1, initializer=_child_start,
                               mp_context=multiprocessing.get_context(method))
    pool.submit(int).result()  # started now, before any thread of ours (a bar) runs
    return pool


def _child_start() -> None:
    """Ctrl-C reaches the whole process group: the first process stops the second
    itself, so the second ignores it (and prints no traceback of its own).

    The second process writes nothing: its results go back by pipe. A fork copies
    the first process's locks as they are, and a progress bar's thread may hold the
    lock of stderr at that moment; flushing that stream when the second process ends
    would then wait forever. So it gets streams of its own.
    """
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

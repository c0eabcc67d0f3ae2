"""Progress bars for the steps that can take seconds: on a terminal only, on stderr.

A step reports `(done, total)` to a callback; it never knows about terminals.
`bar(...)` makes that callback: it draws a `rich` bar with counts on stderr when
stderr is a terminal and the step is big enough to take more than ~2 s (the
threshold is in items, so the same input always behaves the same), and does
nothing otherwise: in a pipe stdout carries only the result and stderr stays
quiet. rich is imported only when a bar is drawn (+40 ms a start otherwise).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Report", "bar"]

#: A step's progress: called with (0, total) first, then as items are done.
Report = Callable[[int, int], None]


class _Bar:
    def __init__(self, description: str, threshold: int) -> None:
        self.description = description
        self.threshold = threshold
        self.progress: Any = None
        self.task: Any = None
        self.decided = False

    def __call__(self, done: int, total: int) -> None:
        if not self.decided:
            self.decided = True
            if total < self.threshold or not _is_terminal():
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True),
                                     transient=True, redirect_stdout=False,
                                     redirect_stderr=False)
            self.progress.start()
            self.task = self.progress.add_task(self.description, total=total)
        if self.progress is not None:
            self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


@contextlib.contextmanager
def bar(description: str, threshold: int) -> Iterator[Report]:
    """A `Report` that draws a bar for steps of at least `threshold` items on a terminal."""
    shown = _Bar(description, threshold)
    try:
        yield shown
    finally:
        shown.close()

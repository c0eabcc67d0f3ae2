"""Progress bars for the steps that can take seconds: on a terminal only, on stderr.

A step reports `(done, total)` to a callback; it never knows about terminals.
`bar(...)` makes that callback: it draws a `rich` bar with counts on stderr when
stderr is a terminal and the step is big enough to take more than ~2 s (the
threshold is in items, so the same input always behaves the same), and does
nothing otherwise: in a pipe stdout carries only the result and stderr stays
quiet. rich is imported only when a bar is drawn (+40 ms a start otherwise).
A bar opened while another is on screen is one more line of it (rich allows
one live display at a time): a restore keeps the old progress aside in the
middle of its own copy.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Report", "bar"]

#: A step's progress: called with (0, total) first, then as items are done.
Report = Callable[[int, int], None]

#: Below this many columns a bar drops its times and shortens its description: at 40
#: columns rich cut the counts instead ("162…").
NARROW = 80
#: The rich Progress on screen, shared by the bars open at the same time.
_shown: Any = None


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
            self.progress = _shown or _start()
            self.task = self.progress.add_task(self.description, total=total)
        if self.progress is not None:
            self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        global _shown
        if self.progress is None:
            return
        if len(self.progress.tasks) == 1:  # the last bar on screen: drawn at its end, cleared
            self.progress.stop()
            _shown = None
        else:
            self.progress.refresh()
            self.progress.remove_task(self.task)
        self.progress = None


def _start() -> Any:
    global _shown
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    console = Console(stderr=True)
    if console.width >= NARROW:
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn()]
    else:  # the counts above all: rich would cut them before the description
        columns = [TextColumn("{task.description}", table_column=Column(
                       ratio=1, no_wrap=True, overflow="ellipsis")),
                   BarColumn(bar_width=8),
                   MofNCompleteColumn(table_column=Column(no_wrap=True, min_width=9,
                                                          justify="right"))]
    _shown = Progress(*columns, console=console, transient=True, expand=console.width < NARROW,
                      redirect_stdout=False, redirect_stderr=False)
    _shown.start()
    return _shown


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

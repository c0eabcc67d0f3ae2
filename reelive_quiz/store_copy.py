"""Whole copies of the progress file: a backup that appears only when complete, and a
backup staged for a restore (migrated forward, in a new generation).

Part of the store (its SQL): `Store.backup_to` and `Store.replace_with` use these.
Every copy goes through `copy_pages`: SQLite's online backup in steps, with a
bar of pages copied on a terminal when the file is big enough to take seconds.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from reelive_quiz.errors import ReeliveError, StoreError
from reelive_quiz.store import Store

__all__ = ["BYTES_FOR_A_BAR", "BYTES_FOR_A_BAR_ENV", "PAGES_PER_STEP", "copy_database",
           "copy_pages", "pages_for_a_bar", "stage_restore"]

#: Pages copied per step: the bar moves every 4 MB. On the 375 MB store (91,719 pages)
#: steps of 64 to 4,096 pages cost the same CPU as one step (0.6-0.7 s, 3 rounds each).
PAGES_PER_STEP = 1024
#: A file this big takes ~2 s to copy (375 MB: 0.9 s here with the file in the page
#: cache, seconds from disk; a restore copies it three times): a bar on a terminal.
BYTES_FOR_A_BAR = 256 * 2**20
#: Replaces BYTES_FOR_A_BAR when set (a number of bytes): tests draw bars for small files.
BYTES_FOR_A_BAR_ENV = "REELIVE_QUIZ_COPY_BAR_BYTES"


def pages_for_a_bar(page_size: int) -> int:
    """How many pages a file must have for its copy (or migration) to show a bar."""
    text = os.environ.get(BYTES_FOR_A_BAR_ENV)
    limit = BYTES_FOR_A_BAR
    if text is not None:
        try:
            limit = int(text)
        except ValueError:
            raise ReeliveError(f"{BYTES_FOR_A_BAR_ENV}={text!r}: expected a number of "
                               "bytes") from None
    return limit // max(page_size, 1)


def copy_pages(source: sqlite3.Connection, dest: sqlite3.Connection, description: str, *,
               first_step: Callable[[], None] | None = None) -> None:
    """Copy `source`'s database into `dest` in steps, reporting pages copied to a bar.

    The source is read in one read transaction, so the copy is the one snapshot
    a single step would give: a write from elsewhere between two steps would
    otherwise make SQLite start over. `dest` is write-locked from the first
    step to the end; `first_step` runs once then, and never after the last
    (the copy is then in at least 8 steps).
    """
    from reelive_quiz.progress import bar

    reading = not source.in_transaction
    if reading:
        source.execute("BEGIN")
        source.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    try:
        total = int(source.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(source.execute("PRAGMA page_size").fetchone()[0])
        pages = PAGES_PER_STEP if first_step is None else min(PAGES_PER_STEP,
                                                                 max(1, total // 8))
        with bar(description, pages_for_a_bar(page_size)) as report:
            def step(status: int, remaining: int, count: int) -> None:
                nonlocal first_step
                report(count - remaining, count)
                if first_step is not None and status == sqlite3.SQLITE_OK:
                    run, first_step = first_step, None
                    run()

            report(0, total)
            source.backup(dest, pages=pages, progress=step)
    finally:
        if reading and source.in_transaction:
            source.execute("ROLLBACK")  # a read: nothing to keep


def copy_database(source: sqlite3.Connection, target: Path, *, unique: bool,
                  description: str = "Backing up your progress") -> Path:
    """A consistent copy of `source`'s database at `target`, which appears only when complete.

    Written to a temp file beside `target` (a killed copy leaves only that,
    removed by the next one) and linked into place, never over an existing file:
    StoreError, or with `unique` the next free name (`progress-…-2.sqlite3`).
    """
    from reelive_quiz.files import (
        make_folder,
        make_temp,
        numbered,
        place,
        remove_stale_temps,
        shareable,
    )

    make_folder(target.parent, StoreError, "the backup")  # the part in the way, named
    try:
        remove_stale_temps(target.parent)
        fd, tmp = make_temp(target)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        dest = sqlite3.connect(tmp)
        try:
            dest.execute("PRAGMA journal_mode = MEMORY")  # no journal file beside the temp
            copy_pages(source, dest, description)
        finally:
            dest.close()
        shareable(tmp)
        return place(tmp, numbered(target), unique=unique)
    except FileExistsError:
        raise StoreError(f"{target}: already exists; choose another file name") from None
    except OSError as exc:
        raise StoreError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def stage_restore(source: Path, staged: Path, page_size: int) -> None:
    """Copy a checked backup to `staged`, migrated forward, in a new generation.

    The page size is made the progress file's: SQLite cannot back up into a
    WAL file from one with another page size.
    """
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(staged, isolation_level=None)
        try:
            copy_pages(src, dest, "Reading the backup")
            if dest.execute("PRAGMA page_size").fetchone()[0] != page_size:
                dest.execute("PRAGMA journal_mode = DELETE")
                dest.execute(f"PRAGMA page_size = {int(page_size)}")
                dest.execute("VACUUM")
        finally:
            dest.close()
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot restore it: {exc}") from None
    with Store.open(staged, keep_before_migrating=False) as store:
        store.renew_generation()

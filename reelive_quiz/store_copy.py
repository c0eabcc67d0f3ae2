"""Whole copies of the progress file: a backup that appears only when complete, and a
backup staged for a restore (migrated forward, in a new generation).

Part of the store (its SQL): `Store.backup_to` and `Store.replace_with` use these.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reelive_quiz.errors import StoreError
from reelive_quiz.store import Store

__all__ = ["copy_database", "stage_restore"]


def copy_database(source: sqlite3.Connection, target: Path, *, unique: bool) -> Path:
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
            source.backup(dest)
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
            src.backup(dest)
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

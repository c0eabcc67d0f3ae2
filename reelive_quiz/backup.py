"""Moving progress between machines: a consistent copy out, a checked copy in.

Both directions use SQLite's online backup, so they are safe while another
reelive-quiz has the file open, and restore keeps the current file aside
first: nothing the user had is ever lost by a restore.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from reelive_quiz.errors import StoreError
from reelive_quiz.store import SCHEMA_VERSION, Store, stage_restore

__all__ = ["backup", "restore"]


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def backup(progress: Path, target: Path | None = None) -> Path:
    """Copy the progress file to `target` (default: a new name in `backups/` beside it).

    The copy appears whole or not at all; a default name never collides
    (`progress-…-2.sqlite3` for a second backup in the same second).
    """
    unique = target is None
    if target is None:
        target = progress.parent / "backups" / f"progress-{_stamp()}.sqlite3"
    elif target.exists():
        raise StoreError(f"{target}: already exists; choose another file name")
    with Store.open(progress) as store:
        return store.backup_to(target, unique=unique)


def _check_backup(source: Path) -> None:
    """Refuse anything that is not an intact reelive-quiz progress file."""
    if not source.is_file():
        raise StoreError(f"{source}: no such file")
    with source.open("rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            raise StoreError(f"{source}: not a reelive-quiz progress file (not SQLite)")
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot read it as a progress file: {exc}") from None
    if not {"questions", "reviews", "decks"} <= tables:
        raise StoreError(f"{source}: not a reelive-quiz progress file (tables missing)")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{source}: made by a newer reelive-quiz (schema {version}); "
                         "upgrade reelive-quiz first")
    if check != "ok":
        raise StoreError(f"{source}: damaged ({check}); not restored")


def restore(progress: Path, source: Path) -> Path | None:
    """Replace the progress with `source`; returns where the old progress was kept.

    The backup is first copied beside the progress and migrated forward; then
    one step under the write lock keeps the old progress aside and puts the
    copy in place, so no answer falls between the two. A session left open
    notices (the restored file has a new generation) and writes nothing more.
    """
    import os

    from reelive_quiz.files import make_temp, remove_stale_temps

    _check_backup(source)
    existed = progress.exists()
    with Store.open(progress) as store:
        remove_stale_temps(progress.parent)
        try:
            fd, staged = make_temp(progress)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{progress.parent}: cannot write: {exc.strerror}") from None
        try:
            try:
                stage_restore(source, staged, store.page_size())
            except sqlite3.Error as exc:
                raise StoreError(f"{source}: cannot restore it: {exc}") from None
            keep = progress.parent / "backups" / f"progress-before-restore-{_stamp()}.sqlite3"
            return store.replace_with(staged, keep if existed else None)
        finally:
            for leftover in (staged, *(Path(f"{staged}{x}") for x in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)

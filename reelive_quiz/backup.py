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
from reelive_quiz.store import SCHEMA_VERSION, Store

__all__ = ["backup", "restore"]


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def backup(progress: Path, target: Path | None = None) -> Path:
    """Copy the progress file to `target` (default: `backups/` beside it)."""
    if target is None:
        target = progress.parent / "backups" / f"progress-{_stamp()}.sqlite3"
    if target.exists():
        raise StoreError(f"{target}: already exists; choose another file name")
    with Store.open(progress) as store:
        return store.backup_to(target)


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
    """Replace the progress with `source`; returns where the old progress was kept."""
    _check_backup(source)
    kept = None
    if progress.exists():
        kept = backup(progress, progress.parent / "backups" /
                      f"progress-before-restore-{_stamp()}.sqlite3")
    with Store.open(progress) as store, store.guard("restore the progress file"):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            src.backup(store.conn)
        finally:
            src.close()
    with Store.open(progress):  # migrate an older backup forward, as any open does
        pass
    return kept

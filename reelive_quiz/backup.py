"""Moving progress between machines: a consistent copy out, a checked copy in.

Both directions use SQLite's online backup, so they are safe while another
reelive-quiz has the file open, and restore keeps the current file aside
first: nothing the user had is ever lost by a restore.
"""

from __future__ import annotations

import time
from pathlib import Path

from reelive_quiz.errors import StoreError
from reelive_quiz.store import Store, check_progress_file

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


def restore(progress: Path, source: Path) -> Path | None:
    """Replace the progress with `source`; returns where the old progress was kept."""
    check_progress_file(source)
    kept = None
    if progress.exists():
        kept = backup(progress, progress.parent / "backups" /
                      f"progress-before-restore-{_stamp()}.sqlite3")
    with Store.open(progress) as store:
        store.replace_with(source)
    with Store.open(progress):  # migrate an older backup forward, as any open does
        pass
    return kept

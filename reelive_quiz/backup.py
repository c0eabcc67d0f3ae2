"""Moving progress between machines: a consistent copy out, a checked copy in.

Both directions use SQLite's online backup, so they are safe while another
reelive-quiz has the file open. A copy appears whole or not at all, under a
name that never replaces a file. Restore keeps the current file aside first,
in the same step under the write lock: nothing the user had is ever lost.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from reelive_quiz.errors import StoreError
from reelive_quiz.files import make_temp, remove_stale_temps
from reelive_quiz.store import Store, check_progress_file
from reelive_quiz.store_copy import stage_restore

__all__ = ["backup", "restore"]


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def backup(progress: Path, target: Path | None = None) -> Path:
    """Copy the progress file to `target` (default: a new name in `backups/` beside it).

    A default name never collides (`progress-…-2.sqlite3` for a second backup
    in the same second); a named target that exists is refused.
    """
    unique = target is None
    if target is None:
        target = progress.parent / "backups" / f"progress-{_stamp()}.sqlite3"
    elif target.exists():
        raise StoreError(f"{target}: already exists; choose another file name")
    with Store.open(progress) as store:
        return store.backup_to(target, unique=unique)


def restore(progress: Path, source: Path) -> Path | None:
    """Replace the progress with `source`; returns where the old progress was kept.

    The backup is first copied beside the progress and migrated forward; then
    one step under the write lock keeps the old progress aside and puts the
    copy in place, so no answer falls between the two. A session left open
    notices (the restored file has a new generation) and writes nothing more.
    """
    check_progress_file(source)
    existed = progress.exists()
    with Store.open(progress) as store:
        remove_stale_temps(progress.parent)
        try:
            fd, staged = make_temp(progress)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{progress.parent}: cannot write: {exc.strerror}") from None
        try:
            stage_restore(source, staged, store.page_size())
            keep = progress.parent / "backups" / f"progress-before-restore-{_stamp()}.sqlite3"
            return store.replace_with(staged, keep if existed else None)
        finally:
            for leftover in (staged, *(Path(f"{staged}{x}") for x in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)

"""Reading a user's file with a size limit, every failure one line in the caller's terms;
writing one atomically: a temp file beside it, put in place only when complete.

Temp files carry the writer's process id (`.NAME.PID-RANDOM.tmp`), so a later
run can tell the leftovers of a killed writer (its process is gone) from the
file another writer is filling right now, and remove them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["make_temp", "numbered", "place", "read_limited", "remove_stale_temps",
           "shareable"]

#: A temp file this old is a leftover whoever wrote it (no write takes an hour).
STALE_AFTER = 3600.0
#: `make_temp`'s names (mkstemp adds 8 random characters), and SQLite's files beside them;
#: names from before the pid was recorded have no `PID-`.
_TEMP = re.compile(r"^\..+\.(?:(?P<pid>\d+)-)?[a-z0-9_]{8}\.tmp(?:-journal|-wal|-shm)?$")


def read_limited(path: Path, limit: int, error: type[ReeliveError], what: str) -> bytes:
    """The file's bytes; `error` (naming the file) if it is missing, a folder or too big."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"{path}: {size // 2**20} MB is too big; expected {what} of at most "
                        f"{limit // 2**20} MB")
        return path.read_bytes()
    except ReeliveError:
        raise
    except IsADirectoryError:
        raise error(f"{path}: is a folder; expected {what}") from None
    except FileNotFoundError:
        raise error(f"{path}: no such file; expected {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None


def shareable(path: str | Path) -> None:
    """Give a temp file the permissions of a normal new file (mkstemp's 0600 is for secrets)."""
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def make_temp(target: Path) -> tuple[int, Path]:
    """An open temp file in `target`'s folder, named so `remove_stale_temps` finds it."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp",
                                dir=target.parent)
    return fd, Path(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid we can ask about: keep it
    return True


def remove_stale_temps(folder: Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove temp files (and SQLite's journals of them) a killed writer left in `folder`.

    A file is stale when the process named in it is gone, or when it is older
    than `older_than` seconds (a name from before process ids were recorded).
    """
    removed = []
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)  # only names we make: a user's own files stay
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if ((match["pid"] and not _alive(int(match["pid"])))
                    or entry.stat().st_mtime < cutoff):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def place(temp: Path, name: Callable[[int], Path], *, unique: bool) -> Path:
    """Give a complete temp file its final name, never replacing an existing file.

    `name(n)` is the n-th candidate (0 the wanted name); with `unique` the
    next is tried when one exists, else FileExistsError. A hard link is atomic
    and never clobbers; where links are not supported, an existence check and
    a rename do.
    """
    n = 0
    while True:
        target = name(n)
        try:
            os.link(temp, target)
        except FileExistsError:
            if not unique:
                raise
            n += 1
            continue
        except OSError:  # no hard links here (some network and FAT folders)
            if target.exists():
                if not unique:
                    raise FileExistsError(target) from None
                n += 1
                continue
            os.replace(temp, target)
            return target
        temp.unlink(missing_ok=True)
        return target


def numbered(path: Path) -> Callable[[int], Path]:
    """`name(n)` for `place`: the path itself, then `stem-2.suffix`, `stem-3.suffix`, …"""
    return lambda n: path if n == 0 else path.with_name(f"{path.stem}-{n + 1}{path.suffix}")

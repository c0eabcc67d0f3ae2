"""The user's files and folders, every failure one line in the caller's terms.

Reading: sizes on disk are not trusted (a FIFO, `/dev/zero` or a process
substitution report 0 bytes and never end), so files are read with a byte cap
and anything but a regular file is refused before it is read (opening a FIFO
does not wait). A folder that cannot be made (its path is a file, a dangling
link, a device) is reported by the path component that is in the way.

Writing one atomically: a temp file beside it, put in place only when complete.
Temp files carry the writer's process id (`.NAME.PID-RANDOM.tmp`), so a later
run can tell the leftovers of a killed writer (its process is gone) from the
file another writer is filling right now, and remove them.
"""
from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["MB", "copy_file", "make_folder", "make_temp", "numbered", "path_text", "place",
           "read_limited", "remove_stale_temps", "shareable"]

#: A temp file this old is a leftover whoever wrote it (no write takes an hour).
STALE_AFTER = 3600.0
#: `make_temp`'s names (mkstemp adds 8 random characters), and SQLite's files beside them;
#: names from before the pid was recorded have no `PID-`.
_TEMP = re.compile(r"^\..+\.(?:(?P<pid>\d+)-)?[a-z0-9_]{8}\.tmp(?:-journal|-wal|-shm)?$")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO or process substitution)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_limited(path: Path, limit: int, error: type[ReeliveError], what: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; else `error`, naming the file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise error(f"{path}: is a folder; expected {what}") from None
    except FileNotFoundError:
        raise error(f"{path}: no such file; expected {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    cap = f"expected {what} of at most {limit // 2**20} MB"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder; expected {what}")
        raise error(f"{path}: is {_kind(info.st_mode)}, not a regular file; expected {what} "
                    "(save it to a file first)")
    with os.fdopen(fd, "rb") as handle:
        size = info.st_size
        if size > limit:
            raise error(f"{path}: {size / 2**20:.1f} MB is too big; {cap}")
        try:
            data = handle.read(size + 1)  # a buffer of the file's size, not of the cap
            if len(data) > size:  # it grew as we read: read on, up to the cap
                data += handle.read(limit + 1 - len(data))
        except OSError as exc:
            raise error(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise error(f"{path}: grew past {limit // 2**20} MB while read; {cap}")
    return data


def path_text(path: str | Path) -> str:
    """A path as text that SQLite, JSON and any terminal accept, one text per path.

    A name that is not UTF-8 (`Am\\xe9lie.yaml` in Latin-1) arrives from the OS with
    lone surrogates, which nothing can encode; its odd bytes are shown as `\\xNN`.
    An ASCII path is its own text (most are; 3,000 a `status` at 1,000 films).
    """
    text = os.fspath(path)
    if text.isascii():
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _in_the_way(folder: Path) -> str:
    """Which component of `folder` stops it from being a folder, and why."""
    for part in (folder, *folder.parents):
        if part.is_symlink() and not part.exists():
            return f"{part} is a link to {os.readlink(part)}, which does not exist"
        if part.exists():
            if part.is_dir():
                return ""
            mode = part.stat().st_mode
            return f"{part} is {'a file' if stat.S_ISREG(mode) else _kind(mode)}, not a folder"
    return ""


def make_folder(folder: Path, error: type[ReeliveError], what: str) -> Path:
    """Make `folder` (and its parents) unless it is there; `error` says what is in the way."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = _in_the_way(folder) or exc.strerror or str(exc)
        raise error(f"{path_text(folder)}: cannot make a folder for {what}: {why}") from None
    return folder


def shareable(path: str | Path) -> None:
    """Give a temp file the permissions of a normal new file (mkstemp's 0600 is for secrets)."""
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


#: `copy_file` counts and steps in MB: a bar moves every 1 MB (a 375 MB file: 0.3 s either
#: way, as shutil.copy2's sendfile, with the file in the page cache).
MB = 1 << 20


def copy_file(source: Path, target: Path, progress: Callable[[int, int], None]) -> None:
    """`shutil.copy2` in steps of 1 MB, reporting MB copied: for a file SQLite cannot read."""
    import shutil

    total = -(-os.stat(source).st_size // MB)
    progress(0, total)
    buffer = bytearray(MB)
    done = 0
    with open(source, "rb") as src, open(target, "wb") as dest:
        while read := src.readinto(buffer):
            dest.write(memoryview(buffer)[:read])
            done += 1
            progress(min(done, total), total)
    shutil.copystat(source, target)


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

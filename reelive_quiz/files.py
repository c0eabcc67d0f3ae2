"""The user's files and folders, every failure one line in the caller's terms.

Sizes on disk are not trusted: a FIFO, `/dev/zero` or a process substitution
report 0 bytes and never end, so files are read with a byte cap and anything
but a regular file is refused before it is read (opening a FIFO does not wait).
A folder that cannot be made (its path is a file, a dangling link, a device)
is reported by the path component that is in the way.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["make_folder", "path_text", "read_limited", "shareable"]


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
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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

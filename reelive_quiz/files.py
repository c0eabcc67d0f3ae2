"""Reading a user's file with a size limit, every failure one line in the caller's terms."""

from __future__ import annotations

from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["read_limited", "shareable"]


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
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)

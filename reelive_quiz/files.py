"""Reading a user's file with a size limit, every failure one line in the caller's terms."""

from __future__ import annotations

from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["read_limited"]


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

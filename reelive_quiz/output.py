"""Standard output and error that never fail a command whose work is done.

The one place that makes the streams safe, for every command:

- A character the stream cannot encode (`PYTHONIOENCODING=ascii`, `LC_ALL=C`, a
  legacy code page) is replaced by `?`, and a byte of a file name that is not
  UTF-8 (a lone surrogate) shows as `\\xNN`: printing never raises, exit status
  unchanged.
- A failing write (`> /dev/full`, a closed pipe) no longer stops the work: the
  rest of the output is dropped, the command finishes (an import batch writes
  every deck) and `finish` reports it as one line and exit status 2 (a closed
  pipe: quietly, status 1, as the reader chose to stop).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import sys
from typing import Any, TextIO

__all__ = ["ERRORS", "GuardedStream", "finish", "install", "unicode_ok"]

#: The codec error handler of both streams.
ERRORS = "reelive-quiz-replace"


def _replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else "?"
                   for c in bad), exc.end


codecs.register_error(ERRORS, _replace)


class GuardedStream:
    """A text stream whose write errors are kept for the end instead of raised."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.failure: OSError | None = None

    def _failed(self, exc: OSError) -> None:
        if self.failure is None:
            self.failure = exc
        try:  # the interpreter flushes what is buffered at exit: let it go nowhere
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        if self.failure is None:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.failure is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._failed(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install() -> GuardedStream:
    """Make stdout and stderr safe for this process; returns the guarded stdout."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ERRORS)
    guarded = sys.stdout if isinstance(sys.stdout, GuardedStream) else GuardedStream(sys.stdout)
    sys.stdout = guarded  # type: ignore[assignment]
    return guarded


def finish(guarded: GuardedStream, status: int) -> int:
    """Flush what is left; the exit status, with a failed write said in one line."""
    guarded.flush()
    exc = guarded.failure
    if exc is None:
        return status
    if exc.errno == errno.EPIPE:
        return status or 1
    done = " (the work itself is done)" if status == 0 else ""
    with contextlib.suppress(OSError):
        sys.stderr.write(f"reelive-quiz: cannot write the output: {exc.strerror or exc}{done}\n")
    return status or 2


def unicode_ok() -> bool:
    """Whether stdout can encode every character (else JSON is written as ASCII)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False

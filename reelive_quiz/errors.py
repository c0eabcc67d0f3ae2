"""The project's error types: everything a user may see, in one place.

The library raises these; only the CLI turns them into a one-line message
and exit status 2, so tests can call the library and check the message.
"""

from __future__ import annotations

__all__ = ["DeckError", "ExportError", "PackageError", "PageError", "ProgressReplaced",
           "ReeliveError", "StoreError"]


class ReeliveError(Exception):
    """A problem the user can fix; its message is one clean line, shown as is.

    Messages quote hostile content (a key, a line of a page), so the line
    breaks and escape sequences in it are removed here, once for every error.
    """

    def __init__(self, message: str) -> None:
        from reelive_quiz.terminal import one_line

        super().__init__(one_line(message))


class PageError(ReeliveError):
    """A file that is not a Reelive page we can read."""


class DeckError(ReeliveError):
    """A YAML deck that is missing a key, has a wrong type or an empty text."""


class StoreError(ReeliveError):
    """The progress file cannot be opened, read or written."""


class ProgressReplaced(StoreError):
    """The progress file was restored from a backup while this process had it open."""


class ExportError(ReeliveError):
    """An Anki export that cannot be written."""


class PackageError(ReeliveError):
    """An Anki package (.apkg, .colpkg) that cannot be read back."""

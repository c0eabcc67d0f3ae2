"""Pages → deck files: the `import` command's work, callable without the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reelive_quiz.deck import Deck, stage_deck
from reelive_quiz.errors import DeckError
from reelive_quiz.files import make_folder
from reelive_quiz.page import read_page

__all__ = ["Imported", "import_pages"]


@dataclass(frozen=True, slots=True)
class Imported:
    deck: Deck
    path: Path


def import_pages(pages: Iterable[Path], out_dir: Path, *, force: bool = False,
                 ) -> Iterator[Imported]:
    """Parse every page first, then write: one bad page means no deck is written."""
    decks = [read_page(page) for page in pages]
    make_folder(out_dir, DeckError, "the decks")  # a folder in the way stops all, not half
    targets: dict[Path, Path] = {}
    for page, deck in zip(pages, decks, strict=True):
        target = out_dir / f"{deck.slug}.yaml"
        if target in targets:
            raise DeckError(f"{page}: same film as {targets[target]} (deck {target.name})")
        targets[target] = page
        if target.is_dir():
            raise DeckError(f"{target}: is a folder; expected a deck file's name")
        if target.exists() and not force:
            raise DeckError(f"{target}: already exists; use --force to replace it")
    staged: list[Path] = []
    try:  # every deck in its temp file first (checked against the deck caps), then renamed
        for (target, page), deck in zip(targets.items(), decks, strict=True):
            staged.append(stage_deck(deck, target, str(page)))
        for deck, target, tmp in zip(decks, targets, staged, strict=True):
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise DeckError(f"{target}: cannot write the deck: {exc.strerror}") from None
            yield Imported(deck, target)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)

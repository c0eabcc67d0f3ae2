"""Pages → deck files: the `import` command's work, callable without the CLI."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reelive_quiz.deck import Deck, dump_checked, write_deck
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
    texts = [dump_checked(deck, str(page)) for page, deck in zip(pages, decks, strict=True)]
    for deck, target, text in zip(decks, targets, texts, strict=True):
        write_deck(deck, target, force=force, text=text)
        yield Imported(deck, target)

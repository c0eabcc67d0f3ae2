"""Pages → deck files: the `import` command's work, callable without the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reelive_quiz.deck import Deck, stage_deck
from reelive_quiz.errors import DeckError
from reelive_quiz.files import make_folder, remove_stale_temps
from reelive_quiz.page import read_page

if TYPE_CHECKING:
    from reelive_quiz.catalogue_ahead import Early
    from reelive_quiz.library import DeckRef
    from reelive_quiz.store import Store

__all__ = ["Imported", "catalogue_imported", "import_pages", "read_pages", "write_decks"]


@dataclass(frozen=True, slots=True)
class Imported:
    deck: Deck
    path: Path


def import_pages(pages: Iterable[Path], out_dir: Path, *, force: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> Iterator[Imported]:
    """Parse every page first, then write: one bad page means no deck is written.

    `progress(done, total)` counts pages parsed, then decks written (total: twice
    the pages). `read_pages` and `write_decks` are its two halves: `import` starts
    the catalogue's generation between them.
    """
    pages = list(pages)
    total = 2 * len(pages)
    targets = read_pages(pages, out_dir, force=force, progress=progress and (
        lambda done, _: progress(done, total)))
    yield from write_decks(targets, out_dir, progress=progress and (
        lambda done, _: progress(len(pages) + done, total)))


def read_pages(pages: Iterable[Path], out_dir: Path, *, force: bool = False,
               progress: Callable[[int, int], None] | None = None,
               ) -> dict[Path, tuple[Path, Deck]]:
    """Every page parsed and its deck file's name checked, nothing written yet:
    deck file → (page, deck), in page order. `progress` counts pages parsed."""
    pages = list(pages)
    if progress:
        progress(0, len(pages))
    decks = []
    for done, page in enumerate(pages, 1):
        decks.append(read_page(page))
        if progress:
            progress(done, len(pages))
    make_folder(out_dir, DeckError, "the decks")  # a folder in the way stops all, not half
    targets: dict[Path, tuple[Path, Deck]] = {}
    for page, deck in zip(pages, decks, strict=True):
        target = out_dir / f"{deck.slug}.yaml"
        if target in targets:
            raise DeckError(f"{page}: same film as {targets[target][0]} (deck {target.name})")
        targets[target] = (page, deck)
        if target.is_dir():
            raise DeckError(f"{target}: is a folder; expected a deck file's name")
        if target.exists() and not force:
            raise DeckError(f"{target}: already exists; use --force to replace it")
    return targets


def write_decks(targets: Mapping[Path, tuple[Path, Deck]], out_dir: Path, *,
                progress: Callable[[int, int], None] | None = None) -> Iterator[Imported]:
    """`read_pages`' decks written: each in its temp file first (checked against the
    deck caps), then all renamed. `progress` counts decks written."""
    if progress:
        progress(0, len(targets))
    remove_stale_temps(out_dir)  # a killed writer's leftovers: once, not once a deck
    staged: list[Path] = []
    try:
        for done, (target, (page, deck)) in enumerate(targets.items(), 1):
            staged.append(stage_deck(deck, target, str(page), clean=False))
            if progress:
                progress(done, len(targets))
        for (target, (_, deck)), tmp in zip(targets.items(), staged, strict=True):
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise DeckError(f"{target}: cannot write the deck: {exc.strerror}") from None
            yield Imported(deck, target)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)


def catalogue_imported(loaded: dict[Path, Deck], store: Store, refs: Sequence[DeckRef],
                       progress: Callable[[int, int], None] | None = None, *,
                       early: Early | None = None) -> None:
    """Build the imported decks' part of the catalogue while they are in memory.

    The same sync the next command would run (every deck of the library,
    changed files only), with the imported decks (`loaded`, by path) taken
    from memory instead of re-read: the first `status` after an import has
    nothing left to do. `loaded` is emptied as the decks are synced, so the
    caller should hold no other reference to them: at 1,000 films they are
    60 MB that the which-film step need not share memory with. `early`: their rows
    already being made (`catalogue_ahead.generate_ahead`).
    """
    from reelive_quiz.catalogue import sync_decks

    sync_decks(store, refs, complete=True, loaded=loaded, progress=progress, early=early)

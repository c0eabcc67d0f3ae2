"""An import's catalogue, started on the second core while the import writes its YAML.

At 1,000 films an import's own work (parsing, YAML) is ~3.5 s of one core, and
its catalogue (410,000 questions generated, then written) ~20 s of CPU after it.
Here a second process starts on the catalogue as soon as the pages are parsed:
the rows of every deck the sync will re-read (the imported ones from memory, the
library's other changed files from disk), then the library's which-film
questions, which need every film and would otherwise wait for the sync to end.

Nothing is taken on trust. The sync uses a deck's rows from here only for the
file and slug they were made for, read with the same signature; and the
which-film rows only if the library they were made for (a digest of every
film's title and items, as `sync_which_film` computes it) is the one the sync
left. Otherwise it makes them itself, as it would without an import.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelive_quiz.catalogue import (
    _WHICH_FILM_CHUNK,
    Made,
    _catalogue_film,
    _catalogue_parts,
    _catalogue_rows,
    _changed,
    _library_rows,
    _signature,
    _slug,
    films,
    library_digest,
)
from reelive_quiz.files import path_text

if TYPE_CHECKING:
    from reelive_quiz.deck import Deck
    from reelive_quiz.parallel import Ahead
    from reelive_quiz.store import DeckFile, Store
    from reelive_quiz.store_catalogue import Row
    from reelive_quiz.which_film import Film, Library

__all__ = ["IMPORT_WINDOW", "Early", "generate_ahead"]

#: How far the second process may get ahead of the sync: about the decks it makes
#: while 1,000 are written as YAML. Its results wait as bytes (a deck's rows ~140 KB,
#: a which-film chunk of 25 films ~1 MB): ~75 MB at worst, when the sync lags at
#: the end of the decks and every which-film chunk is in.
IMPORT_WINDOW = 256

#: The last decks of an import are made by the first process while the second one
#: builds the which-film library and rows, which only it can make (`parallel.ahead`'s
#: `spare`): those came last, with the first process waiting ~1.5 s for the library and
#: then for rows to insert. Import wall at 1,000 films, interleaved: none spared
#: 23.1/22.2/17.7/22.0/23.8 s against 96 spared 19.9/20.6/15.7/17.3/17.5 s; in 3 more
#: rounds, means of 18.6 s (none), 17.8 s (96), 16.6 s (48). At most an eighth of them.
SPARE_DECKS = 64

#: A deck the second process makes: its file, slug, and the file's signature when it
#: was planned (None: the deck is in memory, `import` has just parsed it).
Planned = tuple[Path, str, str | None]

#: Set before the fork, read by the second process: the films of the library's decks
#: that are not re-read (as the store has them) and their keys, and the planned decks.
_plan: tuple[list[Film], dict[str, str], list[Planned]] | None = None
#: The second process's: each deck's film and key as its rows were made, then the
#: library (its digest and index) once built.
_made_films: dict[str, tuple[Film, str]] = {}
#: The second process's: those films' texts as their decks' generation folded them, so
#: the library does not fold them again (107,000 texts at 1,000 films: ~0.7 CPU s).
_folded: dict[str, str] = {}
_library: tuple[str, Library] | None = None


class Early:
    """The rows a second process is making for a sync to come (see the module)."""

    def __init__(self, made: Ahead[Any], decks: list[Planned]) -> None:
        self.made, self.decks = made, decks
        self.read = 0  # results taken from `made`
        self.closed = False

    def deck_rows(self, todo: Sequence[Planned]) -> tuple[list[int], Iterator[Made]] | None:
        """The order to sync `todo` in (indices: the planned decks first, as planned) and
        their rows in that order; None when many of them were not planned (then the
        caller makes them all: two second processes must not run at once)."""
        from reelive_quiz.parallel import PARALLEL_ITEMS

        planned = {deck[:2]: (i, deck[2]) for i, deck in enumerate(self.decks)}
        if sum(t[:2] not in planned for t in todo) >= PARALLEL_ITEMS:
            return None
        order = sorted(range(len(todo)),
                       key=lambda i: planned.get(todo[i][:2], (len(planned), None))[0])
        return order, self._deck_rows([todo[i] for i in order], planned)

    def _deck_rows(self, todo: list[Planned],
                   planned: Mapping[tuple[Path, str], tuple[int, str | None]],
                   ) -> Generator[Made, None, None]:
        at = 0
        while self.read < len(self.decks):
            deck = self.decks[self.read]
            made = next(self.made)
            self.read += 1
            if at < len(todo) and todo[at][:2] == deck[:2]:
                signature = planned[deck[:2]][1]
                yield made if signature in (None, todo[at][2]) else _catalogue_rows(
                    *todo[at][:2])  # the file changed since: read it again
                at += 1
        for path, slug, _ in todo[at:]:
            yield _catalogue_rows(path, slug)

    def which_film_rows(self, store: Store, library: str) -> Iterator[Row] | None:
        """The which-film rows of `library` (`sync_which_film`'s digest), or None if they
        were made for another library (a deck changed meanwhile) or not at all."""
        if self.closed:
            return None
        while self.read < len(self.decks):  # rows of decks the sync did not want
            next(self.made)
            self.read += 1
        first = next(self.made, None)
        if first is None or first[0] != library:
            return None
        return self._which_film_rows(store, first)

    def _which_film_rows(self, store: Store, first: tuple[str, list[Row]],
                         ) -> Iterator[Row]:
        import itertools

        library: Library | None = None
        for chunk, got in enumerate(itertools.chain([first], self.made), len(self.decks)):
            if got is None:  # made here, where there is no plan: from the films stored
                from reelive_quiz.which_film import Library

                library = library or Library(films(store))
                yield from _library_rows(library, self.made.items[chunk][1])
            else:
                yield from got[1]

    def close(self) -> None:
        self.closed = True
        self.made.close()


def generate_ahead(store: Store, decks: Mapping[Path, Deck]) -> Early:
    """Start the second process on the catalogue an import's sync will want (see the
    module): `decks` are the imported ones by the path they are about to be written
    to. The caller must close what this returns."""
    global _plan
    from reelive_quiz.library import file_slug, list_decks
    from reelive_quiz.parallel import ahead

    planned: list[Planned] = [(path, file_slug(path.stem), None) for path in decks]
    known: dict[str, list[DeckFile]] = {}
    for f in store.deck_files():
        known.setdefault(f.path, []).append(f)
    kept: set[str] = set()
    for ref in list_decks():
        if ref.path in decks:
            continue
        slug, signature = _slug(ref), _signature(ref)
        if _changed(known.get(path_text(ref.path), []), slug, signature):
            planned.append((ref.path, slug, signature))
        else:
            kept.add(slug)
    planned.sort(key=lambda deck: deck[1])
    keys = {slug: key for slug, key, _ in store.library_state() if slug in kept}
    slugs = sorted(kept | {slug for _, slug, _ in planned})
    chunks = [("which-film", tuple(slugs[i:i + _WHICH_FILM_CHUNK]))
              for i in range(0, len(slugs), _WHICH_FILM_CHUNK)] if len(slugs) > 1 else []
    _plan = ([f for f in films(store) if f.slug in kept], keys, planned)
    try:
        made = ahead(_work, [("deck", path, slug) for path, slug, _ in planned] + chunks,
                     share=decks, window=IMPORT_WINDOW, local=len(planned),
                     spare=min(SPARE_DECKS, len(planned) // 8) if chunks else 0)
    finally:
        _plan = None  # the fork has it; this process needs it no more
    return Early(made, planned)


def _work(kind: str, *args: Any) -> Any:
    """A planned deck's `Made`, or a which-film chunk's (library digest, rows); None
    for a chunk in the process that has no plan (this one, if the second died)."""
    if kind == "deck":
        if _plan is None:
            return _catalogue_parts(*args)[2]
        from reelive_quiz.text import Folds

        folds = Folds()
        film, key, made = _catalogue_parts(*args, folds=folds)
        _made_films[args[1]] = (film, key)  # kept for the library, made from them at the end
        _folded.update((item.text, folds[item.text]) for item in film.items)
        return made
    if _plan is None:
        return None
    digest, library = _the_library()
    return digest, _library_rows(library, args[0])


def _the_library() -> tuple[str, Library]:
    """The planned library's digest and index, built once (in the second process)."""
    global _library
    if _library is None:
        assert _plan is not None
        from reelive_quiz.which_film import Library

        kept, keys, planned = _plan
        every = list(kept)
        keys = dict(keys)
        for path, slug, _ in planned:  # those the first process made: their film only
            film, key = _made_films.get(slug) or _catalogue_film(path, slug)
            every.append(film)
            keys[slug] = key
        _library = (library_digest(keys.items()), Library(every, _folded))
        _folded.clear()  # the library has its own copy
    return _library



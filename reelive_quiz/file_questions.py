"""Deck files the catalogue does not hold → their questions, without storing them.

`export FILE.yaml…` of files never synced needs their questions once. Syncing
them first wrote 410,000 rows to the progress file at 1,000 files (~10 s), read
them back, and the next `status` hid them again (they are no deck of the library).
Here they are generated in the catalogue's own order (slug, then the position
`sync_deck` and `sync_which_film` give: the deck's interleaved questions, a
which-film question after every ninth), so the package is the one an export of
the synced catalogue writes.

Generation is ~40 µs a question of pure Python; with many files it runs in a
second process, a few files ahead of this one, which writes the package
meanwhile: the export uses the machine's second core instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reelive_quiz.parallel import ahead

if TYPE_CHECKING:
    from reelive_quiz.generate import QuestionTuple
    from reelive_quiz.question import Question
    from reelive_quiz.which_film import Film

__all__ = ["FileQuestions", "progress_by_file"]


class FileQuestions:
    """The questions of deck files (`(path, slug)`), and what the export needs to know.

    Reading every file first gives the films (which-film questions draw their
    options from all of them) and the titles; a file that does not load fails
    here with its one-line `DeckError`, before anything is written. The second
    process (`parallel.ahead`) starts on the files' own questions meanwhile, reading
    each file again: which-film needs every film before the first one is written,
    and a second read (~3 ms a file) there costs less than waiting for it here.
    """

    def __init__(self, files: Sequence[tuple[Path, str]], library: Iterable[Film],
                 kinds: Collection[str] | None = None) -> None:
        from reelive_quiz.deck import load_deck
        from reelive_quiz.which_film import KIND, film_of, which_film

        self.files = sorted(files, key=lambda f: f[1])  # the catalogue's order: by slug
        self.kinds = None if kinds is None else frozenset(kinds)
        self.rows = ahead(_deck_rows, self.files)
        try:
            films = {f.slug: f for f in library}
            own: list[Film] = []
            for path, slug in self.files:
                own.append(film_of(load_deck(path), slug))
                films[slug] = own[-1]
            self.titles: dict[str, set[str]] = {}
            for film in own:
                self.titles.setdefault(film.title, set()).add(film.slug)
            self._which: dict[str, list[Question]] = {}
            if self.kinds is None or KIND in self.kinds:
                for q in which_film(list(films.values()), only={f.slug for f in own}):
                    self._which.setdefault(q.slug, []).append(q)
        except BaseException:
            self.close()
            raise
        self.done = 0  # files whose questions were handed out

    def __iter__(self) -> Iterator[Question]:
        from reelive_quiz.question import Question

        try:
            for (_, slug), rows in zip(self.files, self.rows, strict=True):
                which = self._which.pop(slug, [])
                yield from _merged([Question(*row) for row in rows], which, self.kinds)
                self.done += 1
        finally:
            self.close()

    def close(self) -> None:
        """Stop the second process (a Ctrl-C or a failure of the writer included)."""
        self.rows.close()


def _deck_rows(path: Path, slug: str) -> list[QuestionTuple]:
    """A deck file's questions in catalogue order, as plain tuples (cheap to send)."""
    from reelive_quiz.catalogue import interleave_tuples
    from reelive_quiz.deck import load_deck
    from reelive_quiz.generate import generate_tuples

    return interleave_tuples(generate_tuples(load_deck(path), slug=slug))


def _merged(deck: list[Question], which: list[Question],
            kinds: Collection[str] | None) -> Iterator[Question]:
    """One film's questions by position: the deck's 0, 1, 2…; its which-film questions
    at 8, 17, 26… (`Store.sync_which_film`), after the deck's question of the same
    position (`Store.iter_catalogue`)."""
    k = 0
    for position, q in enumerate(deck):
        while k < len(which) and k * 9 + 8 < position:
            yield which[k]
            k += 1
        if kinds is None or q.kind in kinds:
            yield q
    yield from which[k:]


def progress_by_file(questions: FileQuestions,
                     progress: Callable[[int, int], None] | None,
                     ) -> Callable[[int, int], None] | None:
    """The export's progress (notes written) shown as files done: their questions
    are not counted before they are generated."""
    if progress is None:
        return None
    total = len(questions.files)

    def report(done: int, _: int) -> None:
        progress(questions.done, total)

    return report

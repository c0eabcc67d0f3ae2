"""`which-film`: the question fans ask each other, across every film of the library.

A line, a quote or a trivia fact of one film asks which film it comes from,
with other films of the library as options. It cannot be made from one deck
alone, so each deck is reduced to a `Film` (its items, kept in the catalogue
by the sync) and the questions are built from all films at once.

The id hashes only the question's own film and item: importing or removing
a film changes the options, never the id, so progress stays. Options are
drawn deterministically (seeded by the id) from the other films, never one
whose deck holds the same text, never one the prompt names. Everything is
linear in the items of the library: one index of texts, then a few draws per
question, never a scan of every film.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reelive_quiz.deck import Deck
from reelive_quiz.generate import (
    MAX_OPTIONS,
    SHORT_LINE,
    Draws,
    QuestionTuple,
    _blank,
    _digest,
    _id,
    _quoted,
)
from reelive_quiz.question import Question
from reelive_quiz.text import Folds, fold_text

__all__ = ["KIND", "Film", "Item", "Library", "film_of", "generate_all", "which_film"]

KIND = "which-film"
#: More films than this are sampled, not scanned, for each question's options.
_SCAN_LIMIT = 64


@dataclass(frozen=True, slots=True)
class Item:
    """One line, quote or fact of a film, as a which-film question needs it."""

    what: str  # line, quote, fact
    text: str
    source: str
    sibling: str  # shared with the item's other questions: never asked the same day
    info: str


@dataclass(frozen=True, slots=True)
class Film:
    slug: str
    title: str
    items: tuple[Item, ...]

    def items_json(self) -> str:
        return json.dumps([[i.what, i.text, i.source, i.sibling, i.info] for i in self.items],
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, slug: str, title: str, items: str | None) -> Film:
        return cls(slug, title, tuple(Item(*row) for row in json.loads(items or "[]")))


def film_of(deck: Deck, slug: str | None = None) -> Film:
    """The items of a deck that can ask which film they come from.

    `slug` is the deck's key in the catalogue (its file's); the title's by default.
    """
    slug = slug or deck.slug
    items: list[Item] = []
    for i, s in enumerate(deck.dialogues):
        for j, ln in enumerate(s.lines):
            if len(ln.text.split()) >= SHORT_LINE:  # "Perhaps." could be from any film
                items.append(Item("line", ln.text, f"dialogues[{i}].lines[{j}]",
                                  _digest(slug, "line", ln.speaker, ln.text)[:16],
                                  f"{ln.speaker}, in the scene “{s.scene}”."))
    for i, q in enumerate(deck.quotes):
        if len(q.text.split()) >= SHORT_LINE:
            items.append(Item("quote", q.text, f"quotes[{i}]",
                              _digest(slug, "line", q.speaker, q.text)[:16],
                              f"{q.speaker}, in {deck.title}."))
    for i, t in enumerate(deck.trivia):
        items.append(Item("fact", t.fact, f"trivia[{i}]", _digest(slug, "trivia", t.title)[:16],
                          f"{t.title}. Why it matters: {t.why_it_matters}"))
    return Film(slug, deck.title, tuple(items))


def question_ids(film: Film) -> list[str]:
    """The ids its which-film questions have, item by item (whatever their options)."""
    return [_id(film.slug, KIND, item.what, item.text) for item in film.items]


_ASK = {"line": "Which film is this line from?", "quote": "Which film is this quote from?",
        "fact": "Which film is this trivia about?"}
_ASK_KEYS = {what: fold_text(ask) for what, ask in _ASK.items()}


def which_film(films: Sequence[Film], only: Collection[str] | None = None,
               folded: Mapping[str, str] | None = None) -> list[Question]:
    """The which-film questions of the films whose slug is in `only` (default: all).

    Options come from all `films`; none when the library holds one film.
    `folded` holds texts already folded (`fold_text`), e.g. by `generate`: the
    items are the decks' lines and facts, 9M characters at 1,000 films.
    """
    return Library(films, folded).questions(only)


class Library:
    """The films' index that options are drawn from (which films hold a text, their
    titles folded), built once: questions can then be asked of the films a few at a
    time (`catalogue.sync_which_film` asks a second process for them)."""

    def __init__(self, films: Sequence[Film], folded: Mapping[str, str] | None = None) -> None:
        self.films = sorted({f.slug: f for f in films}.values(), key=lambda f: f.slug)
        self.folds = folds = Folds(folded or {})
        self.holders: dict[str, set[str]] = {}  # folded text -> the films whose deck holds it
        for film in self.films:
            for item in film.items:
                self.holders.setdefault(folds[item.text], set()).add(film.slug)
        self.title_keys = [folds[f.title] for f in self.films]
        self.padded_titles = [f" {key} " for key in self.title_keys]  # searched in prompts
        self.slugs = [f.slug for f in self.films]

    def questions(self, only: Collection[str] | None = None) -> list[Question]:
        return [Question(*q) for q in self.tuples(only)]

    def tuples(self, only: Collection[str] | None = None) -> list[QuestionTuple]:
        """`questions` as plain tuples (`generate_tuples`): what the catalogue's rows are
        made of, with no `Question` each."""
        films, folds = self.films, self.folds
        if len(films) < 2:
            return []
        out: list[QuestionTuple] = []
        seen: set[str] = set()
        for index, film in enumerate(films):
            if only is not None and film.slug not in only:
                continue
            for item in film.items:
                qid = _id(film.slug, KIND, item.what, item.text)
                if qid in seen:
                    continue
                text_key = folds[item.text]
                if item.what == "fact":  # a fact may name its film: blanked
                    shown = _blank(item.text, [film.title])
                    text_key = fold_text(shown) if shown != item.text else text_key
                else:
                    shown = item.text
                prompt = f"{_ASK[item.what]} {_quoted(shown)}"
                prompt_key = f" {_ASK_KEYS[item.what]} {text_key} "  # = fold(prompt), padded
                if self.padded_titles[index] in prompt_key:
                    continue  # the line names its own film
                draws = Draws(qid)
                options = _draw(draws, index, self.title_keys, self.padded_titles, self.slugs,
                                self.holders.get(folds[item.text], set()), prompt_key)
                if not options:
                    continue
                seen.add(qid)
                titles = [films[o].title for o in options] + [film.title]
                draws.shuffle(titles)
                out.append((qid, film.title, film.slug, KIND, prompt, film.title,
                            tuple(titles), item.source, item.sibling, item.info,
                            "choice", False))
        return out


def _draw(draws: Draws, own: int, keys: Sequence[str], padded_keys: Sequence[str],
          slugs: Sequence[str], excluded: Collection[str], prompt_key: str) -> list[int]:
    """Up to MAX_OPTIONS - 1 other films (indexes), seeded by the id: a few draws each.

    A film is offered unless its title folds like the answer's or an option's
    already taken, its deck holds the same text (`excluded` slugs), or the
    (folded, padded) prompt names it. The same test is written out in both loops
    rather than in closures made per question (107k questions a library).
    """
    wanted = MAX_OPTIONS - 1
    count = len(keys)
    answer_key = keys[own]
    chosen: list[int] = []
    taken: set[str] = set()
    if count > _SCAN_LIMIT:
        for _ in range(4 * wanted):
            other = draws.below(count)
            key = keys[other]
            if (other == own or key in taken or key == answer_key or slugs[other] in excluded
                    or padded_keys[other] in prompt_key):
                continue
            taken.add(key)
            chosen.append(other)
            if len(chosen) == wanted:
                return chosen
        chosen, taken = [], set()
    order = list(range(count))  # a partial shuffle: each film checked only when drawn
    for k in range(count):
        j = k + draws.below(count - k)
        order[k], order[j] = order[j], order[k]
        other = order[k]
        key = keys[other]
        if (other == own or key in taken or key == answer_key or slugs[other] in excluded
                or padded_keys[other] in prompt_key):
            continue
        taken.add(key)
        chosen.append(other)
        if len(chosen) == wanted:
            break
    return chosen


def generate_all(decks: Iterable[Deck | tuple[Deck, str]], kinds: Iterable[str] | None = None,
                 library: Iterable[Film] = ()) -> list[Question]:
    """Every question of `decks` (each a deck, or a deck and its file's slug), which-film
    included, with `library` as further films."""
    from reelive_quiz.generate import generate

    pairs = [d if isinstance(d, tuple) else (d, d.slug) for d in decks]
    wanted = list(kinds) if kinds is not None else None
    asked = wanted is None or KIND in wanted
    out: list[Question] = []
    own: list[Film] = []
    folded: dict[str, str] = {}  # the items' texts as generation folded them
    for deck, slug in pairs:
        folds = Folds()
        out += generate(deck, wanted, slug=slug, folds=folds)
        if asked:
            own.append(film_of(deck, slug))
            folded.update((item.text, folds[item.text]) for item in own[-1].items)
    if asked:
        films = {f.slug: f for f in library} | {f.slug: f for f in own}
        out += which_film(list(films.values()), only={f.slug for f in own}, folded=folded)
    return out

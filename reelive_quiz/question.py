"""A question: the one record every stage after generation passes along.

Kept apart from the generator so the quiz, the store and the export can use
it without loading decks, YAML or the generator's machinery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["BLANK", "FLIP_KINDS", "KINDS", "TYPEABLE_LENGTH", "Kind", "Mode", "Question",
           "as_row"]

#: What a question asks about (its generator; `custom`: written in the deck).
Kind = Literal["who-said", "which-scene", "next-line", "finish-quote", "track",
               "track-artist", "moment", "trivia", "which-film", "custom"]

#: How it is asked. choice: pick from options; typed: type the answer; flip:
#: think, see the answer, grade yourself. A learnt choice question is asked typed.
Mode = Literal["choice", "typed", "flip"]

#: kind → human name (also the Anki subdeck name), in the order they are asked.
KINDS: dict[Kind, str] = {
    "who-said": "Who said it",
    "which-scene": "Which scene",
    "next-line": "What comes next",
    "finish-quote": "Finish the quote",
    "track": "Soundtrack",
    "track-artist": "Performed by",
    "moment": "Key moments",
    "trivia": "Trivia",
    "which-film": "Which film",  # across films: made by which_film.py, not per deck
    "custom": "Your questions",
}

#: Answers up to this long may be asked typed once a choice question is learnt.
TYPEABLE_LENGTH = 40

#: What stands where a question's answer was cut out of its text (a trivia fact):
#: the generator writes it, the Anki export turns it into a cloze.
BLANK = "_____"

#: Kinds always asked as flip cards (think, show, grade yourself), never with
#: options: the generator gives them the flip mode, Anki the basic note type.
FLIP_KINDS = frozenset({"finish-quote"})


@dataclass(frozen=True, slots=True)
class Question:
    """One question, as generated from a deck and kept in the store's catalogue.

    - `id`: `<kind>-<hash>` of the deck's slug, the kind and the content it was
      made from; stable across regeneration, the key of its progress and of
      its Anki note.
    - `deck`: the film's title (as shown; `slug` is the deck's key).
    - `options`: the choices, answer included, in their shown order; () when
      the question is typed or flipped.
    - `source`: the deck item it was made from, as a YAML path into the deck
      (`dialogues[3].lines[2]`), not a file name.
    - `sibling`: shared by questions made from the same line or item; siblings
      are never asked on the same day.
    - `info`: what is shown after the answer (the scene, the context, why it
      matters); may be empty.
    - `person`: the answer is a person's name, so a typed given or family
      name alone is graded right.
    """

    id: str
    deck: str
    slug: str
    kind: Kind
    prompt: str
    answer: str
    options: tuple[str, ...]
    source: str
    sibling: str
    info: str = ""
    mode: Mode = "choice"
    person: bool = False

    @property
    def typeable(self) -> bool:
        """Can this be asked as typed input once it is learnt?"""
        return self.mode != "flip" and len(self.answer) <= TYPEABLE_LENGTH

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["options"] = list(self.options)
        return data


def as_row(q: Question) -> tuple[Any, ...]:
    """Its fields in order, as a plain tuple (`Question(*row)` gives it back): what
    crosses the pipe from the second process (`parallel`), cheaper to pickle."""
    return (q.id, q.deck, q.slug, q.kind, q.prompt, q.answer, q.options, q.source, q.sibling,
            q.info, q.mode, q.person)

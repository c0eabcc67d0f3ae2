"""A question: the one record every stage after generation passes along.

Kept apart from the generator so the quiz, the store and the export can use
it without loading decks, YAML or the generator's machinery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["KINDS", "MODES", "TYPEABLE_LENGTH", "Question"]

#: kind → human name (also the Anki subdeck name), in the order they are asked.
KINDS: dict[str, str] = {
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

#: choice: pick from options; typed: type the answer; flip: show it, grade yourself.
MODES = ("choice", "typed", "flip")

#: Answers up to this long may be asked typed once a choice question is learnt.
TYPEABLE_LENGTH = 40


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    deck: str
    slug: str
    kind: str
    prompt: str
    answer: str
    options: tuple[str, ...]
    source: str
    sibling: str
    info: str = ""
    mode: str = "choice"
    person: bool = False

    @property
    def typeable(self) -> bool:
        """Can this be asked as typed input once it is learnt?"""
        return self.mode != "flip" and len(self.answer) <= TYPEABLE_LENGTH

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["options"] = list(self.options)
        return data

"""A card: where a question stands in its schedule, and the names of its numbers.

`State` and `Rating` have the values of `fsrs.State` and `fsrs.Rating` (so the
adapter converts by value, and the stored numbers are the ones FSRS uses);
`Suspension` is ours. They are `IntEnum`s because the progress file stores
them as integers: a member compares and binds as its number.

A question never answered is *new*: its `state` is None (NULL in the file),
not a member of `State`, as in FSRS, where a new card has no state before its
first review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

__all__ = ["CARD_FIELDS", "CardState", "Rating", "State", "Suspension"]


class State(IntEnum):
    """A studied card's FSRS state (`fsrs.State`); new cards have None."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


#: The states whose cards come back within the day (learning steps).
LEARNING_STATES = (State.LEARNING, State.RELEARNING)


class Rating(IntEnum):
    """How well an answer went, as FSRS takes it (`fsrs.Rating`)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Suspension(IntEnum):
    """Why a question is not asked: not at all, by the user, or as a leech."""

    NONE = 0
    SUSPENDED = 1
    LEECH = 2


#: CardState's fields in stored order: the columns of `questions` and the JSON
#: array kept in `reviews.previous` (the store reads its items by this order).
CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
               "lapses", "suspended")


@dataclass(frozen=True, slots=True)
class CardState:
    """A question's schedule; `state` None means never answered (new).

    `due` and `last_review` are Unix seconds; `step` is the FSRS learning step.
    """

    state: int | None = None
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: int | None = None
    last_review: int | None = None
    reps: int = 0
    lapses: int = 0
    suspended: int = Suspension.NONE

    def to_json(self) -> str:
        """The card as the answer log keeps it, to undo an answer (CARD_FIELDS order)."""
        return json.dumps([getattr(self, c) for c in CARD_FIELDS])

    @classmethod
    def from_json(cls, text: str) -> CardState:
        return cls(*json.loads(text))

"""The records of personal FSRS parameters, as the store hands them out.

Apart from `store_fsrs.py` so that opening the store (every command) does not
build these classes: only `optimize`, `stats` and a session's start read them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["SET_COLUMNS", "LoggedAnswer", "MemoryUpdate", "ParameterSet", "RatingStats",
           "set_from_row"]

SET_COLUMNS = ("id", "adopted", "parameters", "reviews", "log_loss", "rmse",
               "log_loss_before", "rmse_before", "retired")


class LoggedAnswer(NamedTuple):
    """One answer of a question that moved its card (cram answers do not)."""

    id: int
    ts: int
    day: int  # the study day it was given on (4 a.m. rule, local time, at the time)
    rating: int


class MemoryUpdate(NamedTuple):
    """A card's memory state under new parameters; `interval` set to reschedule it."""

    question: str
    stability: float
    difficulty: float
    interval: int | None  # days after its last review; None keeps the due date


class RatingStats(NamedTuple):
    """What the log says about answering, for the workload simulation."""

    first: dict[int, int]  # rating -> count, first answers of new questions
    review: dict[int, int]  # rating -> count, remembered reviews (Hard, Good, Easy)
    seconds: dict[tuple[int, int], tuple[float, int]]  # (state before, rating) -> mean, count


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """One change of FSRS parameters, as kept in the progress file."""

    id: int
    adopted: int
    parameters: tuple[float, ...] | None  # None: the defaults
    reviews: int | None = None
    log_loss: float | None = None
    rmse: float | None = None
    log_loss_before: float | None = None
    rmse_before: float | None = None
    retired: int | None = None

    @property
    def personal(self) -> bool:
        return self.parameters is not None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {name: getattr(self, name) for name in self.__slots__}
        if self.parameters is not None:
            out["parameters"] = list(self.parameters)
        return out


def set_from_row(row: tuple) -> ParameterSet:
    values = dict(zip(SET_COLUMNS, row, strict=True))
    raw = values.pop("parameters")
    return ParameterSet(parameters=None if raw is None else tuple(json.loads(raw)), **values)

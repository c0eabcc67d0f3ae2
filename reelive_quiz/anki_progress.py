"""Progress → Anki: studied cards keep their schedule, the answer log becomes `revlog`.

`export --with-progress` hands a `ProgressExport` (an `apkg.Scheduling`) to the
package writer (`apkg.py`),
which asks it for each card's scheduling columns and lets it fill the review log.
What Anki does with the package decides every value here (Anki's
`rslib/src/import_export/package/apkg/import/` and `scheduler/`):

* The importer keeps a card's schedule and review log only when "Import any
  learning progress" is ticked (`with_scheduling`), and only for cards it adds:
  a card already in the collection keeps its own.
* A package collection without `"schedVer": 2` is upgraded as a v1 collection
  on import, which adds 1 to every learning/relearning Hard and Good in the log
  (Good becomes Easy). So the collection config says `schedVer` 2.
* A review card's `due` counts study days since the collection's `crt`, and the
  importer shifts it by how many days the package's collection is ahead of the
  user's, each counted with the package's own `rollover` and `creationOffset`.
  Without them Anki falls back to older day counting and due dates land a day
  early, so `crt` is 4 a.m. local time (our study day starts then too) with
  `rollover` 4 and `creationOffset` the UTC offset at that moment.
* A learning card's `due` is a unix time; `left` counts the steps still to go.
* FSRS memory lives in the card's `data` JSON: `s`, `d`, `dr`, `decay`, `lrt`
  (Anki rounds them to 4, 3, 2 and 3 places). Anki recomputes it from the
  review log when the user optimises, starting at the card's first learning
  answer, so the whole log goes along.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from reelive_quiz.apkg import set_scheduler, without_revlog_indexes
from reelive_quiz.card import CardState, State, Suspension
from reelive_quiz.clock import DAY_STARTS_AT, day_number
from reelive_quiz.config import Config
from reelive_quiz.store import Store

__all__ = ["AnkiCard", "ProgressExport", "anki_card", "collection_start"]

# Anki's card types and queues (rslib/src/card/mod.rs)
TYPE_LEARN, TYPE_REVIEW, TYPE_RELEARN = 1, 2, 3
QUEUE_SUSPENDED, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = -1, 1, 2, 3
#: Anki's starting ease (250 %): FSRS ignores it, SM-2 needs something sensible.
EASE_FACTOR = 2500
_EARLIEST_DAY = date(2006, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """The scheduling columns of an Anki `cards` row."""

    ctype: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    data: str

    def row(self) -> tuple[object, ...]:
        """type … data, as the row continues after `usn` (odue, odid, flags 0)."""
        return (self.ctype, self.queue, self.due, self.ivl, self.factor, self.reps,
                self.lapses, self.left, 0, 0, 0, self.data)


def _day(ts: int) -> int:
    return _quarter_day(ts // 900)


@functools.cache
def _quarter_day(quarter: int) -> int:
    """A study day never changes within a quarter hour of UTC (offsets are multiples
    of 15 minutes): 80,000 cards' dates need a few thousand time-zone conversions."""
    return day_number(datetime.fromtimestamp(quarter * 900, UTC))


def collection_start(first_day: int) -> tuple[int, int]:
    """(`crt`, `creationOffset`): 4 a.m. local time on study day `first_day`, and
    the UTC offset then in minutes west, as Anki stores it."""
    local = datetime.combine(date.fromordinal(first_day), time(DAY_STARTS_AT)).astimezone()
    offset = local.utcoffset()
    minutes_west = -int(offset.total_seconds() // 60) if offset is not None else 0
    return int(local.timestamp()), minutes_west


def anki_card(card: CardState, crt_day: int, retention: float, decay: float,
              learning_steps: int, relearning_steps: int) -> AnkiCard:
    """One studied question's card as Anki schedules it (`card.state` is not None)."""
    assert card.state is not None and card.due is not None
    last = card.last_review if card.last_review is not None else card.due
    # json.dumps of {"s", "d", "dr", "decay", "lrt"} written out (the same text: json
    # writes a float as its repr): a third of this function's time for 80,000 cards
    memory = (f'{{"s":{round(card.stability or 0.0, 4)!r},'
              f'"d":{round(card.difficulty or 0.0, 3)!r},"dr":{round(retention, 2)!r},'
              f'"decay":{round(decay, 3)!r},"lrt":{int(last):d}}}')
    due_day = _day(card.due)
    if card.state == State.REVIEW:
        ctype, queue, due = TYPE_REVIEW, QUEUE_REVIEW, due_day - crt_day
        ivl, left = max(1, due_day - _day(last)), 0
    else:
        relearning = card.state == State.RELEARNING
        ctype = TYPE_RELEARN if relearning else TYPE_LEARN
        steps = relearning_steps if relearning else learning_steps
        left = max(1, steps - (card.step or 0))
        if due_day > _day(last):  # a step past the day's end: Anki's day-learn queue
            queue, due = QUEUE_DAY_LEARN, due_day - crt_day
        else:
            queue, due = QUEUE_LEARN, card.due
        ivl = max(1, round(card.stability or 1)) if relearning else 0
    if card.suspended != Suspension.NONE:
        queue = QUEUE_SUSPENDED
    return AnkiCard(ctype, queue, due, ivl, EASE_FACTOR, card.reps, card.lapses, left, memory)


class ProgressExport:
    """The `Scheduling` for one export: the store's card states and answer log."""

    def __init__(self, store: Store, config: Config, today: int) -> None:
        from reelive_quiz.schedule import fsrs_profile

        self.store = store
        self.states = store.studied_cards()  # by question id: the notes come as a stream
        first = store.first_answer_day()
        # a day logged before 2006 (Anki's own epoch) can only be a damaged row
        self.crt_day = min(max(first, _EARLIEST_DAY), today) if first is not None else today
        self.retention = config.desired_retention
        in_use = store.parameters_in_use()  # the decay of the personal FSRS set, if any
        self.decay, self.learning_steps, self.relearning_steps = fsrs_profile(
            config, in_use.parameters if in_use is not None else None)
        self.studied = 0
        self.logged = 0

    def configure(self, cursor: sqlite3.Cursor) -> None:
        crt, minutes_west = collection_start(self.crt_day)
        set_scheduler(cursor, crt, {"schedVer": 2, "rollover": DAY_STARTS_AT,
                                    "creationOffset": minutes_west})

    def card(self, question: str) -> tuple[object, ...] | None:
        """Made as the writer asks, not held: 60,000 rows of JSON are 15 MB."""
        state = self.states.get(question)
        if state is None:
            return None
        self.studied += 1
        return anki_card(state, self.crt_day, self.retention, self.decay,
                         self.learning_steps, self.relearning_steps).row()

    def write_log(self, cursor: sqlite3.Cursor, cards: Sequence[tuple[str, int]]) -> int:
        with without_revlog_indexes(cursor):
            self.logged = self.store.copy_log_to_anki(cursor, cards)
        return self.logged

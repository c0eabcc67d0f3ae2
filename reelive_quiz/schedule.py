"""The FSRS adapter and the day's queue.

Intervals come from the `fsrs` package (the scheduler Anki uses), never from
a formula of ours. This module turns an answer into a rating and a new card
state, and picks what is due: learning cards, then reviews (capped per day),
then new questions (capped per day), never two siblings on the same day.
`now` is a parameter. Keeping the catalogue in step with the deck files is
`catalogue.py`'s job.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from reelive_quiz.card import CardState, Rating, State, Suspension
from reelive_quiz.clock import day_end, day_number, to_ts
from reelive_quiz.store import Store

if TYPE_CHECKING:
    from reelive_quiz.config import Config
    from reelive_quiz.question import Mode

__all__ = [
    "LEARN_AHEAD",
    "LearningPile",
    "Queue",
    "ask_typed",
    "build_queue",
    "count_due",
    "fsrs_profile",
    "interval_days",
    "next_state",
    "replay",
]

#: A learning card due this soon is shown rather than ending the session (Anki: 20 min).
LEARN_AHEAD = timedelta(minutes=20)


@functools.cache
def _scheduler(retention: float, fuzz: bool, parameters: tuple[float, ...] | None = None):
    """One fsrs.Scheduler per setting; `parameters` None: FSRS's defaults."""
    import fsrs

    if parameters is None:
        return fsrs.Scheduler(desired_retention=retention, enable_fuzzing=fuzz)
    return fsrs.Scheduler(parameters=parameters, desired_retention=retention,
                          enable_fuzzing=fuzz)


def interval_days(stability: float, retention: float,
                  parameters: Sequence[float] | None = None) -> int:
    """Days until recall falls to `retention`: the interval fsrs.Scheduler gives a review
    card of this stability (without fuzz), for rescheduling without a review."""
    scheduler = _scheduler(retention, False, None if parameters is None else tuple(parameters))
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = round(stability / factor * (retention ** (1 / decay) - 1))
    return int(min(max(days, 1), scheduler.maximum_interval))


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def next_state(card: CardState, rating: int, when: datetime, config: Config,
               parameters: tuple[float, ...] | None = None) -> CardState:
    """The card after one answer, as FSRS schedules it; leeches get suspended.

    `parameters` are the personal FSRS parameters in use (`optimize`), None for
    the defaults.
    """
    import fsrs

    scheduler = _scheduler(config.desired_retention, config.fuzz, parameters)
    if card.state is None:
        current = fsrs.Card(card_id=1, due=when)
    else:
        current = fsrs.Card(card_id=1, state=fsrs.State(card.state), step=card.step,
                            stability=card.stability, difficulty=card.difficulty,
                            due=_dt(card.due), last_review=_dt(card.last_review))
    updated, _ = scheduler.review_card(current, fsrs.Rating(rating), when)
    lapses = card.lapses + int(rating == Rating.AGAIN and card.state == State.REVIEW)
    suspended = card.suspended
    if lapses >= config.leech_lapses and suspended == Suspension.NONE:
        suspended = Suspension.LEECH
    return CardState(int(updated.state.value), updated.step, updated.stability,
                     updated.difficulty, to_ts(updated.due),
                     to_ts(updated.last_review) if updated.last_review else to_ts(when),
                     card.reps + 1, lapses, suspended)


def fsrs_profile(config: Config, parameters: tuple[float, ...] | None = None,
                 ) -> tuple[float, int, int]:
    """(FSRS decay, learning steps, relearning steps) of the scheduler in use."""
    scheduler = _scheduler(config.desired_retention, config.fuzz, parameters)
    return (float(scheduler.parameters[20]), len(scheduler.learning_steps),
            len(scheduler.relearning_steps))


def replay(answers: Sequence[tuple[int, int, bool]], suspended: int, config: Config,
           parameters: tuple[float, ...] | None = None) -> tuple[list[CardState], CardState]:
    """A question's schedule rebuilt from its whole log, in time order.

    `answers` are (time, rating, cram) sorted by time; returns the state before
    each answer and the state after the last. Cram answers leave it alone; a
    question suspended by hand stays suspended, a leech is found again.
    `parameters` are the personal FSRS parameters in use, as for `next_state`.
    """
    card = CardState(suspended=suspended if suspended != Suspension.LEECH
                     else Suspension.NONE)
    before = []
    for ts, rating, cram in answers:
        before.append(card)
        if not cram:
            card = next_state(card, rating, datetime.fromtimestamp(ts, UTC), config,
                              parameters)
    return before, card


def ask_typed(mode: Mode, typeable: bool, card: CardState | None, config: Config) -> bool:
    """A choice question is asked typed once learnt: stability ≥ typed_after_days."""
    return (mode == "choice" and typeable and card is not None and card.stability is not None
            and card.stability >= config.typed_after_days)


# -- the day's queue --------------------------------------------------------------

class LearningPile:
    """The day's cards in learning steps, soonest first: a heap of those read, the
    rest read from the store a page at a time, when the heap's first card might
    come after them (a backlog at 1,000 films holds 24,000 of them).

    Cards the session pushes back (answered, still learning today) are kept here
    and skipped when a later page holds them again. A plain class: a dataclass
    costs ~1 ms to define, on the way to the first question.
    """

    __slots__ = ("after", "heap", "kinds", "more", "pushed", "scope", "store", "unread", "until")

    def __init__(self, store: Store | None = None, scope: Sequence[str] = (),
                 kinds: Sequence[str] | None = None, until: int = 0) -> None:
        self.store, self.scope, self.kinds, self.until = store, tuple(scope), kinds, until
        self.heap: list[tuple[int, str]] = []
        self.unread = store.learning_count(scope, kinds, until) if store else 0  # not read yet
        self.more = self.unread > 0  # whether the store may hold cards after `after`
        self.after: tuple[int, str] | None = None  # the last (due, id) read from the store
        self.pushed: set[str] = set()

    def __len__(self) -> int:
        return len(self.heap) + self.unread

    def first(self) -> tuple[int, str] | None:
        """The soonest card, (due, id), reading pages until it is known."""
        while self.more and (not self.heap or self.after is None or self.heap[0] > self.after):
            self._page()
        return self.heap[0] if self.heap else None

    def pop(self) -> str:
        return heapq.heappop(self.heap)[1]

    def push(self, due: int, qid: str) -> None:
        self.pushed.add(qid)
        heapq.heappush(self.heap, (due, qid))

    def drop(self, qid: str) -> None:
        self.heap = [item for item in self.heap if item[1] != qid]
        heapq.heapify(self.heap)

    def _page(self) -> None:
        from reelive_quiz.store_reads import LEARNING_PAGE

        assert self.store is not None
        rows = self.store.learning_due(self.scope, self.kinds, self.until, self.after,
                                       LEARNING_PAGE)
        self.more = len(rows) == LEARNING_PAGE
        if rows:
            self.after = tuple(rows[-1])  # type: ignore[assignment]
        kept = [(due, qid) for due, qid in rows if qid not in self.pushed]
        self.unread = max(0, self.unread - len(kept)) if self.more else 0
        for item in kept:
            heapq.heappush(self.heap, item)


@dataclass
class Queue:
    """What one session will ask, in order; learning cards are re-queued as they go."""

    ids: list[str]
    new_left: int
    reviews_left: int
    new_waiting: int
    learning: LearningPile = field(default_factory=LearningPile)
    slugs: tuple[str, ...] = ()  # what the session was asked for: its summary counts these
    kinds: tuple[str, ...] = ()
    fresh: int = 0  # how many of `ids`, at their end, are new questions


def done_today(store: Store, when: datetime) -> tuple[int, int]:
    """(new questions introduced, reviews answered) on the study day of `when`."""
    today = day_number(when)
    return store.introduced_on(today), store.reviewed_on(today)


def build_queue(store: Store, slugs: Sequence[str], when: datetime, config: Config, *,
                kinds: Sequence[str] | None = None, cram: bool = False,
                cram_limit: int = 20) -> Queue:
    if cram:
        picks = store.cram_picks(slugs, kinds, cram_limit)  # new ones last
        return Queue(picks, 0, 0, 0, LearningPile(), tuple(slugs), tuple(kinds or ()),
                     store.count_new(picks))
    end_ts = to_ts(day_end(when))
    # every deck asked for (plain `play`): the learning cards and the count of new ones are
    # read from the whole catalogue, the same rows (the ordered picks keep their scope: its
    # plan, and so the order of cards due at the same second, is the one tested)
    scope: Sequence[str] = () if store.covers_catalogue(slugs) else slugs
    new_done, reviews_done = done_today(store, when)
    new_left = max(0, config.new_per_day - new_done)
    reviews_left = max(0, config.reviews_per_day - reviews_done)
    buried = store.answered_siblings(day_number(when))  # their siblings wait a day
    taken: set[str] = set()

    def allowed(qid: str, sibling: str) -> bool:
        others = buried.get(sibling, set()) | ({"*"} if sibling in taken else set())
        if others - {qid}:
            return False
        taken.add(sibling)
        return True

    learning = LearningPile(store, scope, kinds, end_ts)
    reviews = (store.reviews_due(slugs, kinds, end_ts, reviews_left * 4 + 50)
               if reviews_left else [])
    news = store.new_picks(slugs, kinds, new_left * 8 + 50) if new_left else []
    # a sibling of a learning card due today waits: asked of these picks only, in the index
    taken.update(store.learning_siblings(scope, kinds, end_ts,
                                         sorted({s for _, s in [*reviews, *news]}))
                 if learning else ())
    ids: list[str] = []
    for qid, sibling in reviews:
        if len(ids) < reviews_left and allowed(qid, sibling):
            ids.append(qid)
    new_ids: list[str] = []
    waiting = store.new_waiting(scope, kinds)
    for qid, sibling in news:
        if len(new_ids) < new_left and allowed(qid, sibling):
            new_ids.append(qid)
    return Queue(ids + new_ids, new_left, reviews_left, int(waiting), learning,
                 tuple(slugs), tuple(kinds or ()), len(new_ids))


def count_due(store: Store, slugs: Sequence[str], kinds: Sequence[str] | None,
              before_ts: int) -> int:
    """Studied questions of these decks (and kinds) due before `before_ts`."""
    return store.due_count(slugs, kinds, before_ts)

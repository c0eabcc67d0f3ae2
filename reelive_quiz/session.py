"""One study session, without any terminal: what to ask next, and what an answer does.

The terminal UI (`quiz.py`) and the tests both drive this. Every answer is
saved by the store before `answer` returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from reelive_quiz.card import LEARNING_STATES, CardState, Rating, Suspension
from reelive_quiz.clock import day_end, day_number, now, to_ts
from reelive_quiz.config import Config
from reelive_quiz.question import Mode, Question
from reelive_quiz.schedule import LEARN_AHEAD, LearningPile, Queue, ask_typed, count_due, next_state
from reelive_quiz.store import Review, Store

__all__ = ["Answered", "Counts", "Session", "Summary"]


@dataclass(frozen=True, slots=True)
class Answered:
    review_id: int
    question: Question
    rating: int
    correct: bool | None
    given: str | None
    mode: Mode
    seconds: float
    card: CardState


@dataclass(frozen=True, slots=True)
class Summary:
    answered: int
    right: int
    seconds: float
    due_tomorrow: int
    streak: int = 0  # study days in a row, today included once answered


@dataclass(frozen=True, slots=True)
class Counts:
    """What is left of the session, in Anki's three piles."""

    new: int
    learning: int
    review: int


@dataclass
class Session:
    store: Store
    queue: Queue
    config: Config
    cram: bool = False
    clock: Callable[[], datetime] = now
    history: list[Answered] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)
    _learning: LearningPile = field(default_factory=LearningPile)
    _started: float = field(default_factory=time.monotonic)
    _new: frozenset[str] = frozenset()
    _current: int | None = None  # the pile (0 new, 1 learning, 2 review) of the question asked
    _plans: dict[str, tuple[CardState, int, dict[int, CardState]]] = field(default_factory=dict)
    #: The FSRS parameters in use when the session starts (None: the defaults).
    parameters: tuple[float, ...] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        in_use = self.store.parameters_in_use()
        self.parameters = in_use.parameters if in_use is not None else None
        self._pending = list(reversed(self.queue.ids))  # pop() from the end
        self._learning = self.queue.learning
        fresh = self.queue.fresh
        self._new = frozenset(self.queue.ids[len(self.queue.ids) - fresh:] if fresh else ())

    # -- what next ---------------------------------------------------------------

    @property
    def left(self) -> int:
        return len(self._pending) + len(self._learning)

    def counts(self) -> Counts:
        """New, learning and review questions left, the one being asked included."""
        new = sum(1 for qid in self._pending if qid in self._new)
        piles = [new, len(self._learning), len(self._pending) - new]
        if self._current is not None:
            piles[self._current] += 1
        return Counts(*piles)

    def next(self) -> Question | None:
        """The next question: a learning card that is due, else the queue, else learning ahead."""
        when = to_ts(self.clock())
        self._current = None
        while True:
            first = self._learning.first()
            if first is not None and first[0] <= when:
                qid, pile = self._learning.pop(), 1
            elif self._pending:
                qid = self._pending.pop()
                pile = 0 if qid in self._new else 2
            elif first is not None and first[0] <= when + LEARN_AHEAD.total_seconds():
                qid, pile = self._learning.pop(), 1
            else:
                return None
            question = self._still_askable(qid)
            if question is not None:
                self._current = pile
                return question

    def _still_askable(self, qid: str) -> Question | None:
        """Skip what another session answered or suspended since the queue was built."""
        card = self.store.card(qid)
        if card is None or card.suspended:
            return None
        if not self.cram and card.due is not None and card.due >= to_ts(day_end(self.clock())):
            return None
        return self.store.question(qid)

    def mode(self, question: Question) -> Mode:
        """choice, typed or flip: a learnt choice question is asked typed."""
        if ask_typed(question.mode, question.typeable, self.store.card(question.id),
                     self.config):
            return "typed"
        return question.mode

    # -- answering -------------------------------------------------------------------

    def preview(self, question: Question) -> dict[int, int]:
        """Seconds until the question is due again, per rating, if answered now.

        The states come from `next_state`, the call `answer` makes, and `answer`
        reuses them (shifted to its own moment) while the card is unchanged, so
        an interval shown is the interval given, fuzz included.
        """
        when = to_ts(self.clock())
        card = self.store.card(question.id) or CardState()
        moment = datetime.fromtimestamp(when, UTC)
        states = {r: next_state(card, r, moment, self.config, self.parameters) for r in Rating}
        self._plans[question.id] = (card, when, states)
        return {r: (s.due or when) - when for r, s in states.items()}

    def intervals(self, question: Question) -> dict[int, int]:
        """The intervals of the last `preview` of this question (empty if none)."""
        plan = self._plans.get(question.id)
        if plan is None:
            return {}
        return {r: (s.due or plan[1]) - plan[1] for r, s in plan[2].items()}

    def _next_state(self, qid: str, card: CardState, rating: int, when: datetime) -> CardState:
        plan = self._plans.get(qid)
        if plan is None or plan[0] != card:
            return next_state(card, rating, when, self.config, self.parameters)
        shift = to_ts(when) - plan[1]
        planned = plan[2][rating]
        return replace(planned, due=None if planned.due is None else planned.due + shift,
                       last_review=to_ts(when))

    def answer(self, question: Question, *, rating: int, correct: bool | None,
               given: str | None, mode: Mode, seconds: float) -> Answered:
        when = self.clock()
        review, log = self._review(question, rating, correct, given, mode, seconds, when)
        review_id = self.store.answer(question.id, review, log)
        return self._answered(review_id, question, rating, correct, given, mode, seconds, when)

    def regrade(self, rating: int) -> Answered | None:
        """Change the rating of the last answer (a right answer made Hard or Easy).

        One transaction replaces the answer: an interruption keeps the old one.
        """
        if not self.history:
            return None
        last = self.history[-1]
        when = self.clock()
        review, log = self._review(last.question, rating, last.correct, last.given, last.mode,
                                   last.seconds, when)
        review_id = self.store.regrade(last.review_id, last.question.id, review, log)
        if review_id is None:
            return None
        self.history.pop()
        self._drop_learning(last.question.id)
        return self._answered(review_id, last.question, rating, last.correct, last.given,
                              last.mode, last.seconds, when)

    def _review(self, question: Question, rating: int, correct: bool | None,
                given: str | None, mode: str, seconds: float, when: datetime,
                ) -> tuple[Callable[[CardState], tuple[CardState, int]], Review]:
        def review(card: CardState) -> tuple[CardState, int]:
            return self._next_state(question.id, card, rating, when), rating

        return review, Review(question.id, to_ts(when), day_number(when), rating, mode, correct,
                              given, question.answer, round(seconds, 3), self.cram)

    def _answered(self, review_id: int, question: Question, rating: int, correct: bool | None,
                  given: str | None, mode: str, seconds: float, when: datetime) -> Answered:
        card = self.store.card(question.id) or CardState()
        if (not self.cram and card.state in LEARNING_STATES and card.due is not None
                and card.due < to_ts(day_end(when)) and not card.suspended):
            self._learning.push(card.due, question.id)
        self._current = None
        done = Answered(review_id, question, rating, correct, given, mode, seconds, card)
        self.history.append(done)
        return done

    def undo(self, *, requeue: bool = True) -> Answered | None:
        """Take back the last answer of this session and ask its question again.

        Only an answer this session gave, in the progress it opened: after a
        restore (ProgressReplaced) or another session's answer, nothing is undone.
        """
        if not self.history:
            return None
        last = self.history[-1]
        if not self.store.undo(last.review_id, last.question.id):
            return None
        self.history.pop()
        self._drop_learning(last.question.id)
        if requeue:
            self._pending.append(last.question.id)
        return last

    def suspend(self, question: Question) -> None:
        """Never ask this question again (until unsuspended)."""
        self.store.set_suspended(question.id, Suspension.SUSPENDED)
        self._drop_learning(question.id)
        self._pending = [q for q in self._pending if q != question.id]

    def _drop_learning(self, qid: str) -> None:
        self._learning.drop(qid)

    # -- the end -------------------------------------------------------------------------

    def summary(self) -> Summary:
        answered = len(self.history)
        right = sum(1 for a in self.history if a.correct or (a.correct is None
                                                              and a.rating > Rating.AGAIN))
        when = self.clock()
        tomorrow_end = to_ts(day_end(when)) + 86_400
        due = count_due(self.store, self.queue.slugs, self.queue.kinds, tomorrow_end)
        from reelive_quiz.history import streak

        return Summary(answered, right, time.monotonic() - self._started, due,
                       streak(self.store, when))

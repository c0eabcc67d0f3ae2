"""One study session, without any terminal: what to ask next, and what an answer does.

The terminal UI (`quiz.py`) and the tests both drive this. Every answer is
saved by the store before `answer` returns.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from reelive_quiz.card import LEARNING_STATES, CardState, Rating, Suspension
from reelive_quiz.clock import day_end, day_number, now, to_ts
from reelive_quiz.config import Config
from reelive_quiz.question import Mode, Question
from reelive_quiz.schedule import LEARN_AHEAD, Queue, ask_typed, count_due, next_state
from reelive_quiz.store import Review, Store

__all__ = ["Answered", "Session", "Summary"]


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


@dataclass
class Session:
    store: Store
    queue: Queue
    config: Config
    cram: bool = False
    clock: Callable[[], datetime] = now
    history: list[Answered] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)
    _learning: list[tuple[int, str]] = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)
    #: The FSRS parameters in use when the session starts (None: the defaults).
    parameters: tuple[float, ...] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        in_use = self.store.parameters_in_use()
        self.parameters = in_use.parameters if in_use is not None else None
        self._pending = list(reversed(self.queue.ids))  # pop() from the end
        self._learning = list(self.queue.learning)
        heapq.heapify(self._learning)

    # -- what next ---------------------------------------------------------------

    @property
    def left(self) -> int:
        return len(self._pending) + len(self._learning)

    def next(self) -> Question | None:
        """The next question: a learning card that is due, else the queue, else learning ahead."""
        when = to_ts(self.clock())
        while True:
            if self._learning and self._learning[0][0] <= when:
                qid = heapq.heappop(self._learning)[1]
            elif self._pending:
                qid = self._pending.pop()
            elif self._learning and self._learning[0][0] <= when + LEARN_AHEAD.total_seconds():
                qid = heapq.heappop(self._learning)[1]
            else:
                return None
            question = self._still_askable(qid)
            if question is not None:
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
            return next_state(card, rating, when, self.config, self.parameters), rating

        return review, Review(question.id, to_ts(when), day_number(when), rating, mode, correct,
                              given, question.answer, round(seconds, 3), self.cram)

    def _answered(self, review_id: int, question: Question, rating: int, correct: bool | None,
                  given: str | None, mode: str, seconds: float, when: datetime) -> Answered:
        card = self.store.card(question.id) or CardState()
        if (not self.cram and card.state in LEARNING_STATES and card.due is not None
                and card.due < to_ts(day_end(when)) and not card.suspended):
            heapq.heappush(self._learning, (card.due, question.id))
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
        self._learning = [item for item in self._learning if item[1] != qid]
        heapq.heapify(self._learning)

    # -- the end -------------------------------------------------------------------------

    def summary(self) -> Summary:
        answered = len(self.history)
        right = sum(1 for a in self.history if a.correct or (a.correct is None
                                                              and a.rating > Rating.AGAIN))
        when = self.clock()
        tomorrow_end = to_ts(day_end(when)) + 86_400
        due = count_due(self.store, self.queue.slugs, self.queue.kinds, tomorrow_end)
        return Summary(answered, right, time.monotonic() - self._started, due)

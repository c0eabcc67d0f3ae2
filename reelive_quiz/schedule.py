"""The FSRS adapter and the day's queue.

Intervals come from the `fsrs` package (the scheduler Anki uses), never from
a formula of ours. This module turns an answer into a rating and a new card
state, keeps the catalogue in step with the deck files, and picks what is
due: learning cards, then reviews (capped per day), then new questions
(capped per day), never two siblings on the same day. `now` is a parameter.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from reelive_quiz.clock import day_end, day_number, to_ts
from reelive_quiz.files import path_text
from reelive_quiz.store import LEECH, NOT_SUSPENDED, CardState, Store

if TYPE_CHECKING:  # the deck and question modules load only when a deck file changed
    from reelive_quiz.config import Config
    from reelive_quiz.library import DeckRef

__all__ = [
    "AGAIN",
    "EASY",
    "GENERATOR_VERSION",
    "GOOD",
    "HARD",
    "LEARN_AHEAD",
    "Queue",
    "ask_typed",
    "build_queue",
    "count_due",
    "next_state",
    "sync_decks",
]

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
LEARNING, REVIEW, RELEARNING = 1, 2, 3
#: Bump when question generation changes, so every deck is re-read once.
GENERATOR_VERSION = "1"
#: A learning card due this soon is shown rather than ending the session (Anki: 20 min).
LEARN_AHEAD = timedelta(minutes=20)


@functools.cache
def _scheduler(retention: float, fuzz: bool):
    import fsrs

    return fsrs.Scheduler(desired_retention=retention, enable_fuzzing=fuzz)


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def next_state(card: CardState, rating: int, when: datetime, config: Config) -> CardState:
    """The card after one answer, as FSRS schedules it; leeches get suspended."""
    import fsrs

    scheduler = _scheduler(config.desired_retention, config.fuzz)
    if card.state is None:
        current = fsrs.Card(card_id=1, due=when)
    else:
        current = fsrs.Card(card_id=1, state=fsrs.State(card.state), step=card.step,
                            stability=card.stability, difficulty=card.difficulty,
                            due=_dt(card.due), last_review=_dt(card.last_review))
    updated, _ = scheduler.review_card(current, fsrs.Rating(rating), when)
    lapses = card.lapses + int(rating == AGAIN and card.state == REVIEW)
    suspended = card.suspended
    if lapses >= config.leech_lapses and suspended == NOT_SUSPENDED:
        suspended = LEECH
    return CardState(int(updated.state.value), updated.step, updated.stability,
                     updated.difficulty, to_ts(updated.due),
                     to_ts(updated.last_review) if updated.last_review else to_ts(when),
                     card.reps + 1, lapses, suspended)


def ask_typed(mode: str, typeable: bool, card: CardState | None, config: Config) -> bool:
    """A choice question is asked typed once learnt: stability ≥ typed_after_days."""
    return (mode == "choice" and typeable and card is not None and card.stability is not None
            and card.stability >= config.typed_after_days)


# -- keeping the catalogue in step with the deck files -----------------------------

def _signature(ref: DeckRef) -> str | None:
    try:
        st = os.stat(ref.path)
    except OSError:
        return None
    return f"{GENERATOR_VERSION}:{st.st_mtime_ns}:{st.st_size}"


def sync_decks(store: Store, refs: Sequence[DeckRef], *, complete: bool) -> list[str]:
    """Re-read the decks whose file changed; returns the slugs of `refs`.

    `complete` says `refs` are all the decks there are, so a deck that
    disappeared is hidden (its progress kept).
    """
    known = store.query("SELECT slug, path, signature FROM decks")
    by_path = {path: (slug, sig) for slug, path, sig in known}
    slugs: list[str] = []
    for ref in refs:
        sig = _signature(ref)
        seen = by_path.get(path_text(ref.path))
        if seen is not None and seen[1] == sig:
            slugs.append(seen[0])
            continue
        from reelive_quiz.deck import load_deck
        from reelive_quiz.questions import generate

        deck = load_deck(ref.path)
        store.sync_deck(deck.slug, deck.title, path_text(ref.path), sig or "",
                        generate(deck), deck.contents())
        slugs.append(deck.slug)
    if complete:
        current = {path_text(r.path) for r in refs}
        for slug, path, _ in known:
            if path not in current and slug not in slugs:
                store.forget_deck(slug)
    return list(dict.fromkeys(slugs))


# -- the day's queue --------------------------------------------------------------

@dataclass
class Queue:
    """What one session will ask, in order; learning cards are re-queued as they go."""

    ids: list[str]
    new_left: int
    reviews_left: int
    new_waiting: int
    learning: list[tuple[int, str]] = field(default_factory=list)
    slugs: tuple[str, ...] = ()  # what the session was asked for: its summary counts these
    kinds: tuple[str, ...] = ()


def _in(column: str, values: Sequence[str]) -> tuple[str, list[str]]:
    if not values:
        return "1", []
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def _scope(slugs: Sequence[str], kinds: Sequence[str] | None) -> tuple[str, list[str]]:
    slug_sql, slug_args = _in("slug", slugs)
    kind_sql, kind_args = _in("kind", kinds or [])
    return f"{slug_sql} AND {kind_sql}", slug_args + kind_args


def done_today(store: Store, when: datetime) -> tuple[int, int]:
    """(new questions introduced, reviews answered) on the study day of `when`."""
    today = day_number(when)
    new = store.query("SELECT COUNT(*) FROM reviews WHERE day = ? AND cram = 0 AND first = 1",
                      (today,))[0][0]
    reviews = store.query(
        "SELECT COUNT(DISTINCT question) FROM reviews WHERE day = ? AND cram = 0"
        " AND first = 0 AND question NOT IN (SELECT question FROM reviews WHERE day = ?"
        " AND cram = 0 AND first = 1)", (today, today))[0][0]
    return int(new), int(reviews)


def buried_siblings(store: Store, when: datetime) -> dict[str, set[str]]:
    """sibling → the questions of it answered today: their siblings wait a day."""
    rows = store.query(
        "SELECT DISTINCT q.sibling, q.id FROM reviews r JOIN questions q ON q.id = r.question"
        " WHERE r.day = ? AND r.cram = 0", (day_number(when),))
    out: dict[str, set[str]] = {}
    for sibling, qid in rows:
        out.setdefault(sibling, set()).add(qid)
    return out


def build_queue(store: Store, slugs: Sequence[str], when: datetime, config: Config, *,
                kinds: Sequence[str] | None = None, cram: bool = False,
                cram_limit: int = 20) -> Queue:
    scope, args = _scope(slugs, kinds)
    if cram:
        rows = store.query(
            f"SELECT id FROM questions WHERE present = 1 AND suspended = 0 AND {scope}"
            " ORDER BY state IS NULL, due, position LIMIT ?", (*args, cram_limit))
        return Queue([r[0] for r in rows], 0, 0, 0, [], tuple(slugs), tuple(kinds or ()))
    end_ts = to_ts(day_end(when))
    new_done, reviews_done = done_today(store, when)
    new_left = max(0, config.new_per_day - new_done)
    reviews_left = max(0, config.reviews_per_day - reviews_done)
    buried = buried_siblings(store, when)
    taken: set[str] = set()

    def allowed(qid: str, sibling: str) -> bool:
        others = buried.get(sibling, set()) | ({"*"} if sibling in taken else set())
        if others - {qid}:
            return False
        taken.add(sibling)
        return True

    # read from the small covering index of learning cards only (questions_learning)
    learning = []
    for qid, due, sibling in store.query(
            f"SELECT id, due, sibling FROM questions WHERE state IN ({LEARNING}, {RELEARNING})"
            f" AND present = 1 AND suspended = 0 AND due < ? AND {scope} ORDER BY due",
            (end_ts, *args)):
        learning.append((int(due), qid))
        taken.add(sibling)
    ids: list[str] = []
    if reviews_left:
        for qid, sibling in store.query(
                f"SELECT id, sibling FROM questions WHERE state = {REVIEW} AND present = 1"
                f" AND suspended = 0 AND due < ? AND {scope} ORDER BY due LIMIT ?",
                (end_ts, *args, reviews_left * 4 + 50)):
            if len(ids) < reviews_left and allowed(qid, sibling):
                ids.append(qid)
    new_ids: list[str] = []
    if kinds:
        waiting = store.query(
            f"SELECT COUNT(*) FROM questions WHERE state IS NULL AND present = 1"
            f" AND suspended = 0 AND {scope}", args)[0][0]
    else:  # the per-deck counts the triggers keep: no walk over every new card
        waiting = store.query(
            f"SELECT COALESCE(SUM(n), 0) FROM deck_counts WHERE state = 0 AND suspended = 0"
            f" AND {scope}", args)[0][0]
    if new_left:
        for qid, sibling in store.query(
                f"SELECT id, sibling FROM questions WHERE state IS NULL AND present = 1"
                f" AND suspended = 0 AND {scope} ORDER BY position, slug LIMIT ?",
                (*args, new_left * 8 + 50)):
            if len(new_ids) < new_left and allowed(qid, sibling):
                new_ids.append(qid)
    return Queue(ids + new_ids, new_left, reviews_left, int(waiting), learning,
                 tuple(slugs), tuple(kinds or ()))


def count_due(store: Store, slugs: Sequence[str], kinds: Sequence[str] | None,
              before_ts: int) -> int:
    """Studied questions of these decks (and kinds) due before `before_ts`."""
    scope, args = _scope(slugs, kinds)
    return int(store.query(
        f"SELECT COUNT(*) FROM questions WHERE state IS NOT NULL AND present = 1"
        f" AND suspended = 0 AND due < ? AND {scope}", (before_ts, *args))[0][0])

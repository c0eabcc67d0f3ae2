"""The store's read queries for the day's queue and for statistics.

Part of the store (`Store` inherits `Reads`): the only other module that runs
SQL on the progress file. Each query is a method named for what it returns,
with its rows named (`NamedTuple`s); what a query relies on in the schema
is spelt from `schema.py`, never retyped: the learning query's condition is
the partial index's (`LEARNING_WHERE`), and the state before an answer is
read from the logged card at the position CARD_COLUMNS gives it.

Its annotations are evaluated when it is imported (no `from __future__ import
annotations`): as strings, each of the 47 fields of the rows' `NamedTuple`s was
compiled into a forward reference, and its import took 8.2 ms instead of 4.8, on
the way to every command's output.
"""

import contextlib
import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from reelive_quiz.card import LEARNING_STATES, CardState, State, Suspension
from reelive_quiz.schema import CARD_COLUMNS, LEARNING_WHERE, NEW_IN_COUNTS, previous

__all__ = ["IN_CHUNK", "LEARNING_PAGE", "Answer", "Confusion", "DeckCount", "DeckDue",
           "DeckNotDue", "DeckTotals", "Hard", "KindRetention", "Leech", "Pick", "Reads"]

#: The answer log's `previous` holds the card as a JSON array in CARD_COLUMNS order.
_PREVIOUS_STATE = previous("state")
_PREVIOUS_STATE_OF_R = previous("state", "r")


#: Learning cards read at a time (`learning_due`): a day's session answers a few
#: hundred at most, and a backlog at 1,000 films holds 24,000 of them, which took
#: 55 ms to read whole before the first question of `play`.
LEARNING_PAGE = 256
#: Values of an `IN (…)` list asked about in one statement.
IN_CHUNK = 500


class Pick(NamedTuple):
    id: str
    sibling: str


class DeckCount(NamedTuple):
    slug: str
    suspended: int
    state: int | None  # None: new
    n: int


class DeckTotals(NamedTuple):
    """A deck's questions by pile, from `deck_counts` (suspended ones in theirs only)."""

    slug: str
    total: int
    new: int
    learning: int
    studied: int  # answered at least once, neither suspended nor a leech
    suspended: int
    leeches: int


class DeckDue(NamedTuple):
    slug: str
    due_now: int
    due_today: int
    first_due: int


class DeckNotDue(NamedTuple):
    """Per deck, the studied cards (not suspended) that are not due yet."""

    slug: str
    first_due: int | None
    later_today: int  # due after `now`, before the end of the study day
    after_today: int  # due from the end of the study day on


class Leech(NamedTuple):
    deck: str
    prompt: str
    lapses: int


class Hard(NamedTuple):
    deck: str
    prompt: str
    answer: str
    lapses: int
    difficulty: float | None


class KindRetention(NamedTuple):
    kind: str
    right: int
    counted: int


class Confusion(NamedTuple):
    expected: str
    given: str
    times: int


class Answer(NamedTuple):
    """One row of the answer log, as stored (`first`: the question's first answer)."""

    id: int
    question: str
    ts: int
    day: int
    rating: int
    correct: int | None
    given: str | None
    expected: str | None
    mode: str
    seconds: float | None
    first: int
    cram: int


def _marks(values: Sequence[object]) -> str:
    """`?,?,?` for an IN list; `NULL` when empty, so it matches nothing."""
    return ",".join("?" * len(values)) or "NULL"


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    """Slices of at most `IN_CHUNK` values: one statement takes 32,766 parameters."""
    return [values[i:i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]


def _in(column: str, values: Sequence[str]) -> tuple[str, list[str]]:
    if not values:
        return "1", []
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def _scope(slugs: Sequence[str], kinds: Sequence[str] | None) -> tuple[str, list[str]]:
    """The queue's scope: these decks and kinds; no decks or no kinds means all."""
    slug_sql, slug_args = _in("slug", slugs)
    kind_sql, kind_args = _in("kind", kinds or [])
    return f"{slug_sql} AND {kind_sql}", slug_args + kind_args


class Reads:
    """Read-only queries; `Store` provides the connection and the error guard."""

    conn: sqlite3.Connection

    def guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError  # Store.guard

    # -- the day's queue (schedule.py) -----------------------------------------------

    def introduced_on(self, day: int) -> int:
        """Questions answered for the first time on this study day (not cramming)."""
        with self.guard("read progress"):
            return int(self.conn.execute(
                "SELECT COUNT(*) FROM reviews WHERE day = ? AND cram = 0 AND first = 1",
                (day,)).fetchone()[0])

    def reviewed_on(self, day: int) -> int:
        """Questions reviewed on this study day that were not new that day."""
        with self.guard("read progress"):
            return int(self.conn.execute(
                "SELECT COUNT(DISTINCT question) FROM reviews WHERE day = ? AND cram = 0"
                " AND first = 0 AND question NOT IN (SELECT question FROM reviews WHERE day = ?"
                " AND cram = 0 AND first = 1)", (day, day)).fetchone()[0])

    def answered_siblings(self, day: int) -> dict[str, set[str]]:
        """sibling → the questions of it answered on this study day (not cramming)."""
        out: dict[str, set[str]] = {}
        with self.guard("read progress"):
            for sibling, qid in self.conn.execute(
                    "SELECT DISTINCT q.sibling, q.id FROM reviews r JOIN questions q"
                    " ON q.id = r.question WHERE r.day = ? AND r.cram = 0", (day,)):
                out.setdefault(sibling, set()).add(qid)
        return out

    def cram_picks(self, slugs: Sequence[str], kinds: Sequence[str] | None,
                   limit: int) -> list[str]:
        """Ids to practise, studied ones soonest due first, then new ones in order."""
        scope, args = _scope(slugs, kinds)
        with self.guard("read progress"):
            return [r[0] for r in self.conn.execute(
                f"SELECT id FROM questions WHERE present = 1 AND suspended = 0 AND {scope}"
                " ORDER BY state IS NULL, due, position LIMIT ?", (*args, limit))]

    def learning_due(self, slugs: Sequence[str], kinds: Sequence[str] | None, until: int,
                     after: tuple[int, str] | None = None, limit: int = LEARNING_PAGE,
                     ) -> list[tuple[int, str]]:
        """Cards in learning steps due before `until`: (due, id), soonest first, the
        first `limit` after `after` (a page; see `schedule.LearningPile`).

        Read from the covering partial index `questions_learning`: its condition
        and this query's are the same text (`LEARNING_WHERE`); ties of `due` are
        sorted by id, in the index's order of due.
        """
        scope, args = _scope(slugs, kinds)
        later = "AND (due, id) > (?, ?)" if after is not None else ""
        with self.guard("read progress"):
            return self.conn.execute(
                f"SELECT due, id FROM questions WHERE {LEARNING_WHERE} AND present = 1"
                f" AND suspended = 0 AND due < ? {later} AND {scope} ORDER BY due, id LIMIT ?",
                (until, *(after or ()), *args, limit)).fetchall()

    def learning_count(self, slugs: Sequence[str], kinds: Sequence[str] | None,
                       until: int) -> int:
        """How many cards `learning_due` has in all, counted in its index (named: without
        statistics SQLite may count them in `questions_due_slug`, reading every row)."""
        scope, args = _scope(slugs, kinds)
        with self.guard("read progress"):
            return int(self.conn.execute(
                "SELECT COUNT(*) FROM questions INDEXED BY questions_learning"
                f" WHERE {LEARNING_WHERE} AND present = 1"
                f" AND suspended = 0 AND due < ? AND {scope}", (until, *args)).fetchone()[0])

    def learning_siblings(self, slugs: Sequence[str], kinds: Sequence[str] | None,
                          until: int, among: Sequence[str]) -> set[str]:
        """Which of the siblings `among` a card of `learning_due` holds back, looked up in
        the partial index `questions_learning_sibling` (migration 11), `IN_CHUNK`
        at a time: a day of 100,000 reviews asks about more than SQLite's 32,766
        parameters allow in one statement."""
        scope, args = _scope(slugs, kinds)
        held: set[str] = set()
        with self.guard("read progress"):
            for chunk in _chunks(among):
                held.update(sibling for (sibling,) in self.conn.execute(
                    "SELECT DISTINCT sibling FROM questions"
                    f" INDEXED BY questions_learning_sibling WHERE {LEARNING_WHERE}"
                    f" AND present = 1 AND suspended = 0 AND due < ? AND {scope}"
                    f" AND sibling IN ({_marks(chunk)})", (until, *args, *chunk)))
        return held

    def reviews_due(self, slugs: Sequence[str], kinds: Sequence[str] | None, until: int,
                    limit: int) -> list[Pick]:
        """Learnt cards (state review) due before `until`, soonest first."""
        scope, args = _scope(slugs, kinds)
        with self.guard("read progress"):
            return [Pick(*row) for row in self.conn.execute(
                f"SELECT id, sibling FROM questions WHERE state = {State.REVIEW:d}"
                f" AND present = 1 AND suspended = 0 AND due < ? AND {scope}"
                " ORDER BY due LIMIT ?", (until, *args, limit))]

    def covers_catalogue(self, slugs: Sequence[str]) -> bool:
        """Whether every present question belongs to one of these decks (from the counts
        the triggers keep): then a scope of `slugs` is the whole catalogue, and a query
        need not test each row's slug against 1,000 of them (6 of 25 ms for the 24,000
        learning cards of a backlog at 1,000 films)."""
        wanted = set(slugs)
        with self.guard("read progress"):
            return all(slug in wanted for (slug,) in self.conn.execute(
                "SELECT slug FROM deck_counts GROUP BY slug HAVING SUM(n) > 0"))

    def new_waiting(self, slugs: Sequence[str], kinds: Sequence[str] | None) -> int:
        """New questions not suspended; without kinds, from the per-deck counts."""
        scope, args = _scope(slugs, kinds)
        if kinds:
            sql = (f"SELECT COUNT(*) FROM questions WHERE state IS NULL AND present = 1"
                   f" AND suspended = 0 AND {scope}")
        else:  # the per-deck counts the triggers keep: no walk over every new card
            sql = (f"SELECT COALESCE(SUM(n), 0) FROM deck_counts WHERE state = {NEW_IN_COUNTS}"
                   f" AND suspended = 0 AND {scope}")
        with self.guard("read progress"):
            return int(self.conn.execute(sql, args).fetchone()[0])

    def new_picks(self, slugs: Sequence[str], kinds: Sequence[str] | None,
                  limit: int) -> list[Pick]:
        """New questions in the order they are introduced (`position`)."""
        scope, args = _scope(slugs, kinds)
        with self.guard("read progress"):
            return [Pick(*row) for row in self.conn.execute(
                f"SELECT id, sibling FROM questions WHERE state IS NULL AND present = 1"
                f" AND suspended = 0 AND {scope} ORDER BY position, slug LIMIT ?",
                (*args, limit))]

    def due_count(self, slugs: Sequence[str], kinds: Sequence[str] | None,
                  before: int) -> int:
        """Studied questions (not suspended) due before `before`."""
        scope, args = _scope(slugs, kinds)
        with self.guard("read progress"):
            return int(self.conn.execute(
                f"SELECT COUNT(*) FROM questions WHERE state IS NOT NULL AND present = 1"
                f" AND suspended = 0 AND due < ? AND {scope}", (before, *args)).fetchone()[0])

    # -- status and stats (stats.py) ------------------------------------------------

    def deck_titles(self, slugs: Sequence[str]) -> dict[str, str]:
        """slug → title of these decks, read from the index `decks_files` (a seek per
        slug would read the table, a page per deck)."""
        wanted = set(slugs)
        with self.guard("read the deck list"):
            return {slug: title for slug, title in self.conn.execute(
                "SELECT slug, title FROM decks ORDER BY slug") if slug in wanted}

    def deck_totals(self, slugs: Sequence[str]) -> list[DeckTotals]:
        """`deck_counts` added up per deck by SQLite: 1,000 rows to Python, not 5,000
        (6-10 ms of `status` at 1,000 films went on naming and adding up those)."""
        wanted = set(slugs)
        held = f"suspended NOT IN ({Suspension.SUSPENDED:d}, {Suspension.LEECH:d})"
        learning = ", ".join(str(int(s)) for s in LEARNING_STATES)
        with self.guard("read progress"):
            rows = self.conn.execute(
                f"SELECT slug, SUM(n),"
                f" SUM(CASE WHEN {held} AND state = {NEW_IN_COUNTS} THEN n ELSE 0 END),"
                f" SUM(CASE WHEN {held} AND state IN ({learning}) THEN n ELSE 0 END),"
                f" SUM(CASE WHEN {held} AND state != {NEW_IN_COUNTS} THEN n ELSE 0 END),"
                f" SUM(CASE WHEN suspended = {Suspension.SUSPENDED:d} THEN n ELSE 0 END),"
                f" SUM(CASE WHEN suspended = {Suspension.LEECH:d} THEN n ELSE 0 END)"
                " FROM deck_counts GROUP BY slug").fetchall()
        return [DeckTotals._make(row) for row in rows if row[0] in wanted]

    def deck_counts(self, slugs: Sequence[str]) -> list[DeckCount]:
        """Questions per deck, suspension and state (None: new), kept by triggers."""
        with self.guard("read progress"):
            return [DeckCount(slug, suspended, None if state == NEW_IN_COUNTS else state, n)
                    for slug, suspended, state, n in self.conn.execute(
                        f"SELECT slug, suspended, state, n FROM deck_counts"
                        f" WHERE slug IN ({_marks(slugs)})", list(slugs))]

    def due_by_deck(self, now: int, until: int) -> list[DeckDue]:
        """Per deck: cards due by `now`, due before `until`, and the first due time."""
        with self.guard("read progress"):
            return [DeckDue(*row) for row in self.conn.execute(
                "SELECT slug, SUM(due <= ?), COUNT(*), MIN(due) FROM questions"
                " WHERE present = 1 AND suspended = 0 AND due < ? AND state IS NOT NULL"
                " GROUP BY slug", (now, until))]

    #: Cards `sample_due` looks at, spread evenly over the catalogue's rows.
    SAMPLE = 64

    def sample_due(self, until: int) -> tuple[int, int]:
        """(studied, due before `until`) among `SAMPLE` cards spread evenly over the table.

        Only a guess, and only used as one: it picks which side of the due date
        `status` counts (`due_by_deck` or `not_due_by_deck`, the same figures).
        """
        with self.guard("read progress"):
            studied, due = self.conn.execute(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?),"
                " top(n) AS (SELECT MAX(rowid) FROM questions)"
                " SELECT COUNT(*), COALESCE(SUM(q.due < ?), 0) FROM k, top"
                " JOIN questions q ON q.rowid = (top.n * k.i + ? - 1) / ?"
                " WHERE q.present = 1 AND q.suspended = 0 AND q.state IS NOT NULL",
                (self.SAMPLE, until, self.SAMPLE, self.SAMPLE)).fetchone()
        return int(studied), int(due)

    def not_due_by_deck(self, slugs: Sequence[str], now: int, until: int) -> list[DeckNotDue]:
        """Per deck: the first due time, and the studied cards due after `now` and from
        `until` on (none suspended).

        The complement of `due_by_deck`: on a backlog (90 % of the cards overdue)
        it walks a tenth of the index entries that one does (8 ms against 44 ms
        at 1,000 films), each deck's range found by a seek of `questions_next_due`.
        """
        studied = "slug = d.slug AND present = 1 AND suspended = 0 AND state IS NOT NULL"
        with self.guard("read progress"):
            return [DeckNotDue(*row) for row in self.conn.execute(
                f"SELECT slug, (SELECT MIN(due) FROM questions WHERE {studied}),"
                f" (SELECT COUNT(*) FROM questions WHERE {studied} AND due > ? AND due < ?),"
                f" (SELECT COUNT(*) FROM questions WHERE {studied} AND due >= ?)"
                f" FROM decks d WHERE slug IN ({_marks(slugs)})",
                (now, until, until, *slugs))]

    def next_due(self, slug: str) -> int | None:
        """When the deck's first studied question (not suspended) is due."""
        with self.guard("read progress"):
            return self.conn.execute(
                "SELECT MIN(due) FROM questions WHERE slug = ? AND present = 1"
                " AND suspended = 0 AND state IS NOT NULL", (slug,)).fetchone()[0]

    def leeches(self, slugs: Sequence[str], limit: int = 50) -> list[Leech]:
        """Questions suspended as leeches, most lapses first."""
        with self.guard("read progress"):
            return [Leech(*row) for row in self.conn.execute(
                f"SELECT deck, prompt, lapses FROM questions WHERE suspended = "
                f"{Suspension.LEECH:d} AND present = 1 AND slug IN ({_marks(slugs)})"
                " ORDER BY lapses DESC, deck LIMIT ?", (*slugs, limit))]

    def reviews_per_day(self, since: int) -> dict[int, int]:
        """Study day → answers logged (not cramming), from day `since` on."""
        with self.guard("read progress"):
            return dict(self.conn.execute(
                "SELECT day, COUNT(*) FROM reviews WHERE day >= ? AND cram = 0 GROUP BY day",
                (since,)))

    def studied_on(self, day: int) -> bool:
        with self.guard("read progress"):
            return self.conn.execute("SELECT 1 FROM reviews WHERE day = ? AND cram = 0 LIMIT 1",
                                     (day,)).fetchone() is not None

    def retention(self, after: int) -> tuple[int, int]:
        """(right, counted): answers after day `after` to cards that were in review.

        The state before an answer is read from the log's copy of the card
        (`previous`, in CARD_COLUMNS order), so relearning does not count.
        """
        with self.guard("read progress"):
            right, counted = self.conn.execute(
                "SELECT COALESCE(SUM(rating > 1), 0), COUNT(*) FROM reviews WHERE day > ?"
                f" AND cram = 0 AND first = 0 AND {_PREVIOUS_STATE} = {State.REVIEW:d}",
                (after,)).fetchone()
        return int(right), int(counted)

    def retention_by_kind(self, after: int) -> list[KindRetention]:
        """`retention` per question kind."""
        with self.guard("read progress"):
            return [KindRetention(kind, int(right), int(counted))
                    for kind, right, counted in self.conn.execute(
                        "SELECT q.kind, COALESCE(SUM(r.rating > 1), 0), COUNT(*) FROM reviews r"
                        " JOIN questions q ON q.id = r.question WHERE r.day > ? AND r.cram = 0"
                        f" AND r.first = 0 AND {_PREVIOUS_STATE_OF_R}"
                        f" = {State.REVIEW:d} GROUP BY q.kind", (after,))]

    def count_new(self, ids: Sequence[str]) -> int:
        """How many of these questions were never answered (`play --cram --limit` takes
        up to 100,000: asked `IN_CHUNK` at a time, as `learning_siblings` does)."""
        with self.guard("read progress"):
            return sum(self.conn.execute(
                "SELECT COUNT(*) FROM questions WHERE state IS NULL"
                f" AND id IN ({_marks(chunk)})", chunk).fetchone()[0]
                for chunk in _chunks(ids))

    def due_forecast(self, day_end: int, days: int) -> dict[int, int]:
        """Days after the study day ending at `day_end` (0: due by then) → cards due."""
        with self.guard("read progress"):
            return {int(k): n for k, n in self.conn.execute(
                "SELECT CASE WHEN due < ? THEN 0 ELSE (due - ?) / 86400 + 1 END, COUNT(*)"
                " FROM questions WHERE state IS NOT NULL AND present = 1 AND suspended = 0"
                " AND due < ? GROUP BY 1", (day_end, day_end, day_end + (days - 1) * 86400))}

    def hardest(self, limit: int = 5) -> list[Hard]:
        """Questions forgotten most often (never one without a lapse), then the hardest."""
        with self.guard("read progress"):
            return [Hard(*row) for row in self.conn.execute(
                "SELECT deck, prompt, answer, lapses, difficulty FROM questions"
                " WHERE state IS NOT NULL AND present = 1 AND lapses > 0"
                " ORDER BY lapses DESC, difficulty DESC LIMIT ?", (limit,))]

    def confusions(self, limit: int = 5) -> list[Confusion]:
        """The wrong options most often picked instead of the right one."""
        with self.guard("read progress"):
            return [Confusion(*row) for row in self.conn.execute(
                "SELECT expected, given, COUNT(*) FROM reviews WHERE correct = 0"
                " AND mode = 'choice' AND given IS NOT NULL GROUP BY expected, given"
                " ORDER BY 3 DESC, 1 LIMIT ?", (limit,))]

    def answers(self, question: str | None = None) -> list[Answer]:
        """The answer log (of one question, or all), oldest first."""
        where, args = ("WHERE question = ?", (question,)) if question else ("", ())
        with self.guard("read progress"):
            return [Answer(*row) for row in self.conn.execute(
                f"SELECT {', '.join(Answer._fields)} FROM reviews {where} ORDER BY id", args)]

    def cards(self, slugs: Sequence[str] = (), *, present: bool = True,
              ) -> dict[str, CardState]:
        """Question id → card, for these decks (all when none), in catalogue order."""
        where = "present = ?" + (f" AND slug IN ({_marks(slugs)})" if slugs else "")
        with self.guard("read cards"):
            return {row[0]: CardState(*row[1:]) for row in self.conn.execute(
                f"SELECT id, {', '.join(CARD_COLUMNS)} FROM questions WHERE {where}"
                " ORDER BY slug, position", (int(present), *slugs))}

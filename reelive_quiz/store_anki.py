"""The store's SQL for the Anki round trip: the answer log out to a collection's
`revlog`, answers given in Anki back in, each touched question replayed.

Part of the store (`Store` inherits `AnkiSync`), beside `store_reads.py`: the
progress file's SQL stays in the store modules, and the card's positions in
the logged JSON are spelt from `schema.CARD_COLUMNS`, never retyped.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reelive_quiz.card import CardState
from reelive_quiz.errors import StoreError
from reelive_quiz.schema import CARD_COLUMNS, after_columns, previous

if TYPE_CHECKING:
    from reelive_quiz.store import Review

__all__ = ["AnkiSync"]


class AnkiSync:
    """Anki export and import queries; `Store` provides the connection and guards."""

    path: Path
    conn: sqlite3.Connection

    def guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError  # Store.guard

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # Store.transaction

    def studied_cards(self) -> dict[str, CardState]:
        """Every answered question's schedule, by question id."""
        with self.guard("read card states"):
            rows = self.conn.execute(f"SELECT id, {', '.join(CARD_COLUMNS)} FROM questions"
                                     " WHERE state IS NOT NULL").fetchall()
        return {row[0]: CardState(*row[1:]) for row in rows}

    def first_answer_day(self) -> int | None:
        """The study day of the first answer that moved a schedule (None: never)."""
        with self.guard("read the answer log"):
            return self.conn.execute("SELECT MIN(day) FROM reviews WHERE cram = 0"
                                     ).fetchone()[0]

    def copy_log_to_anki(self, anki: sqlite3.Cursor, cards: Iterable[tuple[str, int]]) -> int:
        """Write the answer log of `cards` (question id, Anki card id) into the
        `revlog` of the Anki collection `anki` is open on; returns the rows.

        One INSERT … SELECT over this file attached to that connection, reading
        the log once in file order: a million answers never pass through Python.
        Per answer: id = its time in ms (unique within its second), ease = rating;
        the type and last interval come from the state before it (`previous`:
        new/learning 0, review 1, relearning 2; cram 3 with factor 0, which Anki's
        FSRS skips), the interval and difficulty from the state after it
        (`after_*`, kept since migration 8).
        """
        db = anki.connection
        db.commit()  # ATTACH is refused inside a transaction
        # the cards in memory: a million lookups into a temp file cost seconds
        anki.execute("ATTACH DATABASE ':memory:' AS rq")
        anki.execute("CREATE TABLE rq.cards (question TEXT PRIMARY KEY, cid INTEGER)"
                     " WITHOUT ROWID")
        anki.executemany("INSERT INTO rq.cards VALUES (?, ?)", cards)
        anki.execute("ATTACH DATABASE ? AS progress", (str(self.path),))
        try:
            expected = anki.execute(  # from the (question, id) index alone
                "SELECT COUNT(*) FROM rq.cards c JOIN progress.reviews r"
                " ON r.question = c.question").fetchone()[0]
            anki.execute(_ANKI_REVLOG)
            written = anki.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
            if written < expected:
                written += self._retry_dropped(anki)
            db.commit()
        finally:
            with contextlib.suppress(sqlite3.Error):
                db.commit()
                anki.execute("DETACH DATABASE progress")
                anki.execute("DETACH DATABASE rq")
        if written != expected:
            raise StoreError(f"{self.path}: {expected - written} logged answers left out: "
                             "more than 1,000 fall within one second, and Anki's review "
                             "log keys them by millisecond")
        return int(written)

    @staticmethod
    def _retry_dropped(anki: sqlite3.Cursor) -> int:
        """Give the answers that lost their id to another of the same second a free
        millisecond of that second; returns how many found one."""
        anki.execute("CREATE TABLE rq.dropped (rid INTEGER PRIMARY KEY, question TEXT)")
        anki.execute(f"INSERT INTO rq.dropped {_DROPPED}")
        placed = 0
        for row in anki.execute(_RETRY).fetchall():
            second = row[0] - row[0] % 1000
            free = anki.execute(
                "SELECT MIN(v.id + 1) FROM revlog v WHERE v.id BETWEEN ? AND ?"
                " AND NOT EXISTS (SELECT 1 FROM revlog w WHERE w.id = v.id + 1)",
                (second - 1, second + 998)).fetchone()[0]
            if free is None or free > second + 999:
                continue  # the whole second is taken: reported by the caller
            anki.execute(f"INSERT INTO revlog ({_REVLOG_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                         (free, *row[1:]))
            placed += 1
        return placed

    def question_ids(self) -> list[str]:
        """Every question id the catalogue has ever held (hidden ones keep progress)."""
        with self.guard("read question ids"):
            return [row[0] for row in self.conn.execute("SELECT id FROM questions")]

    def merge_answers(self, answers: Sequence[Review],
                      rebuild: Callable[[list[tuple[int, int, bool]], int],
                                        tuple[list[CardState], CardState]],
                      ) -> tuple[int, int, int]:
        """Add answers given elsewhere, skipping those already logged (same question,
        second and rating), and rebuild each touched question's schedule from its whole log.

        One transaction: all of it or nothing. `rebuild(answers, suspended)` gets a
        question's (time, rating, cram) in time order and returns the state before
        each answer and the one after the last. Returns (added, already known,
        questions touched).
        """
        by_question: dict[str, list[Review]] = {}
        for review in answers:
            by_question.setdefault(review.question, []).append(review)
        added = known = 0
        touched = []
        with self.guard("merge answers from Anki"), self.transaction() as db:
            for qid, reviews in by_question.items():
                logged = set(db.execute("SELECT ts, rating FROM reviews WHERE question = ?",
                                        (qid,)).fetchall())
                fresh = []
                for review in reviews:
                    if (review.ts, review.rating) in logged:
                        known += 1
                    else:
                        logged.add((review.ts, review.rating))
                        fresh.append(review)
                if not fresh:
                    continue
                db.executemany(
                    "INSERT INTO reviews (question, ts, day, rating, correct, given, expected,"
                    " mode, seconds, first, cram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                    ((qid, r.ts, r.day, r.rating, None if r.correct is None else int(r.correct),
                      r.given, r.expected, r.mode, r.seconds, int(r.cram)) for r in fresh))
                added += len(fresh)
                touched.append(qid)
                rows = self._log_in_time_order(db, qid)
                suspended = db.execute("SELECT suspended FROM questions WHERE id = ?",
                                       (qid,)).fetchone()[0]
                before, after = rebuild([(ts, rating, bool(cram)) for _, ts, rating, cram
                                         in rows], suspended)
                # each answer's state after is the next one's before; the last's, `after`
                db.executemany(
                    "UPDATE reviews SET previous = ?, first = ?, after_state = ?,"
                    " after_interval = ?, after_difficulty = ? WHERE id = ?",
                    ((state.to_json(), int(state.state is None), *after_columns(then), row[0])
                     for row, state, then in zip(rows, before, [*before[1:], after],
                                                 strict=True)))
                db.execute(f"UPDATE questions SET {', '.join(f'{c} = ?' for c in CARD_COLUMNS)}"
                           " WHERE id = ?", (*(getattr(after, c) for c in CARD_COLUMNS), qid))
        return added, known, len(touched)

    @staticmethod
    def _log_in_time_order(db: sqlite3.Connection, qid: str) -> list[tuple]:
        """(id, ts, rating, cram) of a question's answers by time, after renumbering its
        log rows if answers merged from elsewhere came earlier than ones logged here:
        log order is time order, which `copy_log_to_anki` relies on."""
        rows = db.execute("SELECT id, ts, rating, cram FROM reviews WHERE question = ?"
                          " ORDER BY ts, id", (qid,)).fetchall()
        ids = [row[0] for row in rows]
        if ids == sorted(ids):
            return rows
        columns = ("question, ts, day, rating, correct, given, expected, mode, seconds, first,"
                   " cram, previous, after_state, after_interval, after_difficulty")
        full = db.execute(f"SELECT {columns} FROM reviews WHERE question = ? ORDER BY ts, id",
                          (qid,)).fetchall()
        db.execute("DELETE FROM reviews WHERE question = ?", (qid,))
        db.executemany(f"INSERT INTO reviews ({columns}) VALUES ({', '.join('?' * 15)})", full)
        return db.execute("SELECT id, ts, rating, cram FROM reviews WHERE question = ?"
                          " ORDER BY ts, id", (qid,)).fetchall()


# The answer log as Anki's revlog rows (see `copy_log_to_anki`): each row holds
# the card's state before the answer (`previous`, JSON) and after it (`after_*`).
_LOG = """
WITH log AS (
    SELECT c.cid, r.id AS rid, r.ts, r.rating, r.seconds, r.cram, r.first,
           r.previous IS NULL AS unknown,
           {state} AS b_state, {due} - {last_review} AS b_gap,
           r.after_state AS a_state, r.after_interval AS a_gap, r.after_difficulty AS a_diff
    FROM progress.reviews r NOT INDEXED  -- in file order: an index walk reads at random
    JOIN rq.cards c ON c.question = r.question
    {where}
)
"""
# id (ms) ... type. The id is the answer's second plus its row id modulo 1000: unique
# unless two answers of one second share that remainder (then see `_retry_dropped`;
# two such answers of the same question are reported, never silently lost).
# Numbering the answers within each second instead costs a window over the whole log.
# The rows go in in log order, which is time order for answers given here, so they
# append to the table's b-tree (answers merged from Anki are later in the log but
# land near its end); sorting them first cost a million-answer log 1 s more CPU.
_REVLOG_ROW = """
       ts * 1000 + rid % 1000, cid, -1, rating,
       CASE WHEN cram OR a_gap IS NULL THEN 0
            WHEN a_state IN (1, 3) AND a_gap < 86400 THEN -MAX(a_gap, 1)
            ELSE MAX(1, CAST(ROUND(a_gap / 86400.0) AS INTEGER)) END,
       CASE WHEN cram OR b_gap IS NULL OR b_state IS NULL THEN 0
            WHEN b_state IN (1, 3) AND b_gap < 86400 THEN -MAX(b_gap, 1)
            ELSE MAX(1, CAST(ROUND(b_gap / 86400.0) AS INTEGER)) END,
       CASE WHEN cram THEN 0 WHEN a_diff IS NULL THEN 2500
            ELSE CAST(ROUND(((a_diff - 1) / 9.0 + 0.1) * 1000) AS INTEGER) END,
       CAST(MIN(MAX(COALESCE(seconds, 0), 0), 3600) * 1000 AS INTEGER),
       CASE WHEN cram THEN 3
            WHEN unknown THEN CASE WHEN first THEN 0 ELSE 1 END
            WHEN b_state = 2 THEN 1 WHEN b_state = 3 THEN 2 ELSE 0 END
"""
_REVLOG_COLUMNS = "id, cid, usn, ease, ivl, lastIvl, factor, time, type"
_AT = {name: previous(name, "r") for name in ("state", "due", "last_review")}
_ANKI_REVLOG = (_LOG.format(where="", **_AT) + f"INSERT INTO revlog ({_REVLOG_COLUMNS}) SELECT"
                + _REVLOG_ROW + "FROM log WHERE 1 ON CONFLICT (id) DO NOTHING")
# answers whose id was taken by another answer of the same second
_DROPPED = """
SELECT r.id, r.question FROM progress.reviews r NOT INDEXED
JOIN rq.cards c ON c.question = r.question
WHERE NOT EXISTS (SELECT 1 FROM revlog v WHERE v.id = r.ts * 1000 + r.id % 1000
                  AND v.cid = c.cid)
"""
_RETRY = (_LOG.format(where="WHERE r.question IN (SELECT question FROM rq.dropped)", **_AT)
          + "SELECT" + _REVLOG_ROW + "FROM log WHERE rid IN (SELECT rid FROM rq.dropped)")

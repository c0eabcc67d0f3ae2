"""The store's queries for personal FSRS parameters: the answer log as the fit reads
it, the history of parameter sets, and memory states rewritten in one transaction.

Part of the store (`Store` inherits `FsrsRecords`, as it inherits `Reads`): SQL on
the progress file lives in the store modules only, the table in `schema.py`
(migration 5). A parameter set is one row of `fsrs_parameters`; the set in use is
the newest row not taken back (`retired` NULL), and a row whose `parameters` is
NULL stands for the defaults (what `optimize --reset` adds), so `optimize --undo`
can always step back to what was in use before.
"""

from __future__ import annotations

import json
import sqlite3
import time
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reelive_quiz.card import State
from reelive_quiz.errors import StoreError
from reelive_quiz.schema import previous

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from reelive_quiz.fsrs_records import LoggedAnswer, MemoryUpdate, ParameterSet, RatingStats

__all__ = ["FsrsRecords"]

#: The answer log's `previous` holds the card as a JSON array in CARD_COLUMNS order.
_PREVIOUS_STATE = previous("state")
_REVIEW = int(State.REVIEW)

def _answer_log(conn: sqlite3.Connection, after: int | None, until: int
                ) -> Iterator[list[tuple[bytes, int, int, int]]]:
    since = "" if after is None else f" AND id > {int(after)}"
    cursor = conn.execute("SELECT CAST(question AS BLOB), ts, day, rating FROM reviews"
                          f" WHERE cram = 0{since} AND id <= ? ORDER BY id", (until,))
    while rows := cursor.fetchmany(8192):
        yield rows


class FsrsRecords:
    """Mixed into `Store`: needs its `conn`, `path`, `guard`, `transaction` and `writing`."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:
        def guard(self, doing: str) -> AbstractContextManager[None]: ...
        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def writing(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

    # -- the answer log --------------------------------------------------------------

    def answer_log(self, until: int, after: int | None = None
                   ) -> Iterator[list[tuple[bytes, int, int, int]]]:
        """Every answer that moved a card, up to answer id `until`, in the order given:
        (question as UTF-8 bytes, ts, day, rating), one batch of rows at a time.
        From answer id `after` on, if given.

        One pass over the table in storage order (the id is the rowid, so no sort):
        reading by question through the index jumps around the file (12 s for a
        million answers, against ~1.2 s). Streamed: the caller keeps what it needs
        of each row in its own compact form, never the rows. The question comes as
        bytes: a str would be decoded from UTF-8 for every answer (4.1 million: 0.3 s),
        where the caller needs each question's text once.
        """
        with self.guard("read the answer log"):
            yield from _answer_log(self.conn, after, until)

    def answer_log_apart(self, after: int, until: int
                         ) -> Iterator[list[tuple[bytes, int, int, int]]]:
        """`answer_log` on a connection of its own, for a second process (a fork must
        not use the first one's). Errors are not turned into `StoreError`s: the
        caller reads again on its own connection, where they are."""
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only = 1")
            yield from _answer_log(conn, after, until)
        finally:
            conn.close()

    def answers_of(self, questions: Iterable[str], until: int
                   ) -> Iterator[tuple[str, list[LoggedAnswer]]]:
        """Each question's answers that moved its card, up to answer id `until`, in id
        order, in the order the questions are given.

        Through the (question, id) index: for the few questions read a second time
        (the fit's sample, a clock that went back), not for the whole log.
        """
        from reelive_quiz.fsrs_records import LoggedAnswer

        make = LoggedAnswer._make
        with self.guard("read the answer log"):
            for question in questions:
                rows = self.conn.execute(
                    "SELECT id, ts, day, rating FROM reviews WHERE question = ? AND cram = 0"
                    " AND id <= ? ORDER BY id", (question, until)).fetchall()
                yield question, list(map(make, rows))

    def last_answer_id(self) -> int:
        """The newest answer that moved a card (0: none): where a reading of the log
        stops. From the end of the table, not counted through it as `log_mark` does
        (0.3-2 s for 4.1 million answers): the reading counts what it read."""
        with self.guard("read the answer log"):
            return int(self.conn.execute(
                "SELECT COALESCE((SELECT id FROM reviews WHERE cram = 0"
                " ORDER BY id DESC LIMIT 1), 0)").fetchone()[0])

    def log_mark(self) -> tuple[int, int]:
        """(answers that moved a card, newest answer id): to see the log did not change."""
        with self.guard("read the answer log"):
            count, last = self.conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM reviews WHERE cram = 0").fetchone()
        return int(count), int(last)

    def rating_stats(self) -> RatingStats:
        """First ratings, remembered reviews' ratings and seconds per answer, in one scan.

        Counted here rather than by GROUP BY: SQLite would sort a million rows
        for eight groups (twice the time).
        """
        from reelive_quiz.fsrs_records import RatingStats

        first: dict[int, int] = {}
        review: dict[int, int] = {}
        sums: dict[tuple[int, int], list[float]] = {}
        with self.guard("read the answer log"):
            # seconds over a minute are a pause, not an answer: counted as a minute
            cursor = self.conn.execute(
                f"SELECT COALESCE({_PREVIOUS_STATE}, 0), first, rating,"
                " MIN(seconds, 60) FROM reviews WHERE cram = 0")
            while rows := cursor.fetchmany(8192):
                for state, is_first, rating, seconds in rows:
                    if is_first:
                        first[rating] = first.get(rating, 0) + 1
                    elif state == _REVIEW and rating > 1:
                        review[rating] = review.get(rating, 0) + 1
                    if seconds is not None:
                        acc = sums.setdefault((state, rating), [0.0, 0])
                        acc[0] += seconds
                        acc[1] += 1
        return RatingStats(first, review, {key: (total / n, int(n))
                                           for key, (total, n) in sums.items()})

    def questions_to_study(self) -> int:
        """Questions that can be asked: present and not suspended, new or studied."""
        with self.guard("count questions"):
            return int(self.conn.execute(
                "SELECT COUNT(*) FROM questions WHERE present = 1 AND suspended = 0"
            ).fetchone()[0])

    # -- parameter sets ----------------------------------------------------------------

    def parameter_sets(self) -> list[ParameterSet]:
        """Every change of parameters, oldest first (taken-back ones included)."""
        from reelive_quiz.fsrs_records import SET_COLUMNS, set_from_row

        with self.guard("read the FSRS parameters"):
            rows = self.conn.execute(
                f"SELECT {', '.join(SET_COLUMNS)} FROM fsrs_parameters ORDER BY id").fetchall()
        return [set_from_row(r) for r in rows]

    def parameters_in_use(self) -> ParameterSet | None:
        """The set in use: the newest not taken back; None when it was never changed."""
        from reelive_quiz.fsrs_records import SET_COLUMNS, set_from_row

        with self.guard("read the FSRS parameters"):
            row = self.conn.execute(
                f"SELECT {', '.join(SET_COLUMNS)} FROM fsrs_parameters WHERE retired IS NULL"
                " ORDER BY id DESC LIMIT 1").fetchone()
        return set_from_row(row) if row else None

    def change_parameters(self, *, adopt: ParameterSet | None, retire: int | None,
                          updates: Iterable[MemoryUpdate], log_mark: tuple[int, int],
                          when: int | None = None) -> int | None:
        """Put a set in use (or take the current one back) and rewrite memory states.

        All in one transaction, and only if no answer was given since the log was
        read (`log_mark`): the states were computed from that log. Returns the
        new set's id. `updates` are consumed before the transaction starts (the
        states are computed as they are read), and held as columns, not a tuple per
        card: 246,000 cards take ~25 MB here, not ~80.
        """
        stamp = int(time.time()) if when is None else when
        questions: list[str] = []
        stability, difficulty = array("d"), array("d")
        interval = array("q")  # days; -1: keep the due date
        for u in updates:
            questions.append(u.question)
            stability.append(u.stability)
            difficulty.append(u.difficulty)
            interval.append(-1 if u.interval is None else u.interval)
        with self.writing("save the FSRS parameters") as db:  # not into a restored file
            count, last = db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM reviews"
                                     " WHERE cram = 0").fetchone()
            if (int(count), int(last)) != log_mark:
                raise StoreError(f"{self.path}: answers were given while the parameters were "
                                 "computed; nothing was changed: run it again")
            new_id = None
            if retire is not None:
                db.execute("UPDATE fsrs_parameters SET retired = ? WHERE id = ?",
                           (stamp, retire))
            if adopt is not None:
                cur = db.execute(
                    "INSERT INTO fsrs_parameters (adopted, parameters, reviews, log_loss, rmse,"
                    " log_loss_before, rmse_before) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (stamp, None if adopt.parameters is None else json.dumps(adopt.parameters),
                     adopt.reviews, adopt.log_loss, adopt.rmse, adopt.log_loss_before,
                     adopt.rmse_before))
                new_id = cur.lastrowid
            # by rowid, in order: the pages are written once, front to back (2x faster
            # for 60,000 cards than by id); stability and difficulty are in no index
            position = {qid: i for i, qid in enumerate(questions)}
            found, rowids = array("q"), array("q")  # the cards among them, their rowids
            for qid, rowid in db.execute("SELECT id, rowid FROM questions"
                                         " WHERE state IS NOT NULL"):
                i = position.get(qid)
                if i is not None:
                    found.append(i)
                    rowids.append(rowid)
            del position, questions
            order = sorted(range(len(found)), key=rowids.__getitem__)
            db.executemany("UPDATE questions SET stability = ?, difficulty = ? WHERE rowid = ?",
                           ((stability[found[j]], difficulty[found[j]], rowids[j])
                            for j in order))
            db.executemany("UPDATE questions SET due = last_review + ? * 86400"
                           f" WHERE rowid = ? AND state = {_REVIEW} AND last_review IS NOT NULL",
                           ((interval[found[j]], rowids[j]) for j in order
                            if interval[found[j]] >= 0))
        return new_id

"""Progress in one SQLite file: the question catalogue, card states, the answer log.

The only module that runs SQL on the progress file (with its parts
`store_catalogue.py`, `store_reads.py`, `store_fsrs.py` and `store_anki.py`):
every read is a method named for what it returns (`learning_due`, `retention`,
...), so a query and the index or column order it relies on are kept together
(the schema and its migrations are in `schema.py`).

Every write is its own transaction, committed before the call returns, so an
answer given is an answer kept: Ctrl-C, a closed terminal or a killed process
loses nothing. Writers take SQLite's write lock first (`BEGIN IMMEDIATE`) and
read the card inside it, so two sessions on the same file never lose or
double an answer. Card state lives in columns (not JSON) and the due queue
and status read indexes, so a store of 100,000 questions stays instant.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reelive_quiz.card import CardState
from reelive_quiz.errors import ProgressReplaced, StoreError
from reelive_quiz.schema import (
    CARD_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    TABLES,
    after_columns,
    statements,
)
from reelive_quiz.store_anki import AnkiSync
from reelive_quiz.store_catalogue import Catalogue, DeckFile, Orphan
from reelive_quiz.store_fsrs import FsrsRecords
from reelive_quiz.store_reads import Answer, Reads

__all__ = ["Answer", "CardState", "DeckFile", "Orphan", "Review", "Store",
           "check_progress_file"]



@dataclass(frozen=True, slots=True)
class Review:
    """One answer as logged: enough to replay or optimise FSRS later."""

    question: str
    ts: int
    day: int
    rating: int
    mode: str
    correct: bool | None = None
    given: str | None = None
    expected: str | None = None
    seconds: float | None = None
    cram: bool = False


class Store(Catalogue, Reads, FsrsRecords, AnkiSync):
    """The progress file. Open with `Store.open(path)`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._batch: set[str] | None = None  # slugs written in the open catalogue batch
        self.generation = ""  # read once migrated: what this process opened

    # -- opening, migrating, guarding -------------------------------------------

    @classmethod
    def open(cls, path: Path, *, keep_before_migrating: bool = True) -> Store:
        from reelive_quiz.files import make_folder

        make_folder(path.parent, StoreError, "your progress")
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the progress file: {exc}") from None
        store = cls(path, conn)
        with store.guard("open"):
            conn.execute("PRAGMA busy_timeout = 30000")
            with contextlib.suppress(sqlite3.OperationalError):  # read-only folder: no WAL
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {cls.WAL_AUTOCHECKPOINT}")
            conn.execute("PRAGMA foreign_keys = ON")
            store._migrate(keep_before_migrating)
            store.generation = store._read_generation(conn)
        return store

    def page_size(self) -> int:
        with self.guard("read the progress file"):
            return int(self.conn.execute("PRAGMA page_size").fetchone()[0])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def guard(self, doing: str) -> Iterator[None]:
        """Turn SQLite failures into one-line StoreErrors; keep a damaged file aside."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(f"{self.path}: busy ({text}) while trying to {doing}; "
                                 "another reelive-quiz is writing; try again") from None
            if "readonly" in text or "read-only" in text:
                raise StoreError(f"{self.path}: read-only; could not {doing}") from None
            if "full" in text:
                raise StoreError(f"{self.path}: disk full; could not {doing}") from None
            if "malformed" in text or "not a database" in text:
                raise self._damaged(text) from None
            raise StoreError(f"{self.path}: could not {doing}: {text}") from None
        except sqlite3.DatabaseError as exc:
            raise self._damaged(str(exc)) from None

    def _damaged(self, problem: str) -> StoreError:
        from reelive_quiz.files import MB, copy_file, make_temp, place
        from reelive_quiz.progress import bar
        from reelive_quiz.store_copy import pages_for_a_bar

        stamp = time.strftime("%Y%m%d-%H%M%S")
        copy = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        kept = ""
        try:  # a file copy (SQLite cannot read it), put in place whole under a unique name
            fd, tmp = make_temp(copy)
            os.close(fd)
            try:
                with bar("Keeping a copy of the damaged file (MB)",
                         pages_for_a_bar(MB)) as progress:
                    copy_file(self.path, tmp, progress)
                copy = place(tmp, lambda n: copy if n == 0 else Path(f"{copy}-{n + 1}"),
                             unique=True)
            finally:
                tmp.unlink(missing_ok=True)
            kept = f"; a copy is kept at {copy}"
        except OSError:
            pass
        return StoreError(f"{self.path}: the progress file is damaged ({problem}){kept}; "
                          "nothing was reset: restore a backup with `reelive-quiz restore "
                          "FILE` or move the file away to start afresh")

    def _migrate(self, keep_before_migrating: bool = True) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer reelive-quiz (schema {version}, "
                             f"this one knows {SCHEMA_VERSION}); upgrade reelive-quiz")
        if version == SCHEMA_VERSION:
            return
        if version > 0 and keep_before_migrating:
            self.backup_to(self.path.with_name(
                f"{self.path.name}.before-v{SCHEMA_VERSION}-{time.strftime('%Y%m%d-%H%M%S')}"),
                unique=True, description="Keeping a copy before updating your progress")
        from reelive_quiz.progress import bar
        from reelive_quiz.store_copy import pages_for_a_bar

        pending = [(number, name, list(statements(script)))
                   for number, (name, script) in enumerate(MIGRATIONS, 1) if number > version]
        # A statement gives no count while it runs (migration 8 on 1.4M answers: 18 s in
        # statements of 1.7 to 6 s), so the bar counts statements, on files big enough
        # for a copy to take seconds.
        total = sum(len(script) for _, _, script in pending)
        pages, page_size = (self.conn.execute(f"PRAGMA {p}").fetchone()[0]
                            for p in ("page_count", "page_size"))
        big = pages >= pages_for_a_bar(page_size)
        with bar("Updating your progress file (steps)", 0 if big else total + 1) as report:
            done = 0

            def step() -> None:
                nonlocal done
                done += 1
                report(done, total)

            report(0, total)
            for number, name, script in pending:
                self._apply(number, name, script, step)
            report(total, total)  # with those another process ran

    def _apply(self, number: int, name: str, script: list[str],
               step: Callable[[], None]) -> None:
        """Migration `number`, in its own transaction, unless another process ran it."""
        with self.transaction():
            if self.conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                return  # another process migrated while we waited for the lock
            for statement in script:
                self.conn.execute(statement)
                step()
            self.conn.execute(f"PRAGMA user_version = {number}")
            self.conn.execute("CREATE TABLE IF NOT EXISTS migrations "
                              "(name TEXT PRIMARY KEY, applied INTEGER NOT NULL)")
            self.conn.execute("INSERT INTO migrations VALUES (?, ?)",
                              (name, int(time.time())))

    @staticmethod
    def _read_generation(db: sqlite3.Connection) -> str:
        return str(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    @contextlib.contextmanager
    def writing(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction, refused if a restore replaced the file since it was opened.

        The generation is read under the write lock, so a write waiting for a
        restore to finish sees the new one and never lands in the restored file.
        """
        with self.guard(doing), self.transaction() as db:
            if self._read_generation(db) != self.generation:
                raise ProgressReplaced(
                    f"{self.path}: your progress was restored from a backup (by another "
                    f"reelive-quiz) while this one had it open; nothing was saved by this "
                    "step and nothing of the restored progress was changed; start again")
            yield db

    def renew_generation(self) -> None:
        """Make this file a new copy of the progress (a restore's staged file)."""
        with self.guard("prepare the restore"), self.transaction() as db:
            db.execute("UPDATE meta SET value = lower(hex(randomblob(8)))"
                       " WHERE key = 'generation'")
            self.generation = self._read_generation(db)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: take the write lock before reading what we change."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def backup_to(self, target: Path, *, unique: bool = False,
                  description: str = "Backing up your progress") -> Path:
        """A consistent copy of the whole file (SQLite's online backup), put in place whole.

        With `unique`, an existing `target` gives `target-2`, … instead of an error.
        `description` names the copy on its bar (see `copy_pages`).
        """
        from reelive_quiz.store_copy import copy_database

        with self.guard("back up the progress file"):
            return copy_database(self.conn, target, unique=unique, description=description)

    def replace_with(self, source: Path, keep: Path | None = None) -> Path | None:
        """Make the progress a copy of `source` (see `stage_restore`) in one step under the lock.

        The first step of SQLite's backup takes the write lock and holds it to
        the end; the copy of what is replaced (`keep`, made unique) is taken
        right then, by a reader, so every answer committed before the restore
        is in it and every one after waits, then is refused: the restored file
        has a new generation (see `writing`). If the copy fails, nothing is
        replaced. Returns where the copy is.
        """
        from reelive_quiz.store_copy import copy_database, copy_pages

        kept: list[Path] = []

        def aside() -> None:
            if keep is not None:
                reader = sqlite3.connect(self.path, timeout=30)
                try:
                    kept.append(copy_database(reader, keep, unique=True,
                                              description="Keeping your progress aside"))
                finally:
                    reader.close()

        with self.guard("restore the progress file"):
            src = sqlite3.connect(source)
            try:
                copy_pages(src, self.conn, "Restoring your progress", first_step=aside)
            finally:
                src.close()
            self.generation = self._read_generation(self.conn)
        return kept[0] if kept else None

    def card(self, qid: str) -> CardState | None:
        """The question's schedule (None if the question is unknown)."""
        with self.guard("read a card"):
            row = self.conn.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM questions "
                                    "WHERE id = ?", (qid,)).fetchone()
        return CardState(*row) if row else None

    def schema_version(self) -> int:
        with self.guard("read progress"):
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity(self) -> str:
        """SQLite's integrity check: "ok" for an intact file."""
        with self.guard("check the progress file"):
            return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- writing answers -------------------------------------------------------------

    def answer(self, qid: str, review: Callable[[CardState], tuple[CardState, int]],
               log: Review) -> int:
        """Apply one answer atomically: read the card, schedule it, save both, commit.

        `review` gets the card as stored now (another session may have moved
        it) and returns its next state and the rating. Returns the log row id.
        """
        with self.writing("save your answer") as db:
            return self._answer(db, qid, review, log)

    def undo(self, review_id: int, qid: str) -> bool:
        """Take back one answer: its log row goes and the card returns to its state before.

        Refused (False) unless `review_id` is still the latest answer to `qid`:
        answered again since (e.g. by another session), undoing would lose that
        answer; a row of another question is not this session's to touch.
        """
        with self.writing("undo your answer") as db:
            return self._undo(db, review_id, qid)

    def regrade(self, review_id: int, qid: str,
                review: Callable[[CardState], tuple[CardState, int]], log: Review) -> int | None:
        """Replace one answer by another in one transaction (a right answer made Hard/Easy).

        Nothing can come between taking the old answer back and saving the new
        one, so an interruption keeps one of the two, never neither. None (and
        nothing changed) when `undo` would refuse.
        """
        with self.writing("change your answer's rating") as db:
            if not self._undo(db, review_id, qid):
                return None
            return self._answer(db, qid, review, log)

    def _answer(self, db: sqlite3.Connection, qid: str,
                review: Callable[[CardState], tuple[CardState, int]], log: Review) -> int:
        row = db.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM questions "
                         "WHERE id = ?", (qid,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no question {qid} in the catalogue")
        before = CardState(*row)
        if log.cram:
            after, rating = before, review(before)[1]
        else:
            after, rating = review(before)
            db.execute(f"UPDATE questions SET {', '.join(f'{c} = ?' for c in CARD_COLUMNS)}"
                       " WHERE id = ?", (*(getattr(after, c) for c in CARD_COLUMNS), qid))
        cur = db.execute(
            "INSERT INTO reviews (question, ts, day, rating, correct, given, expected, mode,"
            " seconds, first, cram, previous, after_state, after_interval, after_difficulty)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (qid, log.ts, log.day, rating,
             None if log.correct is None else int(log.correct), log.given, log.expected,
             log.mode, log.seconds, int(before.state is None), int(log.cram),
             before.to_json(), *after_columns(after)))
        return int(cur.lastrowid or 0)

    def _undo(self, db: sqlite3.Connection, review_id: int, qid: str) -> bool:
        """Take back `review_id` inside a transaction, if it is `qid`'s latest answer."""
        row = db.execute("SELECT previous, cram FROM reviews WHERE id = ? AND question = ?",
                         (review_id, qid)).fetchone()
        if row is None:
            return False
        previous, cram = row
        latest = db.execute("SELECT MAX(id) FROM reviews WHERE question = ?",
                            (qid,)).fetchone()[0]
        if latest != review_id:
            return False
        if not cram:
            before = CardState.from_json(previous)
            db.execute(f"UPDATE questions SET {', '.join(f'{c} = ?' for c in CARD_COLUMNS)}"
                       " WHERE id = ?", (*(getattr(before, c) for c in CARD_COLUMNS), qid))
        db.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        return True

    def set_suspended(self, qid: str, value: int) -> None:
        with self.writing("suspend the question") as db:
            db.execute("UPDATE questions SET suspended = ? WHERE id = ?", (value, qid))


def check_progress_file(source: Path) -> None:
    """Refuse anything that is not an intact reelive-quiz progress file (before a restore)."""
    if not source.is_file():
        raise StoreError(f"{source}: no such file")
    with source.open("rb") as head:
        if head.read(16) != b"SQLite format 3\x00":
            raise StoreError(f"{source}: not a reelive-quiz progress file (not SQLite)")
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot read it as a progress file: {exc}") from None
    if not tables >= TABLES:
        raise StoreError(f"{source}: not a reelive-quiz progress file (tables missing)")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{source}: made by a newer reelive-quiz (schema {version}); "
                         "upgrade reelive-quiz first")
    if check != "ok":
        raise StoreError(f"{source}: damaged ({check}); not restored")


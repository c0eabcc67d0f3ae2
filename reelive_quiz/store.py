"""Progress in one SQLite file: the question catalogue, card states, the answer log.

The only module that runs SQL on the progress file (with its parts
`store_reads.py` and `store_anki.py`): every read is a method named for what
it returns (`learning_due`, `retention`, ...), so a query and the index or
column order it relies on are kept together (the schema and its migrations
are in `schema.py`).

Every write is its own transaction, committed before the call returns, so an
answer given is an answer kept: Ctrl-C, a closed terminal or a killed process
loses nothing. Writers take SQLite's write lock first (`BEGIN IMMEDIATE`) and
read the card inside it, so two sessions on the same file never lose or
double an answer. Card state lives in columns (not JSON) and the due queue
and status read indexes, so a store of 100,000 questions stays instant.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from reelive_quiz.card import CardState
from reelive_quiz.errors import ProgressReplaced, StoreError
from reelive_quiz.schema import (
    CARD_COLUMNS,
    DECK_CONTENTS,
    MIGRATIONS,
    QUESTION_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    after_columns,
    statements,
)
from reelive_quiz.store_anki import AnkiSync
from reelive_quiz.store_fsrs import FsrsRecords
from reelive_quiz.store_reads import Answer, Reads

if TYPE_CHECKING:  # loaded when a question is read: `status` never needs it
    from reelive_quiz.question import Question

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


class Orphan(NamedTuple):
    """A studied question its deck no longer has: its progress may be carried over."""

    id: str
    kind: str
    prompt: str
    answer: str


#: (added questions, orphans by id) → pairs (new id, old id) whose progress moves.
CarryOver = Callable[[Sequence["Question"], Mapping[str, Orphan]], list[tuple[str, str]]]


class DeckFile(NamedTuple):
    slug: str
    path: str
    signature: str
    title: str


def _question_from_row(row: Sequence[object]) -> Question:
    from reelive_quiz.question import Question

    qid, deck, slug, kind, prompt, answer, options, source, sibling, info, mode, person = row
    return Question(str(qid), str(deck), str(slug), str(kind), str(prompt), str(answer),
                    tuple(json.loads(str(options))), str(source), str(sibling), str(info),
                    str(mode), bool(person))


_INSERT = ("INSERT INTO questions (id, deck, slug, kind, prompt, answer, options, source,"
           " sibling, info, mode, person, position, present)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
_UPSERT_DECK = (_INSERT + " ON CONFLICT (id) DO UPDATE SET deck = excluded.deck,"
                " slug = excluded.slug, kind = excluded.kind, prompt = excluded.prompt,"
                " answer = excluded.answer, options = excluded.options,"
                " source = excluded.source, sibling = excluded.sibling, info = excluded.info,"
                " mode = excluded.mode, person = excluded.person,"
                " position = excluded.position, present = 1")
_UPSERT_WHICH_FILM = (_INSERT + " ON CONFLICT (id) DO UPDATE SET deck = excluded.deck,"
                      " slug = excluded.slug, prompt = excluded.prompt,"
                      " answer = excluded.answer, options = excluded.options,"
                      " source = excluded.source, sibling = excluded.sibling,"
                      " info = excluded.info, mode = excluded.mode,"
                      " position = excluded.position, present = 1")


def _put_questions(db: sqlite3.Connection, rows: Iterable[tuple[object, ...]],
                   stored: set[str], upsert: str) -> None:
    """Catalogue rows in, ids in `stored` (the catalogue has them) updated by `upsert`.

    An upsert costs ~1.7 × a plain insert (8.4 against 4.9 CPU s for 410,000 new
    rows), so new ids are inserted plainly, a chunk at a time; an id taken after
    all (one `stored` did not know) makes its chunk go through `upsert` again.
    """
    it = iter(rows)
    while chunk := list(itertools.islice(it, 2048)):
        fresh = [row for row in chunk if row[0] not in stored]
        if len(fresh) < len(chunk):
            db.executemany(upsert, [row for row in chunk if row[0] in stored])
        if fresh and db.executemany(_INSERT + " ON CONFLICT (id) DO NOTHING",
                                    fresh).rowcount != len(fresh):
            db.executemany(upsert, fresh)


def _options_json(options: Sequence[str]) -> str:
    """`json.dumps(options, ensure_ascii=False)` for a list of texts, 6 × faster: no
    encoder made per call (400,000 calls at 1,000 films: 3.2 s profiled). The same
    text: json's own escaping of each, its default `", "` between (a test checks)."""
    return f"[{', '.join(map(encode_basestring, options))}]" if options else "[]"


#: The one kind made across decks (which_film.py); the per-deck sync leaves it alone.
WHICH_FILM = "which-film"


class Store(Reads, FsrsRecords, AnkiSync):
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
            # checkpoint the WAL at 16 MB, not 4: fewer stalls while answering
            conn.execute("PRAGMA wal_autocheckpoint = 4000")
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

    # -- the catalogue of questions ---------------------------------------------

    #: The page cache of a catalogue batch, in KB (SQLite's default is 2 MB).
    BATCH_CACHE_KB = 65536
    #: The which-film rebuild's: it scans the whole table first (its rows are found by
    #: kind), which would fill 64 MB while its questions are still in memory; with
    #: 16 MB its writes took the same time (4.4-4.7 s CPU vs 4.2-4.8 at 64 MB).
    WHICH_FILM_CACHE_KB = 16384

    @contextlib.contextmanager
    def catalogue_batch(self, cache_kb: int | None = None) -> Iterator[None]:
        """Many decks' `sync_deck` and `forget_deck` in one transaction, counted once.

        For a library's worth of new questions the per-row trigger that keeps
        `deck_counts` cost half the insert time (4.4 of 8.8 s CPU for 300,000
        rows), and a commit per deck the rest of the overhead. Inside a batch
        that trigger is dropped and the counts of the decks written are rebuilt
        from their rows at the end; the trigger is re-created from its own SQL
        before the commit, so no other connection ever sees it missing, and a
        failure rolls all of it back.
        """
        if self._batch is not None:
            yield
            return
        with self.writing("update the question catalogue") as db:
            trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                                 " AND name = 'deck_counts_insert'").fetchone()
            cache = db.execute("PRAGMA cache_size").fetchone()[0]
            db.execute(f"PRAGMA cache_size = -{cache_kb or self.BATCH_CACHE_KB}")  # indexes
            if trigger is not None:
                db.execute("DROP TRIGGER deck_counts_insert")
            self._batch = written = set()
            try:
                yield
                for slug in sorted(written):
                    db.execute("DELETE FROM deck_counts WHERE slug = ?", (slug,))
                    db.execute("INSERT INTO deck_counts SELECT slug, suspended,"
                               " COALESCE(state, 0), COUNT(*) FROM questions"
                               " WHERE slug = ? AND present = 1 GROUP BY 1, 2, 3", (slug,))
                if trigger is not None:
                    db.execute(trigger[0])
            finally:
                self._batch = None
                db.execute(f"PRAGMA cache_size = {int(cache)}")

    @contextlib.contextmanager
    def _catalogue_write(self, doing: str, *slugs: str) -> Iterator[sqlite3.Connection]:
        """The open batch's transaction (its counts to rebuild for `slugs`), or one of its own."""
        if self._batch is not None:
            self._batch.update(slugs)
            with self.guard(doing):
                yield self.conn
            return
        with self.writing(doing) as db:
            yield db

    def _catalogue_write_slugs(self, slugs: Iterable[str]) -> None:
        if self._batch is not None:
            self._batch.update(slugs)

    def sync_deck(self, slug: str, title: str, path: str, signature: str,
                  questions: Sequence[Question], contents: Mapping[str, int],
                  carry_over: CarryOver, *, retired: Sequence[str] = (),
                  renamed: Mapping[str, str] | None = None,
                  items: str = "[]") -> None:
        """Make the catalogue match a deck: new questions added, gone ones hidden.

        `questions` come in the order they are to be introduced (their
        `position`). Progress follows ids; `carry_over(added, orphans)` pairs
        new ids with studied ones the deck no longer has, whose progress they
        take (an edited question). `retired` are slugs this deck had before
        (its file under an old slug): their questions pass to this deck
        (`renamed`: old id → new id for the same content, then `carry_over`),
        answered under both, the current card stays and the logs join; their
        entries go. All in one transaction. The deck's which-film questions
        are left to `sync_which_film`; `items` (JSON) is what they are made of.
        """
        with self._catalogue_write("update the question catalogue", slug, *retired) as db:
            for old_id, new_id in (renamed or {}).items():
                if old_id == new_id or not db.execute(
                        "SELECT 1 FROM questions WHERE id = ?", (old_id,)).fetchone():
                    continue
                # a new id already in the catalogue but never answered gives way
                db.execute("DELETE FROM questions WHERE id = ? AND state IS NULL AND NOT EXISTS"
                           " (SELECT 1 FROM reviews WHERE question = ?)", (new_id, new_id))
                if db.execute("SELECT 1 FROM questions WHERE id = ?", (new_id,)).fetchone():
                    db.execute("DELETE FROM questions WHERE id = ?", (old_id,))
                else:
                    db.execute("UPDATE questions SET id = ?, slug = ? WHERE id = ?",
                               (new_id, slug, old_id))
                db.execute("UPDATE reviews SET question = ? WHERE question = ?",
                           (new_id, old_id))
            scope = (slug, *retired)
            marks = ",".join("?" * len(scope))
            old = {row[0]: row for row in db.execute(
                "SELECT id, kind, prompt, answer, state FROM questions"
                f" WHERE slug IN ({marks}) AND kind != '{WHICH_FILM}'", scope)}
            ids = {q.id for q in questions}
            added = [q for q in questions if q.id not in old]
            orphans = {qid: Orphan(qid, kind, prompt, answer)
                       for qid, (_, kind, prompt, answer, state) in old.items()
                       if qid not in ids and state is not None}
            stored = set(old)
            for new_id, old_id in carry_over(added, orphans):
                db.execute("UPDATE questions SET id = ? WHERE id = ?", (new_id, old_id))
                db.execute("UPDATE reviews SET question = ? WHERE question = ?",
                           (new_id, old_id))
                stored.add(new_id)
            db.execute(f"UPDATE questions SET present = 0 WHERE slug IN ({marks})"
                       f" AND kind != '{WHICH_FILM}'", scope)
            db.execute(f"DELETE FROM decks WHERE slug IN ({marks}) AND slug != ?",
                       (*scope, slug))
            _put_questions(db, ((q.id, q.deck, q.slug, q.kind, q.prompt, q.answer,
                                 _options_json(q.options), q.source, q.sibling, q.info,
                                 q.mode, int(q.person), pos)
                                for pos, q in enumerate(questions)), stored, _UPSERT_DECK)
            columns = ("slug", "title", "path", "signature", "items", "film",
                       *DECK_CONTENTS)
            import hashlib  # only when a deck is synced: start-up stays without it

            film = hashlib.sha1(f"{title}\x00{items}".encode("utf-8", "surrogatepass"))
            db.execute(f"INSERT INTO decks ({', '.join(columns)})"
                       f" VALUES ({', '.join('?' * len(columns))}) ON CONFLICT (slug) DO UPDATE"
                       f" SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}",
                       (slug, title, path, signature, items, film.hexdigest(),
                        *(contents[c] for c in DECK_CONTENTS)))

    def sync_which_film(self, questions: Iterable[Question], library: str) -> None:
        """Replace every which-film question at once; ids that stay keep their progress.

        A catalogue batch (see `catalogue_batch`): at 1,000 films these are
        107,000 rows, whose per-row count trigger and random id order in a 2 MB
        page cache cost 1.5 of 5.7 s CPU (measured on pre-generated rows).
        `questions` is iterated once: a stream lets each go once written.
        """
        with self.catalogue_batch(self.WHICH_FILM_CACHE_KB), \
                self._catalogue_write("update the question catalogue") as db:
            stored = {qid for (qid,) in db.execute(
                f"UPDATE questions SET present = 0 WHERE kind = '{WHICH_FILM}'"
                " AND present = 1 RETURNING id")}  # (hidden ones: see `_put_questions`)
            rank: dict[str, int] = {}

            def rows() -> Iterator[tuple[object, ...]]:  # streamed: 100k rows are 40 MB
                for q in questions:  # one which-film question per round of the deck's kinds
                    rank[q.slug] = rank.get(q.slug, -1) + 1
                    yield (q.id, q.deck, q.slug, q.kind, q.prompt, q.answer,
                           _options_json(q.options), q.source, q.sibling,
                           q.info, q.mode, int(q.person), rank[q.slug] * 9 + 8)

            _put_questions(db, rows(), stored, _UPSERT_WHICH_FILM)
            self._catalogue_write_slugs(rank)  # their counts, rebuilt as the batch ends
            db.execute("UPDATE decks SET library = ?", (library,))

    def forget_deck(self, slug: str) -> None:
        """A deck file that is gone: keep its progress, stop showing its questions."""
        with self._catalogue_write("update the question catalogue", slug) as db:
            db.execute("UPDATE questions SET present = 0 WHERE slug = ?", (slug,))
            db.execute("DELETE FROM decks WHERE slug = ?", (slug,))

    # -- reading -------------------------------------------------------------------

    def question(self, qid: str) -> Question | None:
        with self.guard("read a question"):
            row = self.conn.execute(
                f"SELECT {', '.join(QUESTION_COLUMNS)} FROM questions WHERE id = ?",
                (qid,)).fetchone()
        return _question_from_row(row) if row else None

    def catalogue(self, slugs: Sequence[str], kinds: Sequence[str] | None = None,
                  ) -> list[Question]:
        """The current questions of these decks, as synced: no deck needs re-reading."""
        return list(self.iter_catalogue(slugs, kinds))

    def iter_catalogue(self, slugs: Sequence[str], kinds: Sequence[str] | None = None,
                       ) -> Iterator[Question]:
        """`catalogue` as a stream, film after film (slug, position): an export of
        300,000 questions holds one film's at a time, not 300 MB of them. A which-film
        question comes after the deck's question of the same position, so the order
        is the same every time (`file_questions` writes it without the store)."""
        where, args = _catalogue_where(slugs, kinds)
        with self.guard("read questions"):
            rows = self.conn.execute(f"SELECT {', '.join(QUESTION_COLUMNS)} FROM questions"
                                     f" WHERE {where} ORDER BY slug, position,"
                                     f" kind = '{WHICH_FILM}'", args)
        while True:
            with self.guard("read questions"):
                chunk = rows.fetchmany(1000)
            if not chunk:
                return
            yield from map(_question_from_row, chunk)

    def count_catalogue(self, slugs: Sequence[str], kinds: Sequence[str] | None = None) -> int:
        where, args = _catalogue_where(slugs, kinds)
        with self.guard("read questions"):
            return int(self.conn.execute(f"SELECT COUNT(*) FROM questions WHERE {where}",
                                         args).fetchone()[0])

    def deck_listing(self) -> dict[str, dict[str, object]]:
        """Deck file path -> title, what the deck holds and its questions, as synced."""
        with self.guard("read the deck list"):
            rows = self.conn.execute(
                f"SELECT path, title, {', '.join(DECK_CONTENTS)}, (SELECT COALESCE(SUM(n), 0)"
                " FROM deck_counts c WHERE c.slug = decks.slug) FROM decks").fetchall()
        return {path: {"title": title, **dict(zip(DECK_CONTENTS, counts, strict=True)),
                       "questions": questions}
                for path, title, *counts, questions in rows}

    def card(self, qid: str) -> CardState | None:
        """The question's schedule (None if the question is unknown)."""
        with self.guard("read a card"):
            row = self.conn.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM questions "
                                    "WHERE id = ?", (qid,)).fetchone()
        return CardState(*row) if row else None

    def library_state(self) -> list[tuple[str, str, str | None]]:
        """(slug, what its which-film questions are made of, the library they were built
        for) per deck: a digest of its title and items (its file signature if it was
        last synced before migration 9)."""
        with self.guard("read the deck list"):
            return self.conn.execute("SELECT slug, COALESCE(film, signature), library"
                                     " FROM decks").fetchall()

    def film_items(self) -> Iterator[tuple[str, str, str | None]]:
        """(slug, title, items JSON) of every deck: what which-film questions are made of.

        A stream: the JSON of 1,000 films is 26 MB (50 MB as Python text), freed into
        the C heap where the objects made from it cannot use it, if read all at once.
        """
        with self.guard("read the deck list"):
            rows = self.conn.execute("SELECT slug, title, items FROM decks")
        while True:
            with self.guard("read the deck list"):
                chunk = rows.fetchmany(20)
            if not chunk:
                return
            yield from chunk

    def deck_files(self) -> list[DeckFile]:
        """Every synced deck file, with the signature it had when it was read."""
        with self.guard("read the deck list"):
            return [DeckFile(*row) for row in self.conn.execute(
                "SELECT slug, path, signature, title FROM decks")]

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


def _catalogue_where(slugs: Sequence[str], kinds: Sequence[str] | None,
                     ) -> tuple[str, list[str]]:
    where = f"present = 1 AND slug IN ({','.join('?' * len(slugs)) or 'NULL'})"
    args: list[str] = list(slugs)
    if kinds:
        where += f" AND kind IN ({','.join('?' * len(kinds))})"
        args += list(kinds)
    return where, args


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


"""The store's question catalogue: what each deck holds, written in batches, read back.

Part of the store (`Store` inherits `Catalogue`), like `store_reads.py`: the
catalogue's SQL lives here, next to the batching that makes a library of 1,000
films cheap to write (`catalogue_batch`) and the insert that skips an upsert
for new rows (`_put_questions`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, NamedTuple

from reelive_quiz.schema import DECK_CONTENTS, QUESTION_COLUMNS

if TYPE_CHECKING:  # loaded when a question is read: `status` never needs it
    from reelive_quiz.generate import QuestionTuple
    from reelive_quiz.question import Question

__all__ = ["WHICH_FILM", "CarryOver", "Catalogue", "DeckFile", "Orphan", "Row",
           "catalogue_rows", "film_key", "question_rows"]


class Orphan(NamedTuple):
    """A studied question its deck no longer has: its progress may be carried over."""

    id: str
    kind: str
    prompt: str
    answer: str


#: (added questions, orphans by id) → pairs (new id, old id) whose progress moves.
#: The added are seen as `Orphan`s too: only their id, kind, prompt and answer count.
CarryOver = Callable[[Sequence[Orphan], Mapping[str, Orphan]], list[tuple[str, str]]]
#: A question as the catalogue stores it: `Question`'s fields in order (its options as
#: JSON, `person` as 0/1), then its position among the deck's questions (`question_rows`).
Row = tuple[object, ...]


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


def question_rows(questions: Iterable[Question]) -> list[Row]:
    """Questions as `sync_deck` writes them, in the order they are introduced: made
    where they are generated (a second process, `parallel`), they cross the pipe as
    plain tuples and go into SQLite as they are, with no object made per question."""
    return [(q.id, q.deck, q.slug, q.kind, q.prompt, q.answer, _options_json(q.options),
             q.source, q.sibling, q.info, q.mode, int(q.person), position)
            for position, q in enumerate(questions)]


def catalogue_rows(questions: Iterable[QuestionTuple]) -> list[Row]:
    """`question_rows` of questions as plain tuples (`generate_tuples`, `as_row`): the
    same rows, with no `Question` made or read per question."""
    return [(qid, deck, slug, kind, prompt, answer, _options_json(options), source, sibling,
             info, mode, int(person), position)
            for position, (qid, deck, slug, kind, prompt, answer, options, source, sibling,
                           info, mode, person) in enumerate(questions)]


def film_key(title: str, items: str) -> str:
    """What a deck's which-film questions are made of, as `decks.film` keeps it (a
    digest of its title and items JSON; migration 9): `sync_which_film`'s library
    digest is made of these keys, and an import's second process makes its own from
    them (`catalogue_ahead`), so there is one formula."""
    from hashlib import sha1  # only when a deck is synced: start-up stays without it

    return sha1(f"{title}\x00{items}".encode("utf-8", "surrogatepass")).hexdigest()


def _options_json(options: Sequence[str]) -> str:
    """`json.dumps(options, ensure_ascii=False)` for a list of texts, 6 × faster: no
    encoder made per call (400,000 calls at 1,000 films: 3.2 s profiled). The same
    text: json's own escaping of each, its default `", "` between (a test checks)."""
    return f"[{', '.join(map(encode_basestring, options))}]" if options else "[]"


#: The one kind made across decks (which_film.py); the per-deck sync leaves it alone.
WHICH_FILM = "which-film"


class Catalogue:
    """The catalogue's writes and reads; `Store` provides the connection, its write
    transactions and the error guard."""

    conn: sqlite3.Connection
    _batch: set[str] | None

    def guard(self, doing: str) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError  # Store.guard

    def writing(self, doing: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # Store.writing

    #: The WAL is copied back into the file when it reaches this many pages (16 MB, not
    #: SQLite's 4: fewer stalls while answering), except inside `one_checkpoint`.
    WAL_AUTOCHECKPOINT = 4000
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
    def one_checkpoint(self) -> Iterator[None]:
        """Many catalogue batches (a library's worth), the WAL copied back once, at the end.

        Every 16 MB of WAL a commit copied the pages written since back into the file and
        synced it; the id index's pages are written by every batch of a big sync, so they
        were copied once a batch. At 1,000 films: 12.7-13.6 -> 11.8-11.9 CPU s for the
        import's first process, 14.0-15.5 -> 13.4-13.6 s wall. The last copy is made
        here, not left to the next answer's commit. A failure leaves the WAL to SQLite,
        which copies it back when the last connection closes.
        """
        with self.guard("update the question catalogue"):
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.WAL_AUTOCHECKPOINT}")
            raise
        with self.guard("update the question catalogue"):
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.WAL_AUTOCHECKPOINT}")
        self.copy_back()

    def copy_back(self) -> None:
        """The WAL written so far copied back into the file now (`one_checkpoint`'s last
        step, and a big sync's before its which-film rebuild).

        Before that rebuild a second process builds the library it waits for: an import
        of 1,000 films waited 0.75-0.92 s there, then copied 300 MB back (0.8 s) at the
        end with one core.
        """
        with self.guard("update the question catalogue"):
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

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
                  questions: Sequence[Row], contents: Mapping[str, int],
                  carry_over: CarryOver, *, retired: Sequence[str] = (),
                  renamed: Mapping[str, str] | None = None,
                  items: str = "[]", film: str | None = None) -> None:
        """Make the catalogue match a deck: new questions added, gone ones hidden.

        `questions` are `question_rows(…)` of the deck's questions in the order they are to
        be introduced. Progress follows ids; `carry_over(added, orphans)` pairs
        new ids with studied ones the deck no longer has, whose progress they
        take (an edited question). `retired` are slugs this deck had before
        (its file under an old slug): their questions pass to this deck
        (`renamed`: old id → new id for the same content, then `carry_over`),
        answered under both, the current card stays and the logs join; their
        entries go. All in one transaction. The deck's which-film questions
        are left to `sync_which_film`; `items` (JSON) is what they are made of,
        `film` their key (`film_key`, made here if not given).
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
            # each stored row as `question_rows` makes it, then whether it is shown and
            # studied: a deck re-read unchanged (its file touched) writes nothing
            old = {row[0]: row for row in db.execute(
                f"SELECT {', '.join(QUESTION_COLUMNS)}, position, present, state"
                f" FROM questions WHERE slug IN ({marks}) AND kind != '{WHICH_FILM}'", scope)}
            ids = {row[0] for row in questions}
            orphans = {qid: Orphan(qid, row[3], row[4], row[5])
                       for qid, row in old.items() if qid not in ids and row[-1] is not None}
            added = [Orphan(*row[:1], *row[3:6]) for row in questions  # type: ignore[arg-type]
                     if row[0] not in old] if orphans else []
            stored = set(old)
            carried: set[str] = set()
            for new_id, old_id in carry_over(added, orphans):
                db.execute("UPDATE questions SET id = ? WHERE id = ?", (new_id, old_id))
                db.execute("UPDATE reviews SET question = ? WHERE question = ?",
                           (new_id, old_id))
                stored.add(new_id)
                carried.add(old_id)
            db.executemany("UPDATE questions SET present = 0 WHERE id = ?",
                           [(qid,) for qid, row in old.items()
                            if row[-2] and qid not in ids and qid not in carried])
            db.execute(f"DELETE FROM decks WHERE slug IN ({marks}) AND slug != ?",
                       (*scope, slug))
            _put_questions(db, [row for row in questions
                                if (stored_row := old.get(row[0])) is None
                                or stored_row[:-1] != (*row, 1)], stored, _UPSERT_DECK)
            columns = ("slug", "title", "path", "signature", "items", "film",
                       *DECK_CONTENTS)
            db.execute(f"INSERT INTO decks ({', '.join(columns)})"
                       f" VALUES ({', '.join('?' * len(columns))}) ON CONFLICT (slug) DO UPDATE"
                       f" SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}",
                       (slug, title, path, signature, items, film or film_key(title, items),
                        *(contents[c] for c in DECK_CONTENTS)))

    def sync_which_film(self, questions: Iterable[Row], library: str) -> None:
        """Replace every which-film question at once; ids that stay keep their progress.

        A catalogue batch (see `catalogue_batch`): at 1,000 films these are
        107,000 rows, whose per-row count trigger and random id order in a 2 MB
        page cache cost 1.5 of 5.7 s CPU (measured on pre-generated rows).
        `questions` (`question_rows`, film after film; their position is given
        here) is iterated once: a stream lets each go once written.
        """
        with self.catalogue_batch(self.WHICH_FILM_CACHE_KB), \
                self._catalogue_write("update the question catalogue") as db:
            stored = {qid for (qid,) in db.execute(
                f"UPDATE questions SET present = 0 WHERE kind = '{WHICH_FILM}'"
                " AND present = 1 RETURNING id")}  # (hidden ones: see `_put_questions`)
            rank: dict[str, int] = {}

            def rows() -> Iterator[Row]:  # streamed: 100k rows are 40 MB
                for row in questions:  # one which-film question per round of the deck's kinds
                    slug = str(row[2])
                    rank[slug] = rank.get(slug, -1) + 1
                    yield (*row[:12], rank[slug] * 9 + 8)

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


def _catalogue_where(slugs: Sequence[str], kinds: Sequence[str] | None,
                     ) -> tuple[str, list[str]]:
    where = f"present = 1 AND slug IN ({','.join('?' * len(slugs)) or 'NULL'})"
    args: list[str] = list(slugs)
    if kinds:
        where += f" AND kind IN ({','.join('?' * len(kinds))})"
        args += list(kinds)
    return where, args

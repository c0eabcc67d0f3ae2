"""The `.apkg` writer: Anki's collection file, zipped, in genanki 0.13's row layout.

The only module that knows how Anki stores notes and cards (the `notes` and
`cards` tables, the `col` row's JSON); what goes in them (ids, deck names,
note types, fields) is `anki.py`'s policy. genanki writes the schema, the
collection row, the decks and the note types; notes and cards go in with
`executemany`, in the rows genanki's Note/Card.write_to_db would write, each
value labelled below as genanki labels it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, Protocol

if TYPE_CHECKING:
    import genanki

__all__ = ["NoteRow", "Scheduling", "Stamps", "set_scheduler", "without_revlog_indexes",
           "write_apkg"]

_CHUNK = 2000


class NoteRow(NamedTuple):
    """What a note is made of before it has a row: policy's output, the writer's input."""

    model: genanki.Model
    fields: list[str]
    tags: tuple[str, ...]  # space-free already
    guid: str
    due: int  # the new card's position in Anki's new queue
    question: str  # the question's id: its progress, with `--with-progress`


class Scheduling(Protocol):
    """Progress for the collection (`anki_progress.ProgressExport`); without it every
    card is new and the review log empty."""

    def configure(self, cursor: sqlite3.Cursor) -> None:
        """Set the collection's `crt` and scheduler config."""

    def card(self, question: str) -> tuple[object, ...] | None:
        """The card columns after `usn` (type … data) for this question's note;
        None: a new card."""

    def write_log(self, cursor: sqlite3.Cursor, cards: Sequence[tuple[str, int]]) -> int:
        """Fill `revlog` for the written cards (question id, card id); returns its rows."""


def set_scheduler(cursor: sqlite3.Cursor, crt: int, config: dict[str, object]) -> None:
    """The collection's creation time (`col.crt`) and scheduler keys in its config."""
    conf = json.loads(cursor.execute("SELECT conf FROM col").fetchone()[0])
    conf.update(config)
    cursor.execute("UPDATE col SET crt = ?, conf = ?", (crt, json.dumps(conf)))


#: The revlog indexes of Anki's schema 11 (genanki's APKG_SCHEMA).
_REVLOG_INDEXES = (("ix_revlog_usn", "usn"), ("ix_revlog_cid", "cid"))


@contextlib.contextmanager
def without_revlog_indexes(cursor: sqlite3.Cursor) -> Iterator[None]:
    """A million review rows go in faster with the indexes built once afterwards."""
    for index, _ in _REVLOG_INDEXES:
        cursor.execute(f"DROP INDEX IF EXISTS {index}")
    yield
    for index, column in _REVLOG_INDEXES:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON revlog ({column})")


class Stamps:
    """Anki modification times: now, in whole seconds, and later than the last one given.

    Anki updates a note on re-import only when the package's copy is strictly
    newer, so two exports from one process within a second must still be
    ordered. `clock` is injectable (a pinned clock shows the trap in tests).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._last = 0

    def __call__(self) -> int:
        self._last = max(int(self._clock()), self._last + 1)
        return self._last


def _note_row(nid: int, row: NoteRow, stamp: int) -> tuple:
    return (
        nid,                        # id
        row.guid,                   # guid
        row.model.model_id,         # mid
        stamp,                      # mod
        -1,                         # usn
        f" {' '.join(row.tags)} ",  # tags
        "\x1f".join(row.fields),    # flds
        row.fields[0],              # sfld
        0,                          # csum, can be ignored
        0,                          # flags
        "",                         # data
    )


def _card_row(cid: int, nid: int, did: int, due: int, stamp: int) -> tuple:
    return (
        cid,    # id
        nid,    # nid
        did,    # did
        0,      # ord: the one template
        stamp,  # mod
        -1,     # usn
        0,      # type (=0 for non-Cloze)
        0,      # queue: new
        due,    # due
        0,      # ivl
        0,      # factor
        0,      # reps
        0,      # lapses
        0,      # left
        0,      # odue
        0,      # odid
        0,      # flags
        "",     # data
    )


_NOTE_INSERT = "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)"
_CARD_INSERT = "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def _write_decks_and_models(cursor: sqlite3.Cursor, decks: Sequence[genanki.Deck],
                            stamp: int) -> None:
    """The `col` row's decks and models, exactly as `Deck.write_to_db` leaves them.

    genanki reads, updates and rewrites both JSON blobs once per deck, which
    is quadratic: with 3,000 subdecks (365 films × 8 kinds) that is minutes of
    JSON. The same end state in one pass: each deck's entry in order; for note
    types, every deck but the last stores its entries under string keys (the
    JSON round trip genanki does between decks), and the last deck's are added
    under genanki's int keys just before the one dump, as genanki's last dump does.
    """
    if not decks:
        return
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
    last = len(decks) - 1
    for i, deck in enumerate(decks):
        if not isinstance(deck.deck_id, int):
            raise TypeError(f"Deck .deck_id must be an integer, not {deck.deck_id}.")
        if not isinstance(deck.name, str):
            raise TypeError(f"Deck .name must be a string, not {deck.name}.")
        decks_json.update({str(deck.deck_id): deck.to_json()})
        for note in deck.notes:
            deck.add_model(note.model)
        updates = {model.model_id: model.to_json(stamp, deck.deck_id)
                   for model in deck.models.values()}
        if i < last:
            updates = json.loads(json.dumps(updates))  # genanki's round trip: str keys
        models_json.update(updates)
    cursor.execute("UPDATE col SET decks = ?", (json.dumps(decks_json),))
    cursor.execute("UPDATE col SET models = ?", (json.dumps(models_json),))


def write_apkg(decks: Iterable[genanki.Deck],
               batches: Iterable[tuple[genanki.Deck, Iterable[NoteRow]]], handle: BinaryIO,
               total: int, progress: Callable[[int, int], None] | None, folder: Path | None,
               stamp: int, scheduling: Scheduling | None = None) -> int:
    """genanki's Package.write_to_file, faster, streaming and without its leaks.

    One note (one card, ord 0, new) per NoteRow, filed in the deck it comes
    with in `batches`; a slice at a time as the batches come, so the progress
    bar moves and only a slice is held. `decks` (every deck with its note types;
    a caller streaming its notes may fill it as the batches come) is read after
    the last batch. genanki's own writer leaves a SQLite temp file in the
    system temp folder. Ours is built in `folder` (the output's, next to the
    package's own temp file), removed whatever happens, and streamed into the
    zip: in memory, 100,000 notes would be held three times over (the
    database, its serialized copy, the zip entry), ~300 MB. Without a folder
    the database is built in memory. With `scheduling`, studied cards get
    their schedule and `revlog` the log. Returns the number of notes written.
    """
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    ids = itertools.count(stamp * 1000)
    scratch: Path | None = None
    if folder is not None:
        fd, name = tempfile.mkstemp(prefix=".reelive-export-", suffix=".anki2", dir=folder)
        os.close(fd)
        scratch = Path(name)
    try:
        conn = sqlite3.connect(":memory:" if scratch is None else scratch)
        try:
            cursor = conn.cursor()
            if scratch is not None:  # a scratch file: no journal, no syncs
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
            cursor.executescript(APKG_SCHEMA)
            cursor.executescript(APKG_COL)
            done = 0
            if progress:
                progress(0, total)
            if scheduling is not None:
                scheduling.configure(cursor)
            placed: list[tuple[str, int]] = []  # (question id, card id), for the log
            for deck, notes in batches:
                did = deck.deck_id
                notes = iter(notes)
                while chunk := list(itertools.islice(notes, _CHUNK)):
                    note_rows, card_rows = [], []
                    for row in chunk:
                        nid, cid = next(ids), next(ids)
                        note_rows.append(_note_row(nid, row, stamp))
                        studied = None
                        if scheduling is not None:
                            studied = scheduling.card(row.question)
                            placed.append((row.question, cid))
                        if studied is None:
                            card_rows.append(_card_row(cid, nid, did, row.due, stamp))
                        else:
                            card_rows.append((cid, nid, did, 0, stamp, -1, *studied))
                    cursor.executemany(_NOTE_INSERT, note_rows)
                    cursor.executemany(_CARD_INSERT, card_rows)
                    done += len(note_rows)
                    if progress:
                        progress(done, max(total, done))
            _write_decks_and_models(cursor, list(decks), stamp)
            if scheduling is not None:
                scheduling.write_log(cursor, placed)
            conn.commit()
            data = conn.serialize() if scratch is None else None
        finally:
            conn.close()
        with zipfile.ZipFile(handle, "w") as archive:
            if scratch is None:
                archive.writestr("collection.anki2", data)
            else:
                archive.write(scratch, "collection.anki2")
            archive.writestr("media", "{}")
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
    return done

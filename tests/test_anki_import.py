"""import-anki on bad input: one line, exit 2, the progress file untouched.

Packages are built here byte by byte (no Anki needed): not a zip, no
collection, a truncated zip, a damaged or truncated collection, an unknown
package format or collection schema, a member that claims a huge size and
zstd data that unpacks past the limit. The round trip with the real Anki is
in test_anki_progress.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import run_cli

from reelive_quiz.anki_import import import_anki, read_package
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.config import Config
from reelive_quiz.errors import PackageError
from reelive_quiz.library import resolve
from reelive_quiz.schedule import build_queue, replay
from reelive_quiz.session import Session
from reelive_quiz.store import Review, Store


@pytest.fixture
def home(tmp_path: Path, _home: Path) -> Path:
    """A data folder whose progress holds three answers, and its own export."""
    config = Config(fuzz=False)
    when = datetime.now().astimezone() - timedelta(days=2)
    with Store.open(_home / "progress.sqlite3") as store:
        slugs = sync_decks(store, resolve(None), complete=True)
        session = Session(store, build_queue(store, slugs, when, config), config,
                          clock=lambda: when)
        for _ in range(3):
            question = session.next()
            assert question is not None
            session.answer(question, rating=3, correct=True, given=None, mode="flip",
                           seconds=1.0)
    result = run_cli("export", "--with-progress", "-o", str(tmp_path / "good.apkg"),
                     home=_home)
    assert result.returncode == 0, result.stderr
    return _home


def _fingerprint(home: Path) -> tuple[str, list]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        rows = db.execute("SELECT * FROM reviews ORDER BY id").fetchall()
        cards = db.execute("SELECT id, state, due, reps FROM questions ORDER BY id").fetchall()
    digest = hashlib.sha256(repr(cards).encode()).hexdigest()
    return digest, rows


def _good_collection(tmp_path: Path) -> bytes:
    with zipfile.ZipFile(tmp_path / "good.apkg") as z:
        return z.read("collection.anki2")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def not_a_zip(tmp: Path) -> Path:
    path = tmp / "notes.apkg"
    path.write_text("just some text\n")
    return path


def no_collection(tmp: Path) -> Path:
    return _zip(tmp / "empty.apkg", {"media": b"{}"})


def truncated_zip(tmp: Path) -> Path:
    data = (tmp / "good.apkg").read_bytes()
    path = tmp / "cut.apkg"
    path.write_bytes(data[: len(data) // 2])
    return path


def truncated_collection(tmp: Path) -> Path:
    data = _good_collection(tmp)
    return _zip(tmp / "half.apkg", {"collection.anki2": data[: len(data) // 3]})


def garbage_collection(tmp: Path) -> Path:
    return _zip(tmp / "garbage.apkg", {"collection.anki2": b"SQLite format 3\x00" + b"\xff" * 5000})


def not_sqlite(tmp: Path) -> Path:
    return _zip(tmp / "text.apkg", {"collection.anki21": b"hello, world" * 100})


def unknown_format(tmp: Path) -> Path:
    return _zip(tmp / "future.apkg", {"meta": b"\x08\x07", "collection.anki21b": b"x"})


def unknown_schema(tmp: Path) -> Path:
    db_path = tmp / "schema.anki2"
    db_path.write_bytes(_good_collection(tmp))
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE col SET ver = 19")
    return _zip(tmp / "schema.apkg", {"collection.anki2": db_path.read_bytes()})


def bad_zstd(tmp: Path) -> Path:
    return _zip(tmp / "zstd.apkg", {"meta": b"\x08\x03", "collection.anki21b": b"\x00" * 64,
                                     "collection.anki2": b""})


def claims_huge(tmp: Path) -> Path:
    """A member whose central directory entry claims 4 GB uncompressed."""
    path = _zip(tmp / "bomb.apkg", {"collection.anki2": b"small"})
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02")  # the central directory entry
    data[at + 24: at + 28] = struct.pack("<I", 0xFFFFFFF0)  # uncompressed size
    path.write_bytes(bytes(data))
    return path


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not a zip": (not_a_zip, "not a zip file; expected an Anki package"),
    "no collection": (no_collection, "no Anki collection inside"),
    "truncated zip": (truncated_zip, "not a zip file"),
    "truncated collection": (truncated_collection, "damaged"),
    "garbage collection": (garbage_collection, "damaged"),
    "not sqlite": (not_sqlite, "not an SQLite database"),
    "unknown format": (unknown_format, "package format 7"),
    "unknown schema": (unknown_schema, "collection schema 19"),
    "bad zstd": (bad_zstd, "not valid zstd data"),
    "zip bomb": (claims_huge, "claims 4,294,967,280 bytes uncompressed"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_package_is_one_line_exit_2_progress_untouched(case: str, home: Path,
                                                           tmp_path: Path) -> None:
    make, expected = BAD[case]
    path = make(tmp_path)
    before = _fingerprint(home)
    result = run_cli("import-anki", str(path), home=home)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reelive-quiz: {path}: "), lines
    assert expected in lines[0]
    assert result.stdout == ""
    assert _fingerprint(home) == before
    assert not (home / "backups").exists()  # nothing read, nothing backed up


def test_zstd_that_unpacks_past_the_limit_is_refused(tmp_path: Path) -> None:
    import zstandard

    data = zstandard.ZstdCompressor().compress(b"\x00" * (3 << 20))
    path = _zip(tmp_path / "zbomb.apkg", {"meta": b"\x08\x03", "collection.anki21b": data})
    with pytest.raises(PackageError, match="unpacks to more than 1,048,576 bytes"):
        read_package(path, frozenset(), limit=1 << 20)


def test_a_missing_file_is_one_line(home: Path, tmp_path: Path) -> None:
    result = run_cli("import-anki", str(tmp_path / "nope.apkg"), home=home)
    assert result.returncode == 2
    assert result.stderr.strip() == f"reelive-quiz: {tmp_path / 'nope.apkg'}: no such file"


def test_our_own_export_adds_nothing_and_backs_up_once(home: Path, tmp_path: Path) -> None:
    before = _fingerprint(home)
    first = run_cli("import-anki", str(tmp_path / "good.apkg"), home=home)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("0 reviews merged for 0 questions; 3 already known; "
                                   "0 notes from other decks ignored")
    backups = list((home / "backups").glob("progress-before-first-import-anki-*.sqlite3"))
    assert len(backups) == 1
    second = run_cli("import-anki", str(tmp_path / "good.apkg"), home=home)
    assert second.returncode == 0 and "kept at" not in second.stdout
    assert len(list((home / "backups").iterdir())) == 1
    assert _fingerprint(home) == before


def test_a_merge_that_fails_half_way_changes_nothing(home: Path) -> None:
    """One transaction: a failure on the second question undoes the first."""
    with Store.open(home / "progress.sqlite3") as store:
        qids = [row[0] for row in store.conn.execute("SELECT id FROM questions LIMIT 2")]
        when = int((datetime.now() - timedelta(hours=1)).timestamp())
        answers = [Review(qid, when, 1, 3, "anki") for qid in qids]
        calls = []

        def rebuild(history, suspended):  # type: ignore[no-untyped-def]
            calls.append(history)
            if len(calls) == 2:
                raise RuntimeError("power cut")
            return replay(history, suspended, Config())

        before = _fingerprint(home)
        with pytest.raises(RuntimeError):
            store.merge_answers(answers, rebuild)
        assert len(calls) == 2
    assert _fingerprint(home) == before


def test_notes_that_are_not_ours_are_counted_and_ignored(home: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "mixed.anki2"
    db_path.write_bytes(_good_collection(tmp_path))
    with sqlite3.connect(db_path) as db:
        nid, cid = 1_600_000_000_000, 1_600_000_000_001
        db.execute("INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags,"
                   " data) VALUES (?, 'someone-else', 1, 0, 0, '', 'a\x1fb', 'a', 0, 0, '')",
                   (nid,))
        db.execute("INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl,"
                   " factor, reps, lapses, left, odue, odid, flags, data) VALUES"
                   " (?, ?, 1, 0, 0, 0, 2, 2, 5, 3, 2500, 1, 0, 0, 0, 0, 0, '')", (cid, nid))
        db.execute("INSERT INTO revlog VALUES (?, ?, 0, 3, 3, 1, 2500, 1000, 1)",
                   (1_700_000_000_000, cid))
    path = _zip(tmp_path / "mixed.apkg", {"collection.anki2": db_path.read_bytes()})
    with Store.open(home / "progress.sqlite3") as store:
        summary = import_anki(store, path, Config())
    assert (summary.merged, summary.known, summary.ignored_notes) == (0, 3, 1)


def test_manual_filtered_and_cram_entries_are_not_answers(home: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "kinds.anki2"
    db_path.write_bytes(_good_collection(tmp_path))
    with sqlite3.connect(db_path) as db:
        cid = db.execute("SELECT id FROM cards LIMIT 1").fetchone()[0]
        base = int((datetime.now() - timedelta(hours=2)).timestamp()) * 1000
        rows = [(base + i * 1000, cid, 0, ease, 1, 0, 2500, 1000, kind)
                for i, (ease, kind) in enumerate([(3, 3), (0, 4), (0, 5), (0, 1), (3, 1)])]
        db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    path = _zip(tmp_path / "kinds.apkg", {"collection.anki2": db_path.read_bytes()})
    with Store.open(home / "progress.sqlite3") as store:
        summary = import_anki(store, path, Config())
    assert summary.merged == 1  # only the review with a rating


def test_answers_sharing_a_second_keep_distinct_revlog_ids(home: Path, tmp_path: Path) -> None:
    """Revlog ids are the answer's second plus its row id modulo 1000: two answers of
    one second whose row ids share that remainder still both reach Anki."""
    with sqlite3.connect(home / "progress.sqlite3") as db:
        qids = [r[0] for r in db.execute("SELECT question FROM reviews ORDER BY id LIMIT 3")]
        ts, day = db.execute("SELECT ts + 60, day FROM reviews ORDER BY ts DESC").fetchone()
        for rid, qid in ((7000, qids[0]), (8000, qids[1]), (9000, qids[2])):
            db.execute("INSERT INTO reviews (id, question, ts, day, rating, mode, first, cram)"
                       " VALUES (?, ?, ?, ?, 3, 'flip', 0, ?)", (rid, qid, ts, day, rid == 9000))
        logged = db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    out = tmp_path / "same-second.apkg"
    result = run_cli("export", "--with-progress", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    db_path = tmp_path / "same-second.anki2"
    with zipfile.ZipFile(out) as z:
        db_path.write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(db_path) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM revlog")]
    assert len(ids) == logged == 6
    assert sorted(i for i in ids if i // 1000 == ts)[0] == ts * 1000
    assert len([i for i in ids if i // 1000 == ts]) == 3

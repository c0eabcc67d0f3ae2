"""Faults through the real store and the real CLI: damage, full disks, kills, restores.

The progress file holds weeks of a person's work: whatever happens, every
answer that was confirmed on screen is in it, and nothing resets it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import corpus
import helpers
import pexpect
import pytest
from builders import many_quotes
from helpers import old_store
from typer.main import get_command

from reelive_quiz.card import Rating
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.cli import app
from reelive_quiz.config import Config
from reelive_quiz.deck import write_deck
from reelive_quiz.errors import StoreError
from reelive_quiz.library import DeckRef, bundled_dir
from reelive_quiz.schedule import build_queue
from reelive_quiz.session import Session
from reelive_quiz.store import Store

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
NOW = "2026-03-02T10:00:00"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONFIG = Config(fuzz=False, new_per_day=1000)
AGAIN, GOOD = Rating.AGAIN, Rating.GOOD


def run_cli(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return helpers.run_cli(*args, home=home, env={"REELIVE_QUIZ_NOW": NOW}, timeout=timeout)


def reviews(path: Path) -> list[tuple]:
    """The answer log of a file, read as a witness from outside: read-only, not migrated
    (an old backup stays old), no WAL left beside a copy."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, question, rating FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


def integrity(path: Path) -> str:
    with Store.open(path) as store:
        return store.integrity()


def session_on(store: Store, deck: Path = BUNDLED) -> Session:
    slugs = sync_decks(store, [DeckRef(deck.stem, deck, False)], complete=False)
    queue = build_queue(store, slugs, START, CONFIG)
    return Session(store, queue, CONFIG, clock=lambda: START)


def answer_next(session: Session, n: int = 1) -> list[int]:
    ids = []
    for i in range(n):
        q = session.next()
        assert q is not None
        right = i % 3 != 0
        done = session.answer(q, rating=GOOD if right else AGAIN, correct=right,
                              given=q.answer, mode="choice", seconds=1.0)
        ids.append(done.review_id)
    return ids


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data folder with progress: the bundled deck synced and 12 answers."""
    home = tmp_path / "home"
    with Store.open(home / "progress.sqlite3") as store:
        answer_next(session_on(store), 12)
    return home


# -- a damaged progress file ---------------------------------------------------------

def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_header(data: bytes) -> bytes:
    return b"\x00" * 100 + data[100:]


def _random_bytes(data: bytes) -> bytes:
    return random.Random(7).randbytes(len(data))


def _bad_pages(data: bytes) -> bytes:
    return data[:4096] + random.Random(8).randbytes(len(data) - 8192) + data[-4096:]


@pytest.mark.parametrize("damage", [_truncate, _bad_header, _random_bytes, _bad_pages],
                         ids=["truncated", "header", "random", "pages"])
def test_damaged_progress_file(home: Path, damage) -> None:  # type: ignore[no-untyped-def]
    path = home / "progress.sqlite3"
    assert not (home / "progress.sqlite3-wal").exists() or True
    broken = damage(path.read_bytes())
    path.write_bytes(broken)
    result = run_cli("status", home=home)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(path) in lines[0] and "damaged" in lines[0]
    assert path.read_bytes() == broken  # not reset, not "repaired", not rewritten
    kept = list(home.glob("progress.sqlite3.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == broken
    assert str(kept[0]) in lines[0]
    again = run_cli("stats", home=home)  # still refused, still untouched
    assert again.returncode == 2 and path.read_bytes() == broken


def test_cli_backs_up_before_a_migration(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old_store(home / "progress.sqlite3")
    result = run_cli("status", home=home)
    assert result.returncode == 0, result.stderr
    backups = list(home.glob("progress.sqlite3.before-v*"))
    assert len(backups) == 1
    assert reviews(backups[0]) == [(1, "q", 3)] == reviews(home / "progress.sqlite3")


# -- backup and restore ---------------------------------------------------------------------

def _has_command(name: str) -> bool:
    return name in get_command(app).commands


needs_backup = pytest.mark.skipif(not (_has_command("backup") and _has_command("restore")),
                                  reason="`reelive-quiz backup/restore` not there yet")


@needs_backup
def test_backup_answer_more_restore(home: Path, tmp_path: Path) -> None:
    path = home / "progress.sqlite3"
    copy = tmp_path / "keep.sqlite3"
    result = run_cli("backup", str(copy), home=home)
    assert result.returncode == 0, result.stderr
    saved = reviews(copy)
    assert saved == reviews(path) and len(saved) == 12
    with Store.open(path) as store:
        answer_next(session_on(store), 5)
    assert len(reviews(path)) == 17
    result = run_cli("restore", str(copy), home=home)
    assert result.returncode == 0, result.stderr
    assert reviews(path) == saved
    assert integrity(path) == "ok"
    with Store.open(path) as store:
        studied = [c for c in store.cards().values() if c.state is not None]
        assert len(studied) == len({q for _, q, _ in saved})
    kept = list((home / "backups").glob("*.sqlite3"))  # the progress restore replaced
    assert any(len(reviews(k)) == 17 for k in kept)


@needs_backup
@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 5000])
def test_restore_refuses_a_non_progress_file(home: Path, tmp_path: Path,
                                             content: bytes) -> None:
    path = home / "progress.sqlite3"
    before = reviews(path)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    result = run_cli("restore", str(bad), home=home)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr
    assert reviews(path) == before
    assert integrity(path) == "ok"


@needs_backup
def test_backup_refuses_to_overwrite(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "keep.sqlite3"
    copy.write_bytes(b"precious")
    result = run_cli("backup", str(copy), home=home)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert copy.read_bytes() == b"precious"


# -- a full disk, a read-only store ----------------------------------------------------------

def _answer_until_failure(session: Session, limit: int = 3000
                          ) -> tuple[list[int], StoreError, str]:
    """Answer until a save fails; the ids saved, the error, the question that failed."""
    saved: list[int] = []
    for _ in range(limit):
        q = session.next()
        assert q is not None, "ran out of questions before the disk filled"
        try:
            done = session.answer(q, rating=GOOD, correct=True, given=q.answer,
                                  mode="choice", seconds=1.0)
        except StoreError as exc:
            return saved, exc, q.id
        saved.append(done.review_id)
    raise AssertionError(f"no write failed in {limit} answers")


def _check_failure(store: Store, saved: list[int], error: StoreError, qid: str,
                   card_before: object, what: str) -> None:
    message = str(error)
    assert len(message.splitlines()) == 1 and str(store.path) in message
    assert what in message and "save your answer" in message
    assert not isinstance(error.__cause__, sqlite3.Error) or error.__suppress_context__
    logged = [a.id for a in store.answers()]
    assert logged == saved  # every answer before the failure, and nothing else
    assert store.card(qid) == card_before  # the failed answer left no trace


def test_disk_full_reports_the_answer_and_keeps_the_others(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "progress.sqlite3")
    try:
        session = session_on(store)
        first = answer_next(session, 3)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]  # fault injection
        store.conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        saved, error, qid = _answer_until_failure(session)
        assert len(saved) >= 1
        history = [a.review_id for a in session.history]
        assert history == first + saved  # the failed answer is not in the session
        card_before = store.card(qid)
        _check_failure(store, first + saved, error, qid, card_before, "disk full")
        store.conn.execute(f"PRAGMA max_page_count = {pages + 1000}")  # space again
        answer_next(session, 2)
        assert store.integrity() == "ok"
    finally:
        store.close()
    assert len(reviews(tmp_path / "progress.sqlite3")) == len(first) + len(saved) + 2


def test_read_only_store_reports_the_answer_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with Store.open(path) as store:
        session = session_on(store)
        first = answer_next(session, 4)
        store.conn.execute("PRAGMA query_only = ON")
        q = session.next()
        assert q is not None
        card_before = store.card(q.id)
        with pytest.raises(StoreError) as err:
            session.answer(q, rating=GOOD, correct=True, given=q.answer, mode="choice",
                           seconds=1.0)
        _check_failure(store, first, err.value, q.id, card_before, "read-only")
    assert [r[0] for r in reviews(path)] == first


@contextlib.contextmanager
def tiny_tmpfs(size: str = "1m") -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rq-tmpfs-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True).returncode == 0
    try:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _small_deck(folder: Path) -> Path:
    path = folder / "small.yaml"
    write_deck(many_quotes(150), path)
    return path


def test_really_full_disk(tmp_path: Path) -> None:
    deck = _small_deck(tmp_path)
    with tiny_tmpfs() as mount:
        path = mount / "progress.sqlite3"
        with Store.open(path) as store:
            session = session_on(store, deck)
            first = answer_next(session, 3)
            with (mount / "filler").open("wb", buffering=0) as filler, \
                    contextlib.suppress(OSError):
                while True:  # fill the disk to the last byte
                    filler.write(b"\0" * 4096)
            saved, error, qid = _answer_until_failure(session)
            _check_failure(store, first + saved, error, qid, store.card(qid), "disk full")
        (mount / "filler").unlink()
        assert integrity(path) == "ok"
        assert [r[0] for r in reviews(path)] == first + saved


# -- killed at random points -------------------------------------------------------------------

def _apkg_notes(path: Path) -> int:
    """The number of notes in a complete package; raises on a partial one."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        data = archive.read("collection.anki2")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "c.anki2"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return int(conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0])
        finally:
            conn.close()


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 30 imported corpus films (~8,500 questions with the bundled deck)."""
    base = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(base / "pages", 30, seed=7)
    home = base / "home"
    result = run_cli("import", *map(str, sorted((base / "pages").glob("*.txt"))), home=home)
    assert result.returncode == 0, result.stderr
    return home


def test_export_killed_at_random_points(corpus_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.apkg"
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(corpus_home)}
    command = [sys.executable, "-m", "reelive_quiz", "export", "-o", str(out)]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    full = time.perf_counter() - started
    expected = _apkg_notes(out)
    assert expected > 5000
    delays = [0.05, 0.08, 0.12, 0.2, 0.3, 0.45, 0.6, 0.7, 0.85, 1.0, 1.4, 2.0]
    outcomes = []
    for n, delay in enumerate(delays):
        if n % 3 == 2:
            out.unlink(missing_ok=True)  # also: no older package to fall back on
        older = out.read_bytes() if out.exists() else None
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            assert _apkg_notes(out) == expected  # complete: the old file or the new one
            state = "old" if out.read_bytes() == older else "new"
        else:
            assert older is None  # a complete older package is never removed
            state = "absent"
        outcomes.append((delay, finished, state))
        strays = [p.name for p in tmp_path.iterdir() if p != out]
        assert all(re.fullmatch(r"\.out\.apkg\.[^/]+\.tmp|\.reelive-export-[^/]+\.anki2", s)
                   for s in strays), strays  # hidden temp files only, never a fake out.apkg
    print(full, outcomes)  # see -s
    # The delays span the export: some kills hit it mid-way, some after it finished.
    assert any(not f for _, f, _ in outcomes), (full, outcomes)
    # SIGKILL leaves the exporter no chance to clean up: a kill mid-write leaves its
    # hidden `.out.apkg.PID-*.tmp` and `.reelive-export-*.anki2`; the next export
    # removes them (the first at once, its process being gone; see test_leftovers.py).


# The pty session. Each prompt is matched by its footer of keys, which only a live
# prompt shows (a finished prompt is redrawn without it and must not be answered twice).
_QUESTION, _FLIP, _RATING, _CONTINUE = (r"answer · ↑↓ Enter pick", r"any key show the answer",
                                        r"Enter Good", r"u undo · s suspend")
#: A new question with no distractor (a short reply whose context names the other
#: speaker) is typed from the start: Enter alone answers it.
_TYPED = r"Enter alone I don't know"
_FEEDBACK = re.compile(r"✓ Right|✗ Not quite")


def _drain(child: pexpect.spawn) -> str:
    with contextlib.suppress(pexpect.EOF, pexpect.TIMEOUT, OSError):
        child.expect(pexpect.EOF, timeout=5)
    return child.before if isinstance(child.before, str) else ""


def test_play_killed_at_random_points(tmp_path: Path) -> None:
    home = tmp_path / "home"
    deck = tmp_path / "film.yaml"
    deck.write_bytes(BUNDLED.read_bytes())
    progress = home / "progress.sqlite3"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1",
           "REELIVE_QUIZ_NOW": NOW, "REELIVE_QUIZ_HOME": str(home)}
    rng = random.Random(20260302)
    lost = 0
    runs = []
    points = ["after-key", "continue-menu", "random-delay", "mid-prompt"]
    for run in range(10):
        before = len(reviews(progress)) if progress.exists() else 0
        k = rng.randint(1, 5)
        point = points[run % len(points)]  # every kind of moment, at random depths
        child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "play", str(deck),
                                               "--new", "500"],
                              env=env, dimensions=(50, 400), timeout=20, encoding="utf-8")
        sent = visible = 0
        pending = False
        expected = [_QUESTION, _FLIP, _TYPED]
        try:
            while True:
                index = child.expect([*expected, pexpect.EOF, pexpect.TIMEOUT])
                text = child.before + (child.after if isinstance(child.after, str) else "")
                assert index < len(expected), f"play ended or hung: {text[-500:]!r}"
                prompt = expected[index]
                if pending and (prompt == _CONTINUE or _FEEDBACK.search(text)):
                    visible, pending = visible + 1, False
                if prompt == _CONTINUE:  # the answer before it is saved
                    if sent == k and point == "continue-menu":
                        break
                    child.send("\r")  # Next
                    expected = [_QUESTION, _FLIP, _TYPED]
                elif prompt == _FLIP:
                    child.send(" ")
                    expected = [_RATING]
                elif sent == k and point == "mid-prompt":
                    time.sleep(rng.uniform(0, 0.2))  # a question shown, not answered
                    break
                else:  # a choice, a typed question or a rating: Enter answers it
                    child.send("\r")
                    sent, pending = sent + 1, True
                    expected = [_CONTINUE]
                    if sent == k and point == "after-key":
                        break
                    if sent == k and point == "random-delay":
                        time.sleep(rng.uniform(0, 0.4))
                        break
            child.kill(signal.SIGKILL)
            rest = _drain(child)
            if pending and _FEEDBACK.search(rest):
                visible += 1
        finally:
            child.close(force=True)
        assert child.signalstatus == signal.SIGKILL or child.exitstatus is None
        added = len(reviews(progress)) - before
        runs.append((k, point, sent, visible, added))
        assert visible <= added <= sent, runs
        lost += max(0, visible - added)
        assert integrity(progress) == "ok"
    print(runs)  # (k, kill point, answers sent, shown as saved, saved): see -s
    assert lost == 0
    assert sum(r[4] for r in runs) >= 10  # the runs really answered questions


def test_export_removes_temp_files_a_killed_export_left(tmp_path: Path) -> None:
    import time as _time

    from reelive_quiz.anki import export
    from reelive_quiz.deck import load_deck
    from reelive_quiz.generate import generate
    from reelive_quiz.library import bundled_dir

    out = tmp_path / "films.apkg"
    stale = [tmp_path / ".films.apkg.abc123.tmp", tmp_path / ".reelive-export-x1.anki2"]
    fresh = tmp_path / ".films.apkg.zzz999.tmp"  # maybe another export, running now
    for path in [*stale, fresh]:
        path.write_bytes(b"half a package")
    old = _time.time() - 7200
    for path in stale:
        os.utime(path, (old, old))
    export(generate(load_deck(bundled_dir() / "in-the-mood-for-love.yaml"))[:10], out)
    assert out.exists() and fresh.exists()
    assert not any(p.exists() for p in stale)

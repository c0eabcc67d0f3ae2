"""Restore and backup beside an open session: nothing answered is lost, nothing foreign touched.

Real stores, real processes: a session answers in one connection while
`restore` runs in another (or in the real CLI), and kills land where they land.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import helpers
import pytest
from helpers import on_disk as _sql

from reelive_quiz.backup import backup, restore
from reelive_quiz.card import Rating
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import NOW_ENV, day_number, to_ts
from reelive_quiz.config import Config
from reelive_quiz.errors import ProgressReplaced, StoreError
from reelive_quiz.library import DeckRef, bundled_dir
from reelive_quiz.schedule import build_queue
from reelive_quiz.session import Session
from reelive_quiz.store import Review, Store

BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
NOW = "2026-03-02T10:00:00"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONFIG = Config(fuzz=False, new_per_day=1000)


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, NOW)


@pytest.fixture
def progress(_home: Path) -> Path:
    path = _home / "progress.sqlite3"
    with Store.open(path) as store:
        sync_decks(store, [DeckRef(BUNDLED.stem, BUNDLED, True)], complete=False)
    return path


def _session(store: Store) -> Session:
    slugs = [s for (s,) in _sql(store, "SELECT slug FROM decks")]
    return Session(store, build_queue(store, slugs, START, CONFIG), CONFIG, clock=lambda: START)


def _answer(session: Session, n: int) -> list[str]:
    asked = []
    for _ in range(n):
        q = session.next()
        assert q is not None
        session.answer(q, rating=Rating.GOOD, correct=True, given=q.answer, mode="choice",
                       seconds=1.0)
        asked.append(q.id)
    return asked


def _log(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, question, rating, ts FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


def _cards(path: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT id, state, stability, due, reps FROM questions")}
    finally:
        conn.close()


# -- item 1: restore while play is open --------------------------------------------------

def test_undo_after_a_restore_never_touches_a_restored_answer(progress: Path,
                                                              tmp_path: Path) -> None:
    """The open session's last review id names another answer in the restored file."""
    with Store.open(progress) as store:
        _answer(_session(store), 3)
    other = tmp_path / "other-machine.sqlite3"
    assert backup(progress, other) == other
    with Store.open(other) as elsewhere:  # the other machine answered one more question
        theirs = _answer(_session(elsewhere), 1)
    with Store.open(progress) as store:
        session = _session(store)
        session.next()  # skipped here: this machine answers another question
        mine = _answer(session, 1)
        assert mine != theirs
        assert session.history[-1].review_id == _log(other)[-1][0]  # the same row id
        result = helpers.run_cli("restore", str(other), home=progress.parent,
                                 env={NOW_ENV: NOW})
        assert result.returncode == 0, result.stderr
        restored_log, restored_cards = _log(progress), _cards(progress)
        assert restored_log == _log(other)
        with pytest.raises(ProgressReplaced, match="restored from a backup"):
            session.undo()
        with pytest.raises(ProgressReplaced):
            session.regrade(Rating.HARD)
        q = session.next()
        assert q is not None
        with pytest.raises(ProgressReplaced):
            session.answer(q, rating=Rating.GOOD, correct=True, given=q.answer, mode="choice",
                           seconds=1.0)
        with pytest.raises(ProgressReplaced):
            session.suspend(q)
    assert _log(progress) == restored_log and _cards(progress) == restored_cards
    kept = [p for p in (progress.parent / "backups").iterdir() if "before-restore" in p.name]
    assert len(kept) == 1 and any(r[1] == mine[0] for r in _log(kept[0]))


def test_undo_refuses_a_review_row_of_another_question(progress: Path) -> None:
    """Below the session: the store never takes back a row that is not the question's."""
    with Store.open(progress) as store:
        session = _session(store)
        first, second = _answer(session, 2)
        rows = _log(progress)
        assert not store.undo(rows[-1][0], first)  # the last row is `second`'s
        assert _log(progress) == rows
        assert store.undo(rows[-1][0], second)


def test_answers_during_a_restore_are_kept_or_refused_never_lost(progress: Path,
                                                                 tmp_path: Path) -> None:
    """An answering session races three restores: each saved answer is in a kept copy."""
    source = tmp_path / "source.sqlite3"
    backup(progress, source)
    saved: list[tuple[int, str]] = []
    stop = threading.Event()

    def answering() -> None:
        with Store.open(progress) as store:
            qids = [q for (q,) in _sql(store, "SELECT id FROM questions ORDER BY id")]
            n = 0
            while not stop.is_set():
                qid = qids[n % len(qids)]
                log = Review(qid, to_ts(START) + n, day_number(START), Rating.GOOD, "choice", True)
                try:
                    saved.append((store.answer(qid, lambda c: (c, Rating.GOOD), log), qid))
                except ProgressReplaced:
                    store.generation = store._read_generation(store.conn)  # a new session
                n += 1

    worker = threading.Thread(target=answering)
    worker.start()
    try:
        for _ in range(3):
            time.sleep(0.05)
            restore(progress, source)
    finally:
        stop.set()
        worker.join()
    final = set(_log(progress))
    kept = set()
    for path in (progress.parent / "backups").iterdir():
        kept |= {(r[0], r[1]) for r in _log(path)}
    assert len(saved) > 20  # the worker really answered while the restores ran
    lost = [a for a in saved if a not in kept and a not in {(r[0], r[1]) for r in final}]
    assert not lost, f"{len(lost)} of {len(saved)} saved answers are nowhere"


# -- item 2: re-grading is one transaction ----------------------------------------------------

def test_regrade_interrupted_keeps_the_saved_answer(progress: Path) -> None:
    """Ctrl-C while a right answer is being made Hard: the answer said saved stays saved."""
    with Store.open(progress) as store:
        calls = 0

        def clock() -> datetime:  # Ctrl-C arrives on the second look at the clock
            nonlocal calls
            calls += 1
            if calls == 2:
                raise KeyboardInterrupt
            return START

        session = Session(store, build_queue(store, [s for (s,) in _sql(store,
            "SELECT slug FROM decks")], START, CONFIG), CONFIG, clock=clock)
        session.clock = lambda: START
        q = session.next()
        assert q is not None
        session.clock = clock
        session.answer(q, rating=Rating.GOOD, correct=True, given=q.answer, mode="choice",
                       seconds=1.0)
        saved, card = _log(progress), store.card(q.id)
        with pytest.raises(KeyboardInterrupt):
            session.regrade(Rating.HARD)
        assert _log(progress) == saved and store.card(q.id) == card
        session.clock = lambda: START
        again = session.regrade(Rating.HARD)
        assert again is not None and again.rating == Rating.HARD
        log = _log(progress)
        assert [r[1:3] for r in log] == [(q.id, Rating.HARD)]
        assert store.card(q.id).reps == 1  # one answer, rated Hard, not two


def test_regrade_waits_for_the_lock_as_one_step(progress: Path) -> None:
    """A busy store refuses the regrade whole: the old answer is still there."""
    with Store.open(progress) as store:
        session = _session(store)
        (qid,) = _answer(session, 1)
        saved = _log(progress)
        blocker = sqlite3.connect(progress, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        store.conn.execute("PRAGMA busy_timeout = 50")
        try:
            with pytest.raises(StoreError, match="busy"):
                session.regrade(Rating.HARD)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert _log(progress) == saved and session.history[-1].rating == Rating.GOOD
        assert session.regrade(Rating.HARD) is not None
        assert [r[1:3] for r in _log(progress)] == [(qid, Rating.HARD)]


# -- item 15: backups appear whole, with names that never collide ------------------------------

def test_default_backups_in_one_second_all_succeed(progress: Path) -> None:
    made = [backup(progress) for _ in range(4)]  # at least two share a second
    assert len(set(made)) == 4 and all(p.is_file() for p in made)
    assert len({p.name[:len("progress-20260302-100000")] for p in made}) < 4
    for path in made:
        assert _log(path) == _log(progress)


def test_two_restores_in_one_second_keep_both_copies(progress: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.sqlite3"
    backup(progress, source)
    kept = [restore(progress, source) for _ in range(3)]
    assert all(k is not None and k.is_file() for k in kept) and len(set(kept)) == 3


def _big_progress(path: Path, rows: int = 300_000) -> None:
    """Many logged answers, so that copying the file takes a while."""
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO reviews (question, ts, day, rating, mode, first, given)"
                     " VALUES (?, ?, 1, 3, 'choice', 0, ?)",
                     ((f"q{i}", i, os.urandom(16).hex()) for i in range(rows)))
    conn.commit()
    conn.close()


def _kill_when_a_file_appears(command: list[str], folder: Path, env: dict[str, str]) -> None:
    before = set(os.listdir(folder)) if folder.exists() else set()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if folder.exists() and set(os.listdir(folder)) - before:
            break
        time.sleep(0.0005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _looks_like_a_backup(path: Path) -> bool:
    return not path.name.startswith(".") and path.suffix == ".sqlite3"


def test_killed_backup_and_restore_leave_no_broken_copy(progress: Path,
                                                        tmp_path: Path) -> None:
    _big_progress(progress)
    home = progress.parent
    folder = home / "backups"
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(home), NOW_ENV: NOW}
    exe = [sys.executable, "-m", "reelive_quiz"]
    source = tmp_path / "source.sqlite3"
    backup(progress, source)
    for _ in range(2):
        _kill_when_a_file_appears([*exe, "backup"], folder, env)
        _kill_when_a_file_appears([*exe, "restore", str(source)], folder, env)
    for path in folder.iterdir():
        if _looks_like_a_backup(path):  # anything named as a backup is a whole one
            assert _log(path)[-1:] == _log(progress)[-1:], path.name
        assert not path.name.endswith("-journal") or path.name.startswith("."), path.name
    with Store.open(progress) as store:
        assert store.integrity() == "ok"
    result = helpers.run_cli("backup", home=home, env={NOW_ENV: NOW})
    assert result.returncode == 0, result.stderr
    hidden = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert not hidden, hidden  # the next backup removed what the killed ones left
    made = Path(result.stdout.split(" to ", 1)[1].strip())
    result = helpers.run_cli("restore", str(made), home=home, env={NOW_ENV: NOW})
    assert result.returncode == 0, result.stderr
    assert not [p for p in home.iterdir() if p.name.startswith(".")]



def test_a_backup_with_another_page_size_restores(progress: Path, tmp_path: Path) -> None:
    """A progress file from elsewhere may have 8 KB pages; SQLite cannot copy it into WAL as is."""
    with Store.open(progress) as store:
        _answer(_session(store), 2)
    other = tmp_path / "other.sqlite3"
    backup(progress, other)
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    result = helpers.run_cli("restore", str(other), home=progress.parent, env={NOW_ENV: NOW})
    assert result.returncode == 0, result.stderr
    assert _log(progress) == _log(other)

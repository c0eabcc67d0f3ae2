"""Progress to Anki and back, proven with the real Anki (the `anki` package).

A week of study is lived in simulated time (an injected clock, as `play` uses
with REELIVE_QUIZ_NOW), exported with `--with-progress`, imported into a fresh
Anki collection, answered there with Anki's own scheduler, exported by Anki in
its formats and merged back with `import-anki`.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import run_cli

from reelive_quiz.anki import note_guid
from reelive_quiz.card import Suspension
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import day_number
from reelive_quiz.config import Config
from reelive_quiz.library import resolve
from reelive_quiz.schedule import build_queue
from reelive_quiz.schema import SCHEMA_VERSION
from reelive_quiz.session import Session
from reelive_quiz.store import Store

pytest.importorskip("anki")

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions
from anki.scheduler_pb2 import CardAnswer

DAYS = 7
PER_DAY = 30
# Anki counts days between answers by its 4 a.m. rollover, py-fsrs by whole 24 hours:
# each day's session starts 10 minutes later than the day before (and lasts less), so
# both counts agree and Anki's FSRS can be compared with ours answer for answer.
SESSION_SHIFT = timedelta(minutes=10)


@dataclass
class Clock:
    """The simulated now that `Session` asks, moved by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Lived:
    home: Path
    apkg: Path
    log: dict[str, list[tuple[int, int, int]]]  # question -> [(ts, rating, cram)]


def _live(home: Path) -> dict[str, list[tuple[int, int, int]]]:
    """A week of study ending three days ago: ratings of every kind, relearning,
    a suspended question and a cram answer."""
    config = Config(fuzz=False)
    rng = random.Random(14)
    today = datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=DAYS + 3)
    with Store.open(home / "progress.sqlite3") as store:
        slugs = sync_decks(store, resolve(None), complete=True)
        for day in range(DAYS):
            clock = Clock(start + timedelta(days=day) + day * SESSION_SHIFT)
            queue = build_queue(store, slugs, clock.now, config)
            session = Session(store, queue, config, clock=clock)
            for _ in range(PER_DAY):
                question = session.next()
                if question is None:
                    break
                rating = rng.choice((1, 2, 3, 3, 3, 4))
                session.answer(question, rating=rating, correct=rating > 1, given=None,
                               mode="flip", seconds=2.5)
                if day == 2 and _ == 5:
                    session.suspend(question)
                clock.now += timedelta(seconds=1)
            if day == 3:
                cram = build_queue(store, slugs, clock.now, config, cram=True, cram_limit=1)
                crammer = Session(store, cram, config, cram=True, clock=clock)
                crammed = crammer.next()
                assert crammed is not None
                crammer.answer(crammed, rating=4, correct=True, given=None, mode="flip",
                               seconds=1.0)
            if day == DAYS - 1:  # end in every state: one relearning, one learning
                for state, rating in ((2, 1), (None, 3)):
                    where = "state IS NULL" if state is None else f"state = {state}"
                    qid = store.conn.execute(
                        f"SELECT id FROM questions WHERE {where} AND suspended = 0"
                        " ORDER BY id LIMIT 1").fetchone()[0]
                    question = store.question(qid)
                    assert question is not None
                    session.answer(question, rating=rating, correct=rating > 1, given=None,
                                   mode="flip", seconds=2.0)
                    clock.now += timedelta(seconds=1)
        log: dict[str, list[tuple[int, int, int]]] = {}
        for qid, ts, rating, cram in store.conn.execute(
                "SELECT question, ts, rating, cram FROM reviews ORDER BY ts, id"):
            log.setdefault(qid, []).append((ts, rating, cram))
    return log


@pytest.fixture(scope="module")
def lived(tmp_path_factory: pytest.TempPathFactory) -> Lived:
    home = tmp_path_factory.mktemp("lived") / "home"
    with pytest.MonkeyPatch.context() as patch:  # before the per-test data folder exists
        patch.setenv("REELIVE_QUIZ_HOME", str(home))
        log = _live(home)
    apkg = home.parent / "progress.apkg"
    result = run_cli("export", "--with-progress", "-o", str(apkg), home=home)
    assert result.returncode == 0, result.stderr
    return Lived(home, apkg, log)


@pytest.fixture
def anki_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "anki"
    folder.mkdir()
    return folder


def _collection(folder: Path, apkg: Path, *, with_scheduling: bool) -> Collection:
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(apkg), options=ImportAnkiPackageOptions(
            with_scheduling=with_scheduling)))
    return col


@pytest.fixture
def scheduled(lived: Lived, anki_dir: Path) -> Iterator[Collection]:
    col = _collection(anki_dir, lived.apkg, with_scheduling=True)
    try:
        yield col
    finally:
        col.close()


def _by_guid(col: Collection) -> dict[str, int]:
    return dict(col.db.all("SELECT n.guid, c.id FROM cards c JOIN notes n ON n.id = c.nid"))


def _states(home: Path) -> dict[str, tuple]:
    with Store.open(home / "progress.sqlite3") as store:
        return {row[0]: row[1:] for row in store.conn.execute(
            "SELECT id, state, step, stability, difficulty, due, last_review, reps, lapses,"
            " suspended FROM questions WHERE state IS NOT NULL")}


# -- to Anki ------------------------------------------------------------------------

def test_every_studied_card_keeps_its_schedule_in_anki(lived: Lived, scheduled) -> None:
    col = scheduled
    states = _states(lived.home)
    cids = _by_guid(col)
    today = day_number(datetime.now().astimezone())
    seen = set()
    assert {s[0] for s in states.values()} == {1, 2, 3}  # learning, review, relearning
    for qid, (state, step, stability, difficulty, due, _, reps, lapses,
              suspended) in states.items():
        card = col.get_card(cids[note_guid(qid)])
        queue = -1 if suspended else {1: 1, 2: 2, 3: 1}[state]
        assert (card.type, card.queue) == ({1: 1, 2: 2, 3: 3}[state], queue), qid
        seen.add((state, bool(suspended)))
        if state == 2:  # a day number: the same study day here and in Anki
            assert today + card.due - col.sched.today == day_number(
                datetime.fromtimestamp(due).astimezone()), qid
            assert card.ivl >= 1
        else:  # a learning step: the same second
            assert card.due == due
            assert card.left == (2 if state == 1 else 1) - (step or 0)
        assert (card.reps, card.lapses) == (reps, lapses)
        memory = card.memory_state
        assert memory is not None
        assert memory.stability == pytest.approx(stability, abs=1e-4)
        assert memory.difficulty == pytest.approx(difficulty, abs=1e-3)
        assert card.factor == 2500
    assert {(s, False) for s in (1, 2, 3)} <= seen and (True in {x[1] for x in seen})
    # new questions stay new
    studied = {cids[note_guid(q)] for q in states}
    for cid in set(cids.values()) - studied:
        card = col.get_card(cid)
        assert (card.type, card.queue) == (0, 0)


def test_due_today_in_anki_is_what_status_shows(lived: Lived, scheduled) -> None:
    col = scheduled
    status = run_cli("status", "--json", home=lived.home)
    assert status.returncode == 0, status.stderr
    deck = json.loads(status.stdout)["decks"][0]
    timing = col.sched._timing_today()  # Anki's own rollover
    due_today = col.db.scalar(
        "SELECT COUNT(*) FROM cards WHERE (queue = 2 AND due <= ?) OR (queue = 1 AND due < ?)"
        " OR (queue = 3 AND due <= ?)", col.sched.today, timing.next_day_at, col.sched.today)
    assert due_today == deck["due_today"]
    assert deck["due_today"] > 0  # the check means something
    learning = col.db.scalar("SELECT COUNT(*) FROM cards WHERE queue IN (1, 3)")
    assert learning == deck["learning"]


def test_the_whole_log_goes_into_revlog_with_ratings_unchanged(lived: Lived,
                                                               scheduled) -> None:
    col = scheduled
    cids = _by_guid(col)
    total = sum(len(v) for v in lived.log.values())
    assert col.db.scalar("SELECT COUNT(*) FROM revlog") == total
    for qid, answers in lived.log.items():
        rows = col.db.all("SELECT id, ease, type, factor FROM revlog WHERE cid = ? ORDER BY id",
                          cids[note_guid(qid)])
        assert [(i // 1000, ease) for i, ease, _, _ in rows] == [(ts, r) for ts, r, _ in
                                                                 answers], qid
        assert rows[0][2] == 0 or answers[0][2]  # starts with a learning answer
        for (_, _, kind, factor), (_, _, cram) in zip(rows, answers, strict=True):
            assert (kind == 3 and factor == 0) == bool(cram)
    assert col.db.scalar("SELECT COUNT(*) FROM revlog WHERE type = 3") == 1  # the cram


def test_anki_recomputes_the_same_fsrs_memory_from_the_log(lived: Lived, scheduled) -> None:
    col = scheduled
    states = _states(lived.home)
    cids = _by_guid(col)
    for qid, (_, _, stability, difficulty, *_) in states.items():
        computed = col.compute_memory_state(cids[note_guid(qid)])
        assert computed.stability == pytest.approx(stability, rel=1e-3, abs=1e-3), qid
        assert computed.difficulty == pytest.approx(difficulty, abs=1e-3), qid


def test_without_scheduling_the_same_file_imports_as_new_cards(lived: Lived,
                                                               anki_dir: Path) -> None:
    col = _collection(anki_dir, lived.apkg, with_scheduling=False)
    try:
        assert col.card_count() > 0
        assert col.db.all("SELECT DISTINCT type, queue FROM cards") == [[0, 0]]
        assert col.db.scalar("SELECT COUNT(*) FROM revlog") == 0
    finally:
        col.close()


def test_export_without_progress_is_unchanged(lived: Lived, tmp_path: Path) -> None:
    out = tmp_path / "plain.apkg"
    result = run_cli("export", "-o", str(out), home=lived.home)
    assert result.returncode == 0, result.stderr
    col = _collection(tmp_path, out, with_scheduling=True)
    try:
        assert col.db.all("SELECT DISTINCT type, queue FROM cards") == [[0, 0]]
        assert col.db.scalar("SELECT COUNT(*) FROM revlog") == 0
    finally:
        col.close()


# -- and back -----------------------------------------------------------------------

def _answer_in_anki(col: Collection, cids: list[int], rating: int) -> None:
    for cid in cids:
        card = col.get_card(cid)
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


def _home_copy(lived: Lived, target: Path) -> Path:
    shutil.copytree(lived.home, target)
    return target


def _log_count(home: Path) -> int:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b", "legacy"])
def test_reviews_done_in_anki_come_back_once(lived: Lived, scheduled, tmp_path: Path,
                                             legacy: bool) -> None:
    col = scheduled
    states = _states(lived.home)
    by_guid = _by_guid(col)
    qid_of = {note_guid(q): q for q in lived.log} | {
        note_guid(q): q for q in states}
    reviews = [q for q, s in states.items() if s[0] == 2 and not s[-1]][:4]
    new = [cid for guid, cid in by_guid.items() if guid not in qid_of][:2]
    _answer_in_anki(col, [by_guid[note_guid(q)] for q in reviews], CardAnswer.GOOD)
    _answer_in_anki(col, [by_guid[note_guid(reviews[0])]], CardAnswer.AGAIN)
    _answer_in_anki(col, new, CardAnswer.GOOD)
    answered = len(reviews) + 1 + len(new)
    package = tmp_path / ("back.apkg" if not legacy else "back-legacy.apkg")
    col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(
        with_scheduling=True, legacy=legacy), limit=None)

    home = _home_copy(lived, tmp_path / "home")
    before = _log_count(home)
    crams = sum(cram for answers in lived.log.values() for _, _, cram in answers)
    first = run_cli("import-anki", str(package), home=home)
    assert first.returncode == 0, first.stderr
    # our cram answer went to Anki as a cram entry, which is not an answer coming back
    assert first.stdout.startswith(
        f"{answered} reviews merged for {len(reviews) + len(new)} questions; "
        f"{before - crams} already known; 0 notes from other decks ignored"), first.stdout
    assert "progress-before-first-import-anki" in first.stdout
    assert _log_count(home) == before + answered

    after = _states(home)
    for qid in reviews:
        assert after[qid][6] == states[qid][6] + (2 if qid == reviews[0] else 1)  # reps
        assert after[qid][5] > states[qid][5] or qid == reviews[0]
    assert after[reviews[0]][0] == 3 and after[reviews[0]][7] == states[reviews[0]][7] + 1
    anki_new = {col.get_card(cid).note().guid for cid in new}
    merged_new = [q for q in after if note_guid(q) in anki_new]
    assert len(merged_new) == len(new) and all(after[q][0] == 1 for q in merged_new)

    second = run_cli("import-anki", str(package), home=home)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"0 reviews merged for 0 questions; "
                                    f"{before - crams + answered} already known"), second.stdout
    assert _log_count(home) == before + answered
    assert _states(home) == after
    _assert_each_answer_keeps_the_state_it_left(home / "progress.sqlite3")


def _after_chain(progress: Path) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """(each answer's `after_*` columns, what they should be: the next answer's
    `previous`, or for a question's last answer its card now), by answer id."""
    stored, expected = {}, {}
    with sqlite3.connect(progress) as db:
        cards = {qid: (state, None if due is None else due - last, diff)
                 for qid, state, due, last, diff in db.execute(
                     "SELECT id, state, due, last_review, difficulty FROM questions")}
        logs: dict[str, list[tuple]] = {}
        for rid, qid, previous, *after in db.execute(
                "SELECT id, question, previous, after_state, after_interval, after_difficulty"
                " FROM reviews ORDER BY id"):
            stored[rid] = tuple(after)
            logs.setdefault(qid, []).append((rid, json.loads(previous)))
    for qid, rows in logs.items():
        for (rid, _), (_, then) in itertools.pairwise(rows):
            gap = None if then[4] is None else then[4] - then[5]  # due - last_review
            expected[rid] = (then[0], gap, then[3])  # state, gap, difficulty
        expected[rows[-1][0]] = cards[qid]
    return stored, expected


def _assert_each_answer_keeps_the_state_it_left(progress: Path) -> None:
    stored, expected = _after_chain(progress)
    assert stored and stored == expected


def test_each_answer_keeps_the_state_it_left(lived: Lived, tmp_path: Path) -> None:
    """Answers write their `after_*` columns (what the revlog reads); migration 8
    fills an older log with exactly what the answers themselves wrote."""
    progress = tmp_path / "progress.sqlite3"
    with sqlite3.connect(lived.home / "progress.sqlite3") as src, sqlite3.connect(
            progress) as dst:
        src.backup(dst)
    _assert_each_answer_keeps_the_state_it_left(progress)
    written, _ = _after_chain(progress)
    assert any(state == 3 for state, _, _ in written.values())  # relearning among them
    log = ("SELECT id, question, ts, day, rating, correct, given, expected, mode, seconds,"
           " first, cram, previous FROM reviews ORDER BY id")
    with sqlite3.connect(progress) as db:
        answers = db.execute(log).fetchall()
    with sqlite3.connect(progress) as db:  # as release 7 left it
        for column in ("after_state", "after_interval", "after_difficulty"):
            db.execute(f"ALTER TABLE reviews DROP COLUMN {column}")
        db.execute("DROP INDEX decks_library")  # migration 9's
        db.execute("DROP INDEX decks_files")  # migration 10's
        db.execute("DROP INDEX questions_learning_sibling")  # migration 11's
        db.execute("ALTER TABLE decks DROP COLUMN film")
        db.execute("DELETE FROM migrations WHERE name IN ('8-state-after-answer',"
                   " '9-library-state', '10-deck-files', '11-learning-siblings')")
        db.execute("PRAGMA user_version = 7")
    Store.open(progress).close()
    assert _after_chain(progress)[0] == written
    with sqlite3.connect(progress) as db:  # the rest of the log as it was, row for row
        assert db.execute(log).fetchall() == answers
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION


def test_a_collection_package_comes_back_too(lived: Lived, scheduled, tmp_path: Path) -> None:
    col = scheduled
    states = _states(lived.home)
    by_guid = _by_guid(col)
    target = next(q for q, s in states.items() if s[0] == 2 and not s[-1])
    _answer_in_anki(col, [by_guid[note_guid(target)]], CardAnswer.EASY)
    home = _home_copy(lived, tmp_path / "home")
    for legacy in (False, True):
        package = tmp_path / f"all-{legacy}.colpkg"
        col.export_collection_package(str(package), include_media=False, legacy=legacy)
        col.reopen()  # exporting a collection package closes it
        result = run_cli("import-anki", str(package), home=home)
        assert result.returncode == 0, result.stderr
        merged = 1 if not legacy else 0
        assert result.stdout.startswith(f"{merged} reviews merged"), result.stdout
    assert _states(home)[target][6] == states[target][6] + 1


def test_a_v1_collection_has_its_learning_ratings_upgraded(lived: Lived, tmp_path: Path,
                                                           anki_dir: Path) -> None:
    """Anki's v1 scheduler logged a learning Good as 2 and Easy as 3; Anki adds 1."""
    col = Collection(str(anki_dir / "v1.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(lived.apkg),
            options=ImportAnkiPackageOptions(with_scheduling=False)))
        cid = col.db.list("SELECT id FROM cards ORDER BY id LIMIT 1")[0]
        _answer_in_anki(col, [cid], CardAnswer.HARD)  # ease 2, a learning answer
        guid = col.get_card(cid).note().guid
        package = tmp_path / "v1.apkg"
        col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(
            with_scheduling=True, legacy=True), limit=None)
    finally:
        col.close()
    _strip_sched_ver(package)
    home = _home_copy(lived, tmp_path / "home")
    result = run_cli("import-anki", str(package), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 reviews merged"), result.stdout
    with sqlite3.connect(home / "progress.sqlite3") as db:
        merged = db.execute("SELECT question, rating FROM reviews WHERE mode = 'anki'"
                            ).fetchall()
    assert len(merged) == 1 and note_guid(merged[0][0]) == guid
    assert merged[0][1] == 3  # v1's 2 (Good) is v2's Good


def _strip_sched_ver(package: Path) -> None:
    """Rewrite a legacy package as an old Anki wrote it: no meta, no schedVer."""
    import zipfile

    with zipfile.ZipFile(package) as z:
        data = z.read("collection.anki21")
    db_path = package.with_suffix(".anki21")
    db_path.write_bytes(data)
    with sqlite3.connect(db_path) as db:
        conf = json.loads(db.execute("SELECT conf FROM col").fetchone()[0])
        conf.pop("schedVer", None)
        db.execute("UPDATE col SET conf = ?", (json.dumps(conf),))
    with zipfile.ZipFile(package, "w") as z:
        z.write(db_path, "collection.anki21")
        z.writestr("media", "{}")


def test_hostile_text_stays_inert_with_progress(tmp_path: Path, anki_dir: Path) -> None:
    from reelive_quiz.deck import Deck, Line, Quote, Scene, write_deck

    home = tmp_path / "home"
    bad = "<script>alert(1)</script> {{c1::x}} <img src=x onerror=alert(1)>"
    deck = Deck(title=f"Evil {bad}",
                dialogues=(Scene(f"Scene {bad}", (Line("Mal", f"Hi {bad}"),
                                                  Line("Eve", "Plain words."),
                                                  Line("Nora", "Other words."))),),
                quotes=(Quote(f"Mal {bad}", f"A quote that carries {bad} along."),))
    write_deck(deck, home / "decks" / "evil.yaml")
    with Store.open(home / "progress.sqlite3") as store:
        slugs = sync_decks(store, resolve(None), complete=True)
        config = Config(fuzz=False)
        when = datetime.now().astimezone() - timedelta(days=1)
        session = Session(store, build_queue(store, slugs, when, config, kinds=["who-said"]),
                          config, clock=lambda: when)
        question = session.next()
        assert question is not None
        session.answer(question, rating=3, correct=True, given=None, mode="choice", seconds=1)
    out = tmp_path / "evil.apkg"
    result = run_cli("export", "evil", "--with-progress", "-o", str(out), home=home)
    assert result.returncode == 0, result.stderr
    col = _collection(anki_dir, out, with_scheduling=True)
    try:
        rendered = [col.get_card(cid).question() + col.get_card(cid).answer()
                    for cid in col.find_cards("")]
        assert col.db.scalar("SELECT COUNT(*) FROM revlog") == 1
        assert all("<script>" not in r and "<img src=x" not in r for r in rendered)
        assert any("&lt;script&gt;" in r for r in rendered)
    finally:
        col.close()


def test_a_suspended_question_is_suspended_in_anki(lived: Lived, scheduled) -> None:
    states = _states(lived.home)
    suspended = [q for q, s in states.items() if s[-1] == Suspension.SUSPENDED]
    assert len(suspended) == 1
    card = scheduled.get_card(_by_guid(scheduled)[note_guid(suspended[0])])
    assert card.queue == -1


@pytest.mark.parametrize("stability, difficulty", [(None, None), (0.1, 1.0), (3.14159, 7.777),
                                                    (36500.0, 10.0), (1e-05, 5.5)])
def test_the_memory_state_is_the_json_anki_reads(stability: float | None,
                                                 difficulty: float | None) -> None:
    from reelive_quiz.anki_progress import anki_card
    from reelive_quiz.card import CardState

    card = CardState(state=2, step=None, stability=stability, difficulty=difficulty,
                     due=1_800_000_000, last_review=1_799_000_000, reps=3, lapses=0)
    data = anki_card(card, 739_000, 0.9, 0.1542, 2, 1).data
    expected = {"s": round(stability or 0.0, 4), "d": round(difficulty or 0.0, 3),
                "dr": 0.9, "decay": 0.154, "lrt": 1_799_000_000}
    assert data == json.dumps(expected, separators=(",", ":"))

"""`optimize`: personal FSRS parameters fitted from a simulated learner's answers.

The learner's memory follows FSRS with parameters far from the defaults; it
answers through the library (Session, the real store, an injected clock) for
60 simulated days, then `optimize` fits, and 30 more days are answered under
the adopted parameters. Those later reviews are held out: the personal set
must predict them better than the defaults. The held-out items are built here
from the learner's own record, independently of `optimize`'s item builder.
Checked by breaking the builder: intervals in seconds, or the same day's
learning steps read as a day apart, make the main test fail (the fitted initial
stabilities move away from the truth, the held-out log loss gets worse).
"""

from __future__ import annotations

import math
import random
import shutil
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs_rs_python as engine
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from reelive_quiz.card import Rating
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import day_number
from reelive_quiz.config import Config
from reelive_quiz.deck import CustomQuestion, Deck, write_deck
from reelive_quiz.fsrs_records import LoggedAnswer
from reelive_quiz.library import DeckRef
from reelive_quiz.optimize import MIN_ITEMS, card_reviews, change, optimize
from reelive_quiz.schedule import build_queue
from reelive_quiz.session import Session
from reelive_quiz.store import Store

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
CONFIG = Config(fuzz=False, new_per_day=8)  # new questions all through the 90 days
#: The learner's true memory: initial stabilities 6-11 times the defaults'.
TRUE = list(DEFAULT_PARAMETERS)
TRUE[0:4] = [2.0, 8.0, 25.0, 60.0]
FIRST_RATINGS = ((AGAIN, 0.2), (HARD, 0.15), (GOOD, 0.45), (EASY, 0.2))
QUESTIONS = 720
#: Same-day steps teach FSRS nothing about days: an item read as a day later must hurt.
SAME_DAY_RECALL = 0.85


def _recall(elapsed: int, stability: float, decay: float) -> float:
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * elapsed / stability) ** -decay


@dataclass
class Learner:
    """Answers as a memory that follows FSRS with TRUE; keeps its own record."""

    rng: random.Random
    record: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (rating, day)
    model: engine.FSRS = field(default_factory=lambda: engine.FSRS(TRUE))

    def answer(self, qid: str, day: int) -> int:
        past = self.record.setdefault(qid, [])
        if not past:
            ratings, weights = zip(*FIRST_RATINGS, strict=True)
            rating = self.rng.choices(ratings, weights)[0]
        elif day == past[-1][1]:  # a learning step minutes later: often still unsure
            p = SAME_DAY_RECALL
        else:
            item = engine.FSRSItem(_reviews(past))
            stability = self.model.memory_state(item).stability
            p = _recall(day - past[-1][1], stability, TRUE[20])
        if past:
            rating = (self.rng.choices((HARD, GOOD, EASY), (0.1, 0.8, 0.1))[0]
                      if self.rng.random() < p else AGAIN)
        past.append((rating, day))
        return rating


def _reviews(past: list[tuple[int, int]]) -> list:
    return [engine.FSRSReview(r, 0 if i == 0 else d - past[i - 1][1])
            for i, (r, d) in enumerate(past)]


def _live(store: Store, slugs: list[str], learner: Learner, days: range) -> int:
    answered = 0
    for d in days:
        moment = [START + timedelta(days=d)]
        session = Session(store, build_queue(store, slugs, moment[0], CONFIG), CONFIG,
                          clock=lambda moment=moment: moment[0])
        while (q := session.next()) is not None:
            rating = learner.answer(q.id, day_number(moment[0]))
            session.answer(q, rating=rating, correct=rating > AGAIN, given=None, mode="flip",
                           seconds=6.0)
            answered += 1
            moment[0] += timedelta(seconds=45)
    return answered


def _deck(folder: Path) -> DeckRef:
    path = folder / "memory.yaml"
    questions = tuple(CustomQuestion(f"Question number {i}?", f"Answer {i}")
                      for i in range(QUESTIONS))
    write_deck(Deck(title="Memory", questions=questions), path)
    return DeckRef("memory", path, False)


@pytest.fixture(scope="module")
def sixty_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Learner, DeckRef]:
    """A progress file after 60 simulated days, and the learner that made it."""
    folder = tmp_path_factory.mktemp("learner")
    ref = _deck(folder)
    learner = Learner(random.Random(13))
    with Store.open(folder / "progress.sqlite3") as store:
        slugs = sync_decks(store, [ref], complete=False)
        _live(store, slugs, learner, range(60))
    return folder / "progress.sqlite3", learner, ref


@pytest.fixture
def store(sixty_days: tuple[Path, Learner, DeckRef], tmp_path: Path) -> Store:
    copy = tmp_path / "progress.sqlite3"
    shutil.copy(sixty_days[0], copy)
    s = Store.open(copy)
    yield s
    s.close()


def _rows(store: Store, sql: str, params: tuple = ()) -> list[tuple]:
    """The test's own look into the progress file."""
    return store.conn.execute(sql, params).fetchall()


def _when(day: int) -> int:
    return int((START + timedelta(days=day)).timestamp())


def test_personal_parameters_predict_later_reviews_better(
        sixty_days: tuple[Path, Learner, DeckRef], store: Store) -> None:
    _, learner, ref = sixty_days
    fit = optimize(store, CONFIG.desired_retention, _when(60))
    assert fit.usable >= MIN_ITEMS and fit.adopted and fit.saved
    assert fit.after.log_loss < fit.before.log_loss
    personal = store.parameters_in_use()
    assert personal is not None and personal.parameters == fit.parameters
    # the initial stabilities moved toward the learner's true ones
    for rating in range(4):
        fitted, default, true = fit.parameters[rating], DEFAULT_PARAMETERS[rating], TRUE[rating]
        assert abs(math.log(fitted / true)) < abs(math.log(default / true)), rating
    # 30 more days, scheduled with the personal set; then those reviews are held out
    learner = replace(learner, record={k: list(v) for k, v in learner.record.items()})
    slugs = sync_decks(store, [ref], complete=False)
    _live(store, slugs, learner, range(60, 90))
    first_held_out = day_number(START + timedelta(days=60))
    held_out = [engine.FSRSItem(_reviews(past[: i + 1]))
                for past in learner.record.values() for i in range(1, len(past))
                if past[i][1] >= first_held_out and past[i][1] > past[i - 1][1]]
    assert len(held_out) > 100
    personal_loss = engine.FSRS(list(fit.parameters)).evaluate(held_out).log_loss
    default_loss = engine.FSRS(list(DEFAULT_PARAMETERS)).evaluate(held_out).log_loss
    assert personal_loss < default_loss - 0.005


def test_sessions_schedule_with_the_adopted_parameters(store: Store) -> None:
    fit = optimize(store, CONFIG.desired_retention, _when(60))
    assert fit.adopted
    slugs = [r[0] for r in _rows(store, "SELECT slug FROM decks")]
    session = Session(store, build_queue(store, slugs, START + timedelta(days=60), CONFIG),
                      CONFIG, clock=lambda: START + timedelta(days=60))
    assert session.parameters == fit.parameters
    q = session.next()
    assert q is not None
    before = store.card(q.id)
    after = session.answer(q, rating=GOOD, correct=True, given=None, mode="flip",
                           seconds=1.0).card
    from reelive_quiz.schedule import next_state

    moment = START + timedelta(days=60)
    assert after == next_state(before, GOOD, moment, CONFIG, fit.parameters)
    assert after != next_state(before, GOOD, moment, CONFIG)


def test_memory_states_are_recomputed_and_due_dates_kept(store: Store) -> None:
    cards = dict(_rows(store, "SELECT id, due FROM questions WHERE state IS NOT NULL"))
    stabilities = dict(_rows(store, "SELECT id, stability FROM questions WHERE state = 2"))
    fit = optimize(store, CONFIG.desired_retention, _when(60))
    assert fit.adopted and fit.recomputed == len(cards)
    assert dict(_rows(store, "SELECT id, due FROM questions WHERE state IS NOT NULL")) == cards
    now_stable = dict(_rows(store, "SELECT id, stability FROM questions WHERE state = 2"))
    moved = sum(1 for q in stabilities if abs(now_stable[q] - stabilities[q]) > 1e-6)
    assert moved > len(stabilities) * 0.9
    # the memory state is the engine's for each history under the new set
    for qid in list(now_stable)[:20]:
        assert now_stable[qid] == pytest.approx(_engine_state(store, qid, fit.parameters),
                                                rel=1e-5)


def _engine_state(store: Store, qid: str, parameters: tuple[float, ...]) -> float:
    answers = [LoggedAnswer(*row) for row in _rows(store,
        "SELECT id, ts, day, rating FROM reviews WHERE question = ? AND cram = 0"
        " ORDER BY id", (qid,))]
    reviews, _, _, _ = card_reviews(answers)
    return engine.FSRS(list(parameters)).memory_state(
        engine.FSRSItem([engine.FSRSReview(r, d) for r, d in reviews])).stability


def test_reschedule_moves_review_due_dates(store: Store) -> None:
    from reelive_quiz.schedule import interval_days

    fit = optimize(store, CONFIG.desired_retention, _when(60), reschedule=True)
    assert fit.adopted and fit.rescheduled
    for _qid, stability, due, last in _rows(store,
            "SELECT id, stability, due, last_review FROM questions WHERE state = 2"):
        assert due == last + interval_days(stability, CONFIG.desired_retention,
                                           fit.parameters) * 86400


def test_dry_run_changes_nothing(store: Store, sixty_days: tuple[Path, Learner, DeckRef]
                                 ) -> None:
    before = _rows(store, "SELECT * FROM questions ORDER BY id")
    fit = optimize(store, CONFIG.desired_retention, _when(60), dry_run=True)
    assert fit.adopted and not fit.saved and fit.parameters is not None
    assert store.parameters_in_use() is None
    assert _rows(store, "SELECT * FROM questions ORDER BY id") == before


def test_reset_and_undo_walk_the_history(store: Store) -> None:
    first = optimize(store, CONFIG.desired_retention, _when(60))
    assert first.adopted
    personal = store.parameters_in_use()
    reset = change(store, "reset", CONFIG.desired_retention, _when(61))
    assert reset.action == "reset" and reset.in_use is not None
    assert reset.in_use.parameters is None and store.parameters_in_use().parameters is None
    # back at the defaults: the memory states are the defaults' again
    back = dict(_rows(store, "SELECT id, stability FROM questions WHERE state = 2"))
    for qid in list(back)[:20]:
        assert back[qid] == pytest.approx(_engine_state(store, qid, DEFAULT_PARAMETERS),
                                          rel=1e-5)
    undone = change(store, "undo", CONFIG.desired_retention, _when(62))
    assert undone.in_use == personal and store.parameters_in_use() == personal
    undone = change(store, "undo", CONFIG.desired_retention, _when(63))
    assert undone.in_use is None and store.parameters_in_use() is None
    assert change(store, "undo", CONFIG.desired_retention, _when(64)).action == "nothing"
    assert change(store, "reset", CONFIG.desired_retention, _when(64)).action == "nothing"
    history = store.parameter_sets()
    assert [s.personal for s in history] == [True, False]
    assert all(s.retired is not None for s in history)


def test_the_log_changing_meanwhile_changes_nothing(store: Store) -> None:
    from reelive_quiz.errors import StoreError

    mark = store.log_mark()
    store.conn.execute("INSERT INTO reviews (question, ts, day, rating, mode, first)"
                       " SELECT question, ts + 60, day, 3, mode, 0 FROM reviews LIMIT 1")
    with pytest.raises(StoreError, match="answers were given"):
        store.change_parameters(adopt=None, retire=None, updates=[], log_mark=mark)


# -- the log as read: compact columns, and only the sample read twice ------------------

def _clock_gone_back(store: Store) -> None:
    """Three questions answered again with an earlier time than their last answer."""
    for qid, ts, day in _rows(store, "SELECT question, MAX(ts), MAX(day) FROM reviews"
                              " WHERE cram = 0 GROUP BY question ORDER BY question LIMIT 3"):
        store.conn.execute("INSERT INTO reviews (question, ts, day, rating, mode, first)"
                           " VALUES (?, ?, ?, 1, 'flip', 0)", (qid, ts - 2 * 86400, day - 2))
    store.conn.commit()


def _reference(store: Store, fraction: float | None = None
               ) -> tuple[dict[str, list[tuple[int, int]]], list[str], int, int]:
    """The log read the plain way: every question's answers in id order through
    `card_reviews`; items made for the sample, oldest last review first."""
    from reelive_quiz.optimize import MAX_ITEMS, _in_sample

    answers: dict[str, list[LoggedAnswer]] = {}
    for qid, *row in _rows(store, "SELECT question, id, ts, day, rating FROM reviews"
                           " WHERE cram = 0 ORDER BY id"):
        answers.setdefault(qid, []).append(LoggedAnswer(*row))
    reviews, timed, items, back = {}, [], 0, 0
    for qid, given in answers.items():
        reviews[qid], ends, _, b = card_reviews(given)
        items, back = items + len(ends), back + b
    fraction = min(1.0, MAX_ITEMS / items) if fraction is None else fraction
    for qid, given in answers.items():
        made, ends, times, _ = card_reviews(given)
        if ends and _in_sample(qid, fraction):
            timed += [(ts, repr(engine.FSRSItem([engine.FSRSReview(r, d)
                                                 for r, d in made[: i + 1]])))
                      for i, ts in zip(ends, times, strict=True)]
    timed.sort(key=lambda pair: pair[0])
    return reviews, [item for _, item in timed], items, back


def test_the_log_is_read_as_each_question_s_own_reviews(store: Store) -> None:
    from reelive_quiz.optimize import read_log

    _clock_gone_back(store)
    reviews, items, item_count, back = _reference(store)
    log = read_log(store, store.log_mark()[1])
    assert back == 3 and (log.out_of_order, log.item_count) == (back, item_count)
    assert log.questions == list(reviews) and log.sampled is None
    assert {q: list(zip(*log.reviews(k), strict=True)) for k, q in enumerate(log.questions)
            } == reviews
    assert [repr(i) for i in log.items] == items
    # a byte and 4 bytes an answer, whatever the size of the log
    assert log.ratings.itemsize + log.deltas.itemsize == 5
    assert len(log.ratings) == len(log.deltas) == log.answers == sum(map(len, reviews.values()))


def test_a_big_log_reads_only_the_sampled_questions_twice(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import reelive_quiz.optimize as optimize_module

    _clock_gone_back(store)
    monkeypatch.setattr(optimize_module, "MAX_ITEMS", 400)
    reviews, items, item_count, _ = _reference(store)
    calls: list[list[tuple[str, int]]] = []  # per call: (question, answers read)
    answers_of = store.answers_of

    def counted(questions: list[str], until: int):  # type: ignore[no-untyped-def]
        calls.append([])
        for qid, answers in answers_of(questions, until):
            calls[-1].append((qid, len(answers)))
            yield qid, answers

    monkeypatch.setattr(store, "answers_of", counted)
    log = optimize_module.read_log(store, store.log_mark()[1])
    assert [repr(i) for i in log.items] == items and log.item_count == item_count
    # read again: the 3 questions whose clock went back, then the sample's, no other
    redone, sample = calls
    assert len(redone) == 3 and len(sample) == log.sampled < len(log.questions) / 3
    assert all(n == len(reviews[q]) for q, n in redone + sample)
    assert sum(n for _, n in sample) < log.answers / 3


def _day_gone_back(store: Store) -> None:
    """Two questions answered again later but on an earlier study day (the time zone
    moved west), then once more a day after their last study day."""
    for qid, ts, day in _rows(store, "SELECT question, MAX(ts), MAX(day) FROM reviews"
                              " WHERE cram = 0 GROUP BY question ORDER BY question DESC"
                              " LIMIT 2"):
        for later, on in ((3600, day - 1), (90_000, day + 1)):
            store.conn.execute("INSERT INTO reviews (question, ts, day, rating, mode, first)"
                               " VALUES (?, ?, ?, 3, 'flip', 0)", (qid, ts + later, on))
    store.conn.commit()


def _read_with_split(store: Store, monkeypatch: pytest.MonkeyPatch, split: int
                     ) -> tuple[Any, list[int | None]]:
    """`read_log` with the answers after id `split` read by a second process; the
    `after` of each read this process made itself."""
    import functools

    import reelive_quiz.optimize as optimize_module

    here: list[int | None] = []
    answer_log = store.answer_log

    def logged(until: int, after: int | None = None):  # type: ignore[no-untyped-def]
        here.append(after)
        return answer_log(until, after)

    monkeypatch.setattr(store, "answer_log", logged)
    monkeypatch.setattr(optimize_module, "_scan",
                        functools.partial(optimize_module.__dict__["_scan"], split=split))
    try:
        return optimize_module.read_log(store, store.log_mark()[1]), here
    finally:
        monkeypatch.undo()


def test_a_log_read_by_two_processes_is_the_log_read_by_one(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _clock_gone_back(store)
    _day_gone_back(store)
    reviews, items, item_count, back = _reference(store)
    last = store.log_mark()[1]
    # the odd answers are the last 7: splits there make them a half's first answers
    for split in (last // 3, last // 2, *range(last - 8, last)):
        log, here = _read_with_split(store, monkeypatch, split)
        assert here == [None], split  # the newer half was read by the second process
        assert (log.out_of_order, log.item_count) == (back, item_count), split
        assert log.questions == list(reviews)
        assert {q: list(zip(*log.reviews(k), strict=True))
                for k, q in enumerate(log.questions)} == reviews, split
        assert [repr(i) for i in log.items] == items, split


@pytest.mark.parametrize("how", ["fails", "dies"])
def test_when_the_second_process_fails_this_one_reads_its_half(
        store: Store, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    import os
    import signal

    _clock_gone_back(store)
    reviews, items, item_count, back = _reference(store)

    def broken(self: Store, after: int, until: int):  # type: ignore[no-untyped-def]
        if how == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        raise sqlite3.OperationalError("disk I/O error")
        yield

    last = store.log_mark()[1]
    with monkeypatch.context() as patch:
        patch.setattr(Store, "answer_log_apart", broken)
        log, here = _read_with_split(store, patch, last // 2)
    assert here == [None, last // 2]  # its half read here, after the older one
    assert (log.out_of_order, log.item_count) == (back, item_count)
    assert {q: list(zip(*log.reviews(k), strict=True))
            for k, q in enumerate(log.questions)} == reviews
    assert [repr(i) for i in log.items] == items


def test_the_reading_counts_what_log_mark_counts(store: Store) -> None:
    """`optimize` takes its mark from the reading (no count through the table first):
    the same pair `log_mark` gives, a newer cram answer not counted."""
    from reelive_quiz.optimize import read_log

    store.conn.execute("INSERT INTO reviews (question, ts, day, rating, mode, first, cram)"
                       " SELECT question, ts + 60, day, 3, mode, 0, 1 FROM reviews LIMIT 1")
    store.conn.commit()
    until = store.last_answer_id()
    assert until < store.conn.execute("SELECT MAX(id) FROM reviews").fetchone()[0]
    assert (read_log(store, until, fit=False).answers, until) == store.log_mark()


def test_a_log_read_up_to_an_answer_stops_there(store: Store) -> None:
    from reelive_quiz.optimize import read_log

    count, last = store.log_mark()
    log = read_log(store, last - 100, fit=False)
    assert log.answers == count - 100 and log.items == []


# -- items: the 4 a.m. study day, same-day steps, odd clocks ----------------------------

def _answers(*rows: tuple[int, int, int]) -> list[LoggedAnswer]:
    return [LoggedAnswer(i, ts, day, rating) for i, (ts, day, rating) in enumerate(rows)]


def test_same_day_steps_count_zero_days_and_end_no_item() -> None:
    local = datetime(2026, 5, 1, 22, 0).astimezone()  # 10 p.m. local time
    times = [local, local + timedelta(minutes=10), local + timedelta(hours=5),  # 3 a.m.
             local + timedelta(hours=7),  # 5 a.m.: a new study day
             local + timedelta(days=3)]
    answers = _answers(*((int(t.timestamp()), day_number(t), r)
                         for t, r in zip(times, (1, 3, 3, 3, 3), strict=True)))
    reviews, ends, _, back = card_reviews(answers)
    assert reviews == [(1, 0), (3, 0), (3, 0), (3, 1), (3, 2)]
    assert ends == [3, 4] and back == 0


def test_a_clock_that_went_back_never_gives_a_negative_interval() -> None:
    answers = _answers((1_000_000, 10, 3), (1_000_000 + 2 * 86400, 12, 3),
                       (1_000_000 + 86400, 11, 1),  # logged after, timed before
                       (1_000_000 + 2 * 86400, 12, 3))  # the same second as another
    reviews, ends, times, back = card_reviews(answers)
    assert back == 1
    assert reviews == [(3, 0), (1, 1), (3, 1), (3, 0)]
    assert ends == [1, 2] and times == sorted(times)


def test_too_little_data_says_how_many_more_and_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        fit = optimize(store, 0.9, _when(0))
        assert (fit.answers, fit.usable, fit.needed, fit.adopted) == (0, 0, MIN_ITEMS, False)
        conn = sqlite3.connect(tmp_path / "p.sqlite3")
        rows = [(f"q{i % 12}", 1_000_000 + i * 86400, 100 + i, 3, "flip", int(i < 12))
                for i in range(40)]
        conn.executemany("INSERT INTO reviews (question, ts, day, rating, mode, first)"
                         " VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
        conn.close()
        fit = optimize(store, 0.9, _when(0))
        assert fit.answers == 40 and fit.items == 28
        assert fit.usable <= fit.items and fit.needed == MIN_ITEMS - fit.usable > 0
        assert not fit.adopted and fit.parameters is None
        assert store.parameters_in_use() is None and store.parameter_sets() == []


# -- the command line ------------------------------------------------------------------

def test_the_command_reports_and_stats_show_the_parameters(
        sixty_days: tuple[Path, Learner, DeckRef], _home: Path) -> None:
    import json

    from helpers import run_cli

    _home.mkdir(parents=True)
    shutil.copy(sixty_days[0], _home / "progress.sqlite3")
    env = {"REELIVE_QUIZ_NOW": (START + timedelta(days=60)).isoformat()}
    stats = json.loads(run_cli("stats", "--json", home=_home, env=env).stdout)
    assert stats["fsrs"]["parameters"] == "default" and stats["fsrs"]["since"] is None
    dry = run_cli("optimize", "--dry-run", home=_home, env=env)
    assert dry.returncode == 0 and "Dry run" in dry.stdout and "Log loss" in dry.stdout
    done = run_cli("optimize", home=_home, env=env)
    assert done.returncode == 0, done.stderr
    assert "Adopted" in done.stdout and "memory states recomputed" in done.stdout
    stats = json.loads(run_cli("stats", "--json", home=_home, env=env).stdout)["fsrs"]
    assert stats["parameters"] == "personal" and stats["since"].startswith("2026-05-01")
    assert stats["reviews"] > MIN_ITEMS and stats["log_loss"] < stats["log_loss_before"]
    text = run_cli("stats", home=_home, env=env).stdout
    assert "FSRS parameters: personal since 2026-05-01" in text
    undo = run_cli("optimize", "--undo", home=_home, env=env)
    assert undo.returncode == 0 and "Back to the default FSRS parameters" in undo.stdout
    table = run_cli("optimize", "--workload", home=_home, env=env)
    assert table.returncode == 0, table.stderr
    assert "least work per question remembered" in table.stdout
    assert all(f"{r:.2f}" in table.stdout for r in (0.70, 0.80, 0.90, 0.97))
    data = json.loads(run_cli("optimize", "--workload", "--json", home=_home, env=env).stdout)
    rows = data["rows"]
    assert [r["retention"] for r in rows] == sorted(r["retention"] for r in rows)
    # a higher retention costs more reviews a day, and the pointed-at row is the cheapest
    assert rows[-1]["reviews_per_day"] > rows[0]["reviews_per_day"]
    best = min(rows, key=lambda r: r["seconds_per_remembered"])
    assert data["best"] == best["retention"]


def test_bad_combinations_and_an_empty_log_are_one_clear_line(_home: Path) -> None:
    from helpers import run_cli

    empty = run_cli("optimize", home=_home)
    assert empty.returncode == 0 and "No answers logged yet" in empty.stdout
    assert empty.stderr == ""
    for args in (("--reset", "--undo"), ("--workload", "--reschedule")):
        bad = run_cli("optimize", *args, home=_home)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr
        assert bad.stderr.startswith("reelive-quiz: optimize") and bad.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [("status",), ("stats",), ("decks",), ("--help",)])
def test_other_commands_never_load_the_engine(args: tuple[str, ...], _home: Path) -> None:
    from helpers import run_cli

    result = run_cli(*args, home=_home, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    assert "fsrs_rs_python" not in result.stderr
    assert "reelive_quiz.optimize" not in result.stderr


def test_a_log_with_a_clock_gone_back_is_read_and_reported(_home: Path) -> None:
    from helpers import run_cli

    with Store.open(_home / "progress.sqlite3"):
        pass
    conn = sqlite3.connect(_home / "progress.sqlite3")
    day = 86400
    rows = []
    for q in range(5):
        base = 1_780_000_000 + q * 3600
        times = [base, base + 2 * day, base + day,  # the clock went back a day
                 base + 2 * day]  # and two answers in the same second
        rows += [(f"q{q}", ts, ts // day, r, "flip", int(i == 0))
                 for i, (ts, r) in enumerate(zip(times, (3, 3, 1, 3), strict=True))]
    conn.executemany("INSERT INTO reviews (question, ts, day, rating, mode, first)"
                     " VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    before = conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    conn.close()
    result = run_cli("optimize", home=_home)
    assert result.returncode == 0 and result.stderr == ""
    assert "5 answers were logged with an earlier time than the one before them" in result.stdout
    assert "Not enough reviews" in result.stdout and "Nothing was changed" in result.stdout
    conn = sqlite3.connect(_home / "progress.sqlite3")
    assert conn.execute("SELECT * FROM reviews ORDER BY id").fetchall() == before
    assert conn.execute("SELECT COUNT(*) FROM fsrs_parameters").fetchone() == (0,)
    conn.close()


def test_the_workload_simulates_this_learner(store: Store) -> None:
    from reelive_quiz.workload import simulator_config

    stats = store.rating_stats()
    answered = _rows(store, "SELECT COUNT(DISTINCT question) FROM reviews")[0][0]
    assert sum(stats.first.values()) == answered
    sim = simulator_config(stats, 500, CONFIG)
    shares = [stats.first.get(r, 0) / answered for r in (1, 2, 3, 4)]
    assert sim.first_rating_prob == pytest.approx(shares, abs=1e-6)
    assert (sim.deck_size, sim.learn_limit, sim.review_limit) == (500, 8, 200)
    # the learner took 6 s an answer: the costs of what it did are its own
    assert sim.state_rating_costs[1][2] == pytest.approx(6.0, abs=1e-4)


@pytest.mark.parametrize("parameters", [None, tuple(TRUE)])
def test_a_rescheduled_interval_is_the_one_the_scheduler_gives(parameters) -> None:
    from reelive_quiz.card import CardState, State
    from reelive_quiz.schedule import interval_days, next_state

    when = START + timedelta(days=40)
    for stability in (0.5, 3.0, 17.0, 240.0):
        card = CardState(State.REVIEW, None, stability, 5.0, _when(40), _when(30), 3, 0)
        after = next_state(card, GOOD, when, CONFIG, parameters)
        days = (after.due - _when(40)) / 86400
        assert days == interval_days(after.stability, CONFIG.desired_retention, parameters)

"""The schedule over a real SQLite file, with simulated days (no waiting)."""

from __future__ import annotations

import collections
import itertools
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import tiny_film
from helpers import old_store

from reelive_quiz.card import LEARNING_STATES, Rating, State, Suspension
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import NOW_ENV, day_end, day_number, now, to_ts
from reelive_quiz.config import Config
from reelive_quiz.deck import Line, Scene, load_deck, write_deck
from reelive_quiz.errors import StoreError
from reelive_quiz.history import collect_stats
from reelive_quiz.library import DeckRef, bundled_dir
from reelive_quiz.schedule import build_queue
from reelive_quiz.schema import LEARNING_WHERE, MIGRATIONS
from reelive_quiz.session import Session
from reelive_quiz.stats import deck_status, leeches
from reelive_quiz.store import Store

BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONFIG = Config(fuzz=False)
AGAIN, GOOD = Rating.AGAIN, Rating.GOOD


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, START.isoformat())  # restored after each test


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "progress.sqlite3")
    yield s
    s.close()


def _sync(store: Store, path: Path = BUNDLED) -> list[str]:
    return sync_decks(store, [DeckRef(path.stem, path, False)], complete=False)


def _day(store: Store, slugs: list[str], when: datetime, config: Config,
         wrong: set[str] = frozenset(), kinds: list[str] | None = None) -> Session:
    """Answer every question of one day's session; ids in `wrong` are missed once a day.

    The day is set the way a user would: `REELIVE_QUIZ_NOW`, read by clock.now().
    """
    os.environ[NOW_ENV] = when.isoformat()
    session = Session(store, build_queue(store, slugs, now(), config, kinds=kinds), config)
    missed: set[str] = set()
    while (q := session.next()) is not None:
        right = q.id not in wrong or q.id in missed  # relearnt after one miss a day
        if not right:
            missed.add(q.id)
        session.answer(q, rating=GOOD if right else AGAIN, correct=right,
                       given=q.answer if right else "?", mode="choice", seconds=1.0)
    return session


def _reviews(store: Store) -> list[tuple]:
    """(question, day, first, rating, sibling) for every answer, oldest first."""
    return [(a.question, a.day, a.first, a.rating, store.question(a.question).sibling)
            for a in store.answers()]


def _in_review(store: Store) -> dict[str, object]:
    return {qid: card for qid, card in store.cards().items() if card.state == State.REVIEW}


def test_thirty_days_intervals_limits_and_siblings(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=15, reviews_per_day=40)
    forgotten: set[str] = set()
    intervals: dict[str, list[float]] = {}
    for day in range(30):
        when = START + timedelta(days=day)
        if day == 1:  # from now on, miss a few questions learnt on day 0
            forgotten = set(sorted(_in_review(store))[:3])
        _day(store, slugs, when, config, wrong=forgotten)
        for qid, card in _in_review(store).items():
            if card.last_review == int(when.timestamp()):
                intervals.setdefault(qid, []).append((card.due - card.last_review) / 86400)
    log = _reviews(store)
    days = sorted({r[1] for r in log})
    assert len(days) == 30
    for d in days:
        new = {r[0] for r in log if r[1] == d and r[2] == 1}
        assert len(new) <= 15
        firsts_today = new
        reviewed = {r[0] for r in log if r[1] == d and r[2] == 0} - firsts_today
        assert len(reviewed) <= 40
        per_sibling: dict[str, set[str]] = {}
        for qid, day_, _, _, sibling in log:
            if day_ == d:
                per_sibling.setdefault(sibling, set()).add(qid)
        assert all(len(ids) == 1 for ids in per_sibling.values()), "siblings on one day"
    assert any(len({r[0] for r in log if r[1] == d and r[2] == 1}) == 15 for d in days)
    remembered = [iv for qid, iv in intervals.items() if qid not in forgotten and len(iv) >= 3]
    assert remembered, "some questions were reviewed three times"
    for iv in remembered:
        assert all(b > a for a, b in itertools.pairwise(iv)), iv
    assert max(iv[-1] for iv in remembered) > 10
    for qid in forgotten:
        assert store.card(qid).lapses >= 1
        ratings = [r[3] for r in log if r[0] == qid]
        assert AGAIN in ratings
    # a forgotten question's interval after the lapse is shorter than before it
    shrunk = 0
    for qid in forgotten:
        iv = intervals.get(qid, [])
        if len(iv) >= 2 and iv[-1] < max(iv[:-1]):
            shrunk += 1
    assert shrunk >= 1


def test_forgetting_shortens_the_interval(store: Store) -> None:
    slugs = _sync(store)
    when = START
    _day(store, slugs, when, replace(CONFIG, new_per_day=1), kinds=["who-said"])
    qid = next(iter(_in_review(store)))
    gaps = []
    for _ in range(4):
        card = store.card(qid)
        when = datetime.fromtimestamp(card.due, UTC)
        gaps.append(card.due - card.last_review)
        _day(store, slugs, when, replace(CONFIG, new_per_day=0), kinds=["who-said"])
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]
    card = store.card(qid)
    before = card.due - card.last_review
    _day(store, slugs, datetime.fromtimestamp(card.due, UTC), replace(CONFIG, new_per_day=0),
         wrong={qid}, kinds=["who-said"])
    after = store.card(qid)
    assert after.lapses == 1
    assert after.stability < card.stability
    assert after.due - after.last_review < before


def test_leech_is_suspended_and_listed(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=1, leech_lapses=3)
    when = START
    _day(store, slugs, when, config, kinds=["who-said"])
    qid = next(q for q, card in store.cards().items() if card.state is not None)
    for _ in range(10):
        card = store.card(qid)
        if card.suspended:
            break
        when = max(when + timedelta(days=1), datetime.fromtimestamp(card.due, UTC))
        _day(store, slugs, when, replace(config, new_per_day=0), wrong={qid},
             kinds=["who-said"])
        # relearn it so it can lapse again
        _day(store, slugs, when + timedelta(hours=1), replace(config, new_per_day=0),
             kinds=["who-said"])
    card = store.card(qid)
    assert card.suspended == Suspension.LEECH and card.lapses == 3
    assert [row[2] for row in leeches(store, slugs)] == [3]
    assert deck_status(store, slugs, when)[0].leeches == 1
    later = build_queue(store, slugs, when + timedelta(days=400), config)
    assert qid not in later.ids


def test_undo_restores_card_and_log(store: Store) -> None:
    slugs = _sync(store)
    session = Session(store, build_queue(store, slugs, START, CONFIG), CONFIG,
                      clock=lambda: START)
    q = session.next()
    before = store.card(q.id)
    session.answer(q, rating=GOOD, correct=True, given=q.answer, mode="choice", seconds=2)
    assert store.card(q.id) != before
    assert session.undo() is not None
    assert store.card(q.id) == before
    assert store.answers() == []
    assert session.next().id == q.id  # asked again


def test_cram_does_not_touch_the_schedule(store: Store) -> None:
    slugs = _sync(store)
    queue = build_queue(store, slugs, START, CONFIG, cram=True, cram_limit=5)
    session = Session(store, queue, CONFIG, cram=True, clock=lambda: START)
    answered = 0
    while (q := session.next()) is not None:
        session.answer(q, rating=AGAIN, correct=False, given="x", mode="choice", seconds=1)
        answered += 1
    assert answered == 5
    assert all(card.state is None for card in store.cards().values())
    assert [a.cram for a in store.answers()] == [1] * 5
    assert build_queue(store, slugs, START, CONFIG).new_left == 20


def test_new_limit_counts_per_day_not_per_run(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=5)
    first = Session(store, build_queue(store, slugs, START, config), config, clock=lambda: START)
    for _ in range(3):
        q = first.next()
        first.answer(q, rating=GOOD, correct=True, given=q.answer, mode="choice", seconds=1)
    second = build_queue(store, slugs, START + timedelta(hours=2), config)
    assert second.new_left == 2
    tomorrow = build_queue(store, slugs, START + timedelta(days=1), config)
    assert tomorrow.new_left == 5


def _who_said_progress(store: Store, present: bool = True) -> dict[str, int]:
    """prompt → reps of the who-said questions (current, or hidden when not present)."""
    out = {}
    for qid, card in store.cards(present=present).items():
        q = store.question(qid)
        if q.kind == "who-said":
            out[q.prompt] = card.reps
    return out


def test_progress_follows_ids_and_survives_small_edits(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tiny-film.yaml"
    write_deck(tiny_film("I never sayd that."), path)
    slugs = _sync(store, path)
    config = replace(CONFIG, new_per_day=100)
    _day(store, slugs, START, config, kinds=["who-said"])
    before = _who_said_progress(store)
    assert before and all(reps > 0 for reps in before.values())
    # fix the typo, drop the quote, add a scene
    edited = replace(tiny_film("I never said that."), quotes=(), dialogues=(
        *tiny_film().dialogues, Scene("Later", (Line("Bo Chan", "Who is out there?"),))))
    write_deck(edited, path, force=True)
    _sync(store, path)
    by_prompt = {prompt: (reps, 1) for prompt, reps in _who_said_progress(store).items()}
    by_prompt |= {prompt: (reps, 0) for prompt, reps in
                  _who_said_progress(store, present=False).items()}
    assert by_prompt["Who says “I never said that.”?"][0] > 0, "typo fix keeps progress"
    assert "Who says “I never sayd that.”?" not in by_prompt
    assert by_prompt["Who says “You did say it, twice.”?"] == (
        before["Who says “You did say it, twice.”?"], 1)
    assert by_prompt["Who says “Every film ends, but not this one.”?"][1] == 0  # kept, hidden
    assert by_prompt["Who says “Who is out there?”?"] == (0, 1)
    queue = build_queue(store, slugs, START + timedelta(days=60), config)
    hidden = set(store.cards(present=False))
    assert hidden and not hidden & set(queue.ids)


def test_two_sessions_at_once_never_lose_or_double(tmp_path: Path) -> None:
    import multiprocessing

    path = tmp_path / "progress.sqlite3"
    with Store.open(path) as s:
        _sync(s)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_answer_many, args=(str(path), n)) for n in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store.open(path) as s:
        answers = s.answers()
        cards = s.cards()
    assert len(answers) == 2 * 25
    # every logged answer moved its card exactly once, question by question (a question
    # may be answered more than twice: one session may take another's learning card
    # and see it again, learning ahead, so no bound on answers per question holds)
    per_question = collections.Counter(a.question for a in answers)
    assert per_question == {qid: card.reps for qid, card in cards.items() if card.reps}


def _answer_many(path: str, worker: int) -> None:
    config = replace(CONFIG, new_per_day=25)
    with Store.open(Path(path)) as s:
        slugs = _sync(s)
        session = Session(s, build_queue(s, slugs, START, config, kinds=["who-said"]), config,
                          clock=lambda: START)
        for _ in range(25):
            q = session.next()
            session.answer(q, rating=GOOD, correct=True, given=q.answer, mode="choice",
                           seconds=0.1)


def test_stats_count_what_happened(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=5)
    for day in range(4):
        _day(store, slugs, START + timedelta(days=day), config)
    when = START + timedelta(days=3)
    stats = collect_stats(store, when)
    per_day = dict(stats.days)
    logged = collections.Counter(a.day for a in store.answers())
    for day, n in logged.items():
        assert per_day[datetime.fromordinal(day).date().isoformat()] == n
    assert stats.streak == 4
    end = int(day_end(when).timestamp())
    expected = [0] * 30  # day 0: due by the end of today; day k: due on the k-th day after
    for due in (c.due for c in store.cards().values() if c.state is not None
                and not c.suspended):
        k = 0 if due < end else (due - end) // 86400 + 1
        if k < 30:
            expected[k] += 1
    assert [n for _, n in stats.forecast] == expected
    assert sum(1 for n in expected[1:] if n) >= 3  # the forecast has days to get wrong
    assert day_number(when) == max(logged)


def test_migration_backs_up_and_moves_forward(tmp_path: Path) -> None:
    path = old_store(tmp_path / "progress.sqlite3")
    with Store.open(path) as s:
        assert s.schema_version() == len(MIGRATIONS)
        assert len(s.answers()) == 1
    backups = list(tmp_path.glob("progress.sqlite3.before-v*"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
    old.close()


def test_damaged_file_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with Store.open(path) as s:
        _sync(s)
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:])
    with pytest.raises(StoreError) as err, Store.open(path) as s:
        s.cards()
        _sync(s)
    message = str(err.value)
    assert str(path) in message and "damaged" in message and "\n" not in message
    assert path.read_bytes()[:100] == data[:100]  # not reset
    assert list(tmp_path.glob("progress.sqlite3.damaged-*"))


def test_bundled_deck_loads() -> None:
    assert load_deck(BUNDLED).title == "In the Mood for Love"


def test_stats_show_the_pairs_most_often_confused(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=6)
    session = Session(store, build_queue(store, slugs, START, config, kinds=["who-said"]),
                      config, clock=lambda: START)
    picked = 0
    while (q := session.next()) is not None and picked < 6:
        # a reply whose context names the other speaker has no options: typed
        wrong = next((o for o in q.options if o != q.answer), "Nobody")
        session.answer(q, rating=AGAIN, correct=False, given=wrong, mode="choice", seconds=1)
        picked += 1
    expected: dict[tuple[str, str], int] = {}
    for a in store.answers():
        given, answer = a.given, a.expected
        expected[(answer, given)] = expected.get((answer, given), 0) + 1
    confused = collect_stats(store, START).confused
    assert confused[0]["times"] == max(expected.values())
    assert {(c["expected"], c["given"]): c["times"] for c in confused} == expected


def _status_by_scan(store: Store, slug: str, when: datetime) -> tuple:
    """What status must say, counted the slow way: every card read."""
    from reelive_quiz.clock import day_end

    now_ts, end_ts = int(when.timestamp()), int(day_end(when).timestamp())
    rows = [(c.state, c.suspended, c.due) for c in store.cards([slug]).values()]
    active = [(st, due) for st, sus, due in rows if sus == Suspension.NONE]
    return (len(rows), sum(st is None for st, _ in active),
            sum(st in LEARNING_STATES for st, _ in active),
            sum(st is not None and due <= now_ts for st, due in active),
            sum(st is not None and due < end_ts for st, due in active),
            sum(sus == Suspension.SUSPENDED for _, sus, _ in rows),
            sum(sus == Suspension.LEECH for _, sus, _ in rows),
            min((due for st, due in active if st is not None), default=None))


def test_status_counts_match_a_full_scan(store: Store, tmp_path: Path) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=12, leech_lapses=2)
    wrong: set[str] = set()
    for day in range(12):
        when = START + timedelta(days=day)
        session = _day(store, slugs, when, config, wrong=wrong)
        if session.history:
            wrong.add(session.history[0].question.id)
            session.suspend(session.history[-1].question)
        path = tmp_path / "tiny-film.yaml"  # a deck that changes under the store
        write_deck(tiny_film(f"Line number {day}."), path, force=True)
        slugs_tiny = _sync(store, path)
        for moment in (when, when + timedelta(hours=20), when + timedelta(days=3)):
            rows = deck_status(store, slugs + slugs_tiny, moment)
            # both ways of counting what is due (the due cards, or the studied ones
            # not due) give the same rows, whichever one the sample picks
            assert rows == deck_status(store, slugs + slugs_tiny, moment, mostly_due=True)
            assert rows == deck_status(store, slugs + slugs_tiny, moment, mostly_due=False)
            for row in rows:
                expected = _status_by_scan(store, row.slug, moment)
                due = row.next_due and int(datetime.fromisoformat(row.next_due).timestamp())
                assert (row.total, row.new, row.learning, row.due_now, row.due_today,
                        row.suspended, row.leeches, due) == expected, (row, expected)


def test_the_summary_counts_only_what_the_session_played(store: Store, tmp_path: Path) -> None:
    tiny = tmp_path / "tiny-film.yaml"
    write_deck(tiny_film(), tiny)
    bundled, small = _sync(store), _sync(store, tiny)
    config = replace(CONFIG, new_per_day=500)

    def missed(slugs: list[str]) -> set[str]:  # missed once, they come back tomorrow
        return set(store.cards(slugs))

    _day(store, bundled, START, config, wrong=missed(bundled), kinds=["who-said"])
    session = _day(store, small, START, config, wrong=missed(small))
    tomorrow_end = to_ts(day_end(START)) + 86_400
    def due(slugs: list[str]) -> int:
        return sum(1 for c in store.cards(slugs).values()
                   if c.due is not None and c.due < tomorrow_end)

    small_due, all_due = due(small), due([])
    assert 0 < small_due < all_due
    assert session.summary().due_tomorrow == small_due


def test_a_queue_of_every_deck_reads_the_catalogue_unfiltered_and_the_same(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain `play` (every deck) reads learning cards and the new count without testing
    each row's deck; the queue is the one the filtered queries give, day after day."""
    tiny = tmp_path / "tiny-film.yaml"
    write_deck(tiny_film(), tiny)
    bundled, small = _sync(store), _sync(store, tiny)
    every = bundled + small
    assert store.covers_catalogue(every)
    assert not store.covers_catalogue(bundled)  # the tiny film's questions are not in it
    config = replace(CONFIG, new_per_day=15)

    def queue(when: datetime, covers: bool) -> tuple[object, list[str]]:
        sql: list[str] = []
        with monkeypatch.context() as m:
            m.setattr(store, "covers_catalogue", lambda slugs: covers)
            store.conn.set_trace_callback(sql.append)
            try:
                built = build_queue(store, every, when, config)
                pile = []  # the learning cards, read a page at a time (LearningPile)
                while (first := built.learning.first()) is not None:
                    pile.append(first)
                    built.learning.pop()
            finally:
                store.conn.set_trace_callback(None)
        learning = [s for s in sql if f"WHERE {LEARNING_WHERE}" in s]
        return (replace(built, learning=None), pile), learning

    learnt = 0
    for day in range(6):
        when = START + timedelta(days=day, hours=day % 3)
        session = Session(store, build_queue(store, every, when, config), config,
                          clock=lambda when=when: when)
        for _ in range(4):  # a few missed: learning cards due later today
            if (q := session.next()) is not None:
                session.answer(q, rating=AGAIN, correct=False, given=None, mode=q.mode,
                               seconds=1.0)
        for later in (when + timedelta(minutes=5), when + timedelta(hours=3)):
            (fast, fast_sql), (slow, slow_sql) = queue(later, True), queue(later, False)
            assert fast == slow
            assert len(fast_sql) == len(slow_sql) >= 2  # counted, then read (and siblings)
            assert all("slug IN" not in q for q in fast_sql)
            assert all("slug IN" in q for q in slow_sql)
            learnt += len(fast[1])
        _day(store, every, when + timedelta(hours=4), config,
             wrong=set(list(store.cards(every))[::4]))
    assert learnt  # learning cards were read both ways


def test_the_learning_pile_read_a_page_at_a_time_asks_what_reading_it_whole_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`play` reads learning cards a page at a time (24,000 at 1,000 films were read
    whole before the first question): with pages of 2 cards the session asks the same
    questions in the same order, with the same counts, as with one page for all, and
    a new question never comes beside a learning sibling from a later page."""
    import shutil

    import reelive_quiz.store_reads as store_reads

    config = replace(CONFIG, new_per_day=30)
    first = Store.open(tmp_path / "progress.sqlite3")
    slugs = _sync(first)
    session = Session(first, build_queue(first, slugs, START, config), config,
                      clock=lambda: START)
    for n in range(30):  # 30 new questions into the learning steps, due within minutes
        q = session.next()
        assert q is not None
        session.answer(q, rating=AGAIN if n % 3 else GOOD, correct=None, given=None,
                       mode="flip", seconds=1.0)
    learning_siblings = {first.question(qid).sibling for qid, card in first.cards(slugs).items()
                         if card.state in LEARNING_STATES}
    candidates = {sibling for _, sibling in first.new_picks(slugs, None, 60)}
    first.close()
    assert len(learning_siblings) > 6 and candidates & learning_siblings  # some to hold back
    later = START + timedelta(days=1)  # a new day: new questions again, the learning ones due

    def play(page: int) -> tuple[list[tuple[str, tuple[int, int, int]]], list[str]]:
        path = tmp_path / f"page-{page}.sqlite3"
        shutil.copy(tmp_path / "progress.sqlite3", path)
        monkeypatch.setattr(store_reads, "LEARNING_PAGE", page)
        clock = [later]
        with Store.open(path) as store:
            queue = build_queue(store, slugs, later, config)
            new = [store.question(qid).sibling for qid in queue.ids[len(queue.ids) - queue.fresh:]]
            s = Session(store, queue, config, clock=lambda: clock[0])
            asked = []
            while (q := s.next()) is not None:
                counts = s.counts()
                asked.append((q.id, (counts.new, counts.learning, counts.review)))
                rating = AGAIN if len(asked) % 4 == 0 and len(asked) < 60 else GOOD
                s.answer(q, rating=rating, correct=None, given=None, mode="flip", seconds=1.0)
                clock[0] += timedelta(minutes=3)
        return asked, new

    paged, paged_new = play(2)
    whole, _whole_new = play(10_000)
    assert paged == whole
    assert sum(1 for _, counts in paged[:1] if counts[1] > 2)  # more than a page at the start
    assert len({qid for qid, _ in paged}) < len(paged)  # missed ones came back, once each time
    assert paged_new and not set(paged_new) & learning_siblings

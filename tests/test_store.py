"""The store's contract: SQL lives only in the store modules, and what its queries rely on
in the schema (an index's condition, the logged card's column order) is checked here."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reelive_quiz.card import LEARNING_STATES, CardState, Rating, State
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import day_end, day_number, to_ts
from reelive_quiz.config import Config
from reelive_quiz.library import DeckRef, bundled_dir
from reelive_quiz.schedule import build_queue, next_state
from reelive_quiz.store import Review, Store
from reelive_quiz.store_reads import IN_CHUNK

PACKAGE = Path(__file__).resolve().parent.parent / "reelive_quiz"
BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONFIG = Config(fuzz=False)
#: The modules allowed to hold SQL: the store's (store, store_catalogue, store_reads,
#: store_fsrs, store_copy, store_anki) and its schema; for Anki's own collection file,
#: not the progress file, the .apkg writer and the package reader.
SQL_OWNERS = {"store.py", "store_catalogue.py", "store_reads.py", "store_fsrs.py",
              "store_copy.py", "store_anki.py", "schema.py", "apkg.py", "anki_import.py"}
SQL = re.compile(r"\bSELECT\b[^\"']*\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\w+\s+SET\b"
                 r"|\bDELETE FROM\b|\bCREATE\s+(?:TABLE|INDEX|TRIGGER)\b|\bPRAGMA\b")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "progress.sqlite3")
    yield s
    s.close()


def _answer(store: Store, qid: str, rating: Rating, when: datetime) -> CardState:
    """One answer through the store, as a session gives it; returns the card before."""
    before = store.card(qid)
    store.answer(qid, lambda card: (next_state(card, rating, when, CONFIG), rating),
                 Review(qid, to_ts(when), day_number(when), rating, "choice",
                        rating > Rating.AGAIN))
    return before


def test_no_sql_outside_the_store_modules() -> None:
    found = [f"{path.name}: {match.group(0)}" for path in sorted(PACKAGE.glob("*.py"))
             if path.name not in SQL_OWNERS
             for match in SQL.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_learning_queries_read_their_partial_indexes(store: Store) -> None:
    """A page of learning cards, their count and the siblings they hold back: each
    query is served by its partial index (its WHERE holds the index's condition)."""
    slugs = sync_decks(store, [DeckRef(BUNDLED.stem, BUNDLED, True)], complete=False)
    queue = build_queue(store, slugs, START, CONFIG)
    for qid in queue.ids[:8]:
        _answer(store, qid, Rating.AGAIN, START)  # into the learning steps
    until = to_ts(day_end(START))
    cards = store.cards(slugs)
    learning = {qid for qid, c in cards.items() if c.state in LEARNING_STATES and c.due < until}
    assert len(learning) == 8
    in_order = sorted((cards[qid].due, qid) for qid in learning)
    siblings = {store.question(qid).sibling for qid in learning}
    others = {store.question(qid).sibling for qid in queue.ids[8:]} - siblings
    # every deck, or several: a play session's scopes (one deck is served by another index)
    for scope in ([], [*slugs, "another-film"]):
        seen: list[str] = []
        store.conn.set_trace_callback(seen.append)
        try:
            first = store.learning_due(scope, None, until, limit=3)
            rest = store.learning_due(scope, None, until, first[-1], limit=10)
            count = store.learning_count(scope, None, until)
            held = store.learning_siblings(scope, None, until, sorted(siblings | others))
        finally:
            store.conn.set_trace_callback(None)
        assert [*first, *rest] == in_order  # soonest first, then the page after the last
        assert count == 8
        assert held == siblings
        selects = [s for s in seen if s.lstrip().startswith("SELECT")]
        assert len(selects) == 4
        for sql, index in zip(selects, ["questions_learning", "questions_learning",
                                        "questions_learning", "questions_learning_sibling"],
                              strict=True):
            plan = " ".join(str(row) for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert f"INDEX {index} " in plan, (sql, plan)


def test_siblings_held_back_are_found_among_more_than_one_statement_can_ask(
        store: Store) -> None:
    """A day of up to 100,000 reviews asks about that many siblings: more than SQLite
    takes as parameters of one statement (32,766 in SQLite's default build; this
    machine's allows 250,000, so the test sets the default), so they are asked in chunks."""
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    slugs = sync_decks(store, [DeckRef(BUNDLED.stem, BUNDLED, True)], complete=False)
    queue = build_queue(store, slugs, START, CONFIG)
    for qid in queue.ids[:5]:
        _answer(store, qid, Rating.AGAIN, START)
    held = {store.question(qid).sibling for qid in queue.ids[:5]}
    among = sorted({f"nobody-{n:05}" for n in range(40_000)} | held
                   | {store.question(qid).sibling for qid in queue.ids[5:]})
    assert len(among) > 2 * IN_CHUNK
    until = to_ts(day_end(START))
    assert len(held) == 5
    for scope in ([], slugs):
        assert store.learning_siblings(scope, None, until, among) == held
    # likewise `play --cram --limit 100000`'s count of the new questions it picked
    picked = [*queue.ids, *(f"nobody-{n:05}" for n in range(40_000))]
    assert store.count_new(picked) == len(queue.ids) - 5


def test_retention_counts_answers_to_cards_that_were_in_review(store: Store) -> None:
    """True retention reads the state before each answer from the logged card."""
    slugs = sync_decks(store, [DeckRef(BUNDLED.stem, BUNDLED, True)], complete=False)
    qids = build_queue(store, slugs, START, CONFIG).ids[:6]
    expected_right = expected_counted = 0
    when = START
    for day in range(40):
        when = START + timedelta(days=day)
        for n, qid in enumerate(qids):
            card = store.card(qid)
            if card.due is not None and card.due > to_ts(when):
                continue
            rating = Rating.AGAIN if (day + n) % 5 == 0 else Rating.GOOD
            before = _answer(store, qid, rating, when)
            if before.state == State.REVIEW:
                expected_counted += 1
                expected_right += rating > Rating.AGAIN
    states = {a for a in (store.card(q).state for q in qids)}
    assert State.REVIEW in states
    assert expected_counted >= 10 and 0 < expected_right < expected_counted
    assert store.retention(day_number(when) - 40) == (expected_right, expected_counted)


def test_options_are_kept_as_json_dumps_writes_them() -> None:
    """The catalogue's options text is byte for byte `json.dumps(..., ensure_ascii=False)`."""
    import json

    from reelive_quiz.store_catalogue import _options_json

    for options in [(), ("Chow Mo-wan",), ("Su “Li-zhen”", 'a "quoted" \\ name', "tab\there",
                                            "\x00\x1f\x7f\u2028é中", "\ud800 lone")]:
        assert _options_json(options) == json.dumps(options, ensure_ascii=False)

"""A deck is its file: two files with one title are two decks, a title fixed keeps its progress.

Slugs come from file names (library.py) and are hashed into question ids, so
these tests also upgrade a store made by the version whose slugs came from
titles (tests/data/store-527f71e, made by its own make.py) and check that
every answer is still where its question is.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import on_disk as _sql
from helpers import run_cli

from reelive_quiz.card import Rating
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.clock import NOW_ENV
from reelive_quiz.config import Config
from reelive_quiz.deck import Deck, Line, Quote, Scene, load_deck, slugify, write_deck
from reelive_quiz.generate import generate
from reelive_quiz.history import collect_stats
from reelive_quiz.library import bundled_dir, list_decks, resolve
from reelive_quiz.schedule import build_queue
from reelive_quiz.session import Session
from reelive_quiz.stats import deck_status
from reelive_quiz.store import Store

OLD = Path(__file__).parent / "data" / "store-527f71e"
BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONFIG = Config(fuzz=False, new_per_day=1000)
NOW = {NOW_ENV: "2026-03-04T10:00:00"}


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, NOW[NOW_ENV])


def _film(title: str) -> Deck:
    return Deck(title, dialogues=(
        Scene("The Snack Bar", (Line("Cop 223", "Everything comes with an expiry date."),
                                Line("Faye", "Do you want some more fries?"),
                                Line("Cop 663", "A chef salad, to take away."))),
        Scene("The Flat", (Line("Faye", "I only moved the goldfish."),
                           Line("Cop 663", "The soap has lost weight."))),
    ), quotes=(Quote("Cop 223", "If memories could be canned, would they expire?"),))


def _answer(store: Store, slug: str, n: int, when: datetime = START) -> list[str]:
    session = Session(store, build_queue(store, [slug], when, CONFIG), CONFIG,
                      clock=lambda: when)
    done = []
    for _ in range(n):
        q = session.next()
        assert q is not None
        session.answer(q, rating=Rating.GOOD, correct=True, given=q.answer, mode="choice",
                       seconds=1.0)
        done.append(q.id)
    return done


def _cards(store: Store) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in _sql(store,
        "SELECT id, slug, state, stability, due, reps FROM questions"
        " WHERE state IS NOT NULL AND present = 1")}


# -- item 12: a title fixed keeps its progress, and no ghost deck stays -----------------------

def test_fixing_a_title_keeps_progress_and_leaves_no_ghost(_home: Path) -> None:
    path = _home / "decks" / "fallen-angels.yaml"
    write_deck(_film("Fallen Angles"), path)
    with Store.open(_home / "progress.sqlite3") as store:
        sync_decks(store, list_decks(), complete=True)
        ((slug,),) = _sql(store, "SELECT slug FROM decks WHERE path = ?", (str(path),))
        _answer(store, slug, 4)
        before = _cards(store)
        forecast = collect_stats(store, START).forecast
        write_deck(replace(load_deck(path), title="Fallen Angels"), path, force=True)
        slugs = sync_decks(store, list_decks(), complete=True)
        assert _cards(store) == before and len(before) == 4
        current = {q.id for q in store.catalogue([r.slug for r in list_decks()])}
        assert set(before) <= current  # the answered questions are the deck's questions now
        assert collect_stats(store, START).forecast == forecast
        titles = [r.title for r in deck_status(store, slugs, START)]
        assert titles.count("Fallen Angels") == 1 and "Fallen Angles" not in titles
        assert _sql(store, "SELECT title FROM decks WHERE path = ?", (str(path),)) \
            == [("Fallen Angels",)]
        assert {q.deck for q in store.catalogue([slug])} == {"Fallen Angels"}
        assert slug == "fallen-angels"  # the file's name: the title is not in it


# -- item 11: two files with one title are two decks ------------------------------------------

def test_two_files_with_one_title_are_two_decks(_home: Path) -> None:
    """The bundled deck and a personal copy: both listed, neither hides the other's reviews."""
    copy = _home / "decks" / "my-mood.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(BUNDLED, copy)
    with Store.open(_home / "progress.sqlite3") as store:
        slugs = sync_decks(store, list_decks(), complete=True)
        assert sorted(slugs) == ["in-the-mood-for-love", "my-mood"]
        mine = _answer(store, "in-the-mood-for-love", 3) + _answer(store, "my-mood", 2)
        assert len(set(mine)) == 5
        later = START + timedelta(days=3)
        runs = []
        for _ in range(3):  # each run syncs both files: nothing flips
            (copy.parent / "touch").write_text("")
            slugs = sync_decks(store, list_decks(), complete=True)
            runs.append([(r.slug, r.title, r.new, r.due_today)
                         for r in deck_status(store, slugs, later)])
        assert runs[0] == runs[1] == runs[2]
        assert [(slug, due) for slug, _, _, due in runs[0]] == [
            ("in-the-mood-for-love", 3), ("my-mood", 2)]
        total = len(generate(load_deck(BUNDLED)))
        assert [new for *_, new, _ in runs[0]] == [total - 3, total - 2]
    result = run_cli("decks", "--json", home=_home)
    assert result.returncode == 0, result.stderr
    listed = {d["slug"]: d["questions"] for d in json.loads(result.stdout)}
    assert listed == {"in-the-mood-for-love": total, "my-mood": total}


def test_a_deck_named_on_the_command_line_is_its_own_deck(_home: Path, tmp_path: Path) -> None:
    """A copy elsewhere with the bundled deck's file name does not take its place."""
    elsewhere = tmp_path / "in-the-mood-for-love.yaml"
    shutil.copy(BUNDLED, elsewhere)
    (ref,) = resolve([str(elsewhere)])
    assert ref.slug.startswith("in-the-mood-for-love-") and ref.path == elsewhere.resolve()
    assert resolve([str(elsewhere)]) == [ref]  # the same slug every time
    (bundled,) = resolve([str(BUNDLED)])
    assert bundled.slug == "in-the-mood-for-love"
    with Store.open(_home / "progress.sqlite3") as store:
        sync_decks(store, [ref], complete=False)
        _answer(store, ref.slug, 2)
        sync_decks(store, list_decks(), complete=True)  # the bundled deck's ids are apart
        assert {r[0] for r in _sql(store, "SELECT slug FROM questions WHERE reps > 0")} \
            == {ref.slug}


def test_long_titles_that_differ_past_the_cut_get_two_decks(tmp_path: Path, _home: Path) -> None:
    stem = "The Extraordinarily Long and Winding Story of Two Strangers Who Meet Twice in " \
           "Hong Kong, Part "
    one, two = slugify(stem + "One"), slugify(stem + "Two")
    assert one != two and len(one) <= 80 and len(two) <= 80
    pages = []
    for part in ("One", "Two"):
        page = tmp_path / f"{part}.txt"
        page.write_text(f"Chow\n\nA quote to name the film, part {part}.\n\nChow\n\n"
                        f"{stem}{part}, Reelive\n", encoding="utf-8")
        pages.append(str(page))
    result = run_cli("import", *pages, home=_home)
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in (_home / "decks").iterdir()) == sorted([one, two])
    result = run_cli("status", "--json", home=_home, env=NOW)
    assert result.returncode == 0, result.stderr
    titles = sorted(d["title"] for d in json.loads(result.stdout)["decks"])
    assert titles == sorted(["In the Mood for Love", stem + "One", stem + "Two"])


def test_a_name_that_is_not_a_slug_gets_one_of_its_own(_home: Path) -> None:
    folder = _home / "decks"
    write_deck(_film("Chungking Express"), folder / "my-deck.yaml")
    write_deck(_film("Fallen Angels"), folder / "My Deck.yaml")
    slugs = {r.path.name: r.slug for r in list_decks()}
    assert slugs["my-deck.yaml"] == "my-deck"
    assert slugs["My Deck.yaml"].startswith("my-deck-") and len(set(slugs.values())) == 3
    assert [r.path.name for r in resolve(["My Deck"])] == ["My Deck.yaml"]  # its file name


# -- an existing user's store, made by the version with title slugs ---------------------------

def _old_home(home: Path) -> Path:
    shutil.copytree(OLD / "decks", home / "decks")
    sql = (OLD / "progress.sql").read_text(encoding="utf-8")
    sql = sql.replace("@HOME@", str(home)).replace("@BUNDLED@", str(bundled_dir()))
    conn = sqlite3.connect(home / "progress.sqlite3")
    conn.executescript(sql)
    conn.close()
    return home


def _answered_by_item(path: Path) -> dict[tuple[str, str, str], tuple]:
    """(deck file, kind, source) -> the card, newest review winning, as the store holds it."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT d.path, q.kind, q.source, q.state, q.stability, q.due, q.reps,"
            " q.last_review FROM questions q JOIN decks d ON d.slug = q.slug"
            " WHERE q.state IS NOT NULL ORDER BY q.last_review").fetchall()
    finally:
        conn.close()
    return {(Path(p).name, kind, source): card[:-1] for p, kind, source, *card in rows}


def test_a_store_from_title_slugs_keeps_every_answer(_home: Path) -> None:
    home = _old_home(_home)
    progress = home / "progress.sqlite3"
    before = _answered_by_item(progress)
    with sqlite3.connect(progress) as conn:
        log = conn.execute("SELECT id, ts, rating FROM reviews ORDER BY id").fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    assert {k[0] for k in before} == {"my-chungking.yaml", "fallen-angels.yaml",
                                     "in-the-mood-for-love.yaml", OLD_LONG}
    result = run_cli("status", "--json", home=home, env=NOW)
    assert result.returncode == 0, result.stderr
    decks = {d["slug"]: d for d in json.loads(result.stdout)["decks"]}
    assert sorted(decks) == sorted(["fallen-angels", "in-the-mood-for-love", "my-chungking",
                                    "my-mood", OLD_LONG[:-5]])  # one deck a file, no ghost
    after = _answered_by_item(progress)
    assert after == before  # every answered question, under its file, with its schedule
    with Store.open(progress) as store:
        assert _sql(store, "SELECT id, ts, rating FROM reviews ORDER BY id") == log
        assert _sql(store, "SELECT COUNT(*) FROM reviews r LEFT JOIN questions q"
                           " ON q.id = r.question WHERE q.present IS NOT 1")[0][0] == 0
        studied = _sql(store, "SELECT COUNT(*) FROM questions WHERE state IS NOT NULL"
                              " AND present = 1")[0][0]
        assert studied == len(before)
        assert sum(n for _, n in collect_stats(store, START + timedelta(days=60)).forecast) \
            <= studied
        for slug, name in (("my-chungking", "my-chungking.yaml"),
                           ("fallen-angels", "fallen-angels.yaml")):
            ids = {q.id for q in generate(load_deck(home / "decks" / name), slug=slug)}
            catalogue = store.catalogue([slug])  # which-film is made across the library
            assert {q.id for q in catalogue if q.kind != "which-film"} == ids
            assert any(q.kind == "which-film" for q in catalogue)
    result = run_cli("status", "--json", home=home, env=NOW)  # and the next run agrees
    assert {d["slug"]: d for d in json.loads(result.stdout)["decks"]} == decks


OLD_LONG = ("the-extraordinarily-long-and-winding-story-of-two-strangers-who-meet-twice-in-ho"
            ".yaml")


def test_renaming_or_moving_a_deck_file_keeps_its_progress(_home: Path, tmp_path: Path) -> None:
    """The slug follows the file name; a renamed file's deck takes its old progress along."""
    old = _home / "decks" / "chungking.yaml"
    write_deck(_film("Chungking Express"), old)
    with Store.open(_home / "progress.sqlite3") as store:
        sync_decks(store, list_decks(), complete=True)
        answered = _answer(store, "chungking", 3)
        states = {qid: card[1:] for qid, card in _cards(store).items()}
        old.rename(old.with_name("chungking-express-1994.yaml"))
        slugs = sync_decks(store, list_decks(), complete=True)
        assert "chungking-express-1994" in slugs and "chungking" not in slugs
        now = {q.id for q in store.catalogue(["chungking-express-1994"])}
        after = _cards(store)
        assert len(after) == 3 and set(after) <= now
        assert sorted(card[1:] for card in after.values()) == sorted(states.values())
        assert not set(answered) & set(after)  # new ids (the slug is in them), same cards
        assert [r.slug for r in deck_status(store, slugs, START)] == [
            "chungking-express-1994", "in-the-mood-for-love"]


def test_two_files_with_one_title_export_as_two_anki_decks(_home: Path, tmp_path: Path) -> None:
    """Each note is tagged with its own deck's slug, in a deck of its own."""
    from reelive_quiz.anki import export, notes

    copy = _home / "decks" / "my-mood.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(BUNDLED, copy)
    with Store.open(_home / "progress.sqlite3") as store:
        slugs = sync_decks(store, list_decks(), complete=True)
        questions = store.catalogue(slugs)
    assert {q.deck for q in questions} == {"In the Mood for Love"}
    for q, note in zip(questions, notes(questions), strict=True):
        assert q.slug in note.tags and len(note.tags) == 3
    kinds = {q.kind for q in questions}
    assert export(questions, tmp_path / "films.apkg").decks == 2 * len(kinds)


def test_status_tells_two_decks_with_one_title_apart(_home: Path) -> None:
    copy = _home / "decks" / "my-mood.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(BUNDLED, copy)
    result = run_cli("status", home=_home, env=NOW)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("In the Mood")]
    assert len(lines) == 2 and "(my-mood)" in lines[1], lines

"""which-film: across the library, stable ids, fair options (issue 15, item 4)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from reelive_quiz.catalogue import sync_decks
from reelive_quiz.config import Config
from reelive_quiz.deck import Deck, Line, Quote, Scene, Trivia, deck_to_dict
from reelive_quiz.generate import MAX_OPTIONS
from reelive_quiz.library import DeckRef
from reelive_quiz.schedule import build_queue
from reelive_quiz.session import Session
from reelive_quiz.store import Store
from reelive_quiz.text import contains, fold
from reelive_quiz.which_film import KIND, film_of, generate_all, which_film
from tests import helpers


def _film(title: str, who: str, words: str, shared: str = "") -> Deck:
    lines = (Line(who, f"The {words} always come back at night."),
             Line("Nora Vale", f"Then we wait for the {words} together."),
             Line(who, "Fine."))
    quotes = [Quote(who, f"Nobody forgets the {words}, not even {who}.")]
    if shared:
        quotes.append(Quote(who, shared))
    return Deck(title, dialogues=(Scene(f"The {words.title()}", lines),),
                quotes=tuple(quotes),
                trivia=(Trivia(f"About {title}", f"{title} was shot with real {words}.",
                               "It shows."),))


SHARED = "We will always have the harbour, whatever happens."
FILMS = [_film("Red Lanterns", "Ada Moss", "lanterns", SHARED),
         _film("Blue Ferries", "Ben Ruiz", "ferries", SHARED),
         _film("Green Orchards", "Cleo Tan", "orchards")]
FOURTH = _film("Grey Harbours", "Dov Lind", "harbours")


def _check(questions, decks) -> None:  # type: ignore[no-untyped-def]
    texts = {d.slug: {fold(x) for x in (*(ln.text for s in d.dialogues for ln in s.lines),
                                        *(q.text for q in d.quotes),
                                        *(t.fact for t in d.trivia))} for d in decks}
    titles = {d.title: d.slug for d in decks}
    for q in questions:
        where = f"{q.prompt!r} -> {q.answer} {q.options}"
        assert q.kind == KIND and q.answer == q.deck, where
        assert not contains(q.prompt, q.answer), where
        assert q.options.count(q.answer) == 1, where
        assert len({fold(o) for o in q.options}) == len(q.options), where
        assert len(q.options) <= MAX_OPTIONS, where
        for option in q.options:
            assert not contains(q.prompt, option), where
        text = next((t for t in texts[q.slug] if f" {t} " in f" {fold(q.prompt)} "), None)
        if text is None:  # a fact with its film's title blanked
            assert q.source.startswith("trivia") and "_____" in q.prompt, where
            continue
        holders = {slug for slug, held in texts.items() if text in held}
        for option in set(q.options) - {q.answer}:  # never a film that holds the same text
            assert titles[option] not in holders, where
        # at least three options once three films may be offered
        assert len(q.options) >= min(3, 1 + len(decks) - len(holders)), where


def test_three_films_ask_which_film_with_fair_options() -> None:
    questions = generate_all(FILMS, [KIND])
    _check(questions, FILMS)
    # lines, quotes and facts of every film; "Fine." alone names no film
    assert {q.slug for q in questions} == {d.slug for d in FILMS}
    assert {q.source.split("[")[0] for q in questions} == {"dialogues", "quotes", "trivia"}
    assert not any("“Fine.”" in q.prompt for q in questions)
    shared = [q for q in questions if SHARED in q.prompt]
    assert len(shared) == 2  # each film that holds it asks it, never offering the other
    assert all(len(q.options) == 2 for q in shared)
    # a fact naming its own film is asked with the title blanked
    assert all("_____" in q.prompt for q in questions if q.source.startswith("trivia"))
    assert generate_all(FILMS, [KIND]) == questions  # deterministic


def test_one_film_asks_no_which_film() -> None:
    assert generate_all(FILMS[:1]) and not generate_all(FILMS[:1], [KIND])
    assert which_film([film_of(FILMS[0])]) == []


def test_ids_stay_when_a_fourth_film_arrives() -> None:
    before = {q.id: q for q in generate_all(FILMS, [KIND])}
    after = {q.id: q for q in generate_all([*FILMS, FOURTH], [KIND])}
    assert set(before) <= set(after)
    assert any(before[i].options != after[i].options for i in before)  # options may change
    _check(list(after.values()), [*FILMS, FOURTH])
    assert any(len(q.options) == MAX_OPTIONS for q in after.values())


def _write(folder: Path, deck: Deck) -> DeckRef:
    path = folder / f"{deck.slug}.yaml"
    path.write_text(yaml.safe_dump(deck_to_dict(deck), allow_unicode=True), encoding="utf-8")
    return DeckRef(deck.slug, path, False)


def _present(store: Store) -> set[str]:
    return {q.id for q in store.catalogue([d.slug for d in (*FILMS, FOURTH)], [KIND])}


def test_progress_stays_when_a_fourth_film_is_imported(tmp_path: Path) -> None:
    refs = [_write(tmp_path, d) for d in FILMS]
    config = Config()
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with Store.open(tmp_path / "progress.sqlite3") as store:
        slugs = sync_decks(store, refs, complete=True)
        ids = _present(store)
        assert ids == {q.id for q in generate_all(FILMS, [KIND])}
        # play --kind which-film asks exactly these; answer one of them
        queue = build_queue(store, slugs, when, config, kinds=[KIND], cram=True,
                            cram_limit=500)
        assert set(queue.ids) == ids
        session = Session(store, replace(queue, ids=queue.ids[:1]), config,
                          clock=lambda: when)
        question = session.next()
        assert question is not None and question.kind == KIND
        session.answer(question, rating=3, correct=True, given=question.answer,
                       mode="choice", seconds=2.0)
        answered = store.card(question.id)
        assert answered is not None and answered.reps == 1
        # a fourth film is imported: same ids, progress kept, options may now name it
        refs.append(_write(tmp_path, FOURTH))
        sync_decks(store, refs, complete=True)
        assert ids < _present(store)
        assert store.card(question.id) == answered
        # back to one film: nothing is asked across films, nothing is lost
        for ref in refs[1:]:
            ref.path.unlink()
        sync_decks(store, refs[:1], complete=True)
        assert not _present(store)
        assert store.card(question.id) == answered


def test_cli_questions_and_export_which_film(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    for deck in FILMS:
        _write(home / "decks", deck)
    out = helpers.run_cli("questions", "--kind", KIND, "--json", *(
        str(home / "decks" / f"{d.slug}.yaml") for d in FILMS[:1]), home=home)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and {r["kind"] for r in rows} == {KIND} and {r["deck"] for r in rows} == {
        FILMS[0].title}
    # the library's other films (and the bundled one) are the options
    assert {o for r in rows for o in r["options"]} >= {FILMS[1].title, FILMS[2].title}
    apkg = tmp_path / "which.apkg"
    done = helpers.run_cli("export", "--kind", KIND, "-o", str(apkg), home=home)
    assert done.returncode == 0, done.stderr
    assert "in 1 decks" in done.stdout


def test_two_films_with_one_folded_title_are_never_both_offered() -> None:
    # two deck files whose titles differ only in case and marks (slugs kept apart)
    twin = replace(film_of(_film("Red lanterns!", "Eve Sol", "candles")), slug="red-2")
    films = [*(film_of(d) for d in FILMS), twin]  # three others each: both twins, unless refused
    questions = which_film(films)
    assert questions
    for q in questions:
        assert len({fold(o) for o in q.options}) == len(q.options), q.options
        assert not {"Red Lanterns", "Red lanterns!"} <= set(q.options), q.options


def test_a_renamed_deck_file_keeps_its_which_film_progress(tmp_path: Path) -> None:
    refs = [_write(tmp_path, d) for d in FILMS]
    config = Config()
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with Store.open(tmp_path / "progress.sqlite3") as store:
        sync_decks(store, refs, complete=True)
        mine = [q for q in store.catalogue([refs[0].slug], [KIND])]
        queue = build_queue(store, [refs[0].slug], when, config, kinds=[KIND], cram=True,
                            cram_limit=1)
        session = Session(store, queue, config, clock=lambda: when)
        question = session.next()
        assert question is not None and question in mine
        session.answer(question, rating=3, correct=True, given=question.answer,
                       mode="choice", seconds=2.0)
        answered = store.card(question.id)
        # the file is renamed: a new slug, new ids, the same progress
        moved = refs[0].path.with_name("lanterns-of-red.yaml")
        refs[0].path.rename(moved)
        refs[0] = DeckRef("lanterns-of-red", moved, False)
        sync_decks(store, refs, complete=True)
        after = store.catalogue(["lanterns-of-red"], [KIND])
        assert len(after) == len(mine)
        assert [store.card(q.id) for q in after].count(answered) == 1
        assert not store.catalogue([FILMS[0].slug], [KIND])  # no ghost deck


def test_deck_counts_match_the_rows_after_each_which_film_rebuild(tmp_path: Path) -> None:
    """Which-film rows are written as a catalogue batch (count trigger dropped, counts
    rebuilt): status's per-deck counts must still be those of the rows, as films come
    and go and a studied question moves from new to learning."""
    db = tmp_path / "progress.sqlite3"
    refs = [_write(tmp_path, d) for d in FILMS]
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with Store.open(db) as store:
        slugs = sync_decks(store, refs, complete=True)
        kept, rows = helpers.deck_counts(db)
        assert kept == rows and any(slug == FILMS[0].slug for slug, *_ in rows)
        queue = build_queue(store, slugs, when, Config(), kinds=[KIND], cram=False,
                            cram_limit=500)
        session = Session(store, queue, Config(), clock=lambda: when)
        question = session.next()
        assert question is not None and question.kind == KIND
        session.answer(question, rating=1, correct=False, given="", mode="choice",
                       seconds=2.0)
        refs.append(_write(tmp_path, FOURTH))
        sync_decks(store, refs, complete=True)
        kept, rows = helpers.deck_counts(db)
        assert kept == rows and any(state != 0 for _, _, state, _ in rows)
        refs[1].path.unlink()
        sync_decks(store, [refs[0], *refs[2:]], complete=True)
        assert helpers.deck_counts(db)[0] == helpers.deck_counts(db)[1]


def test_touching_a_deck_file_rebuilds_no_which_film_question(tmp_path: Path) -> None:
    """Which-film questions are rebuilt when what they are made of changes (a title, an
    item), not when a file is only re-saved: at 1,000 films a rebuild is 107,000 rows."""
    import os

    refs = [_write(tmp_path, d) for d in FILMS]
    with Store.open(tmp_path / "progress.sqlite3") as store:
        sync_decks(store, refs, complete=True)
        built = {slug: library for slug, _, library in store.library_state()}
        rows = store.conn.execute(f"SELECT rowid, id FROM questions WHERE kind = '{KIND}'"
                                  ).fetchall()
        assert rows and all(built.values())
        stat = refs[0].path.stat()
        os.utime(refs[0].path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        before = store.deck_files()
        sync_decks(store, refs, complete=True)
        assert store.deck_files() != before  # the deck was re-read (its signature moved) ...
        assert {s: lib for s, _, lib in store.library_state()} == built  # ... nothing rebuilt
        assert store.conn.execute(f"SELECT rowid, id FROM questions WHERE kind = '{KIND}'"
                                  ).fetchall() == rows
        retitled = replace(FILMS[0], title=FILMS[0].title + " Redux")
        refs[0].path.write_text(yaml.safe_dump(deck_to_dict(retitled), allow_unicode=True),
                                encoding="utf-8")
        sync_decks(store, refs, complete=True)
        assert {s: lib for s, _, lib in store.library_state()} != built  # a title: rebuilt


def test_a_film_that_comes_back_gets_its_which_film_questions_and_progress_back(
        tmp_path: Path) -> None:
    """Its which-film rows were hidden, not deleted: written again, they are present with
    the progress they had (new rows are inserted without an upsert; these must not be)."""
    refs = [_write(tmp_path, d) for d in FILMS]
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with Store.open(tmp_path / "progress.sqlite3") as store:
        slugs = sync_decks(store, refs, complete=True)
        queue = build_queue(store, [slugs[1]], when, Config(), kinds=[KIND], cram=False,
                            cram_limit=500)
        session = Session(store, queue, Config(), clock=lambda: when)
        question = session.next()
        assert question is not None and question.slug == slugs[1]
        session.answer(question, rating=3, correct=True, given="", mode="choice", seconds=2.0)
        saved = refs[1].path.read_bytes()
        refs[1].path.unlink()
        sync_decks(store, [refs[0], refs[2]], complete=True)
        hidden = f"SELECT present, state FROM questions WHERE id = '{question.id}'"
        assert store.conn.execute(hidden).fetchone()[0] == 0
        refs[1].path.write_bytes(saved)
        sync_decks(store, refs, complete=True)
        present, state = store.conn.execute(hidden).fetchone()
        assert present == 1 and state is not None
        assert store.question(question.id) == question
        assert helpers.deck_counts(tmp_path / "progress.sqlite3")[0] == helpers.deck_counts(
            tmp_path / "progress.sqlite3")[1]


def test_which_film_made_by_a_second_process_is_what_one_process_makes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library's which-film questions come from a second process, a few films at a
    time: the same questions, in the same order, as `which_film` over the whole library."""
    from reelive_quiz import catalogue, parallel

    films = [_film(f"Film Number {i}", f"Ana Vale{i}", f"word{i} things{i}") for i in range(10)]
    refs = [_write(tmp_path, d) for d in films]
    monkeypatch.setattr(catalogue, "_WHICH_FILM_CHUNK", 1)  # 10 chunks: a second process
    started: list[bool] = []
    real = parallel._pool

    def pool(items: int, needs_share: bool):  # type: ignore[no-untyped-def]
        made = real(items, needs_share)
        started.append(made is not None)
        return made

    monkeypatch.setattr(parallel, "_pool", pool)
    with Store.open(tmp_path / "progress.sqlite3") as store:
        slugs = sync_decks(store, refs, complete=True)
        stored = store.catalogue(slugs, [KIND])
        expected = which_film([film_of(d, d.slug) for d in films])
    assert started[-1] is True  # the which-film step ran in two processes
    assert len(expected) >= 30
    assert stored == expected

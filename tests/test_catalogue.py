"""Deck files → the question catalogue: the order new questions come in, and which
edited question inherits which progress (the store-level behaviour is in test_schedule)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reelive_quiz.catalogue import carry_over, deck_rows, interleave
from reelive_quiz.deck import Deck, Quote, load_deck, write_deck
from reelive_quiz.generate import generate
from reelive_quiz.library import DeckRef, bundled_dir
from reelive_quiz.store import Orphan, Store

BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"


def test_new_questions_take_turns_by_kind_in_deck_order() -> None:
    questions = generate(load_deck(BUNDLED))
    order = interleave(questions)
    assert sorted(q.id for q in order) == sorted(q.id for q in questions)
    kinds = list(dict.fromkeys(q.kind for q in questions))
    assert len(kinds) >= 5
    assert [q.kind for q in order[: len(kinds)]] == kinds  # one of each kind first
    for kind in kinds:  # within a kind, the deck's order
        assert [q for q in order if q.kind == kind] == [q for q in questions if q.kind == kind]


def _orphan(q: object, **change: str) -> Orphan:
    q = replace(q, **change)  # type: ignore[type-var]
    return Orphan(f"old-{q.id}", q.kind, q.prompt, q.answer)


def test_an_edited_question_inherits_the_progress_of_the_one_it_replaces() -> None:
    questions = [q for q in generate(load_deck(BUNDLED)) if q.kind == "who-said"][:3]
    fixed, other, third = questions
    typo = _orphan(fixed, prompt=fixed.prompt.replace("e", "é", 1))
    rewritten = _orphan(other, prompt="Who says something else entirely, in other words?")
    wrong_kind = _orphan(replace(third, kind="which-scene"))
    orphans = {o.id: o for o in (typo, rewritten, wrong_kind)}
    assert carry_over(questions, orphans) == [(fixed.id, typo.id)]
    # one orphan is inherited once, by the first of two near-copies of the same kind
    twin = replace(fixed, id="who-said-twin")
    assert carry_over([fixed, twin], {typo.id: typo}) == [(fixed.id, typo.id)]


def test_decks_counts_each_of_two_files_that_share_a_slug(tmp_path: Path) -> None:
    one, two = tmp_path / "same-film.yaml", tmp_path / "same-film-copy.yaml"
    write_deck(Deck("Same Film", quotes=(Quote("Ann Lee", "Once upon a time in a film."),)),
               one)
    write_deck(Deck("Same Film", quotes=(Quote("Ann Lee", "Once upon a time in a film."),
                                         Quote("Bo Chan", "Twice is a habit, they say."))), two)
    refs = [DeckRef("same-film", one, False), DeckRef("same-film-copy", two, False)]
    with Store.open(tmp_path / "progress.sqlite3") as store:
        rows = {Path(str(r["path"])).name: r for r in deck_rows(store, refs)}
    for path in (one, two):
        row = rows[path.name]
        deck = load_deck(path)
        assert (row["slug"], row["title"], row["quotes"]) == (path.stem, "Same Film",
                                                              len(deck.quotes))
        assert row["questions"] == len(generate(deck))


def test_a_deck_read_again_writes_only_what_changed(tmp_path: Path) -> None:
    """A touched file is read again (its signature changed) but its questions are the
    same: none is written again (each write moved index entries and fired the count
    triggers). After an edit the catalogue is what a first sync of the edited file
    gives."""
    import os

    from reelive_quiz.catalogue import sync_decks

    deck = load_deck(BUNDLED)
    path = tmp_path / "mood.yaml"
    write_deck(deck, path)
    ref = DeckRef("mood", path, False)
    with Store.open(tmp_path / "progress.sqlite3") as store:
        sync_decks(store, [ref], complete=True)
        before = store.catalogue(["mood"])
        os.utime(path, ns=(1, 1))  # touched: read again, nothing to write
        changes = store.conn.total_changes
        sync_decks(store, [ref], complete=True)
        untouched = store.conn.total_changes - changes
        assert store.catalogue(["mood"]) == before
        assert len(before) > 100 and untouched < 10
        edited = replace(deck, quotes=deck.quotes[1:])  # one quote fewer
        write_deck(edited, path, force=True)
        changes = store.conn.total_changes
        sync_decks(store, [ref], complete=True)
        edit = store.conn.total_changes - changes
        after = store.catalogue(["mood"])
    assert len(after) < len(before) and edit > untouched  # (positions move: many rows)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_deck(edited, fresh / "mood.yaml")
    with Store.open(fresh / "progress.sqlite3") as store:
        sync_decks(store, [DeckRef("mood", fresh / "mood.yaml", False)], complete=True)
        assert store.catalogue(["mood"]) == after


def test_rows_made_from_plain_tuples_are_the_rows_made_from_questions() -> None:
    """The catalogue's rows come from `generate_tuples` (no `Question` each): the same rows,
    in the same order, as from `generate`'s questions, which-film's included."""
    from reelive_quiz.catalogue import interleave_tuples
    from reelive_quiz.generate import generate_tuples
    from reelive_quiz.question import as_row
    from reelive_quiz.store_catalogue import catalogue_rows, question_rows
    from reelive_quiz.which_film import Library, film_of

    deck = load_deck(BUNDLED)
    decks = [deck, replace(deck, title="A Second Film", trivia=deck.trivia[:3])]
    for deck in decks:
        questions = interleave(generate(deck, slug="a-slug"))
        tuples = interleave_tuples(generate_tuples(deck, slug="a-slug"))
        assert tuples == [as_row(q) for q in questions]
        assert catalogue_rows(tuples) == question_rows(questions)
    library = Library([film_of(deck) for deck in decks])
    which = library.questions()
    assert which and library.tuples() == [as_row(q) for q in which]
    assert catalogue_rows(library.tuples()) == question_rows(which)

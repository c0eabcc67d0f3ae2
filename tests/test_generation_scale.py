"""Generation stays linear in the size of a scene, a deck and the library (issue 16, item 3).

A 5,000-line scene used to take minutes on every run: next-line rebuilt and
folded the scene's whole pool per line, and the `fold` cache thrashed past
4,096 texts. Work is counted, not timed: the Python and C calls generation
makes per line must not grow with the scene, and each text is folded once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from helpers import count_folds

from reelive_quiz.deck import Deck, Line, Quote, Scene, Trivia
from reelive_quiz.generate import generate
from reelive_quiz.question import KINDS
from reelive_quiz.which_film import Film, Item, which_film


def _scene_deck(lines: int) -> Deck:
    """One scene of `lines` lines (every seventh a short reply), two speakers, a coda."""
    body = tuple(Line("Ann Lee" if i % 2 else "Bo Chan",
                      "Yes, I see." if i % 7 == 0 else f"This is line {i} of the long night.")
                 for i in range(lines))
    return Deck("Long Night", dialogues=(
        Scene("The Long Scene", body),
        Scene("Coda", (Line("Ann Lee", "It ends here, at last."),
                       Line("Bo Chan", "So it does, my dear friend.")))),
        quotes=(Quote("Ann Lee", "Every night is long when you count the lines."),),
        trivia=(Trivia("One Take", "Director Ann Lee shot the long scene in one take.",
                       "It never cuts."),))


def _calls(work: Callable[[], object]) -> int:
    """Function calls (Python and C) made by `work`: a measure of work, not of time."""
    count = 0

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def test_calls_per_line_do_not_grow_with_the_scene() -> None:
    small, large = _scene_deck(1_000), _scene_deck(4_000)
    per_line_small = _calls(lambda: generate(small)) / 1_000
    per_line_large = _calls(lambda: generate(large)) / 4_000
    # linear: the same work per line (quadratic would be four times as much)
    assert per_line_large < 1.3 * per_line_small, (per_line_small, per_line_large)


def test_each_text_is_folded_once_per_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    deck = _scene_deck(10_000)  # more texts than the shared fold cache holds
    # count the folds themselves (the generator's own memo calls text.fold_text)
    folded = count_folds(monkeypatch)
    questions = generate(deck)
    texts = [ln.text for s in deck.dialogues for ln in s.lines]
    lines_folded = [t for t in folded if t in set(texts)]
    assert len(lines_folded) == len(set(texts))  # each line once, however often compared
    assert len(folded) < len(set(texts)) + 2 * len(questions)  # prompts: once each


def test_a_10000_line_scene_gives_every_kind_of_line_question() -> None:
    deck = _scene_deck(10_000)
    questions = generate(deck)
    kinds = {q.kind for q in questions}
    assert {"who-said", "which-scene", "next-line"} <= kinds
    next_lines = [q for q in questions if q.kind == "next-line"]
    assert len(next_lines) > 8_000  # a repeated cue ("Yes, I see.") is never asked
    assert all(len(q.options) == 4 for q in next_lines)
    assert generate(deck) == questions  # deterministic
    assert set(KINDS) >= kinds


def _library(films: int, items: int) -> list[Film]:
    return [Film(f"film-{f}", f"Film Number {f}", tuple(
        Item("line", f"Film {f} says line {i} out loud.", f"quotes[{i}]", f"s{f}-{i}", "")
        for i in range(items))) for f in range(films)]


def test_which_film_is_linear_in_the_library() -> None:
    small, large = _library(100, 20), _library(800, 20)
    per_item_small = _calls(lambda: which_film(small)) / (100 * 20)
    per_item_large = _calls(lambda: which_film(large)) / (800 * 20)
    assert per_item_large < 1.3 * per_item_small, (per_item_small, per_item_large)

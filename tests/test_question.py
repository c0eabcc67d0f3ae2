"""The Question record and its vocabularies: kinds, modes, what the generator and the
export share (the blank marker, the flip kinds)."""

from __future__ import annotations

from typing import get_args

from reelive_quiz.anki import notetype_for
from reelive_quiz.deck import load_deck
from reelive_quiz.generate import generate
from reelive_quiz.library import bundled_dir
from reelive_quiz.question import BLANK, FLIP_KINDS, KINDS, Kind, Mode

QUESTIONS = generate(load_deck(bundled_dir() / "in-the-mood-for-love.yaml"))


def test_every_kind_has_a_name_and_every_question_a_known_kind_and_mode() -> None:
    assert tuple(KINDS) == get_args(Kind)
    assert {q.kind for q in QUESTIONS} <= set(get_args(Kind))
    assert {q.mode for q in QUESTIONS} == set(get_args(Mode))  # the bundled deck has all


def test_flip_kinds_are_flipped_by_the_generator_and_basic_notes_in_anki() -> None:
    flips = [q for q in QUESTIONS if q.kind in FLIP_KINDS]
    assert flips and all(q.mode == "flip" and not q.options for q in flips)
    assert {notetype_for(q) for q in flips} == {"basic"}


def test_the_generator_blanks_trivia_with_the_marker_the_export_turns_into_a_cloze() -> None:
    blanked = [q for q in QUESTIONS if q.kind == "trivia" and q.prompt.count(BLANK) == 1]
    assert blanked and {notetype_for(q) for q in blanked} == {"cloze"}

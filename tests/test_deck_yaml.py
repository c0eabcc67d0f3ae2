"""Deck files are written by `deck_yaml`, not PyYAML: the text must be PyYAML's, byte for byte.

Each case compares `deck_yaml` with `pyyaml_dump` (PyYAML's C emitter, as deck
files were written before) and loads the text back: plain scalars folded at
the width, quoted ones, and documents not of a deck's shape.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from corpus import make_page, page_rng
from hypothesis import given, settings
from hypothesis import strategies as st

from reelive_quiz.deck import deck_to_dict, dump_deck, load_deck
from reelive_quiz.deck_yaml import WIDTH, deck_yaml, pyyaml_dump
from reelive_quiz.page import parse_page

ROOT = Path(__file__).resolve().parents[1]


def same_as_pyyaml(data: dict) -> str:
    text = deck_yaml(data)
    assert text == pyyaml_dump(data)
    assert yaml.safe_load(text) == data
    return text


@pytest.mark.parametrize("path", sorted((ROOT / "decks").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_decks_are_written_as_pyyaml_writes_them(path: Path) -> None:
    same_as_pyyaml(deck_to_dict(load_deck(path)))
    # and the shipped file is that text: a re-import would not change it
    assert dump_deck(load_deck(path)) == path.read_text(encoding="utf-8")


def test_a_corpus_of_pages_is_written_as_pyyaml_writes_it() -> None:
    texts = [same_as_pyyaml(deck_to_dict(parse_page(make_page(page_rng(11, i), i), f"p{i}")))
             for i in range(12)]
    folded = sum(1 for text in texts for line in text.splitlines()
                 if not line.lstrip().startswith(("- ", "'")) and ": " not in line)
    assert folded > 50  # long lines were folded, so the fold was compared too


# Characters that change how libyaml writes a scalar: indicators, spaces where they
# count, line breaks of every kind, characters it escapes, implicit types.
_ALPHABET = ("a", "b", "Z", "é", "字", " ", "  ", ":", ": ", " #", "#", "-", "- ", "?", ",",
             "'", '"', "\\", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`",
             "\t", "\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x1b", "\x7f",
             "\x9b", "\xa0", "\u200b", "\ud7ff", "\ue000", "\ufffd", "😀", "0", "1", ".",
             "+", "~", "<<", "=", "---", "...", "yes", "No", "null", "TRUE", "0x1F",
             "1_000", "2026-12-03", "12:30", ".inf", "-.5e3")
_text = st.lists(st.sampled_from(_ALPHABET), max_size=12).map("".join)
_long = st.lists(st.sampled_from(["word", " ", "  ", "é", ": ", "x" * 30, "-", "#"]),
                 min_size=20, max_size=80).map("".join)
_value = st.one_of(_text, _long)


@st.composite
def deck_shaped(draw: st.DrawFn) -> dict:
    line = st.fixed_dictionaries({"speaker": _value, "text": _value})
    return {
        "title": draw(_value),
        "dialogues": draw(st.lists(st.fixed_dictionaries(
            {"scene": _value, "lines": st.lists(line, max_size=3)}), max_size=2)),
        "quotes": draw(st.lists(line, max_size=2)),
        "related": draw(st.lists(_value, max_size=3)),
        "questions": draw(st.lists(st.fixed_dictionaries(
            {"prompt": _value, "answer": _value, "options": st.lists(_value, max_size=3)}),
            max_size=2)),
    }


@settings(max_examples=250, deadline=None)
@given(deck_shaped())
def test_hostile_text_is_written_as_pyyaml_writes_it(data: dict) -> None:
    same_as_pyyaml(data)


@pytest.mark.parametrize("column", [0, 2, 4])
def test_long_lines_fold_where_libyaml_folds_them(column: int) -> None:
    rng = random.Random(column)
    for _ in range(300):  # words and double spaces landing on every column near the width
        words = [rng.choice(["a", "bb", "ccc", "dddddddd", "x" * 40]) for _ in range(60)]
        text = "".join(w + rng.choice([" ", " ", " ", "  "]) for w in words).strip()
        data: dict = {"title": text, "related": [text]}
        for _ in range(column // 2):
            data = {"title": "t", "dialogues": [data]}
        written = same_as_pyyaml(data)
        assert max(map(len, written.splitlines())) > WIDTH


@pytest.mark.parametrize("data", [
    {"title": "x", "n": 3},            # not a string
    {"title": "x", "extra": {}},       # an empty mapping
    {"title": "x", "list": [["a"]]},   # a list in a list
    {"title": "x", "list": [{}]},      # an empty mapping in a list
    {"a: b": "key that needs quotes"},
    {"k" * 200: "a key longer than a simple key"},
])
def test_other_shapes_are_pyyaml_s_own(data: dict) -> None:
    assert deck_yaml(data) == pyyaml_dump(data)

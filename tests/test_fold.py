"""Folding, and the shortcuts generation takes around it, give what the plain rules give.

`fold_text` folds a non-ASCII text token by token (cached per token) and the
generator reads word frequencies from wordfreq's data file: both are checked
against the direct form here, on texts chosen to break them.
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import pytest
from helpers import count_folds

from reelive_quiz.deck import Deck, Line, Quote, Scene, Trivia
from reelive_quiz.text import fold_text
from reelive_quiz.which_film import film_of, generate_all

_WORDS = re.compile(r"[^\W_]+")


def whole(value: str) -> str:
    """The folding rule applied to the whole text at once (no tokens, no cache)."""
    bare = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return " ".join(_WORDS.findall(bare))


#: Characters where token-wise folding could go wrong: combining marks before and
#: after a space, spaces that NFKD changes, case mappings that change length or
#: depend on context (final sigma), ligatures, compatibility forms.
TRICKY = ("a", "Z", "é", "\u0301", "\u0308", " ", "\u00a0", "\u2003", "\u3000", "\t", "\n",
          "ß", "ẞ", "İ", "ı", "ﬁ", "Å", "Σ", "ς", "ǅ", "Ⅻ", "’", "'", "-", "_", ".", "…",
          "“", "¨", "ŉ", "１", "x", "9")


def test_token_folding_equals_whole_text_folding() -> None:
    rng = random.Random(5)
    samples = ["".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 24)))
               for _ in range(20_000)]
    samples += ["Amélie’s café in Montmartre", "ΣΟΦΟΣ ΛΟΓΟΣ", "naïve  résumé", "İstanbul"]
    for value in samples:
        assert fold_text(value) == whole(value), repr(value)


@pytest.mark.parametrize("block", [(0x80, 0x800), (0x1AB0, 0x2100), (0x2C00, 0x3100),
                                   (0xFB00, 0xFF70), (0x1D400, 0x1D800)])
def test_every_character_of_the_tricky_blocks_folds_alike(block: tuple[int, int]) -> None:
    for code in range(*block):
        ch = chr(code)
        for value in (f"x{ch}y {ch}z", f"{ch}\u0301a b\u0308{ch}", f"Σ{ch} {ch}"):
            assert fold_text(value) == whole(value), (hex(code), value)


def test_word_frequencies_are_wordfreqs() -> None:
    from wordfreq import get_frequency_dict

    from reelive_quiz.keyfacts import _frequencies

    assert _frequencies() == get_frequency_dict("en", "small")


def test_reading_frequencies_does_not_import_wordfreq() -> None:
    import subprocess

    code = ("import sys; from reelive_quiz.keyfacts import _frequencies; "
            "assert len(_frequencies()) > 20_000; print('wordfreq' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    assert out.strip() == "False"


def _films(count: int) -> list[Deck]:
    return [Deck(f"Film Number {f}", (Scene("Night", tuple(
        Line("Ann Lee" if i % 2 else "Bo Chan", f"Film {f} has line {i} said out loud.")
        for i in range(6))),), quotes=(Quote("Ann Lee", f"Film {f} is remembered for this."),),
        trivia=(Trivia("One Take", f"Director Ann Lee shot film {f} in 1999.", "It shows."),))
        for f in range(count)]


def test_generate_all_folds_each_item_text_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """which-film reuses the folds generation made: a library's texts are folded once."""
    decks = _films(5)
    items = {item.text for deck in decks for item in film_of(deck).items}
    folded = count_folds(monkeypatch)
    questions = generate_all(decks)
    assert any(q.kind == "which-film" for q in questions)
    assert sorted(t for t in folded if t in items) == sorted(items)

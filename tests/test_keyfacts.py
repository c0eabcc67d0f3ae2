"""keyfacts' patterns are written for speed (a character class first, then a look-behind):
they must find what the plain forms they replace find, on texts chosen to break them."""

from __future__ import annotations

import random
import re

import pytest

from reelive_quiz import keyfacts

#: The plain forms: `\b` or a look-behind first (each tried at every position).
PLAIN = {
    "_NAME": r"\b[A-Z][\w’'-]*[\w](?:\s+(?:[A-Z][\w’'-]*[\w]|de|van|von|da|del|di))*"
             r"\s+[A-Z][\w’'-]*[\w]",
    "_TERM": r"(?:(?<=\s)|^)['‘\"“]([A-Z][^'‘’\"“”]{1,58}?(?:’[a-z][^'‘’\"“”]*?)?)"
             r"['’\"”](?=[\s,.;:!?)]|$)",
    "_WORD": r"(?<![\w’'-])([A-Za-z][a-z]+(?:-[a-z]+)*)(?![\w’'-])",
    "_CAPITAL": r"(?<![\w’'-])([A-Z][a-z]+(?:-[A-Za-z][a-z]+)*)(?:[’']s)?(?![\w-])",
}

#: Pieces that sit on the edges the patterns test: quotes, apostrophes, hyphens, digits,
#: case pairs outside ASCII (`ſ` folds to `s`, `K` to `k`), number words in any case.
PIECES = ["A", "Ann", " Lee", " de ", "van", "x", "é", "É", "1", "1,200", "s", "S", "’", "'", "‘",
          "“", "”", "\"", "-", "_", " ", "\n", ".", ". ", "! ", "?", ",", ")", "Red", "the ",
          "ten", "Ten", "TWO", "often", "ſix", "K", "İ", "1990s", "Mr ", "Rain’s "]


def texts(seed: int, count: int = 20_000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [m.span() + m.groups() for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_fast_patterns_match_the_plain_forms(name: str) -> None:
    fast, plain = getattr(keyfacts, name), re.compile(PLAIN[name])
    for text in texts(len(name)):
        assert spans(fast, text) == spans(plain, text), (name, text)
        assert spans(fast, text[3:]) == spans(plain, text[3:]), (name, text)


def test_numbers_are_the_case_blind_plain_form_s() -> None:
    """`_NUMBER` spells out by hand what IGNORECASE matched (`ſ` as `s`, `İ` and `ı` as `i`)."""
    plain = re.compile(r"\b(\d[\d,.]*\d|\d)(s?)\b|\b(two|three|four|five|six|seven|eight|nine|"
                       r"ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand)\b",
                       re.IGNORECASE)
    for text in [*texts(11), "ſIX, Fıve, fİve, SEVEN 1,990s 3.5S 12ſ hundreds tWeLvE"]:
        assert keyfacts.numbers(text) == [m.group(0) for m in plain.finditer(text)], text
        assert [m.span() for m in keyfacts._NUMBER.finditer(text[3:])] == [
            m.span() for m in plain.finditer(text[3:])], text


def test_sentence_starts_are_the_plain_form_s() -> None:
    plain = re.compile(r"(?:^|[.!?]\s+)")
    for text in texts(12):
        found = {0, *(m.end() for m in keyfacts._SENTENCE_BREAK.finditer(text))}
        assert found == {m.end() for m in plain.finditer(text)}, text

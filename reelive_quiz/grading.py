"""Forgiving matching of typed answers.

A learner who knows the answer should not be marked wrong for a slip of the
keyboard, a missing accent or a dropped article; but an answer that fits
another candidate just as well proves nothing, so it is marked wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

__all__ = ["differences", "grade", "normalize"]

_ARTICLES = frozenset({"the", "a", "an"})
# Titles are not names: "mr" alone must not count as knowing "Mr. Chan".
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "mme", "mlle"})
# Filler words a person drops without being wrong about a phrase.
_FILLER = _ARTICLES | {"of", "and", "in", "on", "at", "to", "for"}
# Typographic variants a phone keyboard or a web page produces.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_PHRASE_WORDS = 3  # from this many words, an answer is a phrase, not a term
_PHRASE_RATIO = 85
_PHRASE_COVERAGE = 0.8  # share of content words, each way


# A number with thousands separators (15,000 · 15.000 · 15 000 · 15'000), else digits
# with an optional decimal part (1.5 · 1,5). Numbers are compared by value, exactly.
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:([,.' _\u00a0\u2009\u202f])\d{3})(?:\2\d{3})*)(?![\d]|[.,]\d)"
    r"|(\d+(?:[.,]\d+)?)"
)


def _numbers(text: str) -> list[str]:
    """The numbers in a text, each in one canonical spelling, in sorted order."""
    found = []
    for grouped, sep, plain in _NUMBER.findall(text):
        if grouped:
            found.append(str(int(grouped.replace(sep, ""))))
        else:
            whole, _, part = plain.replace(",", ".").partition(".")
            part = part.rstrip("0")
            found.append(f"{int(whole)}.{part}" if part else str(int(whole)))
    return sorted(found)


def _numbers_fit(given: str, expected: str, person: bool) -> bool:
    """A number or a year is right or wrong, never a typo: 1963 is not 1962.

    For a person a name part counts, so the given numbers need only be among the
    name's (`cop` for `Cop 223`, but not `cop 233`).
    """
    mine, theirs = _numbers(given), _numbers(expected)
    if person:
        rest = list(theirs)
        for n in mine:
            if n not in rest:
                return False
            rest.remove(n)
        return True
    return mine == theirs


def _normalize(text: str, hyphen: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    out: list[str] = []
    for ch in text.casefold():
        if unicodedata.combining(ch):
            continue
        cat = unicodedata.category(ch)
        if cat == "Pd":
            out.append(hyphen)
        elif cat[0] == "P":
            continue
        elif ch.isspace() or cat[0] == "C":
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def normalize(text: str) -> str:
    """Reduce text to what a person means by it, so that trivial differences vanish."""
    return _normalize(text, " ")


def _strip_article(text: str) -> str:
    head, _, rest = text.partition(" ")
    return rest if head in _ARTICLES and rest else text


def _allowed_edits(length: int) -> int:
    """Typos tolerated: none on short words, where one edit makes another word."""
    if length < 4:
        return 0
    if length <= 8:
        return 1
    if length <= 16:
        return 2
    return max(2, length * 15 // 100)


def _close(given: str, form: str) -> bool:
    limit = _allowed_edits(len(form))
    return Levenshtein.distance(given, form, score_cutoff=limit) <= limit


def _forms(answer: str, person: bool) -> set[str]:
    """Every normalized spelling of an answer that counts as knowing it."""
    forms: set[str] = set()
    for full in (_normalize(answer, " "), _normalize(answer, "")):
        forms.update({full, _strip_article(full)})
    if person:
        for word in answer.split():
            part = normalize(word)
            if part and part not in _TITLES:
                forms.update({part, part.replace(" ", "")})
    forms.discard("")
    return forms


def _score(givens: Iterable[str], forms: Iterable[str]) -> float:
    """How well an answer fits a candidate, to tell which candidate it names."""
    return max(
        max(fuzz.ratio(g, f), fuzz.token_sort_ratio(g, f)) for g in givens for f in forms
    )


def _coverage(words: Sequence[str], other: Sequence[str]) -> float:
    content = [w for w in words if w not in _FILLER] or list(words)
    hits = sum(any(_close(o, w) for o in other) for w in content)
    return hits / len(content)


def _phrase_match(given: str, expected: str) -> bool:
    """A phrase is known if it is nearly the same text, or the same words in any order."""
    if fuzz.ratio(given, expected) >= _PHRASE_RATIO:
        return True
    g_words, e_words = given.split(), expected.split()
    return (
        _coverage(e_words, g_words) >= _PHRASE_COVERAGE
        and _coverage(g_words, e_words) >= _PHRASE_COVERAGE
    )


def grade(
    given: str, expected: str, *, others: Sequence[str] = (), person: bool = False
) -> bool:
    """Say whether a typed answer shows the learner knows `expected`, not a rival candidate."""
    g = normalize(given)
    if not g:
        return False
    givens = {g, _strip_article(g)}
    forms = _forms(expected, person)
    if not forms:
        return False
    ok = any(_close(x, f) for x in givens for f in forms)
    if not ok and not person:
        e = _strip_article(normalize(expected))
        if len(e.split()) >= _PHRASE_WORDS:
            ok = any(_phrase_match(x, e) for x in givens)
    if not ok or not _numbers_fit(given, expected, person):
        return False
    mine = _score(givens, forms)
    expected_norm = normalize(expected)
    for other in others:
        if normalize(other) == expected_norm:
            continue  # the same answer listed twice is no rival
        rival = _forms(other, person)
        if rival and _score(givens, rival) >= mine:
            return False
    return True


Marked = list[tuple[str, bool]]  # runs of text, True where it differs


def differences(given: str, expected: str) -> tuple[Marked, Marked] | None:
    """Where a close miss differs, as Anki's type-in comparison marks it.

    Compared without case; None when the two are not close (less than half
    in common), where marking characters would say nothing.
    """
    from difflib import SequenceMatcher

    given, expected = given[:200], expected[:200]
    matcher = SequenceMatcher(None, given.casefold(), expected.casefold(), autojunk=False)
    if matcher.ratio() < 0.5:
        return None
    typed: Marked = []
    wanted: Marked = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        same = op == "equal"
        if a2 > a1:
            typed.append((given[a1:a2], not same))
        if b2 > b1:
            wanted.append((expected[b1:b2], not same))
    return typed, wanted

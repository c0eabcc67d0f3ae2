"""Comparing texts as a person would: the generator's fairness rules use it (does a
prompt give its answer away, are two options the same once folded)."""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["contains", "fold"]

_NON_WORD = re.compile(r"[\W_]+")


class _Marks(dict[int, int | None]):
    """A str.translate table that drops combining marks, filled in as characters come."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_MARKS = _Marks()


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case, accents and punctuation folded away: how a person compares texts.

    Cached: question generation folds the same names and lines many times.
    """
    if text.isascii():
        bare = text.lower()
    else:
        bare = unicodedata.normalize("NFKD", text.casefold()).translate(_MARKS)
    return " ".join(_NON_WORD.sub(" ", bare).split())


def contains(prompt: str, answer: str) -> bool:
    """Does the prompt give the answer away (as whole words, folded)?"""
    a = fold(answer)
    return bool(a) and f" {a} " in f" {fold(prompt)} "

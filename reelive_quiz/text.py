"""Comparing texts as a person would, shared by deck checks and question rules."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["contains", "fold"]


def fold(text: str) -> str:
    """Case, accents and punctuation folded away: how a person compares texts."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def contains(prompt: str, answer: str) -> bool:
    """Does the prompt give the answer away (as whole words, folded)?"""
    a = fold(answer)
    return bool(a) and f" {a} " in f" {fold(prompt)} "

"""A deck's YAML text: the very bytes PyYAML's C emitter writes, in 40 % of its time.

`import` writes 1,000 decks (32 MB of YAML) on the way to its catalogue, and
PyYAML took 4.3 CPU s for them (1.7 s here): a node object per value and a call
back into Python per scalar (its resolver), for a document of one known shape:
string keys, string values and lists, in block style. That shape is written here
line by line. A scalar is written plain where libyaml would write it plain (the
same tests as its `yaml_emitter_analyze_scalar` and PyYAML's implicit types),
folded at the spaces where libyaml folds it; any other scalar (quoted, ~0.1 %
of a library's) is written by PyYAML itself, in the same column and indent, and
anything not of the shape is PyYAML's whole. Tests compare the text with
PyYAML's on hostile strings.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["WIDTH", "deck_yaml", "pyyaml_dump"]

#: PyYAML's `width`: plain scalars are folded at a space once past this column.
WIDTH = 100
#: The indentation of a block mapping's values and of its lines (PyYAML's default).
_INDENT = 2

#: A character outside the set libyaml writes as it is in a plain scalar: not
#: printable for it (C0, DEL, C1, surrogates, U+FEFF, U+FFFE-F, beyond the BMP)
#: or a line break (U+0085, U+2028, U+2029).
_NOT_PLAIN = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
#: First characters that are indicators, or may be (`-`, `?`, `:` before a space):
#: such scalars are left to PyYAML.
_NOT_FIRST = frozenset("#,[]{}&*!|>'\"%@`-?: ")


class _Unlike(Exception):
    """Not of a deck's shape: the whole document is PyYAML's."""


def deck_yaml(data: dict[str, Any]) -> str:
    """`data` (a `deck_to_dict`) as `pyyaml_dump` writes it."""
    out: list[str] = []
    try:
        _mapping(data, 0, out)
    except _Unlike:
        return pyyaml_dump(data)
    return "".join(out)


def pyyaml_dump(data: object) -> str:
    """PyYAML's text for `data`, as deck files are written (block style, width 100).

    Its generic dumper: only the rare scalars it must quote (and anything not of a
    deck's shape) come here, so its speed no longer matters.
    """
    import yaml

    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                     sort_keys=False, allow_unicode=True, width=WIDTH)


def _mapping(data: dict[str, Any], indent: int, out: list[str]) -> None:
    """A block mapping whose keys stand at `indent`; its first key's line is begun (a
    sequence item's "- ", or nothing at the top)."""
    if not data:
        raise _Unlike
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        if key not in _KEYS:
            if type(key) is not str or not _plain(key) or len(key) > WIDTH // 2:
                raise _Unlike
            _KEYS.add(key)
        if n:
            out.append(pad)
        kind = type(value)
        if kind is str:
            column = indent + len(key) + 2
            out += (key, ": ", _scalar(value, column, indent + _INDENT)
                    or _quoted(value, indent, key), "\n")
        elif kind is list:
            if not value:
                out += (key, ": []\n")
                continue
            out += (key, ":\n")
            for item in value:  # an indentless sequence: its "- " under the key
                out.append(pad + "- ")
                if type(item) is str:
                    out += (_scalar(item, indent + 2, indent + _INDENT)
                            or _quoted(item, indent, None), "\n")
                elif type(item) is dict:
                    _mapping(item, indent + _INDENT, out)
                else:
                    raise _Unlike
        else:
            raise _Unlike


def _plain(value: str) -> bool:
    """Would libyaml write this value plain in a block mapping or sequence?"""
    if not value or value[0] in _NOT_FIRST or value[-1] in " :" or ": " in value \
            or " #" in value or _NOT_PLAIN.search(value) or value.startswith(("---", "...")):
        return False
    resolvers = _RESOLVERS.get(value[0])
    if resolvers is None:
        resolvers = _RESOLVERS[value[0]] = _resolvers(value[0])
    for regexp in resolvers:  # noqa: SIM110 (not any(): a generator per scalar)
        if regexp.match(value):
            return False  # PyYAML would read it back as a number, a bool, a date…
    return True


#: First character → the implicit resolvers PyYAML tries on a plain scalar.
_RESOLVERS: dict[str, tuple[re.Pattern[str], ...]] = {}


def _resolvers(first: str) -> tuple[re.Pattern[str], ...]:
    from yaml.resolver import Resolver

    table = Resolver.yaml_implicit_resolvers
    return tuple(regexp for _, regexp in table.get(first, []) + table.get(None, []))


#: Keys already found plain (a deck has a dozen, each written thousands of times).
_KEYS: set[str] = set()


def _scalar(value: str, column: int, indent: int) -> str | None:
    """A plain scalar as libyaml writes it from `column`, its folds indented by
    `indent`; None if it would not be plain.

    libyaml's rule: a space is written as a line break (and the indent) when the
    line is already past `WIDTH`, the space is single and a word follows it.
    """
    if not _plain(value):
        return None
    end = len(value)
    if column + end <= WIDTH + 1 or " " not in value:
        return value
    pieces: list[str] = []
    start = 0
    at = value.find(" ", max(0, WIDTH + 1 - column))
    while at >= 0:
        if value[at - 1] != " " and at + 1 < end and value[at + 1] != " ":
            pieces.append(value[start:at])
            start = at + 1
            at = value.find(" ", start + WIDTH + 1 - indent)
        else:
            at = value.find(" ", at + 1)
    if not pieces:
        return value
    pieces.append(value[start:])
    return ("\n" + " " * indent).join(pieces)


def _quoted(value: str, indent: int, key: str | None) -> str:
    """PyYAML's text for a scalar it would quote: the value of `key` in a mapping at
    `indent`, or an item of a sequence whose "- " stands at `indent` (key None)."""
    prefix = _prefix(indent, key)
    text = pyyaml_dump(_placed(value, indent, key))
    if not text.startswith(prefix) or not text.endswith("\n"):  # never seen: a guard
        raise _Unlike
    return text[len(prefix):-1]


@functools.cache
def _prefix(indent: int, key: str | None) -> str:
    """What PyYAML writes before the scalar in `_placed`'s document."""
    text = pyyaml_dump(_placed("a", indent, key))
    return text[:-len("a\n")]


def _placed(value: str, indent: int, key: str | None) -> dict[str, Any]:
    """A document holding `value` where a deck holds it, in the same column and indent."""
    doc: dict[str, Any] = {"x": [value]} if key is None else {key: value}
    for _ in range(indent // _INDENT):
        doc = {"x": [doc]}
    return doc

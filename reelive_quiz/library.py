"""Where decks and progress live, and how a name on the command line finds a deck.

Bundled decks ship inside the package (package data), so the installed tool
finds them from any folder; imported decks live in the user's data folder.

A deck's slug comes from its file's name, not its title: it names the deck
in the catalogue and is hashed into its questions' ids, so fixing a typo in a
title keeps them, and two files with one title are two decks. Every slug is
safe (`[a-z0-9-]`) and unique among the decks; a file named by `import` (a
slug already) keeps its name as its slug.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from reelive_quiz.errors import DeckError
from reelive_quiz.files import path_text

__all__ = [
    "DeckRef",
    "bundled_dir",
    "config_path",
    "data_dir",
    "file_slug",
    "list_decks",
    "progress_path",
    "resolve",
    "user_decks_dir",
]

HOME_ENV = "REELIVE_QUIZ_HOME"


@dataclass(frozen=True, slots=True)
class DeckRef:
    slug: str
    path: Path
    bundled: bool


def data_dir() -> Path:
    """`$REELIVE_QUIZ_HOME`, else the platform's user data folder."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("reelive-quiz", appauthor=False))


def user_decks_dir() -> Path:
    return data_dir() / "decks"


def bundled_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "decks"
    if packaged.is_dir():
        return packaged
    return here.parent / "decks"  # a source checkout or an editable install


_SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9])")


def file_slug(name: str) -> str:
    """A file name's slug; a name that is one already (every imported deck's) is kept."""
    if len(name) <= 80 and _SAFE.fullmatch(name) and not _RESERVED.fullmatch(name):
        return name  # without loading the deck module: most commands never need it
    from reelive_quiz.deck import slugify

    return slugify(name)


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _unique(refs: Iterable[DeckRef], taken: set[str], key: str = "name") -> list[DeckRef]:
    """Give each ref a safe slug no other deck has; `taken` grows with them.

    Names that are slugs already come first and keep theirs; a later name that
    comes out the same (`My Deck.yaml` beside `my-deck.yaml`) gets a short hash
    of its file name (`key="name"`) or of its whole path (`key="path"`).
    """
    out = []
    # (slug, ref) in order; a ref whose name is its slug is kept as it is (a `replace`
    # for each of 1,000 decks was 1.5 ms of every command)
    for slug, ref in sorted(((file_slug(r.slug), r) for r in refs),
                            key=lambda pair: (pair[0] != pair[1].slug, pair[1].slug)):
        if slug in taken:
            slug = f"{slug[:71]}-{_digest(ref.slug if key == 'name' else path_text(ref.path))}"
        taken.add(slug)
        out.append(ref if slug == ref.slug else replace(ref, slug=slug))
    return out


def _scan(folder: Path, bundled: bool) -> list[DeckRef]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    # A name that is not UTF-8 (`Am\xe9lie.yaml` in Latin-1) is made text first: its
    # slug, its hash and every message can be encoded. `folder / name` is the path
    # `Path(entry.path)` is, parsed once instead of whole (2.6 against 4.3 ms a 1,000).
    return [DeckRef(path_text(e.name[: -len(".yaml")]), folder / e.name, bundled)
            for e in entries
            if e.name.endswith(".yaml") and not e.name.startswith(".") and e.is_file()]


def list_decks(include_user: bool = True) -> list[DeckRef]:
    """Bundled decks, then the user's; a user's deck with a bundled slug replaces it."""
    refs = {r.slug: r for r in _scan(bundled_dir(), True)}
    if include_user:
        refs.update({r.slug: r for r in _scan(user_decks_dir(), False)})
    return sorted(_unique(refs.values(), set()), key=lambda r: r.slug)


def resolve(names: list[str] | None, include_user: bool = True) -> list[DeckRef]:
    """Each name is a deck file's path or a known deck's slug; none means every deck."""
    if not names:
        return list_decks(include_user=include_user)
    known = list_decks(include_user=True)
    by_slug = {r.path.stem: r for r in known} | {r.slug: r for r in known}
    by_path = {_resolved(r.path): r for r in known}
    taken = {r.slug for r in known}
    found: dict[Path, DeckRef] = {}
    for name in names:
        path = Path(name)
        if name.endswith((".yaml", ".yml")) or path.is_file():
            if not path.is_file():
                raise DeckError(f"{name}: no such deck file")
            ref = by_path.get(_resolved(path)) or found.get(path.resolve()) or _unique(
                [DeckRef(path_text(path.stem), path.resolve(), False)], taken, key="path")[0]
        elif name in by_slug:
            ref = by_slug[name]
        else:
            hint = ", ".join(sorted(by_slug)[:5]) or "none yet"
            raise DeckError(f"{name}: no such deck; expected a YAML file or a deck slug "
                            f"(known: {hint}; see `reelive-quiz decks`)")
        found.setdefault(ref.path, ref)
    return list(found.values())


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def progress_path() -> Path:
    return data_dir() / "progress.sqlite3"


def config_path() -> Path:
    return data_dir() / "config.toml"

"""Where decks and progress live, and how a name on the command line finds a deck.

Bundled decks ship inside the package (package data), so the installed tool
finds them from any folder; imported decks live in the user's data folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reelive_quiz.errors import DeckError
from reelive_quiz.files import path_text

__all__ = [
    "DeckRef",
    "bundled_dir",
    "config_path",
    "data_dir",
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


def _scan(folder: Path, bundled: bool) -> list[DeckRef]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    # A name that is not UTF-8 gets a slug of text (`Am\xe9lie`): what `decks` shows
    # is what finds it again.
    return [DeckRef(path_text(e.name[: -len(".yaml")]), Path(e.path), bundled) for e in entries
            if e.name.endswith(".yaml") and not e.name.startswith(".") and e.is_file()]


def list_decks(include_user: bool = True) -> list[DeckRef]:
    """Bundled decks, then the user's; a user's deck with a bundled slug replaces it."""
    refs = {r.slug: r for r in _scan(bundled_dir(), True)}
    if include_user:
        refs.update({r.slug: r for r in _scan(user_decks_dir(), False)})
    return sorted(refs.values(), key=lambda r: r.slug)


def resolve(names: list[str] | None, include_user: bool = True) -> list[DeckRef]:
    """Each name is a deck file's path or a known deck's slug; none means every deck."""
    if not names:
        return list_decks(include_user=include_user)
    known = list_decks(include_user=True)
    by_slug = {r.slug: r for r in known}
    found: dict[Path, DeckRef] = {}
    for name in names:
        path = Path(name)
        if name.endswith((".yaml", ".yml")) or path.is_file():
            if not path.is_file():
                raise DeckError(f"{name}: no such deck file")
            ref = DeckRef(path_text(path.stem), path.resolve(), False)
        elif name in by_slug:
            ref = by_slug[name]
        else:
            hint = ", ".join(sorted(by_slug)[:5]) or "none yet"
            raise DeckError(f"{name}: no such deck; expected a YAML file or a deck slug "
                            f"(known: {hint}; see `reelive-quiz decks`)")
        found.setdefault(ref.path, ref)
    return list(found.values())


def progress_path() -> Path:
    return data_dir() / "progress.sqlite3"


def config_path() -> Path:
    return data_dir() / "config.toml"

"""User settings from `config.toml` in the data folder; flags override them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["Config", "check_range", "load_config"]


@dataclass(frozen=True, slots=True)
class Config:
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    #: A choice question is asked typed once its FSRS stability reaches this many days.
    typed_after_days: float = 7.0
    #: Forgotten this many times (lapses) makes a question a leech: suspended.
    leech_lapses: int = 8
    #: Spread due dates a little, as Anki does; off makes schedules exactly repeatable.
    fuzz: bool = True


_LIMITS = {
    "new_per_day": (0, 10_000),
    "reviews_per_day": (0, 100_000),
    "desired_retention": (0.7, 0.99),
    "typed_after_days": (0.0, 36_500.0),
    "leech_lapses": (1, 1_000),
}


#: A settings file is a few lines; anything bigger is not one (and is not read whole).
MAX_CONFIG_BYTES = 2**20


def check_range(key: str, value: float, where: str) -> None:
    """The same bounds for a setting in the file and for the flag that overrides it
    (`play --new 10**20` would overflow SQLite's integers; no day holds that many)."""
    low, high = _LIMITS.get(key, (None, None))
    if low is not None and not low <= value <= high:  # type: ignore[operator]
        raise ReeliveError(f"{where}: expected a value from {low} to {high}, got {value!r}")


_KNOWN = {f.name: f for f in fields(Config)}


def load_config(path: Path) -> Config:
    """Read `[quiz]` from the TOML file, if any; every mistake names file and key.

    Nothing else belongs in the file, so a misspelled section (`[quizz]`) or a
    setting outside `[quiz]` is a mistake too, not silently ignored.
    """
    import os

    from reelive_quiz.files import read_limited

    if not os.path.lexists(path):
        return Config()
    raw = read_limited(path, MAX_CONFIG_BYTES, ReeliveError, "a TOML settings file")
    import tomllib  # only when there is a file: most people never write one

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReeliveError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ReeliveError(f"{path}: not valid TOML: values nested too deeply") from None
    for name, value in data.items():
        if name == "quiz":
            continue
        if isinstance(value, dict):
            raise ReeliveError(f"{path}: [{name}]: unknown section; expected only [quiz]")
        raise ReeliveError(f"{path}: {name}: setting outside [quiz]; expected it under "
                           "[quiz]" if name in _KNOWN else
                           f"{path}: {name}: unknown setting outside [quiz]; expected only "
                           "a [quiz] section")
    section = data.get("quiz", {})
    if not isinstance(section, dict):
        raise ReeliveError(f"{path}: quiz: expected a table [quiz]")
    known = _KNOWN
    values: dict[str, object] = {}
    for key, value in section.items():
        if key not in known:
            raise ReeliveError(f"{path}: quiz.{key}: unknown setting (expected one of "
                               f"{', '.join(known)})")
        default = getattr(Config(), key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            raise ReeliveError(f"{path}: quiz.{key}: expected {type(default).__name__}, "
                               f"got {value!r}")
        check_range(key, value, f"{path}: quiz.{key}")  # type: ignore[arg-type]
        values[key] = value
    return replace(Config(), **values)  # type: ignore[arg-type]

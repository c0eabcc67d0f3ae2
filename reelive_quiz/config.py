"""User settings from `config.toml` in the data folder; flags override them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from reelive_quiz.errors import ReeliveError

__all__ = ["Config", "load_config"]


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


def load_config(path: Path) -> Config:
    """Read `[quiz]` from the TOML file, if any; every mistake names file and key."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ReeliveError(f"{path}: cannot read: {exc.strerror}") from None
    import tomllib  # only when there is a file: most people never write one

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReeliveError(f"{path}: not valid TOML: {exc}") from None
    section = data.get("quiz", {})
    if not isinstance(section, dict):
        raise ReeliveError(f"{path}: quiz: expected a table [quiz]")
    known = {f.name: f for f in fields(Config)}
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
        low, high = _LIMITS.get(key, (None, None))
        if low is not None and not low <= value <= high:  # type: ignore[operator]
            raise ReeliveError(f"{path}: quiz.{key}: expected a value from {low} to {high}, "
                               f"got {value!r}")
        values[key] = value
    return replace(Config(), **values)  # type: ignore[arg-type]

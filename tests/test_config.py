"""config.toml: every key is read; every mistake is one line naming the file and the key,
and the command exits 2 without a traceback."""

from __future__ import annotations

import os
import sys
from dataclasses import fields
from pathlib import Path

import pexpect
import pytest

from reelive_quiz.config import Config, load_config
from reelive_quiz.errors import ReeliveError

#: A value for every key, each unlike its default.
CHANGED = {"new_per_day": 7, "reviews_per_day": 55, "desired_retention": 0.85,
           "typed_after_days": 3.5, "leech_lapses": 4, "fuzz": False}


def _write(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.toml") == Config()


def test_every_key_is_read(tmp_path: Path) -> None:
    assert set(CHANGED) == {f.name for f in fields(Config)}  # a new key needs a case here
    assert all(getattr(Config(), k) != v for k, v in CHANGED.items())
    lines = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}"
                      for k, v in CHANGED.items())
    path = _write(tmp_path, f"# mine\n[quiz]\n{lines}\n")
    assert load_config(path) == Config(**CHANGED)
    for key, value in CHANGED.items():  # and each alone, the others left at their default
        text = str(value).lower() if isinstance(value, bool) else str(value)
        alone = load_config(_write(tmp_path, f"[quiz]\n{key} = {text}\n"))
        assert alone == Config(**{key: value})


def test_an_integer_is_fine_where_a_fraction_is_expected(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "[quiz]\ntyped_after_days = 10\n")).typed_after_days == 10


BAD = [
    ("[quiz]\nnew_per_day = 'ten'\n", "quiz.new_per_day: expected int"),
    ("[quiz]\nnew_per_day = 2.5\n", "quiz.new_per_day: expected int"),
    ("[quiz]\nnew_per_day = true\n", "quiz.new_per_day: expected int"),
    ("[quiz]\nnew_per_day = -1\n", "quiz.new_per_day: expected a value from 0 to 10000"),
    ("[quiz]\nreviews_per_day = 1000000\n", "quiz.reviews_per_day: expected a value from"),
    ("[quiz]\ndesired_retention = 0.5\n", "quiz.desired_retention: expected a value from 0.7"),
    ("[quiz]\ndesired_retention = 1\n", "quiz.desired_retention: expected a value from 0.7"),
    ("[quiz]\ndesired_retention = '90%'\n", "quiz.desired_retention: expected float"),
    ("[quiz]\ntyped_after_days = -2\n", "quiz.typed_after_days: expected a value from 0.0"),
    ("[quiz]\nleech_lapses = 0\n", "quiz.leech_lapses: expected a value from 1 to 1000"),
    ("[quiz]\nfuzz = 1\n", "quiz.fuzz: expected bool"),
    ("[quiz]\nfuzzy = true\n", "quiz.fuzzy: unknown setting"),
    ("quiz = 3\n", "quiz: expected a table [quiz]"),
    ("[quiz\nnew_per_day = 3\n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[e.split(":")[0] + f"-{i}"
                                                          for i, (_, e) in enumerate(BAD)])
def test_a_bad_value_is_one_line_naming_file_and_key(tmp_path: Path, text: str,
                                                     expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ReeliveError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[quiz]\nnew_per_day = 5 # caf\xe9\n")
    with pytest.raises(ReeliveError, match="not valid TOML"):
        load_config(path)


def test_play_refuses_a_bad_config_in_one_line_with_status_2(tmp_path: Path) -> None:
    """The command that reads the file (play, at a real terminal) stops before any question."""
    home = tmp_path / "home"
    path = _write(home, "[quiz]\nleech_lapses = 'often'\n")
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "play"], timeout=60,
                          env={**os.environ, "REELIVE_QUIZ_HOME": str(home), "TERM": "xterm",
                               "REELIVE_QUIZ_NOW": "2026-03-02T10:00:00"},
                          encoding="utf-8")
    shown = child.read().replace("\r\n", "\n")
    child.close()
    assert child.exitstatus == 2, shown
    assert shown == f"reelive-quiz: {path}: quiz.leech_lapses: expected int, got 'often'\n"

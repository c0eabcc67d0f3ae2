"""The command line as a whole: every command has help and a README entry; --json output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
from helpers import run_cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _help(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "reelive_quiz", *args, "--help"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_every_command_has_help_and_a_readme_entry() -> None:
    commands = re.findall(r"^  (\w+)\s{2,}\S", _help().split("Commands:")[1], re.MULTILINE)
    assert {"import", "decks", "questions", "play", "status", "stats", "export", "backup",
            "restore"} <= set(commands)
    for command in commands:
        text = _help(command)
        assert text.startswith("Usage: reelive-quiz " + command), text
        assert f"`reelive-quiz {command}" in README, f"{command} is not in the README"


def test_json_is_indented_at_a_terminal_and_one_line_in_a_pipe(tmp_path: Path) -> None:
    env = {"REELIVE_QUIZ_NOW": "2026-06-15T09:00:00+00:00"}
    piped = run_cli("status", "--json", home=tmp_path, env=env)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.count("\n") == 1  # one line for jq, grep and friends
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "status", "--json"],
                          env={**os.environ, **env, "REELIVE_QUIZ_HOME": str(tmp_path)},
                          timeout=60, encoding="utf-8")
    shown = child.read().replace("\r\n", "\n")
    child.close()
    assert child.exitstatus == 0, shown
    assert "\n  " in shown  # indented for a person
    assert json.loads(shown) == json.loads(piped.stdout)


def test_version_prints_the_version_and_exits_0(tmp_path: Path) -> None:
    from reelive_quiz import __version__

    run = run_cli("--version", home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"reelive-quiz {__version__}\n"


def test_shell_completion_is_offered_and_documented(tmp_path: Path) -> None:
    text = _help()
    assert "--install-completion" in text and "--show-completion" in text
    assert "--install-completion" in README
    run = run_cli("--show-completion", "bash", home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "reelive-quiz" in run.stdout.lower() or "complete" in run.stdout

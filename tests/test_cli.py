"""The command line as a whole: every command has help and a README entry; --json output.

The help is read in-process (typer's CliRunner): one test per registered command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from helpers import run_cli
from typer.main import get_command
from typer.testing import CliRunner

from reelive_quiz.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


COMMANDS = sorted(get_command(app).commands)  # every command the app registers


def test_the_documented_commands_are_registered() -> None:
    assert {"import", "decks", "questions", "play", "status", "stats", "export", "backup",
            "restore"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help_and_a_readme_entry(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], prog_name="reelive-quiz")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: reelive-quiz " + command), result.output
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
    text = CliRunner().invoke(app, ["--help"], prog_name="reelive-quiz").output
    assert "--install-completion" in text and "--show-completion" in text
    assert "--install-completion" in README
    run = run_cli("--show-completion", "bash", home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "reelive-quiz" in run.stdout.lower() or "complete" in run.stdout


def test_status_loads_only_what_it_prints(tmp_path: Path) -> None:
    """`status` on an unchanged library imports no YAML, generator, scheduler, prompt or
    fuzzy-matching library, nor OpenSSL (start-up time is a target: BENCHMARKS.md)."""
    home = tmp_path / "home"
    assert run_cli("status", home=home).returncode == 0  # the bundled deck synced once
    never = {"yaml", "fsrs", "genanki", "prompt_toolkit", "questionary", "rich", "rapidfuzz",
             "_hashlib", "reelive_quiz.deck", "reelive_quiz.generate", "reelive_quiz.question",
             "reelive_quiz.which_film"}
    for args in (["status", "--json"], ["status"]):
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "reelive_quiz", *args],
                                env={**os.environ, "REELIVE_QUIZ_HOME": str(home)},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        loaded = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
                  if line.startswith("import time:")}
        assert "reelive_quiz.store" in loaded  # the list is read at all
        assert not loaded & never, args


def test_a_command_leaves_its_objects_to_exit_not_to_a_last_collection(tmp_path: Path) -> None:
    """`main` freezes what the command built before exiting (the final full collection
    walked all of it for nothing); the exit status and output are the command's own."""
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: sys.stderr.write(f'frozen={gc.get_freeze_count() > 0}'))\n"
            "sys.argv = ['reelive-quiz', 'status', '--json']\n"
            "from reelive_quiz.cli import main\nmain()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "home")},
                            timeout=120)
    assert result.returncode == 0
    assert json.loads(result.stdout)["decks"][0]["slug"] == "in-the-mood-for-love"
    assert result.stderr.endswith("frozen=True")

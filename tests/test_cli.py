"""Every command has help and is documented in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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

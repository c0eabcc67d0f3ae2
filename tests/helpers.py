"""Running the real command line from tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, home: Path, cwd: Path | None = None,
            env: dict[str, str] | None = None, timeout: float = 120,
            **kw: object) -> subprocess.CompletedProcess:
    """`reelive-quiz ARGS` in a fresh process, with its data folder at `home`."""
    full = {**os.environ, "REELIVE_QUIZ_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "reelive_quiz", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, **kw)

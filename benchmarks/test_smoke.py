"""The benchmark script still runs: `benchmarks/run.py --quick` completes and prints figures.

A smoke test only: the quick sizes are far too small to judge speed, so no
timing is asserted here; `python benchmarks/run.py` is the real measurement.
It lives beside the benchmarks (CI runs it through pytest's testpaths) so that
nothing under tests/ depends on benchmarks/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_completes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--no-write",
         "--workdir", str(tmp_path / "work")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "home")},  # never the real one
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for figure in ("--help", "status --json", "play: first question",
                   "key press → next question", "saving one answer", "import of", "export of",
                   "export --with-progress of", "optimize (fit",
                   "→ first status", "unseen deck files", "status after touching one deck",
                   "Peak memory of every command"):
        assert figure in out, figure
    assert "| figure | median" in out  # the results table
    assert "### Scaling" in out
    assert not (ROOT / "BENCHMARKS.md").exists() or "quick smoke run" not in (
        ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")


def test_quick_library_only_benchmark_completes(tmp_path: Path) -> None:
    """`--only-library` measures the large library alone: its report has no store table."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only-library",
         "--no-write", "--workdir", str(tmp_path / "work")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "home")},  # never the real one
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for figure in ("→ first status", "unseen deck files", "Peak memory of every command",
                   "--only-library"):
        assert figure in out, figure
    assert "### Scaling" not in out

"""Running the real command line from tests."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, home: Path, cwd: Path | None = None,
            env: dict[str, str] | None = None, timeout: float = 120,
            **kw: object) -> subprocess.CompletedProcess:
    """`reelive-quiz ARGS` in a fresh process, with its data folder at `home`."""
    full = {**os.environ, "REELIVE_QUIZ_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "reelive_quiz", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, **kw)


def old_store(path: Path) -> Path:
    """A progress file at schema version 1 holding one answer, as an old release left it."""
    from reelive_quiz.schema import MIGRATIONS

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0][1])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO reviews (question, ts, day, rating, mode, first) "
                 "VALUES ('q', 1, 1, 3, 'choice', 1)")
    conn.commit()
    conn.close()
    return path


#: Runs argv[1:] and prints the child's peak RSS. `wait4` on a child of pytest itself would
#: report pytest's own high-water mark (inherited through fork + exec: 370 MB late in a run).
_PEAK = ("import resource, subprocess, sys; "
         "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
         "sys.stderr.buffer.write(p.stderr); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")


def peak_rss(args: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """(exit status, peak RSS in MB, stderr) of `args`, started from a small parent."""
    proc = subprocess.run([sys.executable, "-c", _PEAK, *args], env=env, capture_output=True,
                          text=True, timeout=600)
    return proc.returncode, int(proc.stdout.split()[-1]) / 1024, proc.stderr


def on_disk(store: object, query: str, args: tuple = ()) -> list[tuple]:
    """Read a store's file as it is on disk, beside the store's own connection."""
    conn = sqlite3.connect(store.path)  # type: ignore[attr-defined]
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


def deck_counts(db: Path) -> tuple[list[tuple], list[tuple]]:
    """`deck_counts` as the triggers and batches kept it, and as a full scan of the
    questions finds it: status's per-deck counts must equal the rows."""
    conn = sqlite3.connect(db)
    try:
        kept = conn.execute("SELECT slug, suspended, state, n FROM deck_counts WHERE n != 0"
                            " ORDER BY 1, 2, 3").fetchall()
        scan = conn.execute("SELECT slug, suspended, COALESCE(state, 0), COUNT(*) FROM questions"
                            " WHERE present = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()
    return kept, scan


def count_folds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text `text.fold_text` folds from now on, in order (the memos call it)."""
    from reelive_quiz import text

    folded: list[str] = []
    real = text.fold_text

    def counting(value: str) -> str:
        folded.append(value)
        return real(value)

    monkeypatch.setattr(text, "fold_text", counting)
    return folded

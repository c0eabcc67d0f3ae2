"""Whole copies of the progress file (issue 12): a bar of what is copied on a terminal only.

Backup, restore and the copy kept before a migration all go through
`copy_pages` (a damaged file, which SQLite cannot read, through `copy_file`);
the bar threshold is lowered through its environment variable (the real one is
256 MB), so a small real store shows the bar on a real pty.
The stepped copy must stay one snapshot: a write elsewhere between two steps
neither lands in the copy nor makes SQLite start the copy over.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from helpers import old_store, run_cli

import reelive_quiz.progress
from reelive_quiz.clock import NOW_ENV
from reelive_quiz.schema import MIGRATIONS, statements
from reelive_quiz.store_copy import BYTES_FOR_A_BAR_ENV, copy_pages

NOW = "2026-03-02T10:00:00+00:00"
ALWAYS = {BYTES_FOR_A_BAR_ENV: "0", NOW_ENV: NOW}


def _pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()


def _on_a_pty(args: list[str], home: Path, extra: dict[str, str]) -> tuple[int, str]:
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(home), "TERM": "xterm", "COLUMNS": "120",
           **extra}
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", *args], env=env,
                          encoding="utf-8", timeout=120, dimensions=(40, 120))
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before or ""


def _store(home: Path) -> Path:
    result = run_cli("status", home=home, env={NOW_ENV: NOW})  # the bundled catalogue
    assert result.returncode == 0, result.stderr
    return home / "progress.sqlite3"


def test_backup_shows_pages_copied_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    progress = _store(tmp_path / "home")
    status, screen = _on_a_pty(["backup", str(tmp_path / "a.sqlite3")], progress.parent, ALWAYS)
    assert status == 0, screen[-2000:]
    assert "Backing up your progress" in screen
    assert f"{_pages(progress)}/{_pages(progress)}" in screen  # pages copied / total
    assert "Progress saved to" in screen

    # the real threshold: a small store copies in a blink, without a bar
    status, screen = _on_a_pty(["backup", str(tmp_path / "b.sqlite3")], progress.parent,
                               {NOW_ENV: NOW})
    assert status == 0, screen[-2000:]
    assert "Backing up" not in screen and "\x1b" not in screen

    result = run_cli("backup", str(tmp_path / "c.sqlite3"), home=progress.parent, env=ALWAYS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"Progress saved to {tmp_path / 'c.sqlite3'}\n"


def test_restore_shows_its_copies_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    progress = _store(tmp_path / "home")
    copy = tmp_path / "copy.sqlite3"
    assert run_cli("backup", str(copy), home=progress.parent, env=ALWAYS).returncode == 0
    status, screen = _on_a_pty(["restore", str(copy)], progress.parent, ALWAYS)
    assert status == 0, screen[-2000:]
    # the backup read, the current progress kept aside (inside the restore's own copy,
    # as a second line of the same bar), the copy put in place
    for step in ("Reading the backup", "Keeping your progress aside", "Restoring your progress"):
        assert step in screen, step
    assert f"{_pages(copy)}/{_pages(copy)}" in screen
    assert "Progress restored from" in screen

    result = run_cli("restore", str(copy), home=progress.parent, env=ALWAYS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith(f"Progress restored from {copy}. Your previous progress")


def test_a_migration_shows_its_copy_and_its_steps_on_a_terminal(tmp_path: Path) -> None:
    pending = sum(len(list(statements(script))) for _, script in MIGRATIONS[1:])
    tty = old_store(tmp_path / "tty" / "progress.sqlite3")
    status, screen = _on_a_pty(["status", "--json"], tty.parent, ALWAYS)
    assert status == 0, screen[-2000:]
    assert "Keeping a copy before updating your progress" in screen
    assert "Updating your progress file (steps)" in screen
    assert f"{pending}/{pending}" in screen  # statements run / to run
    assert [p for p in tty.parent.iterdir() if ".before-v" in p.name]

    pipe = old_store(tmp_path / "pipe" / "progress.sqlite3")
    result = run_cli("status", "--json", home=pipe.parent, env=ALWAYS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    json.loads(result.stdout)  # stdout is only the result


def test_a_damaged_file_is_copied_aside_with_a_bar_on_a_terminal(tmp_path: Path) -> None:
    broken = b"\x00" * 100 + _store(tmp_path / "tty").read_bytes()[100:]
    megabytes = -(-len(broken) // 2**20)
    for home in (tmp_path / "tty", tmp_path / "pipe"):
        (home / "progress.sqlite3").parent.mkdir(exist_ok=True)
        (home / "progress.sqlite3").write_bytes(broken)
    status, screen = _on_a_pty(["status"], tmp_path / "tty", ALWAYS)
    assert status == 2, screen[-2000:]
    assert "Keeping a copy of the damaged file (MB)" in screen
    assert f"{megabytes}/{megabytes}" in screen
    assert "the progress file is damaged" in screen

    result = run_cli("status", home=tmp_path / "pipe", env=ALWAYS)
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1  # the error alone
    assert "damaged" in result.stderr and "\x1b" not in result.stderr
    kept = list((tmp_path / "pipe").glob("progress.sqlite3.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == broken


@contextlib.contextmanager
def _recorded(calls: list[tuple[int, int]], also: object = None) -> Iterator[object]:
    def report(done: int, total: int) -> None:
        calls.append((done, total))
        if callable(also):
            also()

    yield report


def test_a_stepped_copy_is_one_snapshot_and_never_starts_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source_path = tmp_path / "source.sqlite3"
    source = sqlite3.connect(source_path, isolation_level=None)
    source.execute("PRAGMA journal_mode = WAL")
    source.execute("CREATE TABLE t (x TEXT)")
    source.executemany("INSERT INTO t VALUES (?)", [("x" * 3000,) for _ in range(3000)])
    total = _pages(source_path)
    monkeypatch.setattr("reelive_quiz.store_copy.PAGES_PER_STEP", 100)

    calls: list[tuple[int, int]] = []

    def write_elsewhere() -> None:  # another process answers between two steps
        if len(calls) == 2:
            other = sqlite3.connect(source_path, isolation_level=None)
            other.execute("INSERT INTO t VALUES ('written during the copy')")
            other.close()

    monkeypatch.setattr(reelive_quiz.progress, "bar",
                        lambda description, threshold: _recorded(calls, write_elsewhere))
    dest = sqlite3.connect(tmp_path / "dest.sqlite3", isolation_level=None)
    copy_pages(source, dest, "Copying")
    # one step per 100 pages, in order, to the end: SQLite never started over
    steps = -(-total // 100)
    assert calls == [(0, total), *((min(total, 100 * i), total) for i in range(1, steps + 1))]
    assert dest.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 3000  # the snapshot
    assert source.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 3001
    assert not source.in_transaction  # its read is over
    dest.close()
    source.close()

"""`export FILE.yaml…` of files the catalogue does not hold: generated, not stored.

The questions must be the catalogue's, in its order, whether they are made in
this process or in the second one, and whatever happens to that process.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pexpect
import pytest
from helpers import run_cli

from reelive_quiz import parallel
from reelive_quiz.anki import export
from reelive_quiz.catalogue import films, sync_decks, unsynced
from reelive_quiz.cli import DECKS_FOR_A_BAR
from reelive_quiz.file_questions import FileQuestions
from reelive_quiz.library import list_decks, resolve
from reelive_quiz.question import Question
from reelive_quiz.store import Store


def _decks(tmp_path: Path, films: int, seed: int = 5) -> list[Path]:
    """Deck files outside any library: pages written by the corpus, imported elsewhere."""
    from corpus import write_corpus

    pages = write_corpus(tmp_path / f"pages-{seed}", films, seed=seed)
    out = tmp_path / f"files-{seed}"
    result = run_cli("import", *map(str, pages), "--out-dir", str(out), home=tmp_path / "none")
    assert result.returncode == 0, result.stderr
    return sorted(out.glob("*.yaml"))


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose library holds the bundled deck and three films of its own."""
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    for path in _decks(tmp_path, 3, seed=9):
        (home / "decks" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(home))
    return home


def _as_stored(home: Path, files: list[Path], kinds: list[str] | None) -> list[Question]:
    with Store.open(home / "progress.sqlite3") as store:
        slugs = sync_decks(store, resolve(list(map(str, files))), complete=False)
        return list(store.iter_catalogue(slugs, kinds))


def _generated(home: Path, files: list[Path], kinds: list[str] | None,
               kill: bool = False) -> tuple[list[Question], bool]:
    with Store.open(home / "progress.sqlite3") as store:
        sync_decks(store, list_decks(), complete=False)
        todo = unsynced(store, resolve(list(map(str, files))))
        assert len(todo) == len(files)
        questions = FileQuestions(todo, films(store), kinds)
        in_two = questions.rows.pool is not None
        if kill:  # the second process dies before it is read: this one makes them all
            for process in list(questions.rows.pool._processes.values()):  # type: ignore[union-attr]
                os.kill(process.pid, signal.SIGKILL)
        return list(questions), in_two


@pytest.mark.parametrize(("count", "kinds"), [
    (parallel.PARALLEL_ITEMS + 2, None),
    (parallel.PARALLEL_ITEMS + 2, ["which-film", "trivia", "who-said"]),
    (2, None),
])
def test_files_give_the_catalogue_questions_in_its_order(
        tmp_path: Path, library: Path, count: int, kinds: list[str] | None) -> None:
    files = _decks(tmp_path, count)
    made, in_two = _generated(library, files, kinds)
    assert in_two == (count >= parallel.PARALLEL_ITEMS)
    stored = _as_stored(library, files, kinds)
    assert len(stored) > 100 * count
    assert {q.kind for q in stored} >= ({"which-film", "trivia"} if kinds else set(kinds or []))
    assert made == stored  # every field, and the order (slug, position) too


def test_a_second_process_that_dies_changes_nothing(tmp_path: Path, library: Path) -> None:
    files = _decks(tmp_path, parallel.PARALLEL_ITEMS + 1)
    made, in_two = _generated(library, files, None, kill=True)
    assert in_two
    assert made == _as_stored(library, files, None)


def _package(apkg: Path, scratch: Path) -> tuple:
    with zipfile.ZipFile(apkg) as archive:
        scratch.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(scratch)
    try:
        notes = conn.execute("SELECT n.guid, n.mid, n.tags, n.flds, c.did, c.ord, c.due"
                             " FROM notes n JOIN cards c ON c.nid = n.id ORDER BY c.due").fetchall()
        decks, models = conn.execute("SELECT decks, models FROM col").fetchone()
    finally:
        conn.close()
    return notes, sorted(json.loads(decks)), sorted(json.loads(models))


def test_export_of_unseen_files_stores_nothing_and_writes_the_catalogue_package(
        tmp_path: Path, library: Path) -> None:
    files = _decks(tmp_path, parallel.PARALLEL_ITEMS)
    assert run_cli("status", home=library).returncode == 0  # the library, synced

    def catalogue() -> tuple[list[tuple], list[tuple]]:
        conn = sqlite3.connect(library / "progress.sqlite3")
        try:
            return (conn.execute("SELECT * FROM questions ORDER BY id").fetchall(),
                    conn.execute("SELECT * FROM decks ORDER BY slug").fetchall())
        finally:
            conn.close()

    before = catalogue()
    result = run_cli("export", *map(str, files), "-o", str(tmp_path / "files.apkg"),
                     home=library)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert catalogue() == before  # nothing stored
    assert len(before[1]) == 4  # the library's decks only
    # the same files synced, then exported from the catalogue: the same package
    with Store.open(library / "progress.sqlite3") as store:
        slugs = sync_decks(store, resolve(list(map(str, files))), complete=False)
        titles: dict[str, set[str]] = {}
        for f in store.deck_files():
            if f.slug in slugs:
                titles.setdefault(f.title, set()).add(f.slug)
        export(store.iter_catalogue(slugs), tmp_path / "stored.apkg", titles=titles)
    ours = _package(tmp_path / "files.apkg", tmp_path / "a.anki2")
    assert len(ours[0]) > 500
    assert ours == _package(tmp_path / "stored.apkg", tmp_path / "b.anki2")
    # once synced, the same command reads the catalogue (and writes the same notes)
    again = run_cli("export", *map(str, files), "-o", str(tmp_path / "again.apkg"),
                    home=library)
    assert again.returncode == 0, again.stderr
    assert _package(tmp_path / "again.apkg", tmp_path / "c.anki2") == ours


def test_ctrl_c_during_an_export_of_files(tmp_path: Path) -> None:
    """Interrupted while the second process generates: no traceback, no file, no process."""
    files = _decks(tmp_path, DECKS_FOR_A_BAR + 10)
    out = tmp_path / "out.apkg"
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "home"), "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "export", *map(str, files),
                                           "-o", str(out)], env=env, timeout=120)
    child.expect("Exporting deck files")  # the bar: the export is under way
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before  # typer's exit for Ctrl-C
    assert b"Traceback" not in (child.before or b"")
    assert not out.exists() and list(tmp_path.glob("*.tmp*")) == []
    # the second process (a fork: the same command line) is gone with the first
    left = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True)
    assert left.stdout == ""

"""What an import starts on the second core (`catalogue_ahead`) is used only if it is right.

The catalogue written must be, row for row, what a sync from the files writes:
when the plan held (its which-film rows are used, none made again), when a deck
changed between the plan and the sync, and when the second process died.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from helpers import run_cli

from reelive_quiz import catalogue_ahead, parallel
from reelive_quiz.catalogue import _which_film_rows
from reelive_quiz.catalogue_ahead import generate_ahead
from reelive_quiz.importer import catalogue_imported, read_pages, write_decks
from reelive_quiz.library import bundled_dir, list_decks, progress_path, user_decks_dir
from reelive_quiz.store import Store


def _pages(folder: Path, films: int) -> list[Path]:
    from corpus import write_corpus

    return write_corpus(folder, films, seed=5)


def _tables(db: Path) -> dict[str, list[tuple]]:
    """The catalogue as shown (a deck's questions its edit removed stay, hidden)."""
    conn = sqlite3.connect(db)
    try:
        return {"questions": conn.execute("SELECT * FROM questions WHERE present = 1"
                                          " ORDER BY id").fetchall(),
                "decks": conn.execute("SELECT slug, title, items, film, library FROM decks"
                                      " ORDER BY slug").fetchall()}
    finally:
        conn.close()


def _import(pages: list[Path], between=None) -> None:  # type: ignore[no-untyped-def]
    """What `import` does, with `between(early)` run after the plan, before the sync."""
    target = user_decks_dir()
    parsed = read_pages(pages, target)
    loaded = {path: deck for path, (_, deck) in parsed.items()}
    with Store.open(progress_path()) as store:
        early = generate_ahead(store, loaded)
        try:
            list(write_decks(parsed, target))
            del parsed
            if between:
                between(early)
            catalogue_imported(loaded, store, list_decks(), early=early)
        finally:
            early.close()


def _from_files(home: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    """The same deck files catalogued by a plain `status` in another home."""
    other = tmp_path / "other"
    (other / "decks").mkdir(parents=True)
    for deck in (home / "decks").glob("*.yaml"):
        (other / "decks" / deck.name).write_bytes(deck.read_bytes())
    assert run_cli("status", home=other).returncode == 0
    return _tables(other / "progress.sqlite3")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(home))
    return home


@pytest.fixture
def made_again(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the which-film rebuilds that do not use the second process's rows."""
    calls: list[int] = []
    real = parallel.ahead

    def ahead(work, items, **kw):  # type: ignore[no-untyped-def]
        if work is _which_film_rows:
            calls.append(len(items))
        return real(work, items, **kw)

    monkeypatch.setattr(parallel, "ahead", ahead)
    return calls


def test_the_plan_holds_and_its_rows_are_the_catalogue(
        home: Path, tmp_path: Path, made_again: list[int]) -> None:
    pages = _pages(tmp_path / "pages", parallel.PARALLEL_ITEMS + 4)
    _import(pages)
    assert made_again == []  # which-film came from the second process, made before the sync
    imported = _tables(home / "progress.sqlite3")
    assert len(imported["decks"]) == len(pages) + len(list(bundled_dir().glob("*.yaml")))
    assert sum(q[3] == "which-film" for q in imported["questions"]) > 100
    assert imported == _from_files(home, tmp_path)


def test_a_deck_edited_after_the_plan_is_read_again(
        home: Path, tmp_path: Path, made_again: list[int]) -> None:
    """A library deck changed after the second process read it for the plan: its rows
    and the library's which-film rows, made for the old text, are not used."""
    pages = _pages(tmp_path / "pages", parallel.PARALLEL_ITEMS + 4)
    _import(pages[:3])
    edited = sorted((home / "decks").glob("*.yaml"))[0]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text, encoding="utf-8")  # re-read by the next sync: it is planned
    os.utime(edited, ns=(1, 1))

    def edit(early: catalogue_ahead.Early) -> None:  # once it was read for the plan
        deadline = time.monotonic() + 60
        while len(early.decks) not in early.made._arrived and time.monotonic() < deadline:
            time.sleep(0.001)  # (the first which-film rows are made after every deck's)
        start = text.index("- scene:")
        edited.write_text(text[:start] + text[text.index("- scene:", start + 1):],
                          encoding="utf-8")

    made_again.clear()
    _import(pages[3:], between=edit)
    assert made_again  # the which-film rows were made again, for the library as it is
    assert _tables(home / "progress.sqlite3") == _from_files(home, tmp_path)


@pytest.mark.parametrize("when", ["at once", "after one film"])
def test_a_second_process_killed_loses_nothing(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Killed before it made anything (all is made here, which-film the usual way), or
    once it sent the first film's which-film rows (used; the rest are made here from the
    films stored): the catalogue is the same."""
    monkeypatch.setattr(catalogue_ahead, "_WHICH_FILM_CHUNK", 1)  # a film a chunk
    real = catalogue_ahead.generate_ahead
    killed: list[int] = []

    def generate_ahead(store, decks):  # type: ignore[no-untyped-def]
        early = real(store, decks)
        worker = early.made.worker
        assert worker is not None
        if when == "after one film":
            deadline = time.monotonic() + 60
            while len(early.decks) not in early.made._arrived and time.monotonic() < deadline:
                time.sleep(0.001)
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join()
        killed.append(len(early.made._arrived))
        return early

    monkeypatch.setattr(catalogue_ahead, "generate_ahead", generate_ahead)
    globals()["generate_ahead"] = generate_ahead
    try:
        _import(_pages(tmp_path / "pages", parallel.PARALLEL_ITEMS + 20))
    finally:
        globals()["generate_ahead"] = real
    assert killed and (killed[0] > 0 or when == "at once")  # (then it had sent next to nothing)
    assert _tables(home / "progress.sqlite3") == _from_files(home, tmp_path)

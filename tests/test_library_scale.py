"""A large library (issue 12): the catalogue built at import, streamed exports, progress bars.

The catalogue `import` writes from the decks in memory must be exactly what a
later sync would write by reading the files; a streamed export must hold what
genanki's own writer would; bars appear on a terminal and never in a pipe.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import genanki
import pexpect
import pytest
from helpers import deck_counts, run_cli

from reelive_quiz.anki import deck_id, deck_name, export, notes
from reelive_quiz.catalogue import sync_decks
from reelive_quiz.cli import DECKS_FOR_A_BAR, PAGES_FOR_A_BAR
from reelive_quiz.library import list_decks
from reelive_quiz.parallel import PARALLEL_ITEMS
from reelive_quiz.store import Store

ROOT = Path(__file__).resolve().parent.parent
REAL_PAGE = ROOT / "tests" / "data" / "in-the-mood-for-love.txt"


def _corpus_pages(folder: Path, films: int) -> list[Path]:
    from corpus import LARGE_SCENES, write_corpus

    return write_corpus(folder, films, seed=3, scene_range=LARGE_SCENES)


def _tables(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {
            "questions": conn.execute("SELECT * FROM questions ORDER BY id").fetchall(),
            "decks": conn.execute("SELECT slug, title, scenes, quotes, tracks, moments, trivia"
                                  " FROM decks ORDER BY slug").fetchall(),
            "counts": conn.execute("SELECT * FROM deck_counts WHERE n != 0"
                                   " ORDER BY slug, suspended, state").fetchall(),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("films", [4, PARALLEL_ITEMS + 2])
def test_catalogue_built_at_import_is_what_a_later_sync_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, films: int) -> None:
    """With a few pages, and with enough for a second process to make their rows while
    the YAML is written (`catalogue.generate_ahead`); the bundled decks, never synced in
    this home, are catalogued by the same import."""
    pages = [REAL_PAGE, *_corpus_pages(tmp_path / "pages", films)]
    home = tmp_path / "home"
    result = run_cli("import", *map(str, pages), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(" -> ") == len(pages)
    # nothing is left for the next command to re-read
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(home))
    calls: list[tuple[int, int]] = []
    with Store.open(home / "progress.sqlite3") as store:
        sync_decks(store, list_decks(), complete=True, progress=lambda d, t: calls.append((d, t)))
    assert calls == []
    # the same deck files in a second home, catalogued the old way: read by `status`
    other = tmp_path / "other"
    shutil.copytree(home / "decks", other / "decks")
    result = run_cli("status", home=other)
    assert result.returncode == 0, result.stderr
    imported, synced = _tables(home / "progress.sqlite3"), _tables(other / "progress.sqlite3")
    assert len(imported["questions"]) > 1000
    assert imported == synced


def test_an_import_among_many_changed_decks_catalogues_them_all(tmp_path: Path) -> None:
    """The rows an import starts early cover its own decks only; when many other deck
    files changed too, the sync makes them all afresh (one second process at a time),
    and the catalogue is still what a sync from the files writes."""
    pages = _corpus_pages(tmp_path / "pages", PARALLEL_ITEMS + 3)
    home = tmp_path / "home"
    assert run_cli("import", *map(str, pages[:-1]), home=home).returncode == 0
    for deck in (home / "decks").glob("*.yaml"):  # every one edited since
        with deck.open("a", encoding="utf-8") as out:
            out.write("# seen again\n")
    result = run_cli("import", str(pages[-1]), home=home)
    assert result.returncode == 0, result.stderr
    other = tmp_path / "other"
    shutil.copytree(home / "decks", other / "decks")
    assert run_cli("status", home=other).returncode == 0
    imported, synced = _tables(home / "progress.sqlite3"), _tables(other / "progress.sqlite3")
    assert len(imported["decks"]) == len(pages) + len(list_decks(include_user=False))
    assert imported == synced


def test_import_elsewhere_leaves_the_catalogue_alone(tmp_path: Path) -> None:
    result = run_cli("import", str(REAL_PAGE), "--out-dir", str(tmp_path / "out"),
                     home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "home" / "progress.sqlite3").exists()


def test_streamed_export_holds_what_genanki_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Film after film from the store's cursor, the notes, cards and decks are genanki's."""
    pages = _corpus_pages(tmp_path / "pages", 3)
    assert run_cli("import", *map(str, pages), home=tmp_path / "home").returncode == 0
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(tmp_path / "home"))
    with Store.open(tmp_path / "home" / "progress.sqlite3") as store:
        slugs = sync_decks(store, list_decks(), complete=True)
        questions = store.catalogue(slugs)
        ours = export(store.iter_catalogue(slugs), tmp_path / "ours.apkg",
                      total=store.count_catalogue(slugs))
    decks: dict[str, genanki.Deck] = {}
    for q, row in zip(questions, notes(questions), strict=True):
        name = deck_name(q.deck, q.kind)
        deck = decks.setdefault(name, genanki.Deck(deck_id(name), name))
        deck.add_note(genanki.Note(model=row.model, fields=row.fields, guid=row.guid,
                                   tags=list(row.tags), due=row.due))
    genanki.Package(list(decks.values())).write_to_file(str(tmp_path / "genanki.apkg"))
    assert ours.notes == len(questions) > 500

    def content(apkg: Path) -> tuple:
        with zipfile.ZipFile(apkg) as archive:
            (tmp_path / "col.anki2").write_bytes(archive.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "col.anki2")
        try:
            notes = sorted(conn.execute("SELECT n.guid, n.mid, n.tags, n.flds, n.sfld, c.did,"
                                        " c.ord, c.type, c.queue, c.due"
                                        " FROM notes n JOIN cards c ON c.nid = n.id"))
            decks, models = conn.execute("SELECT decks, models FROM col").fetchone()
        finally:
            conn.close()
        return notes, sorted(json.loads(decks)), sorted(json.loads(models))

    assert content(tmp_path / "ours.apkg") == content(tmp_path / "genanki.apkg")


def _tiny_pages(folder: Path, count: int) -> list[Path]:
    """Pages of one quote each: many decks, quickly imported."""
    folder.mkdir()
    paths = []
    for i in range(count):
        title = f"Tiny Film {i}"
        text = (f"Ann Lee\n\nEvery small film {i} deserves a quote of its own, they say.\n\n"
                f"Ann Lee\n\n{title}, Reelive\n")
        path = folder / f"tiny-{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("columns", [120, 40])
def test_progress_bar_on_a_terminal_and_none_in_a_pipe(tmp_path: Path, columns: int) -> None:
    """With counts at any width: at 40 columns rich cut them, not the description."""
    count = max(PAGES_FOR_A_BAR, DECKS_FOR_A_BAR)
    pages = _tiny_pages(tmp_path / "pages", count)
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "tty"), "TERM": "xterm",
           "COLUMNS": str(columns)}
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "import", *map(str, pages)],
                          env=env, encoding="utf-8", timeout=120, dimensions=(40, columns))
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before or ""
    assert child.exitstatus == 0, screen[-2000:]
    assert "Reading pages" in screen and "Writing decks" in screen
    assert "Building the" in screen
    assert f"{count}/{count}" in screen  # counts: pages read, then decks written
    assert f"/{count + len(list_decks(include_user=False))}" in screen  # + bundled decks

    result = run_cli("import", *map(str, pages), home=tmp_path / "pipe")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == count and all(" -> " in line for line in lines)
    assert "\x1b" not in result.stdout


def _counts(db: Path) -> tuple[list[tuple], list[tuple]]:
    """deck_counts as kept, and as a full scan of the questions finds them; the count
    trigger is back whatever happened to the batch that dropped it."""
    conn = sqlite3.connect(db)
    try:
        trigger = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                               " AND name = 'deck_counts_insert'").fetchone()[0]
    finally:
        conn.close()
    assert trigger == 1
    return deck_counts(db)


def test_batched_sync_keeps_counts_and_its_trigger_even_when_interrupted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch drops the per-row count trigger for its inserts: counts must still be
    right afterwards, for edited decks with studied and suspended cards, and a failure
    half-way must roll everything back, trigger included."""
    from reelive_quiz.catalogue import carry_over, interleave
    from reelive_quiz.deck import load_deck
    from reelive_quiz.generate import generate
    from reelive_quiz.store_catalogue import question_rows

    home = tmp_path / "home"
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(home))
    pages = _corpus_pages(tmp_path / "pages", 3)
    assert run_cli("import", *map(str, pages[:2]), home=home).returncode == 0
    db = home / "progress.sqlite3"
    with Store.open(db) as store:
        ids = [q.id for q in store.catalogue([f.slug for f in store.deck_files()])]
        store.set_suspended(ids[0], 1)
        with store.transaction() as conn:  # a studied card, as an answer leaves it
            conn.execute("UPDATE questions SET state = 2, due = 0 WHERE id = ?", (ids[1],))
    kept, scan = _counts(db)
    assert kept == scan
    # an edited deck (one scene fewer) and a new one, in one batch
    edited = sorted((home / "decks").glob("*.yaml"))[0]
    text = edited.read_text(encoding="utf-8")
    start = text.index("- scene:")
    edited.write_text(text[:start] + text[text.index("- scene:", start + 1):], encoding="utf-8")
    assert run_cli("import", str(pages[2]), home=home).returncode == 0
    kept, scan = _counts(db)
    assert kept == scan

    with Store.open(db) as store:
        before = _tables(db)
        deck = load_deck(sorted((home / "decks").glob("*.yaml"))[1])
        with pytest.raises(RuntimeError), store.catalogue_batch():
            store.sync_deck(deck.slug, deck.title, "elsewhere.yaml", "x",
                            question_rows(interleave(generate(deck))[:10]), deck.contents(),
                            carry_over)
            raise RuntimeError("interrupted")
    assert _tables(db) == before
    kept, scan = _counts(db)
    assert kept == scan


def test_streamed_export_keeps_two_decks_with_one_title_apart(tmp_path: Path) -> None:
    """The CLI streams the catalogue film by film; the titles shared by two deck files
    come from the store, so each still gets an Anki deck of its own."""
    home = tmp_path / "home"
    bundled = list_decks(include_user=False)[0].path
    (home / "decks").mkdir(parents=True)
    shutil.copy(bundled, home / "decks" / "my-copy.yaml")
    result = run_cli("export", "-o", str(tmp_path / "two.apkg"), home=home)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "two.apkg") as archive:
        (tmp_path / "col.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "col.anki2")
    names = [d["name"] for d in json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
             .values() if d["name"].startswith("Reelive::")]
    conn.close()
    assert any("(my-copy)" in n for n in names)
    assert len({n.split("::")[1] for n in names}) == 2


def test_a_sync_of_many_decks_copies_the_wal_back_once_at_its_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More decks than a batch: no commit in between copies the WAL back into the file
    (each did, every 16 MB); the last one does, so the next answer does not pay for it;
    and the usual threshold is back afterwards, even after a failure."""
    from reelive_quiz import catalogue

    monkeypatch.setattr(catalogue, "SYNC_BATCH", 2)
    home = tmp_path / "home"
    monkeypatch.setenv("REELIVE_QUIZ_HOME", str(home))
    pages = _corpus_pages(tmp_path / "pages", 5)
    assert run_cli("import", *map(str, pages), "--out-dir", str(home / "decks"),
                   home=tmp_path / "elsewhere").returncode == 0
    seen: list[int] = []
    real = Store.catalogue_batch

    def batch(self, *args):  # type: ignore[no-untyped-def]
        seen.append(self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        return real(self, *args)

    monkeypatch.setattr(Store, "catalogue_batch", batch)
    with Store.open(home / "progress.sqlite3") as store:
        other = sqlite3.connect(home / "progress.sqlite3")  # keeps the WAL when we close
        sync_decks(store, list_decks(), complete=True)
        assert seen and set(seen) == {0}  # none of the batches checkpointed
        alone = tmp_path / "alone.sqlite3"  # the file without its WAL: all is in it
        shutil.copyfile(home / "progress.sqlite3", alone)
        rows = sqlite3.connect(alone).execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        assert rows == store.conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] > 0
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] \
            == Store.WAL_AUTOCHECKPOINT
        with pytest.raises(RuntimeError), store.one_checkpoint():
            raise RuntimeError("interrupted")
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] \
            == Store.WAL_AUTOCHECKPOINT
        other.close()

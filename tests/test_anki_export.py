"""Anki export, proven with the real Anki backend (the `anki` package).

Every package is imported into a fresh collection: counts, decks, note types,
rendered cards, escaping, and re-import after a deck change (updates in place,
no duplicates, review history kept) are checked the way Anki sees them.
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import genanki
import pytest
from builders import IMG, XSS, film, hostile

from reelive_quiz import anki as rq_anki
from reelive_quiz.anki import (
    BASIC_FIELDS,
    CHOICE_FIELDS,
    CLOZE_FIELDS,
    deck_name,
    export,
    model_id,
    note_guid,
    notes,
    notetype_for,
)
from reelive_quiz.apkg import Stamps
from reelive_quiz.deck import Deck, Quote, write_deck
from reelive_quiz.errors import ExportError
from reelive_quiz.generate import generate
from reelive_quiz.question import KINDS, Question
from reelive_quiz.which_film import film_of, generate_all

pytest.importorskip("anki")

from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions

# -- Anki helpers -------------------------------------------------------------

@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "c.anki2"))
    try:
        yield collection
    finally:
        collection.close()


def import_apkg(col: Collection, path: Path):  # type: ignore[no-untyped-def]
    """Import like Anki's default: update notes and note types if newer."""
    options = ImportAnkiPackageOptions(update_notes=0, update_notetypes=0,
                                       with_scheduling=False)
    return col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=options)).log


_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def visible(rendered: str) -> str:
    """What a reader sees: no CSS, no tags, entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", _STYLE.sub("", rendered))).split())


def cards(col: Collection) -> list:  # type: ignore[type-arg]
    return [col.get_card(cid) for cid in col.find_cards("")]


def note_of(col: Collection, qid: str):  # type: ignore[no-untyped-def]
    guid = note_guid(qid)
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        if note.guid == guid:
            return note
    raise AssertionError(f"no note for {qid}")


def apkg_note_mods(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as d:
        db = Path(d) / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            return [m for (m,) in conn.execute("select mod from notes")]
        finally:
            conn.close()


# -- the package as Anki sees it ----------------------------------------------

def test_import_counts_decks_notetypes_tags_and_rendering(tmp_path: Path, col) -> None:
    other = Deck("Other Film", quotes=(Quote("Dee Fox", "Nothing here is the same as before."),))
    qs = generate_all([film()], library=[film_of(other)])
    assert {q.kind for q in qs} == set(KINDS)  # every kind is exercised
    summary = export(qs, tmp_path / "out.apkg")
    assert (summary.notes, summary.cards, summary.path) == (len(qs), len(qs), tmp_path / "out.apkg")
    assert summary.decks == len(KINDS)

    log = import_apkg(col, summary.path)
    assert len(log.new) == len(qs) and not log.conflicting and not log.missing_notetype
    assert col.note_count() == len(qs) and col.card_count() == len(qs)

    names = {d.name for d in col.decks.all_names_and_ids()}
    assert names == {"Default", "Reelive", "Reelive::Test Film", "Reelive::Which film"} | {
        f"Reelive::Test Film::{name}" for kind, name in KINDS.items() if kind != "which-film"}

    for key, name, fields in (("choice", "Reelive Multiple Choice", CHOICE_FIELDS),
                              ("basic", "Reelive Basic", BASIC_FIELDS),
                              ("cloze", "Reelive Cloze", CLOZE_FIELDS)):
        notetype = col.models.by_name(name)
        assert notetype is not None, name
        assert tuple(f["name"] for f in notetype["flds"]) == fields
        assert notetype["id"] == model_id(key, fields)
    assert {notetype_for(q) for q in qs} == {"choice", "basic", "cloze"}

    by_guid = {note_guid(q.id): q for q in qs}
    for card in cards(col):
        note = card.note()
        q = by_guid[note.guid]
        assert set(note.tags) == {"reelive", "test-film", q.kind}
        assert col.decks.name(card.did) == deck_name(q.deck, q.kind)
        front, back = card.question(), card.answer()
        assert visible(front) and visible(back)
        assert "blank" not in visible(front).lower()
        assert visible(q.answer) in visible(back)  # the back gives the answer ...
        assert q.source in visible(back) and q.deck in visible(back)  # ... and its origin
        if q.info:
            assert visible(q.info) in visible(back)
        if notetype_for(q) == "cloze":
            assert "[...]" in visible(front)
            assert q.options or q.answer not in visible(front)
        if q.options:
            for option in q.options:
                assert option in visible(front)
            assert _STYLE.sub("", front).count("rq-correct") == 1  # shown by the back's CSS
        assert ".nightMode" in front and ".night_mode" in front


def test_hostile_content_renders_as_text(tmp_path: Path, col) -> None:
    qs = generate(hostile())
    qs.append(Question("trivia-hostilecloze01", "Evil", "evil", "trivia",
                       "Evil trivia: _____ did it.", f"{IMG} :: }}}} {{{{c2::y}}}}", (),
                       "trivia[9]", "s", f"Why {XSS}", "typed"))
    summary = export(qs, tmp_path / "evil.apkg")
    import_apkg(col, summary.path)
    assert col.card_count() == col.note_count() == len(qs)  # no smuggled cloze made a card
    assert {notetype_for(q) for q in qs} == {"choice", "basic", "cloze"}
    for card in cards(col):
        for rendered in (card.question(), card.answer()):
            body = _STYLE.sub("", rendered).lower()
            assert "<script" not in body and "<img" not in body and "<b>" not in body
            assert "{{" not in body and "}}" not in body  # braces only as entities
    backs = " ".join(visible(c.answer()) for c in cards(col))
    raw = " ".join(c.answer() for c in cards(col))
    assert "&lt;script&gt;" in raw and XSS in backs and IMG in backs and "Eve & Co" in backs
    cloze = note_of(col, "trivia-hostilecloze01")
    assert cloze["Text"].count("{{c") == 1
    back = visible(col.get_card(cloze.card_ids()[0]).answer())
    assert f"{IMG} :: }}}} {{{{c2::y}}}}" in back  # the whole answer, as text, one cloze


def test_every_front_has_text_even_for_empty_prompts(tmp_path: Path, col) -> None:
    blanks = ["   ", "\u200b", "\n\t"]
    qs = [Question(f"{kind}-{i:016d}", "Film", "film", kind, prompt, "Answer", (), "x", "s")
          for i, prompt in enumerate(blanks) for kind in ("who-said", "finish-quote", "trivia")]
    export(qs, tmp_path / "blank.apkg")
    import_apkg(col, tmp_path / "blank.apkg")
    assert col.card_count() == len(qs)
    for card in cards(col):
        assert card.note().fields[0].strip()  # the sort field, which Anki needs
        front = visible(card.question())
        assert front and "blank" not in front.lower()
        assert visible(card.answer())


def test_one_card_per_note_is_what_genanki_itself_computes() -> None:
    qs = generate(film()) + generate(hostile())
    rows = notes(qs)
    assert len(rows) == len(qs)
    for note in rows:  # the writer skips genanki's card logic: it must agree
        plain = genanki.Note(model=note.model, fields=note.fields, guid=note.guid)
        assert [c.ord for c in plain.cards] == [0]
        assert genanki.Note._find_invalid_html_tags_in_field("\x1f".join(note.fields)) == []


# -- re-import ----------------------------------------------------------------

def test_reimport_updates_in_place_and_keeps_reviews(tmp_path: Path, col) -> None:
    old_deck = film()
    new_deck = film(line="Where were you on Tuesday night?", extra_quote=True)
    v1, v2 = generate(old_deck), generate(new_deck)
    old = {q.id: q for q in v1}
    new = {q.id: q for q in v2}

    export(v1, tmp_path / "v1.apkg")
    import_apkg(col, tmp_path / "v1.apkg")

    # Review an untouched card: it must survive the re-import.
    kept = next(q for q in v2 if q.kind == "track" and old.get(q.id) == q)
    card = col.get_card(note_of(col, kept.id).card_ids()[0])
    col.sched.set_due_date([card.id], "7")
    before = col.get_card(card.id)
    reviews = col.db.scalar("select count() from revlog where cid = ?", card.id)
    assert before.type == 2 and reviews >= 1

    export(v2, tmp_path / "v2.apkg")
    log = import_apkg(col, tmp_path / "v2.apkg")

    # Ids hash what a question was made from: questions of the changed line and
    # of the new quote are new notes; the old line's notes stay (Anki never
    # deletes); questions that only mention the changed line keep their note.
    added = new.keys() - old.keys()
    assert added and len(log.new) == len(added)
    assert not log.conflicting and not log.missing_notetype
    assert col.note_count() == len(old.keys() | new.keys())
    assert col.card_count() == col.note_count()
    assert {col.get_note(n).guid for n in col.find_notes("")} == {
        note_guid(i) for i in old.keys() | new.keys()}

    changed = [q for q in v2 if q.id in old and q != old[q.id]]
    assert changed, "a question that keeps its id but shows the changed line"
    updated = {n.id.nid for n in log.updated}
    for q in changed:
        note = note_of(col, q.id)
        assert note.id in updated
        assert html.escape(q.info, quote=True) == note["Info"]
    assert any("Tuesday" in note_of(col, q.id)["Info"] for q in changed)
    for q in v2:
        if q.id in added:
            assert note_of(col, q.id)["Question"]  # the new text is there

    after = col.get_card(card.id)
    assert (after.type, after.queue, after.due, after.ivl) == (
        before.type, before.queue, before.due, before.ivl)
    assert col.db.scalar("select count() from revlog where cid = ?", card.id) == reviews


def test_question_turning_multiple_choice_keeps_its_note(tmp_path: Path, col) -> None:
    """One moment: typed (no distractor). Two: choice. Same id, same note type: updated."""
    one, two = generate(film(moments=1), ["moment"]), generate(film(moments=2), ["moment"])
    assert one[0].id == two[0].id and (one[0].mode, two[0].mode) == ("typed", "choice")
    export(one, tmp_path / "one.apkg")
    import_apkg(col, tmp_path / "one.apkg")
    assert note_of(col, one[0].id)["Options"] == ""
    export(two, tmp_path / "two.apkg")
    log = import_apkg(col, tmp_path / "two.apkg")
    assert not log.conflicting and len(log.new) == 1 and len(log.updated) == 1
    assert "rq-correct" in note_of(col, one[0].id)["Options"]


def test_mod_time_is_now_and_increases(tmp_path: Path) -> None:
    qs = generate(film())
    start = int(time.time())
    export(qs, tmp_path / "a.apkg")
    export(qs, tmp_path / "b.apkg")
    first, second = apkg_note_mods(tmp_path / "a.apkg"), apkg_note_mods(tmp_path / "b.apkg")
    assert min(first) >= start  # the real time, not a pinned one
    assert min(second) > max(first)  # a later export is newer, even within a second


def test_pinned_timestamp_would_skip_updates(tmp_path: Path, col) -> None:
    """The trap, with the real Anki: same mod time → the change is silently skipped."""
    v1 = generate(film(), ["which-scene"])
    v2 = generate(film(line="Where were you on Tuesday night?"), ["which-scene"])
    pinned = lambda: 1_700_000_000  # noqa: E731
    export(v1, tmp_path / "p1.apkg", stamps=pinned)
    export(v2, tmp_path / "p2.apkg", stamps=pinned)
    import_apkg(col, tmp_path / "p1.apkg")
    assert not import_apkg(col, tmp_path / "p2.apkg").updated  # skipped: why we never pin
    assert import_apkg(col, export(v2, tmp_path / "ours.apkg").path).updated


# -- ids ----------------------------------------------------------------------

def test_ids_are_stable_and_model_id_follows_the_fields() -> None:
    # Pinned: changing one of these orphans every note in users' collections.
    assert model_id("choice", CHOICE_FIELDS) == rq_anki._models()["choice"].model_id
    assert {k: m.model_id for k, m in rq_anki._models().items()} == {
        "choice": 1976896043, "basic": 1300264866, "cloze": 1402022981}
    assert model_id("choice", (*CHOICE_FIELDS, "Extra")) != model_id("choice", CHOICE_FIELDS)
    assert model_id("choice", CHOICE_FIELDS[:-1]) != model_id("choice", CHOICE_FIELDS)
    assert model_id("choice", CHOICE_FIELDS, version=2) != model_id("choice", CHOICE_FIELDS)
    ids = [model_id(k, f) for k, f in (("choice", CHOICE_FIELDS), ("basic", BASIC_FIELDS),
                                       ("cloze", CLOZE_FIELDS))]
    name = deck_name("In the Mood for Love", "who-said")
    assert name == "Reelive::In the Mood for Love::Who said it"
    assert deck_name("A::B", "trivia") == "Reelive::A:B::Trivia"
    for value in (*ids, rq_anki.deck_id(name)):
        assert 1 < value < 2**31
    for qid in ("who-said-0123456789abcdef", "ü", ""):
        assert note_guid(qid) == genanki.guid_for("reelive", qid)


# -- writing: atomic, progress, errors ----------------------------------------

def test_failed_export_leaves_nothing_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "out.apkg"
    out.write_bytes(b"old")

    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(generate(film()), out, interrupt)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.apkg"]


def test_progress_and_permissions(tmp_path: Path) -> None:
    qs = generate(film())
    calls: list[tuple[int, int]] = []
    summary = export(qs, tmp_path / "p.apkg", lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, len(qs)) and calls[-1] == (len(qs), len(qs))
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    mask = os.umask(0)
    os.umask(mask)
    assert summary.path.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(("name", "message"), [
    ("out.zip", "ending in .apkg"),
    ("missing/out.apkg", "no such folder"),
    ("dir.apkg", "is a folder"),
])
def test_bad_output_paths(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "dir.apkg").mkdir()
    with pytest.raises(ExportError, match=message):
        export(generate(film()), tmp_path / name)


def test_nothing_to_export(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="nothing to export"):
        export([], tmp_path / "x.apkg")
    assert not (tmp_path / "x.apkg").exists()


# -- the CLI ------------------------------------------------------------------

def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "reelive_quiz", "export", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def _unwritable_dir(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    try:  # root writes anywhere but here
        fd, tmp = tempfile.mkstemp(dir="/sys")
    except OSError:
        return Path("/sys")
    os.close(fd)
    os.unlink(tmp)
    pytest.skip("no unwritable folder available")


def test_cli_exports_user_deck(tmp_path: Path) -> None:
    write_deck(film("My Film"), tmp_path / "home" / "decks" / "my-film.yaml")
    out = tmp_path / "out" / "f.apkg"
    out.parent.mkdir()
    result = _cli(tmp_path / "home", "my-film", "-k", "trivia", "--kind", "who-said",
                  "--output", str(out))
    assert result.returncode == 0, result.stderr
    n = len(generate(film("My Film"), ["trivia", "who-said"]))
    assert result.stdout == f"Exported {n} notes ({n} cards) in 2 decks to {out}\n"
    assert result.stderr == ""  # no progress bar off a terminal
    assert [p.name for p in out.parent.iterdir()] == ["f.apkg"]


@pytest.mark.parametrize("case", ["kind", "deck", "unwritable", "folder", "suffix"])
def test_cli_errors_are_one_line_exit_2_and_leave_nothing(tmp_path: Path, case: str) -> None:
    write_deck(film("My Film"), tmp_path / "home" / "decks" / "my-film.yaml")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "x.apkg"
    args = {
        "kind": ["my-film", "-k", "nope", "-o", str(out)],
        "deck": ["no-such-deck", "-o", str(out)],
        "unwritable": ["my-film", "-o", str(_unwritable_dir(tmp_path) / "x.apkg")],
        "folder": ["my-film", "-o", str(folder / "missing" / "x.apkg")],
        "suffix": ["my-film", "-o", str(folder / "x.txt")],
    }[case]
    result = _cli(tmp_path / "home", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("reelive-quiz: ") and result.stderr.count("\n") == 1
    assert list(folder.iterdir()) == []
    if case == "unwritable":
        assert "cannot write" in result.stderr
        assert not Path(args[-1]).exists()


def test_genanki_is_imported_lazily() -> None:
    code = ("import sys, reelive_quiz.cli, reelive_quiz.anki; "
            "print('genanki' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"



def test_stamps_follow_the_clock_and_never_repeat() -> None:
    """Anki's note mod time: the clock's second, or one past the last stamp given."""
    now = [1_700_000_000.9]
    stamps = Stamps(clock=lambda: now[0])
    assert [stamps(), stamps(), stamps()] == [1_700_000_000, 1_700_000_001, 1_700_000_002]
    now[0] += 60
    assert stamps() == 1_700_000_060

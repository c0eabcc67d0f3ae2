"""Output that cannot be written as is: narrow encodings, full devices, names that are not UTF-8.

Every command runs as a user would (a subprocess), with stdout in ASCII or Latin-1
(`PYTHONIOENCODING`, `LC_ALL=C` without UTF-8 mode), on a full device, or with file
names in Latin-1 bytes: the work is done, characters are replaced, the exit status
is what it would have been, and no traceback appears.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

PAGE = Path(__file__).parent / "data" / "in-the-mood-for-love.txt"
NOW = "2026-06-15T09:00:00+00:00"
ENCODINGS = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "C": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
}


def run(*args: str | Path, home: Path | bytes, env: dict[str, str] | None = None,
        stdout: int | object = subprocess.PIPE) -> subprocess.CompletedProcess:
    """The CLI with bytes out (a narrow encoding is what is under test)."""
    full = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    full.update({"REELIVE_QUIZ_NOW": NOW, **(env or {})})
    env_bytes = {os.fsencode(k): os.fsencode(v) for k, v in full.items()}
    env_bytes[b"REELIVE_QUIZ_HOME"] = os.fsencode(home)
    return subprocess.run([sys.executable, "-m", "reelive_quiz", *map(os.fsencode, args)],
                          env=env_bytes, stdout=stdout, stderr=subprocess.PIPE, timeout=120)


def ok(result: subprocess.CompletedProcess, status: int = 0) -> None:
    assert result.returncode == status, result.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in result.stderr and b"Error:" not in result.stderr, result.stderr


def _page(title: str) -> str:
    return PAGE.read_text(encoding="utf-8").replace("In the Mood for Love, Reelive",
                                                    f"{title}, Reelive")


def _pages(folder: Path, titles: tuple[str, ...]) -> list[Path]:
    """A page per title, named from its first three characters."""
    pages = []
    for title in titles:
        page = folder / f"{title[:3]}.txt"
        page.write_text(_page(title), encoding="utf-8")
        pages.append(page)
    return pages


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_command_works_in_a_narrow_encoding(tmp_path: Path, encoding: str) -> None:
    env = ENCODINGS[encoding]
    home = tmp_path / "home"
    where = tmp_path / "dossier-café"  # a non-ASCII path for every file named below
    where.mkdir()
    pages = _pages(where, ("Amélie", "Chungking “Express”", "花樣年華"))

    imported = run("import", *pages, home=home, env=env)
    ok(imported)  # a batch of three: every deck written, every line printed
    assert len(list((home / "decks").glob("*.yaml"))) == 3
    assert imported.stdout.count(b"->") == 3
    commands = [["decks"], ["decks", "--json"], ["questions"], ["questions", "--json"],
                ["status"], ["status", "--json"], ["stats"], ["stats", "--json"]]
    if encoding != "ascii":  # the same code paths; ASCII runs them all
        commands = [["decks"], ["questions", "--json"], ["stats"]]
    for command in commands:
        result = run(*command, home=home, env=env)
        ok(result)
        assert result.stdout.strip(), command
        if "--json" in command:  # valid JSON, nothing lost: escapes, not replacements
            text = json.dumps(json.loads(result.stdout), ensure_ascii=False)
            assert "stats" in command or "“" in text, command
    shown = run("questions", home=home, env=env).stdout
    assert b"Who says " in shown and shown.endswith(b"deck(s)\n")

    apkg = where / "export-é.apkg"
    ok(run("export", "-o", apkg, home=home, env=env))
    assert apkg.stat().st_size > 0
    saved = where / "sauvegarde-é.sqlite3"
    ok(run("backup", saved, home=home, env=env))
    assert sqlite3.connect(saved).execute("SELECT COUNT(*) FROM decks").fetchone()[0] == 4
    ok(run("restore", saved, home=home, env=env))
    # an error message with a character the stream cannot encode: one line, status 2
    bad = run("questions", where / "nowhere-é.yaml", home=home, env=env)
    ok(bad, 2)
    assert len(bad.stderr.splitlines()) == 1 and bad.stderr.startswith(b"reelive-quiz: ")


def test_play_in_an_ascii_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path), "REELIVE_QUIZ_NOW": NOW,
           "PYTHONIOENCODING": "ascii"}
    child = pexpect.spawn(sys.executable, ["-m", "reelive_quiz", "play", "--new", "1"],
                          env=env, timeout=60)
    child.expect("Who says")  # the first question, curly quotes and all
    child.sendintr()  # Ctrl-C: the session ends with its summary
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert b"Traceback" not in (child.before or b"")


def test_full_device_is_one_line_after_the_work(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open("/dev/full", "wb") as full:
        status = run("status", home=home, stdout=full)
        ok(status, 2)
        assert status.stderr == (b"reelive-quiz: cannot write the output: No space left on "
                                 b"device (the work itself is done)\n")
        pages = _pages(tmp_path, ("One", "Two", "Three"))
        imported = run("import", *pages, home=home, stdout=full)
    ok(imported, 2)
    assert len(imported.stderr.splitlines()) == 1
    assert len(list((home / "decks").glob("*.yaml"))) == 3  # the batch went on


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path), "REELIVE_QUIZ_NOW": NOW}
    proc = subprocess.Popen([sys.executable, "-m", "reelive_quiz", "questions"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # `reelive-quiz questions | head -c 10`
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert err == b""


# -- names that are not UTF-8 ----------------------------------------------------------

LATIN1 = b"Am\xe9lie"


def test_deck_file_named_in_latin1(tmp_path: Path) -> None:
    home = tmp_path / "home"
    decks = home / "decks"
    decks.mkdir(parents=True)
    page = tmp_path / "amelie.txt"
    page.write_text(_page("Amélie"), encoding="utf-8")
    ok(run("import", page, home=home))
    made = next(decks.glob("*.yaml"))
    os.rename(made, os.fsdecode(os.fsencode(decks) + b"/" + LATIN1 + b".yaml"))
    for command in (["status"], ["decks"], ["stats"]):
        ok(run(*command, home=home))
    data = json.loads(run("decks", "--json", home=home).stdout)
    slug, = (d["slug"] for d in data if d["slug"] != "in-the-mood-for-love")
    assert "Am\\xe9lie.yaml" in next(d["path"] for d in data if d["slug"] == slug)
    ok(run("questions", slug, home=home))  # the slug `decks` shows finds it
    assert b"\xe9" not in run("decks", home=home).stdout  # no raw byte reaches the terminal
    status = json.loads(run("status", "--json", home=home).stdout)
    assert {d["title"] for d in status["decks"]} == {"Amélie", "In the Mood for Love"}


def test_data_folder_named_in_latin1(tmp_path: Path) -> None:
    home = os.fsencode(tmp_path) + b"/" + LATIN1
    page = tmp_path / "amelie.txt"
    page.write_text(_page("Amélie"), encoding="utf-8")
    imported = run("import", page, home=home)
    ok(imported)
    assert b"Am\\xe9lie/decks/am" in imported.stdout
    for command in (["status"], ["decks"], ["decks", "--json"], ["stats"], ["backup"]):
        ok(run(*command, home=home))
    paths = [d["path"] for d in json.loads(run("decks", "--json", home=home).stdout)]
    assert any("Am\\xe9lie/decks/" in p for p in paths), paths
    shutil.rmtree(os.fsdecode(home))


def test_page_named_in_latin1_without_a_quote(tmp_path: Path) -> None:
    """No quote names the film, so the title comes from a file name that is not UTF-8."""
    text = "The Alley, Reelive\n\nChow\nChow\n\nIt's like we're living in a dream.\n"
    page = os.fsencode(tmp_path) + b"/" + LATIN1 + b".txt"
    with open(page, "w", encoding="utf-8") as out:
        out.write(text)
    out_dir = tmp_path / "out"
    ok(run("import", os.fsdecode(page), "--out-dir", out_dir, home=tmp_path / "home"))
    written = next(out_dir.glob("*.yaml"))
    assert written.name == "amlie.yaml"
    assert "title: Am\ufffdLie" in written.read_text(encoding="utf-8")

"""What a killed writer leaves behind is removed by the next one, never by guesswork.

Temp files carry their writer's process id: a file whose writer is gone is a
leftover, one whose writer still runs is left alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reelive_quiz.deck import Deck, Quote, write_deck
from reelive_quiz.files import make_temp, remove_stale_temps

PAGE = Path(__file__).parent / "data" / "in-the-mood-for-love.txt"


def _big_page(path: Path, megabytes: int = 4) -> Path:
    """The real page's opening scenes, repeated: a deck that takes a while to write."""
    lines = PAGE.read_text(encoding="utf-8").split("\n")
    chunk = "\n".join(lines[:120]) + "\n\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(megabytes * 2**20 // len(chunk.encode())):
            out.write(chunk)
        out.write("Chow\n\nA quote to name the film.\n\nChow\n\nBig Film, Reelive\n")
    return path


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_killed_import_leaves_temp_files_the_next_import_removes(tmp_path: Path) -> None:
    out = tmp_path / "decks"
    out.mkdir()
    page = _big_page(tmp_path / "big.txt", 1)  # within the deck caps (30,000 items)
    env = {**os.environ, "REELIVE_QUIZ_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "reelive_quiz", "import", "--out-dir", str(out)]
    for _ in range(2):  # two killed imports: the second already removes the first's
        proc = subprocess.Popen([*command, "--force", str(page)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not _hidden(out):
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the import finished before the kill"
    left = _hidden(out)
    assert len(left) == 1 and left[0].endswith(".tmp"), left
    result = subprocess.run([*command, str(PAGE)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert _hidden(out) == []
    assert [p.name for p in out.iterdir()] == ["in-the-mood-for-love.yaml"]


def test_a_running_writers_temp_file_is_kept(tmp_path: Path) -> None:
    mine = make_temp(tmp_path / "film.yaml")  # this process is alive: its file stays
    os.close(mine[0])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    gone = tmp_path / f".film.yaml.{dead}-abc12345.tmp"
    journal = tmp_path / f".progress-x.sqlite3.{dead}-abc12345.tmp-journal"
    unnamed_old = tmp_path / ".film.yaml.q1w2e3r4.tmp"  # written before pids were recorded
    unnamed_new = tmp_path / ".other.yaml.r4t5y6u7.tmp"
    users_own = tmp_path / ".my notes.tmp"  # not a name we make: never removed
    for path in (gone, journal, unnamed_old, unnamed_new, users_own):
        path.write_text("half")
    old = time.time() - 7200
    os.utime(unnamed_old, (old, old))
    os.utime(users_own, (old, old))
    (tmp_path / "film.yaml").write_text("a deck")
    removed = remove_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted(p.name for p in (gone, journal,
                                                                      unnamed_old))
    assert mine[1].exists() and unnamed_new.exists() and (tmp_path / "film.yaml").exists()
    assert users_own.exists()
    write_deck(Deck("Film", quotes=(Quote("Ann", "A line to remember."),)),
               tmp_path / "film.yaml", force=True)
    assert mine[1].exists()


def test_export_removes_a_killed_exports_temp_file_at_once(tmp_path: Path) -> None:
    """Not an hour later: the process named in the temp file is gone."""
    from reelive_quiz.anki import export
    from reelive_quiz.deck import load_deck
    from reelive_quiz.generate import generate
    from reelive_quiz.library import bundled_dir

    out = tmp_path / "films.apkg"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    killed = tmp_path / f".films.apkg.{dead}-x1y2z3w4.tmp"
    killed.write_bytes(b"half a package")
    export(generate(load_deck(bundled_dir() / "in-the-mood-for-love.yaml"))[:10], out)
    assert out.exists() and _hidden(tmp_path) == []


def test_an_import_of_many_pages_scans_its_folder_for_leftovers_once(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Once an import, not once a deck: 1,000 scans of a growing folder were quadratic."""
    import reelive_quiz.files as files
    from reelive_quiz.importer import import_pages

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    out = tmp_path / "decks"
    out.mkdir()
    (out / f".film.yaml.{dead}-abc12345.tmp").write_text("half")
    scans: list[Path] = []
    real_scandir = os.scandir

    def counting_scandir(path):  # type: ignore[no-untyped-def]
        scans.append(Path(path))
        return real_scandir(path)

    monkeypatch.setattr(files.os, "scandir", counting_scandir)
    pages = []
    for n in range(5):
        page = tmp_path / f"film-{n}.txt"
        page.write_text(PAGE.read_text(encoding="utf-8").replace(
            "In the Mood for Love", f"In the Mood for Love {n}"), encoding="utf-8")
        pages.append(page)
    written = list(import_pages(pages, out))
    assert len(written) == 5 and scans == [out]
    assert _hidden(out) == []

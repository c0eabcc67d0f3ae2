"""The page parser: the real page, layout variations, unseen films, errors and `import`."""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import replace
from pathlib import Path

import corpus
import pytest
from builders import corpus_deck
from helpers import run_cli

from reelive_quiz.deck import Deck, Line, Quote, Scene, Track, load_deck
from reelive_quiz.errors import PageError
from reelive_quiz.page import parse_page, read_page

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "data" / "in-the-mood-for-love.txt"
FILM = "In the Mood for Love"
SLUG = "in-the-mood-for-love"
NOISE = ("Download App", "Reelive App", "The Social Media App", "No mods, no censorship")



def all_strings(deck: Deck) -> list[str]:
    out = [deck.title, *deck.related]
    for s in deck.dialogues:
        out.append(s.scene)
        out += [x for ln in s.lines for x in (ln.speaker, ln.text)]
    out += [x for q in deck.quotes for x in (q.speaker, q.text)]
    out += [x for t in deck.soundtrack for x in (t.title, t.artist, t.accompanies)]
    out += [x for m in deck.moments for x in (m.title, m.description, m.context)]
    out += [x for t in deck.trivia for x in (t.title, t.fact, t.why_it_matters)]
    return out


@pytest.fixture(scope="module")
def page_text() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def deck() -> Deck:
    return read_page(PAGE)



def yaml_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml")) if folder.exists() else []


# -- the real page ------------------------------------------------------------

def test_real_page_counts(deck: Deck) -> None:
    assert deck.title == FILM
    assert len(deck.dialogues) == 18
    assert sum(len(s.lines) for s in deck.dialogues) == 91
    assert len(deck.quotes) == 23
    assert len(deck.soundtrack) == 3
    assert len(deck.moments) == 23
    assert len(deck.trivia) == 22
    assert len(deck.related) == 3


def test_real_page_counts_match_the_page_shapes(page_text: str, deck: Deck) -> None:
    """Independent of the parser: count the shapes in the raw text."""
    lines = [ln.strip() for ln in page_text.splitlines()]
    credits = sum(ln == f"{FILM}, Reelive" for ln in lines)
    scene_titles = sum(ln.endswith(", Reelive") for ln in lines) - credits
    assert len(deck.quotes) == credits
    assert len(deck.dialogues) == scene_titles
    assert len(deck.moments) == sum(ln.startswith("Context: ") for ln in lines)
    assert len(deck.trivia) == sum(ln.startswith("Why it matters: ") for ln in lines)
    doubled = sum(a == b != "" for a, b in itertools.pairwise(lines))
    assert sum(len(s.lines) for s in deck.dialogues) == doubled


def test_real_page_first_scene(deck: Deck) -> None:
    first = deck.dialogues[0]
    assert first.scene == "The Meeting at the Alley"
    assert first.lines[0] == Line("Chow Mo-wan", "It's like we're living in a dream.")
    assert first.lines[1] == Line("Su Li-zhen", "A dream? Or a nightmare?")
    assert deck.dialogues[-1].scene == "The Missed Connection"
    assert deck.dialogues[-1].lines[-1] == Line("Chow Mo-wan", "Perhaps one day we’ll find it.")
    assert {ln.speaker for s in deck.dialogues for ln in s.lines} == {"Chow Mo-wan",
                                                                     "Su Li-zhen"}


def test_real_page_quotes(deck: Deck) -> None:
    assert deck.quotes[0] == Quote(
        "Chow Mo-wan", "I can't tell you what's more painful, the pain of being alone or the "
        "pain of being in love.")
    # the speaker glued under the previous credit line belongs to the next quote
    assert deck.quotes[1] == Quote("Su Li-zhen",
                                   "The things we do for love, even if it means suffering.")
    assert deck.quotes[-1] == Quote("Su Li-zhen", "Sometimes, we must let go to truly feel.")
    assert all(not q.text.endswith(", Reelive") for q in deck.quotes)


def test_real_page_tracks(deck: Deck) -> None:
    assert deck.soundtrack == (
        Track("Yumeji's Theme", "Shigeru Umebayashi", "Recurring theme throughout the film"),
        Track("Green Sleeves", "Trad. / The Isley Brothers",
              "Played during key emotional moments"),
        Track("Angkor Wat", "Shigeru Umebayashi", "Used in romantic scenes"),
    )


def test_real_page_moment_context(deck: Deck) -> None:
    first = deck.moments[0]
    assert first.title == "The First Encounter"
    assert first.description.startswith("In a cramped Hong Kong building, two neighbors")
    assert first.description.endswith("desperate search for connection.")
    assert first.context == ("Set in 1960s Hong Kong, the film explores themes of love, "
                             "loneliness, and missed opportunities. Chow and Su are neighbors "
                             "who suspect their spouses are having an affair.")
    assert deck.moments[-1].title == "The Quiet Resolve"
    assert not any(m.context.startswith("Context:") for m in deck.moments)


def test_real_page_trivia_why_it_matters(deck: Deck) -> None:
    by_title = {t.title: t for t in deck.trivia}
    mirrors = by_title["The Use of Mirrors"]
    assert mirrors.fact == ("Mirrors play a significant role in the film, often symbolizing "
                            "the duality and emotional barriers between the characters.")
    assert mirrors.why_it_matters == (
        "This visual device adds depth to character interactions, suggesting their "
        "reflections on love and self, which contribute to the film’s larger themes.")
    assert deck.trivia[0].title == "The Long Development Process"
    assert deck.trivia[-1].title == "Cameos and References"
    assert not any(t.why_it_matters.startswith("Why it matters") for t in deck.trivia)


def test_real_page_related_in_page_order(deck: Deck) -> None:
    assert deck.related == ("2001: A Space Odyssey", "Fist of Legend", "Dead Poets Society")


def test_real_page_noise_dropped(deck: Deck) -> None:
    for text in all_strings(deck):
        assert not any(n in text for n in NOISE), text
        assert "👉" not in text


def test_scene_title_with_commas_kept_whole() -> None:
    text = ("A Talk, at Night, Reelive\n\nAna Lind\nAna Lind\n\nIt is late.\n\n"
            "Ben Okoro\nBen Okoro\n\nLater than you think.\n\n"
            "Ana Lind\n\nWe never sleep, do we?\n\nAna Lind\n\nNight Owls, Reelive")
    deck = parse_page(text, "p.txt")
    assert deck.title == "Night Owls"
    assert deck.dialogues == (Scene("A Talk, at Night", (Line("Ana Lind", "It is late."),
                                                         Line("Ben Okoro",
                                                              "Later than you think."))),)
    assert deck.quotes == (Quote("Ana Lind", "We never sleep, do we?"),)


# -- layout variations --------------------------------------------------------

def test_crlf_line_endings(page_text: str, deck: Deck) -> None:
    assert parse_page(page_text.replace("\n", "\r\n"), "p.txt") == deck


def test_utf8_bom(tmp_path: Path, page_text: str, deck: Deck) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + page_text.encode("utf-8"))
    assert read_page(path) == deck
    assert parse_page("\ufeff" + page_text, "p.txt") == deck


def test_trailing_spaces_and_tabs(page_text: str, deck: Deck) -> None:
    spaced = "\n".join(f"{ln}  \t " if i % 2 else f"  {ln} "
                       for i, ln in enumerate(page_text.split("\n")))
    assert parse_page(spaced, "p.txt") == deck


def test_runs_of_blank_lines(page_text: str, deck: Deck) -> None:
    loose = "\n\n\n" + page_text.replace("\n\n", "\n\n  \n\n\n") + "\n\n\n\n"
    assert parse_page(loose, "p.txt") == deck


def test_everything_at_once(tmp_path: Path, page_text: str, deck: Deck) -> None:
    messy = "\ufeff" + page_text.replace("\n\n", "\n \n\n").replace("\n", "  \r\n")
    path = tmp_path / "messy.txt"
    path.write_bytes(messy.encode("utf-8"))
    assert read_page(path) == deck


def _cut(page_text: str, start: str, end: str | None) -> str:
    """The page without the lines from `start` up to (not including) `end`."""
    lines = page_text.split("\n")
    i = lines.index(start)
    j = lines.index(end, i) if end is not None else len(lines)
    return "\n".join(lines[:i] + lines[j:])


def test_page_with_only_dialogues_and_quotes(page_text: str, deck: Deck) -> None:
    text = _cut(page_text, "Yumeji's Theme", None)
    got = parse_page(text, "p.txt")
    assert got == Deck(FILM, deck.dialogues, deck.quotes)


def test_page_without_soundtrack(page_text: str, deck: Deck) -> None:
    text = _cut(page_text, "Yumeji's Theme", "Download App")
    assert parse_page(text, "p.txt") == replace(deck, soundtrack=())


def test_page_without_related_films(page_text: str, deck: Deck) -> None:
    text = page_text[: page_text.rindex("Download App") + len("Download App")] + "\n"
    assert parse_page(text, "p.txt") == replace(deck, related=())


def test_page_without_promotion_and_related(page_text: str, deck: Deck) -> None:
    text = page_text[: page_text.index("The Social Media App")]
    assert parse_page(text, "p.txt") == replace(deck, related=())


def test_page_of_dialogue_only_takes_title_from_file_name(tmp_path: Path,
                                                          page_text: str) -> None:
    first_quote = page_text.index("Chow Mo-wan\n\nI can't tell you")
    path = tmp_path / "days-of-being-wild.txt"
    path.write_text(page_text[:first_quote], encoding="utf-8")
    got = read_page(path)
    assert got.title == "Days Of Being Wild"
    assert len(got.dialogues) == 18 and not got.quotes
    assert read_page(path, title="Days of Being Wild").title == "Days of Being Wild"


# -- films the parser has never seen --------------------------------------------

def test_unseen_film_from_corpus() -> None:
    film = corpus.make_film(random.Random(1), 3)
    text = corpus.make_page(random.Random(1), 3)
    assert text == corpus.render_page(film)
    deck = parse_page(text, "film-0003.txt")
    assert deck.title == film.title != FILM
    assert len(deck.dialogues) == len(film.scenes)
    assert sum(len(s.lines) for s in deck.dialogues) == sum(len(s.lines) for s in film.scenes)
    assert len(deck.quotes) == len(film.quotes)
    assert len(deck.soundtrack) == len(film.tracks)
    assert len(deck.moments) == len(film.moments)
    assert len(deck.trivia) == len(film.trivia)
    assert len(deck.related) == len(film.related)
    speakers = {ln.speaker for s in deck.dialogues for ln in s.lines}
    assert speakers.isdisjoint({"Chow Mo-wan", "Su Li-zhen"})
    assert deck == corpus_deck(film)


@pytest.mark.parametrize("index", [1, 2, 5, 8, 13, 21])
def test_more_unseen_films(index: int) -> None:
    film = corpus.make_film(corpus.page_rng(11, index), index)
    assert parse_page(corpus.render_page(film), "p.txt") == corpus_deck(film)


@pytest.mark.parametrize("drop", ["tracks", "moments", "trivia", "related"])
def test_unseen_film_with_a_section_missing(drop: str) -> None:
    film = replace(corpus.make_film(random.Random(1), 3), **{drop: []})
    assert parse_page(corpus.render_page(film), "p.txt") == corpus_deck(film)


# -- errors -------------------------------------------------------------------

BAD_PAGES: dict[str, tuple[bytes, int]] = {
    # name: (content, line of the problem)
    "empty.txt": (b"", 1),
    "blank.txt": (b" \n\n\t\n", 1),
    "binary.txt": (b"Chow Mo-wan\nChow Mo-wan\n\nHi\x00\x01\x02", 4),
    "latin1.txt": ("Chow Mo-wan\nChow Mo-wan\n\n\nCafé crème".encode("latin-1"), 5),
    "README.md": (b"\n\n# reelive-quiz\n\nLearn films.\n\n```sh\npip install x\n```\n", 3),
    "data.csv": (b"speaker,text\nChow,Hello\nSu,Hi\n", 1),
}


def _check_page_error(message: str, path: Path, line: int) -> None:
    assert "\n" not in message
    match = re.match(rf"{re.escape(str(path))}:(\d+): ", message)
    assert match, message
    assert int(match.group(1)) == line, message
    assert "expected" in message


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_bad_file_raises_page_error(tmp_path: Path, name: str) -> None:
    content, line = BAD_PAGES[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PageError) as info:
        read_page(path)
    _check_page_error(str(info.value), path, line)


def test_binary_and_non_utf8_say_so(tmp_path: Path) -> None:
    for name, word in (("binary.txt", "binary"), ("latin1.txt", "UTF-8")):
        path = tmp_path / name
        path.write_bytes(BAD_PAGES[name][0])
        with pytest.raises(PageError, match=word):
            read_page(path)


def test_garbage_inside_a_real_page_names_its_line(tmp_path: Path, page_text: str) -> None:
    lines = page_text.split("\n")
    at = lines.index("A Shared Secret, Reelive")  # 0-based: the table starts on line at+1
    lines[at:at] = ["| col | col |", "|-----|-----|", ""]
    path = tmp_path / "edited.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(PageError) as info:
        read_page(path)
    _check_page_error(str(info.value), path, at + 1)
    assert "| col | col |" in str(info.value)


def test_line_numbers_count_newlines_only(tmp_path: Path) -> None:
    text = ("A Scene, Reelive\n\nAna Lind\nAna Lind\n\nHello \u2028there.\n\n"
            "| bad | table |\n|---|---|\n")
    path = tmp_path / "ls.txt"
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index("| bad | table |") + 1
    with pytest.raises(PageError) as info:
        read_page(path)
    _check_page_error(str(info.value), path, line)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="no such file"):
        read_page(tmp_path / "nope.txt")
    with pytest.raises(PageError, match="folder"):
        read_page(tmp_path)


@pytest.mark.parametrize("name", ["empty.txt", "binary.txt", "latin1.txt", "README.md",
                                  "data.csv"])
def test_cli_import_bad_file(tmp_path: Path, _home: Path, name: str) -> None:
    content, line = BAD_PAGES[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("import", str(path), home=_home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert f"{path}:{line}: " in errors[0]
    assert yaml_files(tmp_path) == []


# -- import through the CLI -----------------------------------------------------

def test_cli_import_into_out_dir(tmp_path: Path, _home: Path, deck: Deck) -> None:
    out = tmp_path / "out"
    result = run_cli("import", str(PAGE), "--out-dir", str(out), home=_home)
    assert result.returncode == 0, result.stderr
    assert yaml_files(out) == [out / f"{SLUG}.yaml"]
    assert load_deck(out / f"{SLUG}.yaml") == deck
    assert yaml_files(_home) == []
    assert str(out / f"{SLUG}.yaml") in result.stdout


def test_cli_import_default_force_and_decks(tmp_path: Path, _home: Path, deck: Deck) -> None:
    target = _home / "decks" / f"{SLUG}.yaml"
    first = run_cli("import", str(PAGE), home=_home)
    assert first.returncode == 0, first.stderr
    assert yaml_files(_home) == [target]
    assert load_deck(target) == deck

    # a hand edit must survive an import without --force
    edited = target.read_text(encoding="utf-8").replace("Perhaps both.", "Perhaps neither.")
    target.write_text(edited, encoding="utf-8")
    again = run_cli("import", str(PAGE), home=_home)
    assert again.returncode == 2
    assert len(again.stderr.splitlines()) == 1 and "Traceback" not in again.stderr
    assert "--force" in again.stderr and str(target) in again.stderr
    assert target.read_text(encoding="utf-8") == edited

    forced = run_cli("import", str(PAGE), "--force", home=_home)
    assert forced.returncode == 0, forced.stderr
    assert load_deck(target) == deck
    assert yaml_files(_home) == [target]  # no temp file left behind
    assert [p.name for p in target.parent.iterdir()] == [target.name]

    listed = run_cli("decks", "--json", home=_home)
    assert listed.returncode == 0, listed.stderr
    rows = {r["slug"]: r for r in json.loads(listed.stdout)}
    row = rows[SLUG]
    assert row["bundled"] is False and Path(row["path"]) == target
    assert (row["title"], row["scenes"], row["quotes"], row["tracks"], row["moments"],
            row["trivia"]) == (FILM, 18, 23, 3, 23, 22)


def test_cli_decks_lists_an_imported_unseen_film(tmp_path: Path, _home: Path) -> None:
    film = corpus.make_film(random.Random(1), 3)
    page = tmp_path / "unseen.txt"
    page.write_text(corpus.render_page(film), encoding="utf-8")
    result = run_cli("import", str(page), home=_home)
    assert result.returncode == 0, result.stderr
    slug = corpus_deck(film).slug
    assert yaml_files(_home) == [_home / "decks" / f"{slug}.yaml"]

    text = run_cli("decks", home=_home)
    assert text.returncode == 0, text.stderr
    line = next(ln for ln in text.stdout.splitlines() if ln.startswith(slug + " "))
    assert film.title in line and "imported" in line
    assert f"{len(film.scenes)} scenes" in line
    assert f"{len(film.quotes)} quotes" in line
    assert f"{len(film.tracks)} tracks" in line
    assert f"{len(film.moments)} moments" in line
    assert f"{len(film.trivia)} trivia" in line
    assert any(ln.startswith(SLUG + " ") and "bundled" in ln for ln in text.stdout.splitlines())


def test_cli_import_two_pages_second_bad_writes_neither(tmp_path: Path, _home: Path) -> None:
    bad = tmp_path / "README.md"
    bad.write_bytes(BAD_PAGES["README.md"][0])
    out = tmp_path / "out"
    for extra in ((), ("--out-dir", str(out))):
        result = run_cli("import", str(PAGE), str(bad), *extra, home=_home)
        assert result.returncode == 2
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
        assert str(bad) in result.stderr
    assert yaml_files(_home) == [] and yaml_files(out) == []

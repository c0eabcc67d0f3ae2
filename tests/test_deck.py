"""Decks: YAML round trips, the bundled deck, validation messages, safety, slugs."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
import yaml
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelive_quiz.deck import (
    CustomQuestion,
    Deck,
    Line,
    Moment,
    Quote,
    Scene,
    Track,
    Trivia,
    deck_from_dict,
    deck_to_dict,
    dump_deck,
    load_deck,
    parse_deck,
    slugify,
    write_deck,
)
from reelive_quiz.errors import DeckError
from reelive_quiz.library import bundled_dir
from reelive_quiz.page import read_page

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "data" / "in-the-mood-for-love.txt"
BUNDLED = "in-the-mood-for-love.yaml"

TRICKY = [
    'He said "stop" and left',
    "it's O'Brien's",
    "key: value",
    "ends with a colon:",
    "# not a comment",
    "a # inside",
    "- leading dash",
    "--- three dashes",
    "...",
    "yes", "no", "Yes", "NO", "on", "off", "true", "False", "null", "Null", "~",
    "1.0", "007", "0x1F", "1e3", ".inf", ".NaN", "1_000", "12:30", "2001-09-11",
    "@at", "`backtick`", "&anchor", "*alias", "!tag", "%percent", "{brace}", "[bracket]",
    "| pipe", "> folded", "?question",
    "first line\nsecond line",
    "para one\n\npara two",
    "Amélie Poulain",
    "Søren Østergaard",
    "花樣年華",
    "Война и мир",
    "🎬 emoji 💔 inside",
    "tab\tinside",
    "back\\slash",
    "quote ‘curly’ “double”",
]


def tricky_deck() -> Deck:
    t = TRICKY
    lines = tuple(Line(t[i], t[-1 - i]) for i in range(len(t)))
    return Deck(
        title="Yes: No # 1.0 — “花樣年華” 🎬",
        dialogues=(Scene("- a scene: yes", lines), Scene("null", (Line("~", "1.0"),))),
        quotes=tuple(Quote(a, b) for a, b in zip(t[::2], t[1::2], strict=False)),
        soundtrack=(Track("no", "Trad. / The Isley Brothers", "key: value # x"),),
        moments=(Moment("true", "first line\nsecond line", "'single' \"double\""),),
        trivia=(Trivia("1.0", "- dash", "# hash"),),
        related=tuple(t),
        questions=(CustomQuestion("Yes or no?", "no", ("yes", "no", "null")),
                   CustomQuestion("What is ~?", "null")),
    )


@pytest.fixture(scope="module")
def page_deck() -> Deck:
    return read_page(PAGE)



# -- round trips ----------------------------------------------------------------

def test_real_page_parse_write_load(tmp_path: Path, page_deck: Deck) -> None:
    path = tmp_path / "decks" / f"{page_deck.slug}.yaml"
    write_deck(page_deck, path)
    assert load_deck(path) == page_deck
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_tricky_strings_round_trip(tmp_path: Path) -> None:
    deck = tricky_deck()
    path = tmp_path / "tricky.yaml"
    write_deck(deck, path)
    loaded = load_deck(path)
    assert loaded == deck
    # every text stays a string, as written (no YAML 1.1 booleans, nulls or floats)
    assert loaded.related == tuple(TRICKY)
    assert loaded.questions[0].options == ("yes", "no", "null")
    # and any YAML reader sees the same document
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == deck_to_dict(deck)
    written = path.read_text(encoding="utf-8")
    assert "花樣年華" in written and "Amélie Poulain" in written  # UTF-8, not \u escapes


def test_dict_round_trip() -> None:
    deck = tricky_deck()
    assert deck_from_dict(deck_to_dict(deck), "x") == deck


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=25)
_CLEAN = _TEXT.map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_CLEAN, speaker=_CLEAN, text=_CLEAN, scene=_CLEAN)
def test_any_text_round_trips(title: str, speaker: str, text: str, scene: str) -> None:
    deck = Deck(title, dialogues=(Scene(scene, (Line(speaker, text),)),),
                quotes=(Quote(speaker, text),), related=(title, scene))
    assert parse_deck(dump_deck(deck), "h.yaml") == deck


def test_write_refuses_to_overwrite_without_force(tmp_path: Path, page_deck: Deck) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(DeckError, match="already exists"):
        write_deck(page_deck, path)
    assert path.read_text(encoding="utf-8") == "precious"
    write_deck(page_deck, path, force=True)
    assert load_deck(path) == page_deck


# -- the bundled deck -----------------------------------------------------------

def test_bundled_deck_matches_the_page(page_deck: Deck) -> None:
    path = bundled_dir() / BUNDLED
    assert path.is_file()
    assert path.resolve() == (ROOT / "decks" / BUNDLED).resolve()
    assert load_deck(path) == page_deck, "decks/ is stale: re-import tests/data page"


def test_readme_deck_example_loads() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    blocks = re.findall(r"^```ya?ml[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    if not blocks:
        pytest.skip("README.md has no ```yaml deck example yet")
    decks = [b for b in blocks if re.search(r"^title:", b, re.MULTILINE)]
    assert decks, "README has YAML blocks but none is a deck (no top-level title:)"
    for block in decks:
        deck = parse_deck(block, "README.md")
        assert deck.title and not deck.is_empty


# -- validation -----------------------------------------------------------------

def _error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    return path, message


QUOTE = "quotes:\n- speaker: A\n  text: x\n"

INVALID = {
    "missing key": (
        "title: T\ndialogues:\n- scene: S\n  lines:\n  - speaker: A\n    text: hi\n"
        "  - text: hello\n",
        "dialogues[0].lines[1].speaker", "missing"),
    "quotes is a mapping": (
        "title: T\nquotes:\n  speaker: A\n  text: x\n", "quotes", "a list"),
    "lines is a string": (
        "title: T\ndialogues:\n- scene: S\n  lines: hello there\n",
        "dialogues[0].lines", "a list"),
    "lines is empty": (
        "title: T\ndialogues:\n- scene: S\n  lines: []\n", "dialogues[0].lines", "line"),
    "empty fact": (
        "title: T\ntrivia:\n- title: X\n  fact: ''\n  why_it_matters: y\n",
        "trivia[0].fact", "non-empty"),
    "blank title": ("title: '   '\n" + QUOTE, "title", "non-empty"),
    "null speaker": ("title: T\nquotes:\n- speaker:\n  text: x\n", "quotes[0].speaker",
                     "non-empty"),
    "boolean text": ("title: T\nquotes:\n- speaker: A\n  text: yes\n", "quotes[0].text",
                     "string"),
    "list as text": ("title: T\nsoundtrack:\n- title: [a, b]\n  artist: A\n  accompanies: c\n",
                     "soundtrack[0].title", "string"),
    "unknown key": ("title: T\nquotes:\n- speaker: A\n  text: x\n  mood: sad\n",
                    "quotes[0].mood", "unknown key"),
    "unknown top key": ("title: T\n" + QUOTE + "extras: 1\n", "extras", "unknown key"),
    "answer not in options": (
        "title: T\nquestions:\n- prompt: Where?\n  answer: Paris\n  options: [Rome, Oslo]\n",
        "questions[0].options", "Paris"),
    "one option": (
        "title: T\nquestions:\n- prompt: Where?\n  answer: Paris\n  options: [Paris]\n",
        "questions[0].options", "two"),
    "repeated option": (
        "title: T\nquestions:\n- prompt: Where?\n  answer: Paris\n  options: [Paris, Rome, "
        "Rome]\n", "questions[0].options", "distinct"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_validation_names_file_and_yaml_path(tmp_path: Path, case: str) -> None:
    text, where, what = INVALID[case]
    path, message = _error(tmp_path, text)
    assert message.startswith(f"{path}: {where}: "), message
    assert what in message


def test_deck_with_only_a_title(tmp_path: Path) -> None:
    _, message = _error(tmp_path, "title: Only a title\n")
    assert "expected at least one of" in message


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "just a string\n"])
def test_not_a_mapping(tmp_path: Path, text: str) -> None:
    _, message = _error(tmp_path, text)
    assert "expected a mapping" in message


@pytest.mark.parametrize(("text", "line"), [
    ("title: T\nquotes:\n- speaker: A\n  text: a: b\n", 4),
    ("title: T\nquotes:\n- speaker: A\n\ttext: b\n", 4),
    ("title: T\n\n\n\nquotes: [\n", 6),
])
def test_invalid_yaml_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    path, message = _error(tmp_path, text)
    assert message.startswith(f"{path}:{line}: "), message
    assert "YAML" in message


def test_non_utf8_deck(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes("title: T\nquotes:\n- speaker: Amélie\n  text: x\n".encode("latin-1"))
    with pytest.raises(DeckError, match=rf"^{re.escape(str(path))}:3: "):
        load_deck(path)


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    docs = [
        f"title: !!python/object/apply:os.system ['touch {marker}']\n" + QUOTE,
        f"title: T\nrelated: !!python/object/apply:pathlib.Path.touch [!!python/object/apply"
        f":pathlib.Path ['{marker}']]\n" + QUOTE,
        "title: !!python/name:os.system\n" + QUOTE,
        "title: !!python/object:reelive_quiz.deck.Deck {title: T}\n" + QUOTE,
    ]
    for doc in docs:
        _error(tmp_path, doc)
    assert not marker.exists()


def test_billion_laughs_refused_quickly(tmp_path: Path) -> None:
    names = "abcdefghij"
    doc = ["title: Laughs", f"a: &a [{', '.join(['lol'] * 9)}]"]
    for prev, name in itertools.pairwise(names):
        doc.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    doc.append("related: *j")  # 9**10 strings if expanded
    start = time.perf_counter()
    with pytest.raises(DeckError, match="alias"):
        parse_deck("\n".join(doc) + "\n", "lol.yaml")
    assert time.perf_counter() - start < 2


def test_alias_inside_a_valid_looking_deck_is_refused() -> None:
    doc = ("title: T\ndialogues:\n- scene: S\n  lines: &l\n  - speaker: A\n    text: x\n"
           "- scene: S2\n  lines: *l\n")
    with pytest.raises(DeckError, match=r"^d\.yaml:8: .*alias"):
        parse_deck(doc, "d.yaml")


def test_cli_questions_bad_deck(tmp_path: Path, _home: Path, page_deck: Deck) -> None:
    data = deck_to_dict(page_deck)
    del data["dialogues"][3]["lines"][2]["speaker"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    result = run_cli("questions", str(path), home=_home, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{path}: dialogues[3].lines[2].speaker: missing key" in lines[0]


# -- slugs ----------------------------------------------------------------------

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED = {"con", "prn", "aux", "nul", *(f"{p}{i}" for p in ("com", "lpt") for i in range(10))}
HOSTILE = ["../../etc/passwd", "..", ".", "/", "\\..\\windows", "CON", "con", "Nul", "COM1",
           "lpt9", "", "   ", "---", "...", "x" * 500, "Amélie " * 100, "a/b\\c:d*e?f",
           "花樣年華", "一代宗師", "Война и мир", "Ἰλιάς", "🎬💔", "\x00\n\t",
           "In the Mood for Love"]


@pytest.mark.parametrize("title", HOSTILE)
def test_slug_is_safe(tmp_path: Path, title: str) -> None:
    slug = slugify(title)
    assert SLUG.fullmatch(slug), slug
    assert 0 < len(slug) <= 80
    assert slug not in RESERVED
    assert (tmp_path / f"{slug}.yaml").resolve().parent == tmp_path.resolve()
    assert slugify(title) == slug  # stable
    assert Deck(title or "x").slug == slugify(title or "x")


def test_slug_examples() -> None:
    assert slugify("In the Mood for Love") == "in-the-mood-for-love"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("2001: A Space Odyssey") == "2001-a-space-odyssey"
    assert slugify("Amélie") == "amelie"
    assert slugify("CON") != "con"
    long = slugify("word " * 100)
    assert len(long) <= 80 and not long.endswith("-")


def test_non_latin_titles_get_distinct_slugs() -> None:
    titles = ["花樣年華", "一代宗師", "重慶森林", "Война и мир", "Сталкер", "Ἰλιάς", "🎬", "🎬🎬",
              "", "   "]
    slugs = [slugify(t) for t in titles]
    assert len(set(slugs[:-2])) == len(titles) - 2
    assert all(SLUG.fullmatch(s) for s in slugs)


def test_non_latin_titles_with_a_number_get_distinct_slugs() -> None:
    assert slugify("少林寺 2") != slugify("黃飛鴻 2")


def _listed(home: Path) -> dict[str, dict]:
    import json

    run = run_cli("decks", "--json", home=home)
    assert run.returncode == 0, run.stderr
    return {Path(r["path"]).name: r for r in json.loads(run.stdout)}


def test_decks_lists_from_the_catalogue_and_rereads_only_changed_files(_home: Path) -> None:
    import os

    path = _home / "decks" / "tiny-film.yaml"
    tiny = Deck("Tiny Film", dialogues=(Scene("Start", (Line("Ann", "Hello."),
                                                        Line("Bo", "Goodbye."))),),
                quotes=(Quote("Bo", "Every film ends."),),
                trivia=(Trivia("Year", "It was shot in 1999.", "Late."),))
    write_deck(tiny, path)
    row = _listed(_home)[path.name]
    assert (row["title"], row["scenes"], row["quotes"], row["trivia"]) == ("Tiny Film", 1, 1, 1)
    assert row["questions"] > 0 and row["bundled"] is False
    assert _listed(_home)[BUNDLED]["bundled"] is True
    # same size and time, other bytes: the catalogue answers, the file is not read
    stat = path.stat()
    path.write_bytes(b"#" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _listed(_home)[path.name] == row
    # a real edit is read again
    quotes = tuple(Quote("Bo", f"Line {i}.") for i in range(3))
    write_deck(Deck("Tiny Film", dialogues=tiny.dialogues, quotes=quotes), path, force=True)
    assert _listed(_home)[path.name]["quotes"] == 3


def test_decks_lists_two_files_that_share_a_title(_home: Path) -> None:
    deck = Deck("Same Film", quotes=(Quote("Ann", "Once."),))
    write_deck(deck, _home / "decks" / "same-film.yaml")
    write_deck(Deck("Same Film", quotes=(Quote("Ann", "Once."), Quote("Bo", "Twice."))),
               _home / "decks" / "same-film-copy.yaml")
    listed = _listed(_home)
    assert (listed["same-film.yaml"]["quotes"], listed["same-film-copy.yaml"]["quotes"]) == (1, 2)

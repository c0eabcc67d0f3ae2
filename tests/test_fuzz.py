"""Fuzzing the page parser and the deck loader with hostile, random and broken input.

Whatever comes in, either a deck comes out (and `generate` can ask questions
from it, and it survives a YAML round trip) or a ReeliveError with a one-line
message; nothing else escapes, nothing hangs, memory stays near the input's
size. Cases the fuzzer found are pinned below as plain tests.
"""

from __future__ import annotations

import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reelive_quiz.deck import Deck, dump_deck, load_deck, parse_deck
from reelive_quiz.errors import DeckError, PageError, ReeliveError
from reelive_quiz.generate import generate
from reelive_quiz.page import parse_page, read_page

PAGE = Path(__file__).parent / "data" / "in-the-mood-for-love.txt"
PAGE_LINES = PAGE.read_text(encoding="utf-8").split("\n")

# One profile for every fuzz test: ~200 inputs each keeps the file well under a
# minute; a 10 s deadline per input is far above the ~10 ms a small page takes
# (0.1 s for the whole bundled page, which a case may hold: 2.8 s once on a
# machine with load 9 on 2 cores), so only a real blow-up (quadratic time, a
# hang) trips it. Derandomized: the same inputs every run, so CI never fails
# on a case nobody can reproduce.
settings.register_profile(
    "reelive-fuzz",
    max_examples=200,
    deadline=timedelta(seconds=10),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("reelive-fuzz")

_T = TypeVar("_T")


def outcome(call: Callable[[], _T], input_size: int) -> _T | None:
    """Run `call`: a result, or None after a ReeliveError with a one-line message.

    Anything else propagates and fails the test. Peak Python memory must stay
    within a generous multiple of the input size (no blow-up, no leak per line).
    """
    tracemalloc.start()
    try:
        result = call()
    except ReeliveError as exc:
        message = str(exc)
        assert message.strip(), "an error with no message"
        assert len(message.splitlines()) == 1, f"not one line: {message!r}"
        result = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 8_000_000 + 400 * input_size, f"peak {peak} bytes for {input_size} chars"
    return result


def usable(deck: Deck) -> None:
    """A deck that loaded must give questions and survive its own YAML round trip."""
    questions = generate(deck)
    for q in questions:
        assert q.answer in q.options or not q.options
        assert len(set(q.options)) == len(q.options)
    assert parse_deck(dump_deck(deck), "round-trip.yaml") == deck


# -- strategies ------------------------------------------------------------------

# Site shapes, separators Python treats as line breaks but the parser must not,
# controls, escapes and invisible characters.
TOKENS = [
    ", Reelive", "Download App", "Context:", "Context: ", "Why it matters:", " by ", ", ",
    "👉 Reelive App 👈", "The Social Media App for Movie & TV Enthusiasts",
    "No mods, no censorship", "\ufeff", "\r", "\r\n", "\n\n", "\u2028", "\u2029", "\x85",
    "\x0b", "\x0c", "\x1c", "\x1e", "\t", " ", "\x1b[2J", "\x1b]0;pwned\x07", "\x9b",
    "\u202e", "\u200b", "…", "_____", "Mr.", "{{c1::x}}", "<img src=x>", "yes", "null",
    "1962", "~", "&a", "*a", "- ", ": ", "#",
]
_line = st.one_of(
    st.sampled_from(PAGE_LINES),
    st.sampled_from(TOKENS),
    st.text(max_size=30),
    st.lists(st.sampled_from(TOKENS + PAGE_LINES[:40]), max_size=4).map("".join),
)
random_pages = st.lists(_line, max_size=80).map("\n".join)

# Readable names with the characters that trip parsers and YAML writers.
_word = st.text(
    alphabet=st.sampled_from("abcxyzABÇé字 .,:'\"-#&*!?|>%@`[]{}\\…—_0189"),
    min_size=1, max_size=12,
).filter(lambda s: s.strip())
_name = st.one_of(_word, st.sampled_from(["Mr. Chan", "yes", "null", "1962", "Su Li-zhen",
                                          "- x", "? y", "a: b", "#c", "~", "_____"]))


@st.composite
def well_formed_pages(draw: st.DrawFn) -> str:
    """Pages in the real layout with random text, so most of them parse."""
    out: list[str] = []
    film = draw(_name)
    for _ in range(draw(st.integers(0, 3))):
        out += [f"{draw(_name)}, Reelive", ""]
        for _ in range(draw(st.integers(1, 4))):
            who = draw(_name)
            out += [who, who, "", draw(_name), ""]
    for _ in range(draw(st.integers(0, 3))):
        who = draw(_name)
        out += [who, "", draw(_name), "", who, "", f"{film}, Reelive", ""]
    for _ in range(draw(st.integers(0, 2))):
        title = draw(_name)
        out += [title, "", f"{title} by {draw(_name)}, {draw(_name)}", ""]
    for label in ("Context:", "Why it matters:"):
        for _ in range(draw(st.integers(0, 2))):
            out += [draw(_name), "", draw(_name), "", f"{label} {draw(_name)}", ""]
    if draw(st.booleans()):
        out += ["Download App", "", *[x for _ in range(draw(st.integers(0, 3)))
                                       for x in (draw(_name), "")]]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(out)


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    """The real page with lines deleted, duplicated, swapped, truncated or garbage added."""
    lines = list(PAGE_LINES)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines[i:i] = [lines[i]] * draw(st.integers(1, 3))
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines.insert(i, draw(_line))
    text = "\n".join(lines)
    if draw(st.integers(0, 9)) == 0:  # the whole page cut short
        text = text[: draw(st.integers(0, len(text)))]
    return text


_DECK_KEYS = ["title", "dialogues", "quotes", "soundtrack", "moments", "trivia", "related",
              "questions", "scene", "lines", "speaker", "text", "artist", "accompanies",
              "description", "context", "fact", "why_it_matters", "prompt", "answer",
              "options"]
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), _name, st.text(max_size=20),
    st.sampled_from(["", " ", "\x00", "\u2028", "\x85", "\x1b[2J", "a\nb", "_____"]),
    st.binary(max_size=8), st.dates(),
)
random_structures = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(_DECK_KEYS), _name, st.integers()),
                        inner, max_size=6),
    ),
    max_leaves=40,
)


def _items(fields: tuple[str, ...]) -> st.SearchStrategy[list[dict[str, object]]]:
    return st.lists(st.fixed_dictionaries({f: _name for f in fields}), max_size=4)


@st.composite
def deck_shaped(draw: st.DrawFn) -> dict[str, object]:
    """Mostly-valid decks: the right keys, values that are sometimes wrong."""
    data: dict[str, object] = {"title": draw(_name)}
    lines = st.lists(st.fixed_dictionaries({"speaker": _name, "text": _name}), min_size=1,
                     max_size=4)
    parts = {
        "dialogues": st.lists(st.fixed_dictionaries({"scene": _name, "lines": lines}),
                              max_size=3),
        "quotes": _items(("speaker", "text")),
        "soundtrack": _items(("title", "artist", "accompanies")),
        "moments": _items(("title", "description", "context")),
        "trivia": _items(("title", "fact", "why_it_matters")),
        "related": st.lists(_name, max_size=3),
        "questions": st.lists(st.fixed_dictionaries(
            {"prompt": _name, "answer": st.just("A")},
            optional={"options": st.lists(_name, max_size=3).map(lambda o: ["A", *o])}),
            max_size=3),
    }
    for key, strategy in parts.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    if draw(st.integers(0, 3)) == 0:  # spoil one value, anywhere
        spoilt: object = data
        while isinstance(spoilt, dict | list) and spoilt and draw(st.booleans()):
            parent = spoilt
            key = draw(st.sampled_from(sorted(spoilt) if isinstance(spoilt, dict)
                                       else range(len(spoilt))))
            spoilt = parent[key]
        if isinstance(spoilt, dict | list) and spoilt:
            key = draw(st.sampled_from(sorted(spoilt) if isinstance(spoilt, dict)
                                       else range(len(spoilt))))
            spoilt[key] = draw(random_structures)
        else:
            data[draw(st.sampled_from(_DECK_KEYS))] = draw(random_structures)
    return data


# Includes explicit core-schema tags, whose bad values (`!!int abc`) once crashed the loader.
YAML_TOKENS = [
    "\n", " ", "  ", "- ", ": ", "? ", "{", "}", "[", "]", ",", "&a ", "*a ", "&b ", "*b ",
    "<<: ", "!!int ", "!!float ", "!!bool ", "!!timestamp ",
    "!!str ", "!!binary ", "!!set ", "!!omap ", "!!null ", "!!map ", "!!seq ",
    "!!python/name:os.system ", "!!python/object/apply:os.system [true]", "!x ", "!<tag:x> ",
    "'", '"', "\\", "\\x1b", "\\u2028", "#", "|", "|-", ">", "\t", "%YAML 1.1\n",
    "%TAG ! tag:x,\n", "---\n", "...\n", "\x00", "\ufeff", "\x85", "\u2028", "\x1b[2J",
    "title", "quotes", "speaker", "text", "dialogues", "lines", "scene", "questions",
    "options", "answer", "prompt", "a", "1", "1:2", "0x1f", "0o7", "1e9", ".inf", ".nan",
    "2001-01-01", "2001-01-01 10:00:00", "yes", "~", "=", "_____",
]
raw_yaml = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)


# -- the page parser ----------------------------------------------------------------

@FUZZ
@given(random_pages)
@example("Song\n\nSong by , x")  # a track line with no artist
@example("Moment\n\nIt happens.\n\nContext:")  # a label with nothing after it
@example("A\nA\n\nhello")  # a dialogue line before any scene title
@example(", Reelive\n\nA\nA\n\nhi")  # an empty scene title
@example("\ufeff\ufeff, Reelive")
@example("x\x85y\n\nx\x85y by a, b")  # U+0085 inside a track title
def test_random_text_as_a_page(text: str) -> None:
    deck = outcome(lambda: parse_page(text, "fuzz.txt", title="Fuzz"), len(text))
    if deck is not None:
        usable(deck)


@FUZZ
@given(well_formed_pages())
def test_well_formed_pages_with_random_text(text: str) -> None:
    deck = outcome(lambda: parse_page(text, "fuzz.txt", title="Fuzz"), len(text))
    if deck is not None:
        usable(deck)


@FUZZ
@given(mutated_pages())
def test_mutated_real_page(text: str) -> None:
    deck = outcome(lambda: parse_page(text, "mutated.txt"), len(text))
    if deck is not None:
        usable(deck)


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@FUZZ
@given(st.one_of(st.binary(max_size=400),
                 mutated_pages().map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.builds(lambda a, b: a + b, st.binary(max_size=20),
                           st.just(PAGE.read_bytes()))))
def test_random_bytes_as_a_page_file(scratch: Path, data: bytes) -> None:
    path = scratch / "page.txt"
    path.write_bytes(data)
    deck = outcome(lambda: read_page(path), len(data))
    if deck is not None:
        usable(deck)


# -- the deck loader ----------------------------------------------------------------

@FUZZ
@given(st.one_of(random_structures, deck_shaped()))
def test_random_yaml_structures(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    deck = outcome(lambda: parse_deck(text, "fuzz.yaml"), len(text))
    if deck is not None:
        usable(deck)


@FUZZ
@given(raw_yaml)
@example("title: T\n\"a\\x1b[2J\": 1\n")  # unknown key with an escape in it
@example("title: T\nquotes: &a\n- {speaker: A, text: B}\nrelated: *a\n")
@example("[" * 10_000)  # nesting far too deep for Python's recursion
@example("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n")
@example("title: !!binary AAAA\nquotes: [{speaker: A, text: B}]\n")
@example("title: !!set {a}\nquotes: [{speaker: A, text: B}]\n")
def test_raw_text_as_yaml(text: str) -> None:
    deck = outcome(lambda: parse_deck(text, "fuzz.yaml"), len(text))
    if deck is not None:
        usable(deck)


@FUZZ
@given(st.one_of(st.binary(max_size=300), raw_yaml.map(str.encode)))
def test_random_bytes_as_a_deck_file(scratch: Path, data: bytes) -> None:
    path = scratch / "deck.yaml"
    path.write_bytes(data)
    deck = outcome(lambda: load_deck(path), len(data))
    if deck is not None:
        usable(deck)


# -- what the fuzzer found, pinned ------------------------------------------------------

@pytest.mark.parametrize("value", [
    "!!timestamp x", "!!timestamp 2001-13-45", "!!timestamp 0000-01-01",
    "!!timestamp 2001-01-01 99:00:00", "!!int abc", "!!int 0x", "!!int 0o9", "!!int ''",
    "!!float abc", "!!float .", "!!float ''", "!!bool maybe",
])
def test_explicit_yaml_tags_with_bad_values(scratch: Path, value: str) -> None:
    path = scratch / "tagged.yaml"
    path.write_text(f"title: {value}\nquotes:\n- speaker: A\n  text: B\n", encoding="utf-8")
    with pytest.raises(DeckError, match=r"tagged\.yaml"):
        load_deck(path)


def test_lone_surrogate_in_deck_text() -> None:
    with pytest.raises(DeckError):
        parse_deck("title: a\ud800b\nquotes: [{speaker: A, text: B}]\n", "s.yaml")


@pytest.mark.parametrize("key", ["a\\nb", "a\\u2028b", "a\\x85b", "a\\x1b[2Jb"])
def test_unknown_key_message_is_one_clean_line(key: str) -> None:
    with pytest.raises(DeckError) as err:
        parse_deck(f'title: T\n"{key}": 1\nquotes: [{{speaker: A, text: B}}]\n', "k.yaml")
    message = str(err.value)
    assert "unknown key" in message
    assert len(message.splitlines()) == 1 and "\x1b" not in message


@pytest.mark.parametrize("sep", ["\u2028", "\x0b", "\x85", "\x1c"])
def test_bad_track_message_is_one_line(sep: str) -> None:
    with pytest.raises(PageError) as err:
        parse_page(f"Song{sep}x\n\nSong{sep}x by nobody\n", "t.txt")
    assert len(str(err.value).splitlines()) == 1


def test_deep_yaml_nesting_is_a_deck_error() -> None:
    for text in ("[" * 100_000, "{a: " * 50_000, "- " * 50_000 + "x"):
        with pytest.raises(DeckError, match="not valid YAML"):
            parse_deck(text, "deep.yaml")

"""Question generation: the rules every question obeys, stable ids, and `questions`."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import corpus
import helpers
import pytest
from builders import second_film

from reelive_quiz.deck import (
    CustomQuestion,
    Deck,
    Line,
    Moment,
    Quote,
    Scene,
    Track,
    Trivia,
    load_deck,
    write_deck,
)
from reelive_quiz.generate import MAX_OPTIONS, generate
from reelive_quiz.keyfacts import COLOURS, FILLER, STOP_WORDS
from reelive_quiz.library import bundled_dir
from reelive_quiz.page import parse_page
from reelive_quiz.question import KINDS, Question
from reelive_quiz.text import contains, fold

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = bundled_dir() / "in-the-mood-for-love.yaml"
SLUG = "in-the-mood-for-love"
NUMBER_WORDS = {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred",
                "thousand"}

@pytest.fixture(scope="module")
def bundled() -> Deck:
    return load_deck(BUNDLED)


@pytest.fixture(scope="module")
def bundled_questions(bundled: Deck) -> list[Question]:
    return generate(bundled)


def run_cli(*args: str, home: Path, cwd: Path,
            hashseed: str = "0") -> subprocess.CompletedProcess:
    return helpers.run_cli(*args, home=home, cwd=cwd, env={"PYTHONHASHSEED": hashseed})


def _corpus_deck(index: int) -> Deck:
    return parse_page(corpus.make_page(random.Random(index), index), f"film-{index}.txt")


# -- the rules ------------------------------------------------------------------

_SOURCE = re.compile(r"(\w+)\[(\d+)\](?:\.lines\[(\d+)\])?")


def _item(deck: Deck, source: str) -> object:
    match = _SOURCE.fullmatch(source)
    assert match, source
    field, i, j = match.group(1), int(match.group(2)), match.group(3)
    item = getattr(deck, field)[i]
    return item.lines[int(j)] if j is not None else item


def _is_key_fact(answer: str, fact: str, film: str = "") -> bool:
    """A term of the fact itself, never a stop word, a filler word or the film's title."""
    return (answer in fact and contains(fact, answer) and fold(answer) not in STOP_WORDS
            and fold(answer) not in FILLER and fold(answer) != fold(film))


def named_in(prompt: str, option: str, person: bool = False) -> bool:
    """Does the prompt name the option (folded; a person by one of their names alone)?"""
    words = [w for w in option.split() if len(fold(w)) > 2] if person else []
    return any(contains(prompt, w) for w in [option, *words]
               if fold(w) not in {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "madam",
                                  "the"})


def check_rules(deck: Deck, questions: list[Question]) -> None:
    speakers = {ln.speaker for s in deck.dialogues for ln in s.lines}
    speakers |= {q.speaker for q in deck.quotes}
    said_by: dict[str, set[str]] = {}
    in_scenes: dict[str, set[str]] = {}
    for s in deck.dialogues:
        for ln in s.lines:
            said_by.setdefault(fold(ln.text), set()).add(ln.speaker)
            in_scenes.setdefault(fold(ln.text), set()).add(s.scene)
    for q in deck.quotes:
        said_by.setdefault(fold(q.text), set()).add(q.speaker)
    scene_titles = {s.scene for s in deck.dialogues}
    line_texts = {ln.text for s in deck.dialogues for ln in s.lines}
    artists = {t.artist for t in deck.soundtrack}
    track_titles = {t.title for t in deck.soundtrack}
    track_uses = {t.accompanies for t in deck.soundtrack}
    moment_titles = {m.title for m in deck.moments}

    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids)), "question ids are not unique"
    for q in questions:
        where = f"{q.id} {q.source}: {q.prompt!r} -> {q.answer!r} {q.options}"
        assert q.kind in KINDS, where
        assert q.deck == deck.title and q.slug == deck.slug, where
        assert q.prompt.strip() and q.answer.strip(), where
        assert not contains(q.prompt, q.answer), "prompt gives the answer away: " + where
        if q.options:
            assert len(q.options) >= 2, where
            assert len(q.options) <= MAX_OPTIONS, where
            assert q.options.count(q.answer) == 1, where
            assert len({fold(o) for o in q.options}) == len(q.options), where
            assert q.mode == "choice", where
        else:
            assert q.mode in ("typed", "flip"), where
        for option in q.options:  # the answer too: no option is named in its prompt
            assert not named_in(q.prompt, option, person=q.person), where
        item = _item(deck, q.source)
        others = set(q.options) - {q.answer}
        if q.kind == "who-said":
            assert isinstance(item, Line | Quote) and q.answer == item.speaker, where
            assert said_by[fold(item.text)] == {item.speaker}, "ambiguous: " + where
            assert set(q.options) <= speakers, where
            assert q.person, where
            unnamed = {fold(s) for s in speakers if not named_in(q.prompt, s, person=True)}
            unnamed.add(fold(q.answer))
            assert len(q.options) == (min(MAX_OPTIONS, len(unnamed)) if len(unnamed) > 1
                                      else 0), where
        elif q.kind == "which-scene":
            i = int(_SOURCE.fullmatch(q.source).group(2))  # type: ignore[union-attr]
            assert isinstance(item, Line), where
            assert q.answer == deck.dialogues[i].scene, where
            assert in_scenes[fold(item.text)] == {q.answer}, "ambiguous: " + where
            assert set(q.options) <= scene_titles, where
            unnamed = {t for t in scene_titles if not named_in(q.prompt, t)} | {q.answer}
            assert len(q.options) == (min(MAX_OPTIONS, len(unnamed)) if len(unnamed) > 1
                                      else 0), where
        elif q.kind == "next-line":
            assert isinstance(item, Line) and q.answer == item.text, where
            assert set(q.options) <= line_texts, where
        elif q.kind == "finish-quote":
            assert isinstance(item, Quote) and item.text.endswith(q.answer), where
            assert q.answer != item.text, where
        elif q.kind == "track":
            assert isinstance(item, Track), where
            assert q.answer in (item.title, item.accompanies), where
            pool = track_uses if q.answer == item.accompanies else track_titles
            assert set(q.options) <= pool, where
        elif q.kind == "track-artist":
            assert isinstance(item, Track) and q.answer == item.artist, where
            assert set(q.options) <= artists, where
            assert len(q.options) == (0 if len(artists) < 2 else
                                      min(MAX_OPTIONS, len(artists))), where
        elif q.kind == "moment":
            assert isinstance(item, Moment) and q.answer == item.title, where
            assert set(q.options) <= moment_titles, where
        elif q.kind == "trivia":
            assert isinstance(item, Trivia), where
            assert contains(item.fact, q.answer), where
            assert fold(q.answer) != fold(item.title), "answer is the card title: " + where
            assert _is_key_fact(q.answer, item.fact, deck.title), where
            colour = fold(q.answer) in COLOURS  # a colour's distractors are colours
            assert all(any(contains(t.fact, o) for t in deck.trivia)
                       or (colour and fold(o) in COLOURS) for o in others), where
        elif q.kind == "custom":
            assert isinstance(item, CustomQuestion), where
            assert (q.prompt, q.answer) == (item.prompt, item.answer), where
            assert set(q.options) <= set(item.options), where


def test_bundled_deck_questions_follow_the_rules(bundled: Deck,
                                                 bundled_questions: list[Question]) -> None:
    check_rules(bundled, bundled_questions)


def test_second_deck_questions_follow_the_rules() -> None:
    check_rules(second_film(), generate(second_film()))


@pytest.mark.parametrize("index", [3, 4])
def test_unseen_film_questions_follow_the_rules(index: int) -> None:
    deck = _corpus_deck(index)
    check_rules(deck, generate(deck))


def _kinds(questions: list[Question]) -> Counter[str]:
    return Counter(q.kind for q in questions)


def test_bundled_deck_has_every_required_kind(bundled: Deck,
                                              bundled_questions: list[Question]) -> None:
    kinds = _kinds(bundled_questions)
    for kind in ("who-said", "which-scene", "track", "track-artist", "moment", "trivia"):
        assert kinds[kind], kind
    tracks = [q for q in bundled_questions if q.kind == "track"]
    for t in bundled.soundtrack:  # both directions, for every track
        assert any(q.answer == t.title and contains(q.prompt, t.accompanies) for q in tracks)
        assert any(q.answer == t.accompanies and contains(q.prompt, t.title) for q in tracks)
    assert {q.answer for q in bundled_questions if q.kind == "track-artist"} == {
        t.artist for t in bundled.soundtrack}
    # every line someone alone says is asked as who-said; every moment is asked
    who = {q.source for q in bundled_questions if q.kind == "who-said"}
    assert len(who) == sum(len(s.lines) for s in bundled.dialogues) + len(bundled.quotes)
    assert {q.answer for q in bundled_questions if q.kind == "moment"} == {
        m.title for m in bundled.moments}
    # no padding: two speakers give two options, except where the prompt's context line
    # already names the other speaker (then there is no distractor: it is typed)
    for q in bundled_questions:
        if q.kind == "who-said":
            other = ({"Su Li-zhen", "Chow Mo-wan"} - {q.answer}).pop()
            assert len(q.options) == (0 if contains(q.prompt, other) else 2), q.prompt


def test_bundled_trivia_asks_key_facts(bundled: Deck,
                                       bundled_questions: list[Question]) -> None:
    trivia = [q for q in bundled_questions if q.kind == "trivia"]
    by_card: dict[str, set[str]] = {}
    for q in trivia:
        card = _item(bundled, q.source)
        assert isinstance(card, Trivia)
        by_card.setdefault(card.title, set()).add(q.answer)
    # every fact teaches something: 22 of 22
    assert set(by_card) == {t.title for t in bundled.trivia} and len(by_card) == 22
    # names, numbers, places, colours and styles that the facts themselves single out
    assert "Christopher Doyle" in by_card["Cinematography Techniques"]
    assert "30" in by_card["Maggie Cheung’s Dedication"]
    assert "Hong Kong" in by_card["Filming Locations"]
    assert "red" in by_card["Use of Color"]
    assert "Mirrors" in by_card["The Use of Mirrors"]
    assert "French New Wave" in by_card["Influence of French Cinema"]
    assert "improvised" in by_card["Improvised Dialogue"]
    assert any(q.person and q.options for q in trivia)
    assert any(q.answer.isdigit() and not q.options for q in trivia)
    for q in trivia:  # never a title question, never filler
        card = _item(bundled, q.source)
        assert isinstance(card, Trivia)
        assert fold(q.answer) != fold(card.title), q.prompt
        assert _is_key_fact(q.answer, card.fact, bundled.title), q.answer


def test_second_deck_kinds_and_shapes() -> None:
    questions = generate(second_film())
    kinds = _kinds(questions)
    for kind in ("who-said", "which-scene", "track", "track-artist", "moment", "custom"):
        assert kinds[kind], kind
    assert kinds["trivia"] == 0
    track = second_film().soundtrack[0]
    tracks = [q for q in questions if q.kind == "track"]
    assert {q.answer for q in tracks} == {track.title, track.accompanies}
    # a film with one track has no other track to offer: asked without options
    assert all(not q.options for q in questions if q.kind in ("track", "track-artist"))
    who = [q for q in questions if q.kind == "who-said"]
    assert {len(q.options) for q in who} == {MAX_OPTIONS}
    assert {q.answer for q in who} == {"Amélie Poulain", "Nino Quincampoix",
                                      "Raymond Dufayel", "Georgette", "Joseph"}
    # "Of course." / "Of course!" is said by two people in two scenes: never asked
    assert not any("Of course" in q.prompt for q in questions
                   if q.kind in ("who-said", "which-scene"))
    scene = [q for q in questions if q.kind == "which-scene"]
    assert {len(q.options) for q in scene} == {3}
    custom = {q.source: q for q in questions if q.kind == "custom"}
    assert set(custom) == {"questions[0]", "questions[1]"}
    assert sorted(custom["questions[0]"].options) == ["Le Marais", "Montmartre", "Pigalle"]
    assert custom["questions[1]"].options == () and custom["questions[1]"].mode == "typed"


def test_two_speakers_get_exactly_two_options() -> None:
    deck = Deck("Duet", dialogues=(Scene("Only Scene", (
        Line("Ann Bell", "These are the first words."), Line("Bo Chen", "And these, the second."),
        Line("Ann Bell", "Then come the third words."))),))
    who = [q for q in generate(deck) if q.kind == "who-said"]
    assert len(who) == 3
    assert all(sorted(q.options) == ["Ann Bell", "Bo Chen"] for q in who)
    # a single scene cannot be asked as which-scene with options
    assert all(not q.options for q in generate(deck, ["which-scene"]))


def test_kinds_filter(bundled: Deck, bundled_questions: list[Question]) -> None:
    only = generate(bundled, ["track", "moment"])
    assert only == [q for q in bundled_questions if q.kind in ("track", "moment")]
    assert generate(bundled, []) == []


# -- determinism and ids ----------------------------------------------------------

def test_generation_is_deterministic(bundled: Deck,
                                     bundled_questions: list[Question]) -> None:
    assert generate(bundled) == bundled_questions
    assert generate(load_deck(BUNDLED)) == bundled_questions
    assert generate(second_film()) == generate(second_film())


def _ids(deck: Deck) -> set[str]:
    return {q.id for q in generate(deck)}


def test_ids_survive_adding_a_scene(bundled: Deck) -> None:
    extra = Scene("A Brand New Scene", (Line("Ah Ping", "Nobody has said this before."),
                                        Line("Su Li-zhen", "Nor this, I think.")))
    before, after = _ids(bundled), _ids(replace(bundled, dialogues=(extra, *bundled.dialogues)))
    assert before < after
    assert len(after - before) >= 4  # the new lines are asked too


def test_ids_survive_editing_a_trivia_fact(bundled: Deck) -> None:
    k = 7  # Cinematography Techniques
    old = generate(bundled)
    card = bundled.trivia[k]
    edited = replace(card, fact=card.fact.replace("Christopher Doyle", "Mark Lee Ping-bing"))
    new = generate(replace(bundled, trivia=(*bundled.trivia[:k], edited,
                                            *bundled.trivia[k + 1:])))
    new_ids = {q.id for q in new}
    assert {q.id for q in old if q.source != f"trivia[{k}]"} <= new_ids
    old_card = {q.id for q in old if q.source == f"trivia[{k}]"}
    new_card = {q.id for q in new if q.source == f"trivia[{k}]"}
    assert old_card and new_card and old_card.isdisjoint(new_card)


def test_ids_survive_reordering_quotes(bundled: Deck) -> None:
    old = {q.id: q for q in generate(bundled)}
    new = {q.id: q for q in generate(replace(bundled, quotes=bundled.quotes[::-1]))}
    assert set(old) == set(new)
    for qid, q in old.items():
        assert (new[qid].prompt, new[qid].answer, new[qid].options) == (q.prompt, q.answer,
                                                                        q.options)


def test_id_changes_when_its_own_line_changes(bundled: Deck) -> None:
    old = generate(bundled)
    scene = bundled.dialogues[0]
    line = scene.lines[2]
    changed = replace(scene, lines=(*scene.lines[:2], replace(line, text="Perhaps neither."),
                                    *scene.lines[3:]))
    new = generate(replace(bundled, dialogues=(changed, *bundled.dialogues[1:])))

    def who(questions: list[Question]) -> str:
        return next(q.id for q in questions
                    if q.kind == "who-said" and q.source == "dialogues[0].lines[2]")

    assert who(old) != who(new)
    assert who(old) not in {q.id for q in new}
    unrelated = {q.id for q in old if q.kind == "who-said" and q.source != "dialogues[0].lines[2]"}
    assert unrelated <= {q.id for q in new}


def test_ids_do_not_depend_on_the_position_in_the_deck() -> None:
    second = second_film()
    moved = replace(second, dialogues=second.dialogues[::-1], moments=second.moments[::-1])
    assert _ids(moved) == _ids(second)


def test_ids_differ_between_films() -> None:
    renamed = replace(second_film(), title="Another Film Entirely")
    assert _ids(renamed).isdisjoint(_ids(second_film()))


# -- the `questions` command ------------------------------------------------------

FIELDS = {"id", "deck", "kind", "prompt", "answer", "options", "source"}


def test_cli_questions_json_is_the_library_output(tmp_path: Path, _home: Path,
                                                  bundled_questions: list[Question]) -> None:
    first = run_cli("questions", str(BUNDLED), "--json", home=_home, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    items = json.loads(first.stdout)
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) >= FIELDS, item
        assert isinstance(item["options"], list)
    assert items == [q.to_dict() for q in bundled_questions]
    # the same output from another interpreter with another hash seed
    second = run_cli("questions", str(BUNDLED), "--json", home=_home, cwd=tmp_path,
                     hashseed="12345")
    assert second.stdout == first.stdout


def test_cli_questions_second_deck_file(tmp_path: Path, _home: Path) -> None:
    path = tmp_path / "second.yaml"
    write_deck(second_film(), path)
    result = run_cli("questions", str(path), "--json", "--kind", "custom", "--kind",
                     "who-said", home=_home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert {i["kind"] for i in items} == {"custom", "who-said"}
    # the slug (hashed into ids) is the file's: `second`, not the title's
    assert items == [q.to_dict() for q in generate(second_film(), ["custom", "who-said"],
                                                   slug="second")]


def test_cli_questions_kind_filter(tmp_path: Path, _home: Path,
                                   bundled_questions: list[Question]) -> None:
    result = run_cli("questions", "--json", "--kind", "track", home=_home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert items and {i["kind"] for i in items} == {"track"}
    assert len(items) == sum(q.kind == "track" for q in bundled_questions)


def test_cli_questions_unknown_kind(tmp_path: Path, _home: Path) -> None:
    result = run_cli("questions", "--kind", "riddle", home=_home, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "riddle" in lines[0] and "who-said" in lines[0]
    assert result.stdout == ""


def test_cli_questions_default_is_the_bundled_deck_from_any_folder(
        tmp_path: Path, _home: Path, bundled_questions: list[Question]) -> None:
    cwd = tmp_path / "somewhere" / "else"
    cwd.mkdir(parents=True)
    result = run_cli("questions", "--json", home=_home, cwd=cwd)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert items == [q.to_dict() for q in bundled_questions]
    text = run_cli("questions", home=_home, cwd=cwd)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[-1] == f"{len(bundled_questions)} questions from 1 deck(s)"


def test_cli_questions_default_after_importing_the_same_film(
        tmp_path: Path, _home: Path) -> None:
    imported = _home / "decks" / f"{SLUG}.yaml"
    write_deck(load_deck(BUNDLED), imported)
    result = run_cli("questions", "--json", home=_home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout), "no questions at all"

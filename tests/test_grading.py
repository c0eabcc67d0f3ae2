"""Typed answers: forgiving of slips, strict about answers that fit another candidate."""

from __future__ import annotations

import pytest

from reelive_quiz.grading import grade, normalize

CHOW = "Chow Mo-wan"
SPEAKERS = ["Su Li-zhen"]
PHRASE = "Recurring theme throughout the film"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amélie", "amelie"),
        ("  The   SHARED\tnoodles ", "the shared noodles"),
        ("Mo-wan", "mo wan"),
        ("Mo\u2013wan \u2014 ok", "mo wan ok"),
        ("Yumeji\u2019s Theme", "yumejis theme"),
        ("\u201cHi!\u201d, she said.", "hi she said"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "given", ["Chow Mo-wan", "chow", "Chow Mo-Wan", "chow mowan", "Chou Mo-wan", "CHOW"]
)
def test_person_full_or_family_name_accepted(given: str) -> None:
    assert grade(given, CHOW, others=SPEAKERS, person=True)


@pytest.mark.parametrize("given", ["mo-wan", "mowan", "mo wan", "Mo\u2010Wan", "mowen"])
def test_person_hyphenated_given_name_is_one_part(given: str) -> None:
    assert grade(given, CHOW, others=SPEAKERS, person=True)


@pytest.mark.parametrize("given", ["su", "Su Li-zhen", "li-zhen", "", "   ", "!!", "mo", "wan"])
def test_person_rejected(given: str) -> None:
    assert not grade(given, CHOW, others=SPEAKERS, person=True)


def test_name_part_only_counts_for_people() -> None:
    assert not grade("chow", CHOW, others=SPEAKERS)
    assert grade("chow mo-wan", CHOW, others=SPEAKERS)


def test_typo_in_name_part() -> None:
    assert grade("chou", CHOW, person=True)
    assert not grade("chuo mo", CHOW, person=True)


def test_other_candidate_that_fits_as_well_is_wrong() -> None:
    others = ["Mrs. Chan"]
    assert grade("Mr. Chan", "Mr. Chan", others=others, person=True)
    assert grade("mr chan", "Mr. Chan", others=others)
    # One edit from "mr chan", but it *is* the other candidate.
    assert grade("mrs chan", "Mr. Chan") is True
    assert not grade("mrs chan", "Mr. Chan", others=others)
    assert not grade("mrs chan", "Mr. Chan", others=others, person=True)
    # A name part both candidates share says nothing about which is meant.
    assert grade("chan", "Mr. Chan", person=True)
    assert not grade("chan", "Mr. Chan", others=others, person=True)
    # The same answer listed among the others is no rival.
    assert grade("mr chan", "Mr. Chan", others=["Mr Chan"])


def test_title_alone_is_not_a_name() -> None:
    assert not grade("mr", "Mr. Chan", others=["Mrs. Chan"], person=True)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Amelie", "Amélie"),
        ("amélie", "Amelie"),
        ("Yumejis Theme", "Yumeji's Theme"),
        ("yumeji\u2019s theme!", "Yumeji's Theme"),
        ("Shared Noodles", "The Shared Noodles"),
        ("the shared noodles", "Shared Noodles"),
        ("a shared noodles", "The Shared Noodles"),
        ("  shared    NOODLES ", "Shared Noodles"),
        ("Shared Noodle", "Shared Noodles"),  # one edit in 14 characters
        ("Shard Noodle", "Shared Noodles"),  # two edits
        ("Hong Kong", "Hong-Kong"),
        ("ameli", "Amélie"),  # one edit in 6 characters
    ],
)
def test_forgiving(given: str, expected: str) -> None:
    assert grade(given, expected)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "Amélie"),
        (" \t ", "Amélie"),
        ("Shared", "The Shared Noodles"),
        ("the", "The Shared Noodles"),
        ("Shard Noodel", "Shared Noodles"),  # three edits
        ("amel", "Amélie"),  # two edits in 6 characters
        ("cat", "cab"),  # no typo allowed below four characters
    ],
)
def test_strict(given: str, expected: str) -> None:
    assert not grade(given, expected)


def test_typo_allowance_grows_with_length() -> None:
    assert not grade("cabs", "cab")
    assert grade("cab", "cabs")
    assert grade("cabx", "cabs")
    assert not grade("cxbx", "cabs")
    long = "abcdefghijklmnopqrst"  # 20 characters: 3 edits
    assert grade("xbcdefghijxlmnopqrsx", long)
    assert not grade("xbcdxfghijxlmnopqrsx", long)


@pytest.mark.parametrize(
    "given",
    [
        PHRASE,
        "recurring theme throughout film",
        "recuring theme througout the film",
        "the recurring theme through out the film",
        "theme recurring throughout the film",
        "a recurring theme throughout the whole film",
    ],
)
def test_phrase_accepted(given: str) -> None:
    assert grade(given, PHRASE)


@pytest.mark.parametrize(
    "given",
    [
        "film",
        "recurring",
        "theme",
        "recurring theme",
        "theme throughout film",
        "recurring theme throughout the film of love and loss and trains",
    ],
)
def test_phrase_rejected(given: str) -> None:
    assert not grade(given, PHRASE)


def test_phrase_closer_to_another_candidate_is_wrong() -> None:
    others = ["Recurring motif throughout the film"]
    assert grade("recurring theme throughout film", PHRASE, others=others)
    assert not grade("recurring motif throughout film", PHRASE, others=others)


@pytest.mark.parametrize(("given", "expected"), [
    ("1970s", "1960s"), ("1963", "1962"), ("1500", "15,000"), ("150000", "15,000"),
    ("1.5 million", "15 million"), ("shot in 32 days", "shot in 23 days"),
    ("Room 2064", "Room 2046"),
])
def test_numbers_and_years_have_no_typo_tolerance(given: str, expected: str) -> None:
    assert not grade(given, expected)


@pytest.mark.parametrize(("given", "expected"), [
    ("15000", "15,000"), ("15 000", "15,000"), ("15.000", "15,000"), ("15,000", "15000"),
    ("1962", "1962"), ("the 1960s", "1960s"), ("1,5 million", "1.5 million"),
    ("room 2064", "Room 2064"), ("Rom 2046", "Room 2046"),
])
def test_numbers_match_by_value_and_words_keep_their_tolerance(given: str, expected: str
                                                               ) -> None:
    assert grade(given, expected)


def test_a_name_with_a_number_keeps_its_parts() -> None:
    assert grade("cop", "Cop 223", person=True)  # a name part alone still counts
    assert grade("Cop 223", "Cop 223", person=True)
    assert not grade("cop 233", "Cop 223", person=True)
    assert grade("Chow", CHOW, others=SPEAKERS, person=True)

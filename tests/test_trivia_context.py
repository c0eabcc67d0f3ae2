"""Every item teaches (issue 15): trivia key facts, short lines in context, fair options."""

from __future__ import annotations

import pytest

from reelive_quiz.deck import Deck, Line, Scene, Trivia, load_deck
from reelive_quiz.generate import SHORT_LINE, generate
from reelive_quiz.keyfacts import FILLER, STOP_WORDS
from reelive_quiz.library import bundled_dir
from reelive_quiz.text import contains, fold

# Pages this generator has never seen, written for this test: facts with and
# without names or numbers, in the Reelive layout.
AMELIE_PAGE = """\
Casting Amélie
Jeunet first wrote the role of Amélie for Emily Watson, who turned it down.

Why it matters: The part went to Audrey Tautou instead.

Green and Red
The whole film is graded in saturated green and red, with almost no blue in any frame.

Why it matters: The palette makes Paris look like a storybook.

The Director
Jean-Pierre Jeunet kept a notebook of small pleasures for years before writing the script.

Why it matters: Those pleasures became Amélie's.

Garden Gnome
The travelling garden gnome was photographed by flight attendants around the world.

Why it matters: It became the film's best-known running gag.

Digital Colour
The film was one of the first French features to use a digital intermediate.

Why it matters: It made the grading possible.

Crème Brûlée
Amélie loves cracking the crust of crème brûlée with a teaspoon.

Why it matters: It defines her in one gesture.
"""

VERTIGO_PAGE = """\
Dolly Zoom
The famous vertigo effect combines a zoom in with a dolly out, and was later copied endlessly.

Why it matters: It shows dizziness without a word.

Mission Bell Tower
The bell tower of Mission San Juan Bautista was a matte painting added in the studio.

Why it matters: The real mission had lost its steeple.

Grey Suit
Edith Head dressed Kim Novak in a grey suit that the actress hated.

Why it matters: Her discomfort fed the role.

Box Office
The film was a disappointment at the box office and was withdrawn from circulation for decades.

Why it matters: Its reputation grew only later.

Spiral Titles
The opening titles use spirals drawn with a pendulum by Saul Bass and John Whitney.

Why it matters: They announce the obsession.
"""


def _trivia_deck(page: str, title: str) -> Deck:
    """The trivia of a page written as title / fact / `Why it matters: …` blocks."""
    blocks = [b.strip().split("\n") for b in page.split("\n\n") if b.strip()]
    facts = []
    for head, why in zip(blocks[::2], blocks[1::2], strict=True):
        facts.append(Trivia(head[0], head[1], why[0].removeprefix("Why it matters: ")))
    return Deck(title, trivia=tuple(facts))


UNSEEN = [_trivia_deck(AMELIE_PAGE, "Amélie"), _trivia_deck(VERTIGO_PAGE, "Vertigo")]


@pytest.mark.parametrize("deck", [load_deck(bundled_dir() / "in-the-mood-for-love.yaml"),
                                  *UNSEEN], ids=lambda d: d.slug)
def test_every_trivia_fact_teaches_a_key_fact(deck: Deck) -> None:
    trivia = [q for q in generate(deck) if q.kind == "trivia"]
    covered = {q.source for q in trivia}
    assert covered == {f"trivia[{i}]" for i in range(len(deck.trivia))}  # 100 %
    for q in trivia:
        fact = deck.trivia[int(q.source[7:-1])]
        assert q.answer in fact.fact, q.answer  # a substring of its own fact
        key = fold(q.answer)
        assert key not in STOP_WORDS and key not in FILLER, q.answer
        assert key != fold(deck.title) and key != fold(fact.title), q.answer
        assert "_____" in q.prompt and not contains(q.prompt, q.answer), q.prompt


def test_key_facts_on_unseen_pages() -> None:
    answers = {q.answer for d in UNSEEN for q in generate(d) if q.kind == "trivia"}
    for expected in (("Emily Watson",), ("green", "red"), ("gnome",), ("Edith Head", "grey"),
                     ("Saul Bass", "John Whitney", "spirals")):
        assert any(fold(e) in fold(a) for a in answers for e in expected), (expected, answers)


def test_no_option_is_named_in_its_prompt() -> None:
    # "Jeunet first wrote the role of Amélie for _____" must not offer Jean-Pierre Jeunet
    for q in generate(UNSEEN[0]):
        for option in q.options:
            words = [w for w in option.split() if len(fold(w)) > 2] if q.person else []
            assert not any(contains(q.prompt, w) for w in [option, *words]), (q.prompt, option)
    jeunet = [q for q in generate(UNSEEN[0]) if q.answer == "Emily Watson"]
    assert jeunet and all("Jean-Pierre Jeunet" not in q.options for q in jeunet)


CHATTER = Deck("Chatter", dialogues=(
    Scene("The Stairs", (Line("Su Li-zhen", "Can we?"), Line("Chow Mo-wan", "I don't know yet."),
                         Line("Mrs. Suen", "Where have you both been all evening?"),
                         Line("Su Li-zhen", "At happiness."), Line("Su Li-zhen", "Perhaps."),
                         Line("Chow Mo-wan", "Perhaps both."))),
    Scene("The Office", (Line("Mr. Ho", "Yes."), Line("Mrs. Suen", "No, not today, thank you."),
                         Line("Mr. Ho", "Then tomorrow, at the same time."))),
    Scene("The Hotel", (Line("Chow Mo-wan", "Room 2046, please, as always."),
                        Line("Su Li-zhen", "Not again."),
                        Line("Mrs. Suen", "Somebody is always watching you two."))),
))


@pytest.mark.parametrize("deck", [CHATTER, load_deck(bundled_dir() / "in-the-mood-for-love.yaml")],
                         ids=lambda d: d.slug)
def test_short_lines_carry_their_context(deck: Deck) -> None:
    lines = {f"dialogues[{i}].lines[{j}]": (s, j) for i, s in enumerate(deck.dialogues)
             for j in range(len(s.lines))}
    asked = 0
    for q in generate(deck):
        if q.kind not in ("who-said", "which-scene", "next-line") or q.source not in lines:
            continue
        scene, j = lines[q.source]
        if q.kind == "next-line":
            j -= 1  # the cue is the line before the answer
        line = scene.lines[j]
        if len(fold(line.text).split()) >= SHORT_LINE:
            continue
        asked += 1
        quoted = q.prompt.count("“")
        context = quoted >= 2 or (q.kind == "who-said" and contains(q.prompt, scene.scene))
        assert context, f"a short line without context: {q.prompt!r}"
        if j and q.kind != "next-line":  # the line before is shown, as a script would
            before = scene.lines[j - 1]
            assert contains(q.prompt, " ".join(before.text.split()[:3])), q.prompt
    assert asked >= 3

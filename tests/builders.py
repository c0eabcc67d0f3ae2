"""The decks the tests build by hand, shared: each builder says what shape it gives.

Page-shaped test data comes from `corpus.py` (synthetic Reelive pages);
`corpus_deck` is the Deck a corpus film must parse to.
"""

from __future__ import annotations

from reelive_quiz.deck import (
    CustomQuestion,
    Deck,
    Line,
    Moment,
    Quote,
    Scene,
    Track,
    Trivia,
)

__all__ = ["IMG", "XSS", "corpus_deck", "film", "hostile", "many_quotes", "second_film",
           "small_film", "tiny_film"]

XSS = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def film(title: str = "Test Film", *, line: str = "Where were you last night?",
         extra_quote: bool = False, moments: int = 2) -> Deck:
    """A small deck with every kind of question."""
    quotes = [Quote("Ann Lee", "We were never meant to stay, only to remember the rain."),
              Quote("Bo Chan", "Some doors close quietly, and you hear them for years.")]
    if extra_quote:
        quotes.append(Quote("Cy Ray", "Every train leaves on time except the one you wait for."))
    return Deck(
        title=title,
        dialogues=(
            Scene("The Stairs", (Line("Ann Lee", "Good evening."), Line("Bo Chan", line),
                                 Line("Ann Lee", "At the office, as always."),
                                 Line("Cy Ray", "Nobody works that late."))),
            Scene("The Rain", (Line("Bo Chan", "It is raining again."),
                               Line("Ann Lee", "Then we wait."),
                               Line("Cy Ray", "How long?"),
                               Line("Bo Chan", "As long as it takes."))),
        ),
        quotes=tuple(quotes),
        soundtrack=(Track("Yumeji's Theme", "Shigeru Umebayashi", "The slow walks to the stall"),
                    Track("Quizas", "Nat King Cole", "The closing montage")),
        moments=(Moment("The Noodle Run", "She walks to the stall. The music swells.",
                        "Their first chance meeting."),
                 Moment("The Taxi Ride", "They share a taxi home. Hands almost touch.",
                        "The closest they come."))[:moments],
        trivia=(Trivia("Long Shoot", "Director Wong Kar-wai shot the film over 15 months.",
                       "The script changed daily."),
                Trivia("The Dresses", "Maggie Cheung wore more than 20 dresses.",
                       "Each marks a day.")),
        questions=(CustomQuestion("What year is it set?", "1962", ("1962", "1975", "1948")),
                   CustomQuestion("What city is it set in?", "Hong Kong")),
    )


def hostile() -> Deck:
    """Every string is an attack: markup, entities, template and cloze syntax."""
    bad = f"{XSS} & {IMG} {{{{c2::x}}}} {{{{Answer}}}} a::b"
    return Deck(
        title=f"Evil {XSS} & Co",
        dialogues=(Scene(f"Scene {IMG}", (Line(f"Mal {XSS}", f"Hi {bad}"),
                                          Line("Eve & Co", f"Bye {bad}"),
                                          Line("Nora <b>", "Plain words only."))),),
        quotes=(Quote(f"Mal {XSS}", f"This quote carries {bad} with it, all of it."),),
        soundtrack=(Track(f"Song {IMG}", "Band & Co", f"The end {bad}"),
                    Track("Other {{Film}}", "Nobody", "The start")),
        moments=(Moment(f"Moment {XSS}", f"It happens. {bad}", f"Context {bad}"),),
        trivia=(Trivia(f"Fact {XSS}", f"Director Evil Person wrote {bad} in 1999.",
                       f"Why {bad}"),),
        questions=(CustomQuestion(f"Q {bad}", f"A {IMG}", (f"A {IMG}", "B & {{c3::y}}")),),
    )


# scenes (one title with a comma), one track, no trivia, hand-written questions, and
def second_film() -> Deck:
    """A differently shaped film: five speakers (one with accents, two with one name), three
    scenes (one title with a comma), one track, no trivia, hand-written questions, and
    the same words ("Of course.") from two people in two scenes."""
    return Deck(
        title="Les Étoiles de Montmartre",
        dialogues=(
            Scene("The Café at Dawn", (
                Line("Amélie Poulain", "The coffee is cold again."),
                Line("Nino Quincampoix", "Then we drink it cold."),
                Line("Raymond Dufayel", "Cold coffee keeps painters awake."),
                Line("Nino Quincampoix", "Of course."),
            )),
            Scene("A Photo Booth, Gare de l'Est", (
                Line("Nino Quincampoix", "Who tears up these pictures?"),
                Line("Georgette", "Someone with too many faces."),
                Line("Joseph", "I keep a record of every laugh."),
                Line("Amélie Poulain", "That sounds lonely."),
            )),
            Scene("The Glass Man's Window", (
                Line("Raymond Dufayel", "The girl with the glass never looks at us."),
                Line("Amélie Poulain", "Maybe she is looking somewhere else."),
                Line("Georgette", "Of course!"),
                Line("Joseph", "Everyone looks somewhere else, sooner or later."),
            )),
        ),
        quotes=(
            Quote("Amélie Poulain",
                  "Times are hard for dreamers, but we keep dreaming anyway, every night."),
            Quote("Joseph", "A laugh you count is a laugh you lose."),
        ),
        soundtrack=(Track("Comptine d'un autre été", "Yann Tiersen",
                          "Plays over the bicycle ride"),),
        moments=(
            Moment("The Stone Skipping", "She skips stones on the canal at dusk. Nobody sees her "
                   "smile. The ducks do not care.", "Small pleasures define her."),
            Moment("The Garden Gnome", "A gnome travels the world and sends photographs home. "
                   "Her father finally leaves the house.", "A prank that frees a man."),
            Moment("The Red Arrows", "Chalk arrows lead a young man across the hill. He follows "
                   "every one of them.", "A game of courtship."),
        ),
        related=("Delicatessen", "The City of Lost Children"),
        questions=(
            CustomQuestion("Which district is the café in?", "Montmartre",
                           ("Pigalle", "Montmartre", "Le Marais")),
            CustomQuestion("What does she skip on the canal?", "Stones"),
        ),
    )


def small_film() -> Deck:
    """Three speakers in two scenes, a quote, a typed hand-written question: a short play."""
    return Deck("The Test Film", dialogues=(
        Scene("Morning", (Line("Ann Lee", "Coffee first, then the world."),
                          Line("Bo Chan", "You said that yesterday."),
                          Line("Cy Dorn", "And the day before."))),
        Scene("Night", (Line("Bo Chan", "Lights out, everyone."),
                        Line("Ann Lee", "Five more minutes."),
                        Line("Cy Dorn", "Nobody sleeps here."))),
    ), quotes=(Quote("Ann Lee", "The world can wait until the coffee is gone."),),
        questions=(CustomQuestion("In which city is the film set?", "Hong Kong"),))


def tiny_film(text: str = "I never said that.") -> Deck:
    """Two speakers, two scenes, a quote; `text` is the first line (edit it to edit the deck)."""
    return Deck("Tiny Film", dialogues=(
        Scene("The Start", (Line("Ann Lee", text), Line("Bo Chan", "You did say it, twice."),
                            Line("Ann Lee", "Then I take it back."))),
        Scene("The End", (Line("Bo Chan", "Goodbye, then."), Line("Ann Lee", "Not yet."))),
    ), quotes=(Quote("Bo Chan", "Every film ends, but not this one."),))


def many_quotes(n: int = 150) -> Deck:
    """One film of `n` quotes by five speakers: many questions from a small file."""
    return Deck("Small Film", quotes=tuple(
        Quote(f"Speaker {i % 5}", f"Line number {i} is said here, once and only.")
        for i in range(n)))


def corpus_deck(film) -> Deck:  # type: ignore[no-untyped-def]
    """The Deck a corpus Film should parse to, built from the Film record alone."""
    return Deck(
        title=film.title,
        dialogues=tuple(Scene(s.title, tuple(Line(sp, tx) for sp, tx in s.lines))
                        for s in film.scenes),
        quotes=tuple(Quote(sp, tx) for sp, tx in film.quotes),
        soundtrack=tuple(Track(t.title, " / ".join(t.artists), t.accompanies)
                         for t in film.tracks),
        moments=tuple(Moment(*m) for m in film.moments),
        trivia=tuple(Trivia(*t) for t in film.trivia),
        related=tuple(film.related),
    )

"""The interactive quiz in the terminal: one key per decision, over a Session.

A multiple-choice question is answered by its number, a flip card by any key
then 1–4 (Enter or Space: Good), a typed one by its text and Enter; after the
feedback, Enter or Space goes on, h/e re-grade a right answer Hard/Easy, u
undoes, s suspends, q, Escape or Ctrl-C (or a SIGINT from outside) end the
session. Every answer is saved the moment it is given.

Text is printed as prompt_toolkit formatted text, (style, text) pairs: the
text is never parsed for markup, and `clean()` removes what a terminal would
obey, so hostile content shows as what it is. It honours NO_COLOR.
"""

from __future__ import annotations

import time

from reelive_quiz.card import Rating
from reelive_quiz.keys import BOLD, DIM, Fragments, choose, fit, press, short, size, type_in
from reelive_quiz.question import KINDS, Question
from reelive_quiz.session import Answered, Session, Summary
from reelive_quiz.terminal import clean, one_line

__all__ = ["interval", "run", "say"]

_NEXT, _HARD, _EASY, _UNDO, _SUSPEND, _QUIT = "next", "hard", "easy", "undo", "suspend", "quit"
AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
_NEW, _LEARN, _REVIEW = "fg:ansiblue", "fg:ansired", "fg:ansigreen"  # Anki's colours


def say(*parts: tuple[str, str] | str) -> None:
    """Print one line of (style, text) parts; plain strings are unstyled. Text is cleaned."""
    from reelive_quiz import keys

    pairs = [("", p) if isinstance(p, str) else p for p in parts]
    keys.say([(style, clean(text)) for style, text in pairs])


def interval(seconds: int) -> str:
    """An interval as Anki writes it on its buttons: 10m, 3h, 4d, 2.5mo, 1.2y."""
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86_400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86_400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".rstrip("0").rstrip(".") + "mo"
    return f"{days / 365:.1f}".rstrip("0").rstrip(".") + "y"


def _footer(*pairs: tuple[str, str]) -> Fragments:
    """The dim line of keys, `key what` pairs; a narrow terminal gets two lines or more."""
    width = size()[0] - 1
    lines: list[str] = []
    for key, what in pairs:
        item = short(f"{key} {what}", width)
        if lines and len(lines[-1]) + 3 + len(item) <= width:
            lines[-1] += " · " + item
        else:
            lines.append(item)
    return [(DIM, "\n".join(lines))]


def _header(session: Session, q: Question) -> None:
    counts = session.counts()
    width = size()[0]
    say((BOLD, short(q.deck, max(10, width // 2))), f" · {KINDS[q.kind]}")
    say((_NEW, f"{counts.new} new"), " · ", (_LEARN, f"{counts.learning} learning"), " · ",
        (_REVIEW, f"{counts.review} review"),
        *([" · ", ("fg:ansiyellow", "cram")] if session.cram else []))


def run(session: Session) -> Summary:
    """Ask until nothing is left or the user stops; the summary of what was answered."""
    import gc

    from reelive_quiz import keys

    keys.load()
    gc.freeze()  # what start-up built lives all session: full collections skip it
    try:
        while (question := session.next()) is not None:
            say("")
            _header(session, question)
            answered = _ask(session, question)
            action = _after(session, answered)
            if action == _QUIT:
                break
            if action == _UNDO:
                if session.undo() is None:  # answered again since, by another session
                    say((DIM, "Not taken back: the question was answered again since."))
                else:
                    say((DIM, "Answer taken back."))
            elif action == _SUSPEND:
                session.suspend(question)
                say((DIM, "Suspended: this question will not be asked again."))
            elif action in (_HARD, _EASY):
                rating = HARD if action == _HARD else EASY
                if session.regrade(rating) is None:
                    say((DIM, "Rating kept: the question was answered again since."))
                else:
                    say((DIM, f"Saved as {_NAMES[rating]}."))
    except KeyboardInterrupt:
        say((DIM, "Stopped. Every answer you gave is saved."))
    return session.summary()


def _ask(session: Session, q: Question) -> Answered:
    mode = session.mode(q)
    started = time.monotonic()
    given: str | None
    shown = True  # did the prompt show the whole question?
    if mode == "choice":
        picked = choose(q.prompt, q.options,
                        _footer((f"1–{min(len(q.options), 9)}", "answer"),
                                ("↑↓ Enter", "pick"), ("q", "quit")))
        given = q.options[picked]
        correct: bool | None = given == q.answer
        rating = GOOD if correct else AGAIN
        shown = not fit(q.prompt, size()[0] - 2, max(1, size()[1] - len(q.options) - 4))[1]
    elif mode == "typed":
        given = type_in(q.prompt, _footer(("type", "the answer"), ("Enter", "check"),
                                          ("Enter alone", "I don't know"))).strip()
        # rapidfuzz only once a typed answer came: loaded before the prompt, it kept
        # the first question of a session off the screen 12 ms longer
        from reelive_quiz.grading import grade

        others = [o for o in q.options if o != q.answer]
        correct = bool(given) and grade(given, q.answer, others=others, person=q.person)
        rating = GOOD if correct else AGAIN
        shown = not fit(q.prompt, size()[0] - 2, max(1, size()[1] - 4))[1]
    else:
        given, correct, rating, shown = None, None, _flip(session, q), False
    seconds = time.monotonic() - started
    if mode != "flip":
        session.preview(q)  # what h and e would give, from the state it is answered in
    answered = session.answer(q, rating=rating, correct=correct, given=given, mode=mode,
                              seconds=seconds)
    if not shown and mode != "flip":
        say((DIM, "The question in full: "), q.prompt)
    _feedback(q, mode, given, correct)
    return answered


def _flip(session: Session, q: Question) -> int:
    """Show the card, reveal on any key, then a grade by 1–4 with its interval beside it."""
    columns, rows = size()
    text, cut = fit(q.prompt, columns, max(1, rows - 5))
    press([("", text)], {}, _footer(("any key", "show the answer"), ("Ctrl-C", "quit")),
          any_key="show")
    if cut:
        say((DIM, "The card in full: "), q.prompt)
    say((BOLD, q.answer))
    intervals = session.preview(q)
    grades = tuple((str(r), f"{_NAMES[r]} {interval(intervals[r])}")
                   for r in (AGAIN, HARD, GOOD, EASY))
    word = press(None, {"1": "1", "2": "2", "3": "3", "4": "4", "enter": "3", "space": "3"},
                 _footer(*grades, ("Enter", "Good")))
    rating = int(word)
    say((DIM, "Graded "), _NAMES[rating], (DIM, f" · again in {interval(intervals[rating])}"))
    return rating


def _feedback(q: Question, mode: str, given: str | None, correct: bool | None) -> None:
    if correct is True:
        say(("fg:ansigreen", "✓ Right."), *([" ", (DIM, f"({one_line(q.answer)})")]
                                            if mode == "typed" else []))
    elif correct is False:
        you = [f" You said {one_line(given)}."] if given and mode == "choice" else []
        say(("fg:ansired", "✗ Not quite."), *you, " The answer: ", (BOLD, q.answer))
        if mode == "typed" and given:
            _compare(given, q.answer)
    if q.info:
        say((DIM, q.info))


def _compare(given: str, expected: str) -> None:
    """Anki's type-in comparison: the two texts with the characters that differ marked."""
    from reelive_quiz.grading import differences

    marks = differences(given, expected)
    if marks is None:  # not close: nothing to point at
        say("  you typed: ", one_line(given))
        return
    typed, wanted = marks
    say("  you typed: ", *[("fg:ansired underline" if bad else "", t) for t, bad in typed])
    say("  expected:  ", *[("fg:ansigreen underline" if bad else "", t) for t, bad in wanted])


def _after(session: Session, answered: Answered) -> str:
    """The keys after the feedback; h/e show the interval they would give."""
    keys = {"enter": _NEXT, "space": _NEXT, "u": _UNDO, "s": _SUSPEND,
            "q": _QUIT, "escape": _QUIT}
    pairs: list[tuple[str, str]] = [("Enter", "next")]
    if answered.correct:
        keys |= {"h": _HARD, "e": _EASY}
        ahead = session.intervals(answered.question)
        pairs += [("h", f"hard {interval(ahead[HARD])}" if HARD in ahead else "hard"),
                  ("e", f"easy {interval(ahead[EASY])}" if EASY in ahead else "easy")]
    pairs += [("u", "undo"), ("s", "suspend"), ("q", "quit")]
    return press(None, keys, _footer(*pairs))

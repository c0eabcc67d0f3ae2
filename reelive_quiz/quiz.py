"""The interactive quiz in the terminal: questionary prompts over a Session.

Text is printed as prompt_toolkit formatted text, (style, text) pairs: the
text is never parsed for markup, and `clean()` removes what a terminal would
obey, so hostile content shows as what it is. prompt_toolkit is already
loaded for questionary, so drawing costs no extra start-up; it honours
NO_COLOR. Ctrl-C ends the session at once; every answer given is saved.
"""

from __future__ import annotations

import time
from typing import Any

from reelive_quiz.card import Rating
from reelive_quiz.question import KINDS, Question
from reelive_quiz.session import Session, Summary
from reelive_quiz.terminal import clean, one_line

__all__ = ["run", "say"]

_NEXT, _HARD, _EASY, _UNDO, _SUSPEND, _QUIT = "next", "hard", "easy", "undo", "suspend", "quit"
_RATINGS = {"Again": Rating.AGAIN, "Hard": Rating.HARD, "Good": Rating.GOOD,
            "Easy": Rating.EASY}
_DIM, _BOLD = "fg:ansibrightblack", "bold"


def say(*parts: tuple[str, str] | str) -> None:
    """Print one line of (style, text) parts; plain strings are unstyled. Text is cleaned."""
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText

    pairs = [("", p) if isinstance(p, str) else p for p in parts]
    print_formatted_text(FormattedText([(style, clean(text)) for style, text in pairs]))


def _share_default_bindings() -> None:
    """Build prompt_toolkit's default key bindings once, not three times a prompt.

    questionary makes three Applications for every select (two PromptSessions for
    their layouts, then its own), and each rebuilds the same emacs, vi and mouse
    bindings: 11 ms of the 16 it takes to draw a question. `load_key_bindings` is a
    pure factory whose bindings read the running app at key time, so one copy can
    serve every Application.
    """
    import functools

    from prompt_toolkit.application import application

    if not hasattr(application.load_key_bindings, "cache_info"):
        application.load_key_bindings = functools.cache(application.load_key_bindings)


def run(session: Session) -> Summary:
    import questionary

    _share_default_bindings()
    done = 0
    while (question := session.next()) is not None:
        say("")
        say((_BOLD, question.deck), f" · {KINDS[question.kind]} · ",
            (_DIM, f"{done} done · {session.left + 1} left"),
            *([" · ", ("fg:ansiyellow", "cram")] if session.cram else []))
        try:
            answered = _ask(session, question, questionary)
            action = _after(answered.correct, questionary)
        except KeyboardInterrupt:
            say((_DIM, "Stopped. Every answer you gave is saved."))
            break
        if action == _QUIT:
            break
        if action == _UNDO:
            if session.undo() is None:  # answered again since, by another session
                say((_DIM, "Not taken back: the question was answered again since."))
            else:
                say((_DIM, "Answer taken back."))
                continue
        if action == _SUSPEND:
            session.suspend(question)
            say((_DIM, "Suspended: this question will not be asked again."))
        elif action in (_HARD, _EASY) and session.regrade(
                Rating.HARD if action == _HARD else Rating.EASY) is None:
            say((_DIM, "Rating kept: the question was answered again since."))
        done += 1
    return session.summary()


def _ask(session: Session, q: Question, questionary: Any) -> Any:
    mode = session.mode(q)
    prompt = clean(q.prompt)
    started = time.monotonic()
    given: str | None
    if mode == "choice":
        choices = [questionary.Choice(title=one_line(o), value=i) for i, o in enumerate(q.options)]
        picked = questionary.select(prompt, choices=choices, use_shortcuts=True,
                                    instruction="(number or arrows, then Enter)").unsafe_ask()
        given = q.options[picked]
        correct: bool | None = given == q.answer
        rating = Rating.GOOD if correct else Rating.AGAIN
    elif mode == "typed":
        from reelive_quiz.grading import grade  # rapidfuzz: only when a typed answer comes

        typed = questionary.text(prompt, instruction="(type it; Enter alone if you don't know)"
                                 ).unsafe_ask()
        given = typed.strip()
        others = [o for o in q.options if o != q.answer]
        correct = bool(given) and grade(given, q.answer, others=others, person=q.person)
        rating = Rating.GOOD if correct else Rating.AGAIN
    else:
        say(q.prompt)
        questionary.press_any_key_to_continue("Think of the answer, then press any key…"
                                              ).unsafe_ask()
        say((_BOLD, q.answer))
        word = questionary.select("How well did you know it?", choices=list(_RATINGS),
                                  default="Good", use_shortcuts=True).unsafe_ask()
        given, correct, rating = None, None, _RATINGS[word]
    seconds = time.monotonic() - started
    answered = session.answer(q, rating=rating, correct=correct, given=given, mode=mode,
                              seconds=seconds)
    if correct is True:
        say(("fg:ansigreen", "✓ Right."), *([" ", (_DIM, f"({q.answer})")]
                                            if mode == "typed" else []))
    elif correct is False:
        you = [f" You said {one_line(given)}."] if given else []
        say(("fg:ansired", "✗ Not quite."), *you, " The answer: ", (_BOLD, q.answer))
    if q.info:
        say((_DIM, q.info))
    return answered


def _after(correct: bool | None, questionary: Any) -> str:
    choices = [questionary.Choice("Next", _NEXT)]
    if correct:
        choices += [questionary.Choice("Next, but it was hard", _HARD),
                    questionary.Choice("Next, it was easy", _EASY)]
    choices += [questionary.Choice("Undo this answer", _UNDO),
                questionary.Choice("Suspend this question", _SUSPEND),
                questionary.Choice("Quit", _QUIT)]
    return str(questionary.select("Continue?", choices=choices, use_shortcuts=True,
                                  instruction=" ").unsafe_ask())

"""The interactive quiz in the terminal: questionary prompts over a Session.

Untrusted text is cleaned before it reaches the screen (`terminal.py`).
Ctrl-C ends the session at once; every answer given is already saved.
"""

from __future__ import annotations

import time

from rich.console import Console

from reelive_quiz.grading import grade
from reelive_quiz.questions import KINDS, Question
from reelive_quiz.schedule import AGAIN, EASY, GOOD, HARD
from reelive_quiz.session import Session, Summary
from reelive_quiz.terminal import clean, markup, one_line

__all__ = ["run"]

_NEXT, _HARD, _EASY, _UNDO, _SUSPEND, _QUIT = "next", "hard", "easy", "undo", "suspend", "quit"
_RATINGS = {"Again": AGAIN, "Hard": HARD, "Good": GOOD, "Easy": EASY}


def run(session: Session, console: Console) -> Summary:
    import questionary

    done = 0
    while (question := session.next()) is not None:
        console.print(f"\n[bold]{markup(question.deck)}[/bold] · {KINDS[question.kind]}"
                      f" · [dim]{done} done · {session.left + 1} left[/dim]"
                      + (" · [yellow]cram[/yellow]" if session.cram else ""))
        try:
            answered = _ask(session, question, console, questionary)
            if answered is None:
                break
            action = _after(answered.correct, questionary)
        except KeyboardInterrupt:
            console.print("\n[dim]Stopped. Every answer you gave is saved.[/dim]")
            break
        if action == _QUIT:
            break
        if action == _UNDO:
            session.undo()
            console.print("[dim]Answer taken back.[/dim]")
            continue
        if action == _SUSPEND:
            session.suspend(question)
            console.print("[dim]Suspended: this question will not be asked again.[/dim]")
        elif action in (_HARD, _EASY):
            session.regrade(HARD if action == _HARD else EASY)
        done += 1
    return session.summary()


def _ask(session: Session, q: Question, console: Console, questionary):  # type: ignore[no-untyped-def]
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
        rating = GOOD if correct else AGAIN
    elif mode == "typed":
        typed = questionary.text(prompt, instruction="(type it; Enter alone if you don't know)"
                                 ).unsafe_ask()
        given = typed.strip()
        others = [o for o in q.options if o != q.answer]
        correct = bool(given) and grade(given, q.answer, others=others, person=q.person)
        rating = GOOD if correct else AGAIN
    else:
        console.print(markup(q.prompt))
        questionary.press_any_key_to_continue("Think of the answer, then press any key…"
                                              ).unsafe_ask()
        console.print(f"[bold]{markup(q.answer)}[/bold]")
        word = questionary.select("How well did you know it?", choices=list(_RATINGS),
                                  default="Good", use_shortcuts=True).unsafe_ask()
        given, correct, rating = None, None, _RATINGS[word]
    seconds = time.monotonic() - started
    answered = session.answer(q, rating=rating, correct=correct, given=given, mode=mode,
                              seconds=seconds)
    if correct is True:
        console.print("[green]✓ Right.[/green]" + (f" [dim]({markup(q.answer)})[/dim]"
                                                    if mode == "typed" else ""))
    elif correct is False:
        you = f" You said {markup(given)}." if given else ""
        console.print(f"[red]✗ Not quite.[/red]{you} The answer: [bold]{markup(q.answer)}"
                      "[/bold]")
    if q.info:
        console.print(f"[dim]{markup(q.info)}[/dim]")
    return answered


def _after(correct: bool | None, questionary) -> str:  # type: ignore[no-untyped-def]
    choices = [questionary.Choice("Next", _NEXT)]
    if correct:
        choices += [questionary.Choice("Next, but it was hard", _HARD),
                    questionary.Choice("Next, it was easy", _EASY)]
    choices += [questionary.Choice("Undo this answer", _UNDO),
                questionary.Choice("Suspend this question", _SUSPEND),
                questionary.Choice("Quit", _QUIT)]
    return str(questionary.select("Continue?", choices=choices, use_shortcuts=True,
                                  instruction=" ").unsafe_ask())

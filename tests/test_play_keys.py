"""`play` by single keys, in a real pseudo-terminal, checked in the real store.

A whole day with exactly the keys a fan uses, a later day with typed answers,
narrow and short terminals, a question of 30 KB, and SIGINT from outside.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pexpect
import pytest
from builders import small_film
from test_play import AFTER, ANSI, CHOICE, GRADE, TYPED, Player

from reelive_quiz.deck import CustomQuestion, Deck, Line, Scene, write_deck

EXE_PY = sys.executable


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[quiz]\nfuzz = false\n")
    return {**os.environ, "REELIVE_QUIZ_HOME": str(home), "REELIVE_QUIZ_NOW":
            "2026-03-02T10:00:00", "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm",
            "NO_COLOR": "1"}


def _rows(env: dict[str, str], sql: str) -> list[tuple]:
    db = sqlite3.connect(Path(env["REELIVE_QUIZ_HOME"]) / "progress.sqlite3")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _reviews(env: dict[str, str]) -> list[tuple]:
    return _rows(env, "SELECT question, rating, correct, mode, given FROM reviews ORDER BY id")


def _write(tmp_path: Path, deck: Deck) -> Path:
    path = tmp_path / f"{'-'.join(deck.title.lower().split())}.yaml"  # slug = title's
    write_deck(deck, path)
    return path


def test_a_run_of_number_enter_pairs_answers_one_question_a_pair(env, tmp_path) -> None:
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "who-said", "--kind", "which-scene", "--new", "20"],
               deck)
    p.question()
    p.child.send("1\r" * 5)  # typed ahead, faster than the screen
    p.child.expect(r"(?s)(?:.*?(?:Right\.|Not quite\.)){5}")  # five feedbacks
    p.question()  # the sixth question waits for its key
    p.child.sendintr()
    p.finish()
    assert p.child.exitstatus == 0
    assert len(_reviews(env)) == 5  # one answer per pair, every one saved


def test_a_whole_day_with_the_keys(env, tmp_path) -> None:
    """Until nothing is left: h, e, u and s once each, flip cards by 2 and by Enter."""
    deck = _write(tmp_path, small_film())
    args = [str(deck), "--kind", "who-said", "--kind", "finish-quote", "--new", "6"]
    p = Player(env, args, deck)
    log: list[tuple[str, str]] = []  # (question, what was saved)
    plan = ["h", "e", "u", "s"]  # for the first choice questions; then right and Enter
    suspended = None
    flips = 0
    while True:
        try:
            q, mode = p.question()
        except pexpect.EOF:
            break
        if mode == "flip":
            grade = "2" if flips % 2 else "\r"  # Hard by its number, Good by Enter
            flips += 1
            p.flip(grade)
            log.append((q.id, "flip-hard" if grade == "2" else "flip-good"))
            p.then(" ")
            continue
        key = plan.pop(0) if plan else "\r"
        if key in "hse\r":
            p.choose(q, right=key != "s")
            p.then(key)
            log.append((q.id, {"h": "hard", "e": "easy", "s": "wrong", "\r": "right"}[key]))
            suspended = q.id if key == "s" else suspended
        else:  # u: the wrong answer is taken back and the same question comes again
            p.choose(q, right=False)
            p.then("u")
            again, _ = p.question()
            assert again.id == q.id
            p.choose(q, right=True)
            p.then("\r")
            log.append((q.id, "right"))
    screen = p.finish()
    assert p.child.exitstatus == 0 and "Session over." in screen and "Streak: 1 day" in screen
    assert not plan and flips >= 2
    counts = re.findall(r"(\d+) new · (\d+) learning · (\d+) review", screen)
    assert counts[0] == ("6", "0", "0") and counts[-1][0] == "0"  # they move with the answers
    want = {"hard": (2, 1), "easy": (4, 1), "right": (3, 1), "wrong": (1, 0),
            "flip-hard": (2, None), "flip-good": (3, None)}
    saved = _reviews(env)
    assert [(qid, rating, correct) for qid, rating, correct, *_ in saved] == [
        (qid, *want[what]) for qid, what in log]
    assert _rows(env, "SELECT id FROM questions WHERE suspended = 1") == [(suspended,)]
    rest = Player(env, args, deck)  # the day is done
    assert "Nothing is due now" in rest.finish()


def test_flip_intervals_shown_are_the_intervals_saved(env, tmp_path) -> None:
    env = {**env}
    (Path(env["REELIVE_QUIZ_HOME"]) / "config.toml").write_text("[quiz]\nfuzz = true\n")
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "finish-quote"], deck)
    p.question()
    p.child.send(" ")
    p.child.expect(r"1 Again (\S+) · 2 Hard (\S+) · 3 Good (\S+) · 4 Easy (\S+) · Enter Good")
    easy = p.child.match.group(4)
    p.child.send("4")
    p.then("q")
    p.finish()
    (due, last), = _rows(env, "SELECT due, last_review FROM questions WHERE state IS NOT NULL")
    days = round((due - last) / 86_400)
    assert easy == f"{days}d"  # fuzzed or not, what was shown is what was saved


def test_ctrl_c_at_a_choice_keeps_the_answers(env, tmp_path) -> None:
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "who-said"], deck)
    q, _ = p.question()
    p.choose(q, right=True)
    p.then(" ")
    p.question()
    p.child.sendintr()
    assert "Every answer you gave is saved" in p.finish()
    assert p.child.exitstatus == 0
    assert [r[0] for r in _reviews(env)] == [q.id]


def test_typed_answers_on_a_later_day(env, tmp_path) -> None:
    """Day 1: two questions learnt Easy; ten days on they come back typed."""
    deck = _write(tmp_path, small_film())
    args = [str(deck), "--kind", "who-said", "--new", "2"]
    p = Player(env, args, deck)
    learnt = []
    for _ in range(2):
        q, mode = p.question()
        assert mode == "choice"
        p.choose(q, right=True)
        p.then("e")
        learnt.append(q)
    p.finish()
    later = {**env, "REELIVE_QUIZ_NOW": "2026-03-20T10:00:00"}
    p = Player(later, [*args[:-1], "0"], deck)
    typed = {}
    for i in range(2):
        q, mode = p.question()
        assert mode == "typed"
        if i == 0:
            p.type(q.answer.lower())  # forgiving: case
        else:
            miss = q.answer[:-1] + ("x" if q.answer[-1] != "x" else "y") + "zz"
            p.type(miss)
            p._expect([r"expected:"])
        typed[q.id] = i == 0
        p.then("\r" if i == 0 else "q")  # the missed one would come back in 10 minutes
    screen = p.finish()
    assert "you typed:" in screen  # a close miss shows where it differs
    rows = _reviews(later)[2:]
    assert {(qid, bool(correct), mode) for qid, _, correct, mode, _ in rows} == {
        (qid, right, "typed") for qid, right in typed.items()}


def test_typed_enter_alone_means_i_dont_know(env, tmp_path) -> None:
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "custom"], deck)
    _, mode = p.question()
    assert mode == "typed"
    p.type("")
    p.then("\x1b")  # Escape ends the session too
    p.finish()
    assert [(r[1], r[2]) for r in _reviews(env)] == [(1, 0)]


def test_a_40_column_terminal_and_a_tall_prompt(env, tmp_path) -> None:
    tall = "A very long key-moment description that goes on. " * 40  # ~2,000 characters
    deck = _write(tmp_path, Deck("Narrow", questions=(
        CustomQuestion(tall + "Which one?", "The second option, long as well " * 3,
                       ("The first option " * 5, "The second option, long as well " * 3,
                        "A third")),)))
    p = Player(env, [str(deck)], deck, dimensions=(16, 40))
    p.child.expect(CHOICE)
    shown = ANSI.sub("", p.child.before)
    assert "A third" in shown and "The first option" in shown  # every option stays visible
    assert max(len(line) for line in shown.replace("\r", "").split("\n")) <= 40
    number = re.search(r"(\d)\) The second option", shown)
    assert number, shown
    p.child.send(number.group(1))
    p._expect([AFTER])
    p.child.send("q")
    screen = p.finish()
    assert "Right." in screen and "The question in full" in screen
    second = ("The second option, long as well " * 3).strip()
    assert [(r[2], r[4]) for r in _reviews(env)] == [(1, second)]


# -- issue 16 item 4: a very long line in a prompt ---------------------------------------

def _long_deck(tmp_path: Path, size: int) -> Path:
    words = " ".join(f"word{i}" for i in range(size // 8))[:size]
    return _write(tmp_path, Deck("Long Lines", dialogues=(
        Scene("Only", (Line("Ann Lee", words + " end-of-line"), Line("Bo Chan", "Short."),
                       Line("Cy Dorn", "Also short."))),),
        questions=(CustomQuestion("Typed: " + words + " end-of-typed", "Hong Kong"),)))


@pytest.mark.parametrize("kind,footer", [("who-said", CHOICE), ("custom", TYPED)])
def test_a_30kb_line_shows_at_once_and_ctrl_c_works(env, tmp_path, kind, footer) -> None:
    """It took 8 s at 10 KB and never showed at 30 KB; Ctrl-C did nothing meanwhile."""
    deck = _long_deck(tmp_path, 30_000)
    child = pexpect.spawn(EXE_PY, ["-m", "reelive_quiz", "play", str(deck), "--kind", kind],
                          env=env, encoding="utf-8", timeout=15, dimensions=(30, 100))
    child.expect(footer)  # shown, cut to the screen (the old code: still laying it out)
    assert "…" in ANSI.sub("", child.before)
    child.sendintr()
    child.expect("Every answer you gave is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_long_line_is_shown_in_full_after_the_answer(env, tmp_path) -> None:
    deck = _long_deck(tmp_path, 12_000)
    child = pexpect.spawn(EXE_PY, ["-m", "reelive_quiz", "play", str(deck), "--kind",
                                   "custom"], env=env, encoding="utf-8", timeout=15,
                          dimensions=(30, 100))
    child.expect(TYPED)
    child.send("hong kong\r")
    child.expect(AFTER)
    text = " ".join(ANSI.sub("", child.before).split())
    assert "The question in full:" in text and "end-of-typed" in text
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert _reviews(env)[0][2] == 1


# -- issue 16 item 17: SIGINT from outside ends the session at every prompt ------------


@pytest.mark.parametrize("where", ["choice", "after", "flip", "grade", "typed"])
def test_kill_int_ends_the_session_at_every_prompt(env, tmp_path, where) -> None:
    deck = _write(tmp_path, small_film())
    kinds = {"choice": "who-said", "after": "who-said", "flip": "finish-quote",
             "grade": "finish-quote", "typed": "custom"}
    p = Player(env, [str(deck), "--kind", kinds[where], "--kind", "which-scene"], deck)
    answered = []
    q, mode = p.question()
    if mode == "choice":  # one answer first, which must be kept
        p.choose(q, right=True)
        answered.append(q.id)
        if where != "after":
            p.then(" ")
            q, mode = p.question()
            while mode == "choice" and where != "choice":
                p.choose(q, right=True)
                answered.append(q.id)
                p.then(" ")
                q, mode = p.question()
        else:
            p._expect([AFTER])
    if where == "grade":
        p.child.send(" ")
        p._expect([GRADE])
    elif where == "flip":
        assert mode == "flip"
    time.sleep(0.3)  # the prompt is up and waiting
    os.kill(p.child.pid, signal.SIGINT)  # kill -INT, not the Ctrl-C key
    p.child.expect("Every answer you gave is saved", timeout=10)
    p.finish()
    assert p.child.exitstatus == 0
    assert [r[0] for r in _reviews(env)] == answered


def test_arrows_and_enter_still_pick(env, tmp_path) -> None:
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "who-said"], deck)
    q, _ = p.question()
    shown = ANSI.sub("", p.child.before)
    second = re.search(r"2\) (.+?)\s*\r?\n", shown)
    assert second, shown
    p.child.send("\x1b[B")  # arrow down, then Enter
    p.child.send("\r")
    p._expect([AFTER])
    p.child.send("q")
    p.finish()
    assert [(r[0], r[4]) for r in _reviews(env)] == [(q.id, second.group(1).strip())]


def test_cram_says_so_and_leaves_the_schedule(env, tmp_path) -> None:
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "who-said", "--cram", "--limit", "2"], deck)
    q, _ = p.question()
    assert re.search(r"2 new · 0 learning · 0 review · cram", ANSI.sub("", p.screen))
    p.choose(q, right=True)
    p.then("q")
    p.finish()
    assert [r[0] for r in _reviews(env)] == [q.id]  # logged, as practice
    assert _rows(env, "SELECT COUNT(*) FROM questions WHERE state IS NOT NULL") == [(0,)]


def test_the_easy_interval_shown_after_a_right_answer_is_the_one_saved(env, tmp_path) -> None:
    (Path(env["REELIVE_QUIZ_HOME"]) / "config.toml").write_text("[quiz]\nfuzz = true\n")
    deck = _write(tmp_path, small_film())
    p = Player(env, [str(deck), "--kind", "who-said"], deck)
    q, _ = p.question()
    p.choose(q, right=True)
    p.child.expect(r"e easy (\d+)d")
    shown = int(p.child.match.group(1))
    p.child.send("e")  # re-graded Easy: one answer replaces the other
    p.child.expect("Saved as Easy")
    p.child.send("q")
    p.finish()
    assert [(r[0], r[1]) for r in _reviews(env)] == [(q.id, 4)]
    (due, last), = _rows(env, "SELECT due, last_review FROM questions WHERE state IS NOT NULL")
    assert round((due - last) / 86_400) == shown  # fuzzed or not, as shown

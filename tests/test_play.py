"""`reelive-quiz play` driven through a real pseudo-terminal, checked in the real store."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pexpect
import pytest
from builders import small_film

from reelive_quiz.deck import load_deck, write_deck
from reelive_quiz.library import bundled_dir
from reelive_quiz.question import Question
from reelive_quiz.store import Store
from reelive_quiz.which_film import film_of, generate_all

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
NOW = "2026-03-02T10:00:00"
EXE = [sys.executable, "-m", "reelive_quiz"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[quiz]\nfuzz = false\n")
    return {**os.environ, "REELIVE_QUIZ_HOME": str(home), "REELIVE_QUIZ_NOW": NOW,
            "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1",
            "COLUMNS": "120", "LINES": "40"}


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    path = tmp_path / "the-test-film.yaml"
    write_deck(small_film(), path)
    return path


#: The footer of each prompt: what tells a test which prompt is on screen.
CHOICE, TYPED = r"answer · ↑↓ Enter pick", r"Enter alone I don't know"
FLIP = r"any key show the answer"
AFTER, GRADE = r"u undo", r"Enter Good"


class Player:
    """A `play` process and the few things a person does with it, with the keys of play."""

    def __init__(self, env: dict[str, str], args: list[str], deck: Path, *,
                 dimensions: tuple[int, int] = (40, 120)) -> None:
        # the library is the bundled film and this deck: which-film draws on both
        bundled = film_of(load_deck(bundled_dir() / "in-the-mood-for-love.yaml"))
        self.questions = {q.prompt: q for q in generate_all([load_deck(deck)],
                                                            library=[bundled])}
        self.child = pexpect.spawn(EXE[0], [*EXE[1:], "play", *args], env=env,
                                   encoding="utf-8", timeout=30, dimensions=dimensions)
        self.screen = ""
        self.shown = ""  # the screen of the last question, as text

    def _expect(self, patterns: list[str]) -> int:
        try:
            index = self.child.expect(patterns)
        except pexpect.EOF:
            self.screen += self.child.before or ""  # the summary, kept for finish()
            raise
        self.screen += (self.child.before or "") + str(self.child.after or "")
        return index

    def question(self) -> tuple[Question, str]:
        """Wait for the next question; return it and how it is asked."""
        index = self._expect([CHOICE, TYPED, FLIP])
        text = ANSI.sub("", self.child.before).replace("\r", "")
        flat = " ".join(text.split())
        found = [q for prompt, q in self.questions.items()
                 if " ".join(prompt.split())[:60] in flat]
        assert found, f"no known question on screen: {text[-300:]!r}"
        q = max(found, key=lambda q: flat.rfind(" ".join(q.prompt.split())[:60]))
        self.shown = text
        return q, ("choice", "typed", "flip")[index]

    def choose(self, q: Question, right: bool) -> None:
        """One key: the option's number answers at once."""
        wanted = q.answer if right else next(o for o in q.options if o != q.answer)
        # the number on screen: the catalogue's order of options, not necessarily the deck's
        number = re.findall(rf"(\d)\) {re.escape(wanted[:20])}", self.shown)
        assert number, (wanted, self.shown[-500:])
        self.child.send(number[-1])
        self._expect([r"Right\.", r"Not quite\."])

    def type(self, text: str) -> None:
        self.child.send(text + "\r")
        self._expect([r"Right\.", r"Not quite\."])

    def flip(self, key: str) -> None:
        """Any key shows the answer; `key` grades it."""
        self.child.send(" ")
        self._expect([GRADE])
        self.child.send(key)
        self._expect([r"Graded"])

    def then(self, key: str) -> None:
        """A key after the feedback: Enter/Space next, h, e, u, s, q."""
        self._expect([AFTER])
        self.child.send(key)

    def finish(self) -> str:
        self.child.expect(pexpect.EOF)
        self.child.close()
        return ANSI.sub("", self.screen + (self.child.before or ""))


def _log(env: dict[str, str]) -> list[tuple]:
    """(question, correct, rating, given, suspended) for every answer, oldest first."""
    with Store.open(Path(env["REELIVE_QUIZ_HOME"]) / "progress.sqlite3") as store:
        assert store.integrity() == "ok"
        return [(a.question, a.correct, a.rating, a.given, store.card(a.question).suspended)
                for a in store.answers()]


def test_play_which_film(env: dict[str, str], deck_path: Path) -> None:
    """`play DECK --kind which-film`: the named deck against the rest of the library."""
    p = Player(env, [str(deck_path), "--kind", "which-film", "--new", "2"], deck_path)
    q, mode = p.question()
    assert q.kind == "which-film" and mode == "choice"
    assert set(q.options) == {"The Test Film", "In the Mood for Love"}
    p.choose(q, right=True)
    p.then("q")
    p.finish()
    log = _log(env)
    assert [(r[0], r[1]) for r in log] == [(q.id, 1)]


def test_right_wrong_undo_suspend_and_ctrl_c(env: dict[str, str], deck_path: Path) -> None:
    p = Player(env, [str(deck_path), "--kind", "who-said", "--new", "5"], deck_path)
    q1, mode = p.question()
    assert mode == "choice"
    p.choose(q1, right=True)
    p.then("\r")
    q2, _ = p.question()
    p.choose(q2, right=False)
    p.then("u")
    assert f"The answer: {q2.answer}" in ANSI.sub("", p.screen)  # feedback names it
    again, _ = p.question()
    assert again.id == q2.id  # the undone question is asked again
    p.choose(q2, right=True)
    p.then("\r")
    q3, _ = p.question()
    p.choose(q3, right=True)
    p.then("s")
    q4, _ = p.question()
    p.choose(q4, right=False)
    p._expect([AFTER])
    p.child.sendintr()  # Ctrl-C after the feedback
    screen = p.finish()
    assert "Every answer you gave is saved" in screen
    assert p.child.exitstatus == 0
    log = _log(env)
    assert [(qid, correct) for qid, correct, *_ in log] == [
        (q1.id, 1), (q2.id, 1), (q3.id, 1), (q4.id, 0)]
    wrong_option = next(o for o in q4.options if o != q4.answer)
    assert log[3][3] == wrong_option  # the log keeps which wrong option was picked
    assert [row[4] for row in log] == [0, 0, 1, 0]  # q3 suspended for good


def test_learning_card_comes_back_and_easy_regrades(env: dict[str, str],
                                                     deck_path: Path) -> None:
    p = Player(env, [str(deck_path), "--kind", "who-said", "--new", "2"], deck_path)
    first, _ = p.question()
    p.choose(first, right=False)
    p.then("\r")
    second, _ = p.question()
    assert second.id != first.id
    p.choose(second, right=True)
    p.then("e")
    seen_again, _ = p.question()  # the missed one, still in its learning steps
    assert seen_again.id == first.id
    p.choose(first, right=True)
    p.then("q")
    screen = p.finish()
    assert "Session over." in screen
    log = _log(env)
    assert [(qid, rating) for qid, _, rating, *_ in log] == [
        (first.id, 1), (second.id, 4), (first.id, 3)]


def test_typed_and_flip_questions(env: dict[str, str], deck_path: Path) -> None:
    p = Player(env, [str(deck_path), "--kind", "custom", "--kind", "finish-quote"], deck_path)
    seen = set()
    for _ in range(2):
        _, mode = p.question()
        seen.add(mode)
        if mode == "typed":
            p.type("hong  KONG!")  # forgiving: case, spaces, punctuation
        else:
            assert mode == "flip"
            p.flip("4")  # Easy
        p.then("q" if len(seen) == 2 else " ")
    p.finish()
    assert seen == {"typed", "flip"}
    log = {qid: (correct, rating) for qid, correct, rating, *_ in _log(env)}
    kinds = {q.id: q.kind for q in p.questions.values()}
    assert sorted(kinds[qid] for qid in log) == ["custom", "finish-quote"]
    for qid, (correct, rating) in log.items():
        if kinds[qid] == "custom":
            assert (correct, rating) == (1, 3)
        else:
            assert (correct, rating) == (None, 4)


def test_killed_mid_session_keeps_every_answer(env: dict[str, str], deck_path: Path) -> None:
    p = Player(env, [str(deck_path), "--kind", "who-said", "--kind", "which-scene"],
               deck_path)
    answered = []
    for i in range(3):
        q, _ = p.question()
        p.choose(q, right=i % 2 == 0)
        answered.append(q.id)
        p.then("\r")
    p.question()
    os.kill(p.child.pid, signal.SIGKILL)
    p.child.expect(pexpect.EOF)
    assert [row[0] for row in _log(env)] == answered


def test_play_without_a_terminal(env: dict[str, str], deck_path: Path) -> None:
    run = subprocess.run([*EXE, "play", str(deck_path)], env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "terminal" in run.stderr
    assert "Traceback" not in run.stderr


def test_nothing_due_says_when_and_exits_0(env: dict[str, str], deck_path: Path) -> None:
    child = pexpect.spawn(EXE[0], [*EXE[1:], "play", str(deck_path), "--new", "0"], env=env,
                          encoding="utf-8", timeout=20)
    child.expect(pexpect.EOF)
    child.close()
    text = ANSI.sub("", child.before)
    assert child.exitstatus == 0
    assert "Nothing is due now" in text
    bundled = film_of(load_deck(bundled_dir() / "in-the-mood-for-love.yaml"))
    total = len(generate_all([load_deck(deck_path)], library=[bundled]))  # which-film too
    assert re.search(rf"\b{total} new question\(s\) wait", text), text


def test_next_days_through_the_cli(env: dict[str, str], deck_path: Path) -> None:
    """Day 1: learn three questions; the following days `status` sees them come due."""
    p = Player(env, [str(deck_path), "--kind", "who-said", "--new", "3"], deck_path)
    learnt = set()
    while True:  # until the session ends (learning steps bring each one back)
        try:
            q, _ = p.question()
        except pexpect.EOF:
            break
        p.choose(q, right=True)
        learnt.add(q.id)
        p.then("\r")
    p.finish()
    assert len(learnt) == 3

    def status(day: str) -> dict:
        run = subprocess.run([*EXE, "status", str(deck_path), "--json"], capture_output=True,
                             text=True, timeout=60, env={**env, "REELIVE_QUIZ_NOW": day})
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)["decks"][0]

    same_day = status("2026-03-02T23:00:00")
    assert same_day["due_now"] == 0 and same_day["new"] == len(p.questions) - 3
    later = status("2026-03-20T10:00:00")
    assert later["due_now"] == 3


def test_two_terminals_at_once_keep_every_answer(env: dict[str, str], deck_path: Path) -> None:
    args = [str(deck_path), "--kind", "who-said", "--kind", "next-line"]
    a, b = Player(env, args, deck_path), Player(env, args, deck_path)
    given = []
    for i in range(4):
        qa, _ = a.question()
        qb, _ = b.question()
        a.choose(qa, right=i % 2 == 0)
        b.choose(qb, right=i % 2 == 1)
        given += [(qa.id, int(i % 2 == 0)), (qb.id, int(i % 2 == 1))]
        a.then("\r" if i < 3 else "q")
        b.then("\r" if i < 3 else "q")
    for player in (a, b):
        assert "Session over." in player.finish()
        assert player.child.exitstatus == 0
    log = _log(env)
    assert sorted((qid, correct) for qid, correct, *_ in log) == sorted(given)


def _play_output(env: dict[str, str], args: list[str]) -> tuple[int | None, str]:
    child = pexpect.spawn(EXE[0], [*EXE[1:], "play", *args], env=env, encoding="utf-8",
                          timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, ANSI.sub("", child.before).replace("\r\n", " ")


def test_empty_cram_says_why_not_that_questions_wait(env: dict[str, str],
                                                    deck_path: Path) -> None:
    """`--cram --limit 0` asked for no questions: no schedule talk, no "another day"."""
    status, text = _play_output(env, [str(deck_path), "--cram", "--limit", "0"])
    assert status == 0
    assert "--limit 0" in text and "Nothing to practise" in text
    assert "another day" not in text and "due" not in text
    status, text = _play_output(env, [str(deck_path), "--cram", "--kind", "track"])
    assert status == 0
    assert "no questions" in text and "another day" not in text


def test_new_limit_zero_says_so(env: dict[str, str], deck_path: Path) -> None:
    """New questions held back by `--new 0` wait because of the limit, not for a day."""
    status, text = _play_output(env, [str(deck_path), "--new", "0"])
    assert status == 0
    assert "new-question limit is 0" in text and "another day" not in text


def test_restore_while_play_is_open_undo_touches_nothing(env: dict[str, str],
                                                        deck_path: Path,
                                                        tmp_path: Path) -> None:
    """Another terminal restores a backup; Undo in the open session refuses, in one line."""
    home = Path(env["REELIVE_QUIZ_HOME"])
    p = Player(env, [str(deck_path), "--kind", "who-said", "--new", "5"], deck_path)
    q1, _ = p.question()
    p.choose(q1, right=True)
    p.then("\r")
    copy = tmp_path / "copy.sqlite3"
    assert subprocess.run([*EXE, "backup", str(copy)], env=env, capture_output=True,
                          timeout=60).returncode == 0
    q2, _ = p.question()
    p.choose(q2, right=True)
    restored = subprocess.run([*EXE, "restore", str(copy)], env=env, capture_output=True,
                              text=True, timeout=60)
    assert restored.returncode == 0, restored.stderr
    log = _log(env)
    assert [row[0] for row in log] == [q1.id]
    p.then("u")
    screen = p.finish()
    assert p.child.exitstatus == 2
    assert "restored from a backup" in screen and "Traceback" not in screen
    assert _log(env) == log  # the restored answer is untouched
    kept = [f for f in (home / "backups").iterdir() if "before-restore" in f.name]
    assert len(kept) == 1


def test_reviews_held_by_a_zero_limit_are_not_nothing_due(env: dict[str, str],
                                                         deck_path: Path) -> None:
    """`--limit 0` with reviews due: they are due, the limit holds them back."""
    from reelive_quiz.card import Rating
    from reelive_quiz.catalogue import sync_decks
    from reelive_quiz.config import Config
    from reelive_quiz.library import DeckRef
    from reelive_quiz.schedule import build_queue
    from reelive_quiz.session import Session
    from reelive_quiz.store import Store

    start = datetime.fromisoformat(NOW).astimezone()
    config = Config(fuzz=False)
    with Store.open(Path(env["REELIVE_QUIZ_HOME"]) / "progress.sqlite3") as store:
        slugs = sync_decks(store, [DeckRef(deck_path.stem, deck_path.resolve(), False)],
                           complete=False)
        session = Session(store, build_queue(store, slugs, start, config), config,
                          clock=lambda: start)
        for _ in range(3):
            q = session.next()
            assert q is not None
            session.answer(q, rating=Rating.EASY, correct=True, given=q.answer,
                           mode="choice", seconds=1.0)
    later = {**env, "REELIVE_QUIZ_NOW": "2026-04-20T10:00:00"}
    status, text = _play_output(later, [str(deck_path), "--limit", "0", "--new", "0"])
    assert status == 0
    assert "3 review(s) are due, but the review limit is 0" in text, text
    assert "Nothing is due now" not in text

"""The pure parts of the prompts: fitting long text to the screen, marking a close miss."""

from __future__ import annotations

import subprocess
import sys

from prompt_toolkit.utils import get_cwidth

from reelive_quiz.grading import differences
from reelive_quiz.keys import fit, short
from reelive_quiz.quiz import interval


def test_fit_keeps_what_a_screen_holds() -> None:
    text = " ".join(f"word{i}" for i in range(300_000))  # ~3 MB: only a screenful is read
    shown, cut = fit(text, 40, 5)
    lines = shown.split("\n")
    assert cut and len(lines) == 5 and lines[-1].endswith("…")
    assert all(get_cwidth(line) <= 40 for line in lines)
    assert shown.startswith("word0 word1 word2")  # broken at spaces, not inside words


def test_fit_leaves_short_text_alone_and_counts_wide_characters() -> None:
    assert fit("Who says “Hello”?", 80, 3) == ("Who says “Hello”?", False)
    wide = "花様年華" * 30  # two cells a character
    shown, cut = fit(wide, 20, 2)
    assert cut and all(get_cwidth(line) <= 20 for line in shown.split("\n"))
    assert fit("a\x1b]0;pwned\x07b", 80, 2) == ("ab", False)  # cleaned, as everywhere


def test_short_is_one_line() -> None:
    assert short("one\ntwo", 20) == "one two"
    long = short("x" * 10_000, 30)
    assert get_cwidth(long) <= 30 and long.endswith("…")


def test_differences_mark_a_close_miss_only() -> None:
    typed, wanted = differences("Hong Kang", "Hong Kong")
    assert "".join(t for t, _ in typed) == "Hong Kang"
    assert [t for t, bad in typed if bad] == ["a"] and [t for t, bad in wanted if bad] == ["o"]
    assert differences("Paris", "Hong Kong") is None


def test_intervals_read_as_anki_writes_them() -> None:
    assert [interval(s) for s in (60, 600, 3 * 3600, 86_400, 8 * 86_400, 75 * 86_400,
                                  400 * 86_400)] == ["1m", "10m", "3h", "1d", "8d", "2.5mo",
                                                     "1.1y"]


def test_wrap_breaks_lines_at_spaces_across_styles() -> None:
    from reelive_quiz.keys import wrap

    parts = [("bold", "Session over."), ("", " 12 answered, 10 right (83%), 3m 05s. Streak: 4 "
                                            "days. Due by tomorrow: 9.")]
    lines = "".join(text for _, text in wrap(parts, 30)).split("\n")
    assert all(len(line) <= 30 for line in lines) and len(lines) == 3
    assert " ".join(lines).split() == "".join(t for _, t in parts).split()  # nothing lost
    assert "\n" not in "".join(t for _, t in wrap(parts, 200))  # short lines stay whole


def _fresh_python(code: str) -> str:
    """What `code` prints in a fresh interpreter: what an import leaves in `sys.modules`
    is only seen from a process that has not imported it yet."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def test_the_quiz_loads_prompt_toolkit_without_ssl_and_leaves_ssl_importable() -> None:
    """`keys.load` keeps asyncio's optional `ssl` out of a quiz's start (7 ms), and
    only for that import: `import ssl` works afterwards."""
    code = ("import sys; from reelive_quiz import keys; keys.load();"
            "print('prompt_toolkit.application' in sys.modules, 'ssl' in sys.modules);"
            "import ssl; print(ssl.PROTOCOL_TLS_CLIENT is not None)")
    out = _fresh_python(code).split()
    assert out == ["True", "False", "True"]


def test_the_quiz_loads_prompt_toolkit_without_its_shortcuts_and_the_package_still_whole(
) -> None:
    """`keys.load` skips the package `__init__` (the prompt, dialog and progress-bar
    shortcuts: ~13 ms of the quiz's start), and the first name asked of the package
    runs it: everything it exports is there as before."""
    code = ("import sys; from reelive_quiz import keys; keys.load();"
            "from prompt_toolkit.application import Application;"
            "print('prompt_toolkit.shortcuts' in sys.modules);"
            "import prompt_toolkit; from prompt_toolkit import HTML, PromptSession, prompt;"
            "print('prompt_toolkit.shortcuts' in sys.modules, prompt_toolkit.Application is"
            " Application, type(prompt_toolkit.__version__).__name__,"
            " sorted(set(prompt_toolkit.__all__) - set(dir(prompt_toolkit))))")
    out = _fresh_python(code).split()
    assert out == ["False", "True", "True", "str", "[]"]


def test_the_package_init_runs_once_when_threads_ask_for_its_names_at_once() -> None:
    """Threads asking the package for names while its `__init__` runs wait for it,
    and a name it does not have is still an AttributeError."""
    code = """
import sys, threading
from reelive_quiz import keys
keys.load()
import prompt_toolkit
names = ["__version__", "HTML", "VERSION", "PromptSession", "prompt", "__all__"] * 4
start, got, errors = threading.Barrier(len(names) + 1), [], []
def ask(name):
    start.wait()
    try:
        got.append(getattr(prompt_toolkit, name))
    except AttributeError as exc:
        errors.append(str(exc))
threads = [threading.Thread(target=ask, args=(n,)) for n in names + ["no_such_name"]]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(got), len(names), errors)
"""
    out = _fresh_python(code).strip()
    assert out == "24 24 [\"module 'prompt_toolkit' has no attribute 'no_such_name'\"]"

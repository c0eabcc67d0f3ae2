"""Single-key prompts for the quiz, on prompt_toolkit directly.

questionary has no prompt that answers on one key press, and its selects
ignore a SIGINT that does not come from the keyboard (`kill -INT`,
`timeout -s INT`): prompt_toolkit turns that signal into a `<sigint>` key and
questionary binds only Ctrl-C. Every prompt here binds both to
KeyboardInterrupt, so the caller ends the session the same way for each.

prompt_toolkit lays out a prompt's whole message on every redraw, and wrapping
one 10 KB line took 8 s (30 KB never showed). So a prompt shows only what fits
the terminal, wrapped here (`fit`: linear, at most rows × columns characters
looked at), and the caller prints the full text after the answer.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from reelive_quiz.terminal import clean, one_line

__all__ = ["Fragments", "choose", "fit", "load", "press", "say", "short", "size", "style",
           "type_in", "wrap"]

Fragments = list[tuple[str, str]]
DIM, BOLD, PICK = "fg:ansibrightblack", "bold", "reverse"
#: What a prompt may lay out at most, whatever the terminal's size.
MAX_CELLS = 6000
_WORDS = re.compile("( )")


def load() -> None:
    """Import what the quiz uses of prompt_toolkit, and no more, on the way to the
    first question: without `ssl` (asyncio, which it needs, imports ssl when it can:
    7 of the ~100 ms prompt_toolkit's import costs, measured; a quiz opens no
    connection, and a later `import ssl` works as ever), and without running the
    package's `__init__` first (`_package_later`)."""
    if "prompt_toolkit.application" in sys.modules:
        return
    blocked = "ssl" not in sys.modules
    if blocked:
        sys.modules["ssl"] = None  # type: ignore[assignment]  # import ssl: ImportError
    try:
        _package_later()
        import prompt_toolkit.application  # noqa: F401
    finally:
        if blocked and sys.modules.get("ssl", 0) is None:
            del sys.modules["ssl"]


def _package_later() -> None:
    """Make `prompt_toolkit` a package whose `__init__` runs on first use of a name of
    its own (PEP 562), not before its submodules load.

    That `__init__` imports the prompt, dialog and progress-bar shortcuts, which the
    quiz never uses: `load` took 122 ms with them, 109 without (medians of 30
    interleaved runs, play's own modules loaded first; 27 of 30 pairs faster).
    `from prompt_toolkit import PromptSession` and every other name of the package
    work as before: the first one runs the real `__init__` in the package, which
    then is the package it always was.
    """
    if "prompt_toolkit" in sys.modules:
        return
    import importlib.util
    import threading

    spec = importlib.util.find_spec("prompt_toolkit")
    if spec is None or spec.loader is None:
        return
    package = importlib.util.module_from_spec(spec)  # its __path__, __file__, ... unrun
    once, ran = threading.RLock(), []

    def complete(name: str) -> Any:
        # Once, in whichever thread asks first; the others wait for it to finish. Its
        # own lookups while it runs (the `__init__`'s imports) come back here and get
        # AttributeError, as they would before that name is set.
        with once:
            if not ran:
                ran.append(True)
                spec.loader.exec_module(package)  # type: ignore[union-attr]
        if name in package.__dict__:
            return package.__dict__[name]
        own = package.__dict__.get("__getattr__")  # the `__init__`'s own, if it has one
        if own is not None and own is not complete:
            return own(name)
        raise AttributeError(f"module 'prompt_toolkit' has no attribute {name!r}")

    package.__getattr__ = complete  # type: ignore[method-assign]
    sys.modules["prompt_toolkit"] = package


def size() -> tuple[int, int]:
    """(columns, rows) of the terminal as prompt_toolkit sees it, never below a usable minimum.

    Not `shutil.get_terminal_size`: it believes a stale `$COLUMNS` over the terminal.
    """
    from prompt_toolkit.application.current import get_app_session

    now = get_app_session().output.get_size()
    return max(now.columns, 20), max(now.rows, 8)


def fit(text: str, width: int, lines: int) -> tuple[str, bool]:
    """`text` cleaned, wrapped to `width` cells and cut to `lines` lines; True if cut.

    Only the first `width × lines` characters are looked at, so a line of
    megabytes costs what a screenful does.
    """
    from prompt_toolkit.utils import get_cwidth

    width, lines = max(width, 4), max(lines, 1)
    budget = min(width * lines, MAX_CELLS)
    head = clean(text[: budget + lines + 1]).rstrip()
    cut = len(text.rstrip()) > len(head) and len(text) > budget
    out: list[str] = []
    for para in head.split("\n"):
        row: list[str] = []
        col, space = 0, -1
        for ch in para:
            w = max(get_cwidth(ch), 0)
            if col + w > width and row:
                if space > 0:
                    out.append("".join(row[:space]).rstrip())
                    row = row[space + 1:]
                else:
                    out.append("".join(row))
                    row = []
                col = sum(max(get_cwidth(c), 0) for c in row)
                space = max((i for i, c in enumerate(row) if c == " "), default=-1)
            row.append(ch)
            col += w
            if ch == " ":
                space = len(row) - 1
        out.append("".join(row).rstrip())
        if len(out) > lines:
            break
    if len(out) > lines:
        out, cut = out[:lines], True
    if cut:
        last = out[-1] if out else ""
        while last and sum(max(get_cwidth(c), 0) for c in last) > width - 2:
            last = last[:-1]
        out[-1:] = [last.rstrip() + " …"]
    return "\n".join(out), cut


def short(text: str, width: int) -> str:
    """One line of at most `width` cells (an option, a title)."""
    line = one_line(text[: width * 4 + 8])
    if len(line) <= width and len(text) <= width * 4 + 8:
        return line
    return fit(line, width, 1)[0]


@functools.cache
def _share_default_bindings() -> None:
    """Build prompt_toolkit's default key bindings once, not once a prompt.

    Every Application merges `load_key_bindings()` (emacs, vi, mouse: 3–4 ms to
    build); it is a pure factory whose bindings read the running app at key
    time, so one copy serves every prompt.
    """
    from prompt_toolkit.application import application

    if not hasattr(application.load_key_bindings, "cache_info"):
        application.load_key_bindings = functools.cache(application.load_key_bindings)


@functools.cache
def style() -> Any:
    """prompt_toolkit's UI style, merged once.

    Every Application and every print_formatted_text merges the default styles
    anew, and a new merged style re-parses its ~400 rules: 13 ms a line printed,
    two thirds of the time from a key press to the next question (profiled).
    """
    from prompt_toolkit.styles import default_ui_style, merge_styles

    return merge_styles([default_ui_style()])


@functools.cache
def _application() -> Any:
    from prompt_toolkit.application import Application

    class Prompt(Application):  # type: ignore[type-arg]
        def _create_merged_style(self, include_default_pygments_style: Any) -> Any:
            return style()

    return Prompt


def wrap(fragments: Fragments, width: int) -> Fragments:
    """Fragments with line breaks at spaces, so no word is split at the terminal's edge.

    A word longer than a line is left to the terminal; text over 20,000
    characters is left alone (it is shown in full, not laid out).
    """
    from prompt_toolkit.utils import get_cwidth

    if sum(len(text) for _, text in fragments) > 20_000:
        return fragments
    out: Fragments = []
    col = 0
    for style, text in fragments:
        for i, part in enumerate(text.split("\n")):
            if i:
                out.append((style, "\n"))
                col = 0
            for word in _WORDS.split(part):
                if not word:
                    continue
                w = get_cwidth(word)
                if word == " " and col + 1 > width:
                    out.append((style, "\n"))
                    col = 0
                    continue
                if word != " " and col + w > width and col > 0:
                    if out and out[-1][1] == " ":
                        out.pop()
                    out.append((style, "\n"))
                    col = 0
                out.append((style, word))
                col = (col + w) % width if col + w > width else col + w
    return out


def say(fragments: Fragments) -> None:
    """Print one line of formatted text with the shared style, wrapped at spaces."""
    from prompt_toolkit.application.current import get_app_session
    from prompt_toolkit.renderer import print_formatted_text

    output = get_app_session().output
    width = max(output.get_size().columns - 1, 10)
    print_formatted_text(output, [*wrap(fragments, width), ("", "\n")], style())
    output.flush()


def _run(body: Callable[[], Fragments] | None, footer: Fragments, bind: Callable[[Any], None],
         buffer: Any = None) -> Any:
    """One prompt: `body` above, an optional input line, `footer` (hidden once answered)."""
    from prompt_toolkit.filters import is_done
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys
    from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
    from prompt_toolkit.layout.processors import BeforeInput

    _share_default_bindings()
    kb = KeyBindings()

    @kb.add(Keys.ControlC, eager=True)
    @kb.add(Keys.SIGINT, eager=True)
    def _stop(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt())

    bind(kb)
    rows: list[Any] = []
    if body is not None:
        rows.append(Window(FormattedTextControl(body), wrap_lines=True, dont_extend_height=True,
                           always_hide_cursor=buffer is None))
    if buffer is not None:
        rows.append(Window(BufferControl(buffer, input_processors=[BeforeInput("› ")]),
                           wrap_lines=True, dont_extend_height=True))
    rows.append(ConditionalContainer(
        Window(FormattedTextControl(footer), dont_extend_height=True, always_hide_cursor=True),
        ~is_done))
    focus = rows[-2] if buffer is not None else None
    app = _application()(layout=Layout(HSplit(rows), focused_element=focus),
                         key_bindings=kb, full_screen=False, mouse_support=False)
    app.ttimeoutlen = 0.05  # Escape alone is a key here, not the start of a sequence
    return app.run()


def choose(message: str, options: Sequence[str], footer: Fragments) -> int:
    """Pick an option: its number answers at once; arrows and Enter work too."""
    columns, rows = size()
    text, _ = fit(message, columns - 2, max(1, rows - len(options) - 4))
    titles = [short(o, columns - 6) for o in options]
    state = {"at": 0, "done": False}

    def body() -> Fragments:
        if state["done"]:  # the answer after the question, on a line of its own if need be
            title = titles[state["at"]]
            last = text.rsplit("\n", 1)[-1]
            gap = " " if len(last) + len(title) + 3 <= columns - 1 else "\n  "
            return [(BOLD, "? "), ("", text + gap), ("fg:ansicyan", title)]
        out: Fragments = [(BOLD, "? "), ("", text + "\n")]
        for i, title in enumerate(titles):
            here = i == state["at"]
            out += [("", " » " if here else "   "), (DIM, f"{i + 1}) " if i < 9 else "   "),
                    (PICK if here else "", title), ("", "\n")]
        return out[:-1]

    def bind(kb: Any) -> None:
        def pick(i: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                state["at"], state["done"] = i, True
                event.app.exit(result=i)
            return handler

        for i in range(min(len(options), 9)):
            kb.add(str(i + 1), eager=True)(pick(i))

        @kb.add("up", eager=True)
        @kb.add("k", eager=True)
        def _up(event: Any) -> None:
            state["at"] = (state["at"] - 1) % len(options)

        @kb.add("down", eager=True)
        @kb.add("j", eager=True)
        def _down(event: Any) -> None:
            state["at"] = (state["at"] + 1) % len(options)

        @kb.add("enter", eager=True)
        def _enter(event: Any) -> None:
            pick(state["at"])(event)

        @kb.add("q", eager=True)
        @kb.add("escape", eager=True)
        def _quit(event: Any) -> None:
            event.app.exit(exception=KeyboardInterrupt())

    return int(_run(body, footer, bind))


def type_in(message: str, footer: Fragments) -> str:
    """A line of text, ended by Enter."""
    from prompt_toolkit.buffer import Buffer

    columns, rows = size()
    text, _ = fit(message, columns - 2, max(1, rows - 4))
    buffer = Buffer(multiline=False)

    def bind(kb: Any) -> None:
        @kb.add("enter", eager=True)
        def _enter(event: Any) -> None:
            event.app.exit(result=buffer.text)

    return str(_run(lambda: [(BOLD, "? "), ("", text)], footer, bind, buffer))


def press(message: Fragments | None, keys: dict[str, str], footer: Fragments, *,
          any_key: str | None = None) -> str:
    """Wait for one of `keys` (key → what it means); `any_key` answers any other key."""
    from prompt_toolkit.keys import Keys

    def bind(kb: Any) -> None:
        def answer(value: str) -> Callable[[Any], None]:
            return lambda event: event.app.exit(result=value)

        if any_key is not None:
            kb.add(Keys.Any)(answer(any_key))
        for key, value in keys.items():
            kb.add(key, eager=True)(answer(value))

    body = None if message is None else (lambda: message)
    return str(_run(body, footer, bind))

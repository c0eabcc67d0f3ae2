"""Hostile text must print as text: no escapes, controls, bidi tricks or markup."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from reelive_quiz.terminal import clean, markup, one_line

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("before\x1b[2Jafter", "beforeafter"),  # clear screen
        ("a\x1b[1;31mred\x1b[0mb", "aredb"),  # colours
        ("ding\x07dong", "dingdong"),  # bell
        ("a\x1b]0;pwned\x07b", "ab"),  # OSC title, BEL-terminated
        ("a\x1b]2;pwned\x1b\\b", "ab"),  # OSC title, ST-terminated
        ("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # hyperlink
        ("a\x9d0;pwned\x9cb", "ab"),  # 8-bit OSC and ST
        ("before\x9b2Jafter", "beforeafter"),  # 8-bit CSI
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd"),  # APC, PM, SOS
        ("a\x1b7b\x1b8c\x1bcd\x1b(Be", "abcde"),  # 2-char and nF ESC sequences
        ("a\x1b[", "a"),  # cut-short CSI
        ("a\x1b]0;unterminated", "a"),  # cut-short OSC swallows the rest
        ("a\x1b", "a"),  # lone ESC
        ("x\x00y\x08z\rw\x7fv\x85u\x80q", "xyzwvuq"),  # C0, DEL, C1
        ("a\x9fapc\x9cb", "ab"),  # 8-bit APC
        ("tab\there", "tab here"),
        ("line\nline", "line\nline"),
        ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_bidi_controls_removed() -> None:
    assert clean(f"user\u202eexe.txt{BIDI}end") == "userexe.txtend"


# Controls that open a sequence may take the next character with them.
_STARTERS = {0x1B, 0x90, 0x98, 0x9B, 0x9D, 0x9E, 0x9F}


@pytest.mark.parametrize("code", [*range(0x20), *range(0x7F, 0xA0), *map(ord, BIDI)])
def test_nothing_a_terminal_obeys_survives(code: int) -> None:
    out = clean(f"<{chr(code)}>")
    assert all(ch == "\n" or ch.isprintable() for ch in out)
    if code not in _STARTERS:
        assert out == ("<\n>" if code == 0x0A else "< >" if code == 0x09 else "<>")


def test_one_line() -> None:
    assert one_line("  a\n\nb\t c\x1b[2J\r\n d  ") == "a b c d"
    assert one_line("\x1b]0;x\x07") == ""


def _render(text: str, *, highlight: bool = True) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200)
    console.print(text, highlight=highlight)
    return out.getvalue()


def test_rendering_shows_markup_is_live() -> None:
    """Guards the tests below: unescaped, rich really would style the text."""
    out = _render("[bold red]x[/bold red]")
    assert "\x1b[1;31m" in out and "[bold red]" not in out


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]boo[/bold red]",
        "[link=http://x]click[/link]",
        "\\[bold red]boo",
        "boo\\",
        "[bold red]\x1b[5mblink",
    ],
)
def test_markup_prints_literally(text: str) -> None:
    # Embedded in our own markup, as callers do; then drop rich's own styling.
    out = _render(f"[italic]{markup(text)}[/italic]", highlight=False)
    assert clean(out).rstrip("\n") == clean(text)
    assert "\x1b[1;31m" not in out and "\x1b]8" not in out and "\x1b[5m" not in out


def test_markup_bold_red_literal() -> None:
    safe = markup("[bold red]boo[/bold red]")
    out = _render(safe, highlight=False)
    assert "[bold red]boo[/bold red]" in out
    assert "\x1b" not in out
    # rich's highlighter colours brackets, but the markup still does nothing.
    assert "\x1b[1;31m" not in _render(safe)


@pytest.mark.parametrize(
    "chunk", ["\x1b[", "\x1b]", "\x9b", "\x1b[1;", "\x1bP", "\x1b", "\x1b[1;2 "]
)
def test_large_hostile_input_finishes(chunk: str) -> None:
    text = chunk * (10_000_000 // len(chunk))
    out = clean(text)
    assert "\x1b" not in out and "\x9b" not in out


def test_large_unterminated_string_finishes() -> None:
    assert clean("ok\x1b]0;" + "x" * 10_000_000) == "ok"
    assert clean("ok\x1b[" + "1;" * 5_000_000 + "\n") == "ok\n"


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("indent", [None, 2])
def test_json_text_leaves_nothing_for_clean_to_drop(ascii_only: bool, indent: int | None) -> None:
    """`--json` writes `json_text` output without `clean` (cli._json): every control,
    escape, bidi mark and lone surrogate is escaped already, in keys and values alike."""
    import json

    from reelive_quiz.terminal import json_text

    hostile = "".join(map(chr, range(0x3000))) + "\udfff\ud800\u202e\u2069\ufeff\t"
    data = {hostile: [hostile, {"x": hostile}], "n": [1, 2.5, None, True]}
    text = json_text(json.dumps(data, ensure_ascii=ascii_only, indent=indent))
    assert clean(text) == text
    assert json.loads(text) == data


def test_json_text_of_plain_ascii_is_itself_but_del_is_escaped() -> None:
    from reelive_quiz.terminal import json_text

    assert json_text('{"a": "plain text"}') == '{"a": "plain text"}'
    assert json_text('{"a": "b\x7fc"}') == '{"a": "b\\u007fc"}'  # ASCII, yet a control

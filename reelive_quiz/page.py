"""Reelive page text → Deck.

A page is plain text copied from a film's Reelive page. It has no headings,
so each item is recognised by its shape (see README, "The page layout"):

- scene:     `<title>, Reelive`, then lines of dialogue
- line:      the speaker's name twice on two lines, then the text
- quote:     speaker / text / speaker / `<film>, Reelive`
- track:     `<title>` / `<title> by <artist>, <what it accompanies>`
- moment:    title / description / `Context: …`
- trivia:    title / fact / `Why it matters: …`
- related:   single lines after the last `Download App`

The parser knows the site (its noise lines), never the film. It reads
paragraphs lazily with a small look-ahead, so time and memory stay linear.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from reelive_quiz.deck import Deck, Line, Moment, Quote, Scene, Track, Trivia
from reelive_quiz.errors import PageError

__all__ = ["MAX_PAGE_BYTES", "parse_page", "read_page"]

#: Larger files are refused with a clear error: a real page is about 30 KB, and
#: its deck must stay within the deck's caps (deck.py: MAX_DECK_BYTES), which a
#: bigger page could not.
MAX_PAGE_BYTES = 4 * 1024 * 1024

_SUFFIX = ", Reelive"
_DOWNLOAD = "Download App"
_CONTEXT = "Context:"
_WHY = "Why it matters:"
_EXPECTED = ("expected a scene title ('<title>, Reelive'), a speaker, a quote, a track, "
             "a key moment, a trivia fact or a related film")


class _Para:
    """One paragraph: its first line number and its stripped lines.

    A plain slotted class (built ~300 times a page) with `text` and `single`
    computed once, not on every look.
    """

    __slots__ = ("line", "lines", "single", "text")

    def __init__(self, line: int, lines: tuple[str, ...]) -> None:
        self.line = line
        self.lines = lines
        self.text = " ".join(lines)
        self.single = lines[0] if len(lines) == 1 else None


def _is_noise(text: str) -> bool:
    return (text == _DOWNLOAD or "Reelive App" in text
            or text.startswith(("The Social Media App", "No mods, no censorship")))


def _reelive_title(para: _Para) -> str | None:
    text = para.single
    if text is None or not text.endswith(_SUFFIX):
        return None
    return text[: -len(_SUFFIX)].strip() or None


def _lines(text: str) -> list[str]:
    """Lines as an editor numbers them: split at \\n, \\r\\n or \\r only (not U+2028).

    (A final newline leaves one empty last line, which is blank to every caller.)
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _paragraphs(lines: list[str]) -> Iterator[_Para]:
    """Blank-line separated paragraphs of a page's `_lines`, stripped, with their first
    line number.

    A `<film>, Reelive` line glued to the next quote's speaker is split off.
    """
    start = 0
    buf: list[str] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if buf:
                yield from _split_glued(start, buf)
                buf = []
            continue
        if not buf:
            start = number
        buf.append(line)
    if buf:
        yield from _split_glued(start, buf)


def _split_glued(start: int, lines: list[str]) -> Iterator[_Para]:
    if len(lines) > 1 and lines[0].endswith(_SUFFIX):
        yield _Para(start, (lines[0],))
        start, lines = start + 1, lines[1:]
    yield _Para(start, tuple(lines))


def _last_download_line(text: str, lines: list[str]) -> int:
    """Line number of the last `Download App` line (0 if none): related films follow it."""
    if _DOWNLOAD not in text:
        return 0
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() == _DOWNLOAD:
            return index + 1
    return 0


def parse_page(text: str, source: str = "<page>", title: str | None = None) -> Deck:
    """Parse one page; raise PageError naming `source` and the line on anything else.

    `title` is used when the page has no quote to name the film.
    """
    lines = _lines(text)  # split once: 1,000 pages (28 MB) took 0.18 s more split twice
    tail_from = _last_download_line(text, lines)  # a BOM still on the first line, as ever
    lines[0] = lines[0].lstrip("\ufeff")
    paras = _paragraphs(lines)
    ahead: deque[_Para] = deque()

    def peek(k: int) -> _Para | None:
        while len(ahead) <= k:
            nxt = next(paras, None)
            if nxt is None:
                return None
            ahead.append(nxt)
        return ahead[k]

    scenes: list[Scene] = []
    scene_title: str | None = None
    scene_lines: list[Line] = []
    quotes: list[Quote] = []
    films: Counter[str] = Counter()
    tracks: list[Track] = []
    moments: list[Moment] = []
    trivia: list[Trivia] = []
    related: list[str] = []

    def close_scene() -> None:
        nonlocal scene_title, scene_lines
        if scene_title is not None and scene_lines:
            scenes.append(Scene(scene_title, tuple(scene_lines)))
        scene_title, scene_lines = None, []

    while (p := peek(0)) is not None:
        used = _recognise(p, peek, source)
        kind, value = used[1], used[2]
        if kind == "scene":
            close_scene()
            scene_title = value
        elif kind == "line":
            if scene_title is None:
                raise PageError(f"{source}:{p.line}: dialogue line before any scene title; "
                                "expected '<scene title>, Reelive' first")
            scene_lines.append(value)
        elif kind == "quote":
            close_scene()
            quote, film = value
            quotes.append(quote)
            films[film] += 1
        elif kind == "track":
            close_scene()
            tracks.append(value)
        elif kind == "moment":
            close_scene()
            moments.append(value)
        elif kind == "trivia":
            close_scene()
            trivia.append(value)
        elif kind == "noise":
            close_scene()
        elif tail_from and p.line > tail_from and p.single is not None:
            related.append(p.single)
        else:
            raise PageError(f"{source}:{p.line}: {_EXPECTED}; found {_snippet(p.text)}")
        for _ in range(used[0]):
            ahead.popleft()
    close_scene()

    film = films.most_common(1)[0][0] if films else (title or "").strip()
    deck = Deck(film or "Untitled", tuple(scenes), tuple(quotes), tuple(tracks),
                tuple(moments), tuple(trivia), tuple(related))
    if deck.is_empty:
        raise PageError(f"{source}:1: no dialogue, quote, track, key moment or trivia found; "
                        "expected a Reelive film page")
    if not film:
        raise PageError(f"{source}:1: the page names no film (it has no quote with "
                        "'<film>, Reelive'); expected a quote that names the film")
    return deck


def _recognise(p: _Para, peek: Callable[[int], _Para | None],
               source: str) -> tuple[int, str | None, Any]:
    """(paragraphs used, kind, value) for the item starting at `p`."""
    text = p.text
    if _is_noise(text):
        return 1, "noise", None
    nxt = peek(1)
    doubled = len(p.lines) == 2 and p.lines[0] == p.lines[1]
    if doubled and nxt is not None and not _is_doubled(nxt):
        return 2, "line", Line(p.lines[0], nxt.text)
    scene = _reelive_title(p)
    if scene is not None and nxt is not None and _is_doubled(nxt):
        return 1, "scene", scene
    single = p.single
    if single is None or nxt is None:
        return 1, None, None
    third, fourth = peek(2), peek(3)
    if (third is not None and fourth is not None and third.single == single
            and (film := _reelive_title(fourth)) is not None):
        return 4, "quote", (Quote(single, nxt.text), film)
    prefix = f"{single} by "
    if nxt.text.startswith(prefix):
        artist, sep, accompanies = nxt.text[len(prefix):].partition(", ")
        if not sep or not artist.strip() or not accompanies.strip():
            raise PageError(f"{source}:{nxt.line}: expected {_snippet(single)} followed by "
                            f"' by <artist>, <what it accompanies>'; found {_snippet(nxt.text)}")
        return 2, "track", Track(single, artist.strip(), accompanies.strip())
    if third is not None:
        for label, kind, make in ((_CONTEXT, "moment", Moment), (_WHY, "trivia", Trivia)):
            if third.text.startswith(label):
                rest = third.text[len(label):].strip()
                if not rest:
                    raise PageError(f"{source}:{third.line}: expected text after "
                                    f"'{label}'")
                return 3, kind, make(single, nxt.text, rest)
    return 1, None, None


def _is_doubled(p: _Para) -> bool:
    return len(p.lines) == 2 and p.lines[0] == p.lines[1]


def _snippet(text: str) -> str:
    from reelive_quiz.terminal import one_line

    short = one_line(text)
    return repr(short if len(short) <= 60 else short[:57] + "...")


def read_page(path: Path, title: str | None = None) -> Deck:
    """Read and parse a page file; every failure is a one-line PageError."""
    from reelive_quiz.files import read_limited

    raw = read_limited(path, MAX_PAGE_BYTES, PageError, "a Reelive page (a text file)")
    if not raw.strip():
        raise PageError(f"{path}:1: empty file; expected a Reelive page")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise PageError(f"{path}:{line}: binary data (NUL byte); expected a Reelive page "
                        "as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PageError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                        "expected a Reelive page as UTF-8 text") from None
    return parse_page(text, str(path), title=title or _title_from_name(path))


def _title_from_name(path: Path) -> str:
    import os

    stem = os.fsencode(path.stem).decode("utf-8", "replace")  # a Latin-1 name: still text
    return stem.replace("-", " ").replace("_", " ").strip().title()

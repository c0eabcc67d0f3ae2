"""A deck: what one film page teaches, as small frozen dataclasses.

Decks are YAML files people may also write by hand, so loading checks every
value and names the exact place of a mistake (`dialogues[3].lines[2].speaker`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reelive_quiz.errors import DeckError

__all__ = [
    "MAX_DECK_BYTES",
    "MAX_DECK_ITEMS",
    "CustomQuestion",
    "Deck",
    "Line",
    "Moment",
    "Quote",
    "Scene",
    "Track",
    "Trivia",
    "check_deck_size",
    "deck_from_dict",
    "deck_to_dict",
    "dump_deck",
    "load_deck",
    "parse_deck",
    "slugify",
    "stage_deck",
    "write_deck",
]

#: Decks are held whole in memory while their questions are made (a few KB per
#: line or item), so a deck is capped in bytes before YAML sees it and in items
#: after: 4 MB and 30,000 lines and items (a film is ~30 KB and ~200 items) keep
#: every command under 250 MB. Measured peaks (RSS) at the caps, 3.9 MB of
#: 12-word lines (39,000 items): first `status` 190 MB, `questions --json` 185 MB,
#: `export` 233 MB; 40,000 short lines: `status` 143 MB (was 1.4 GB at 34 MB). With
#: which-film items and short-line contexts, 36,000 lines reached 250 MB: hence 30,000.
MAX_DECK_BYTES = 4 * 1024 * 1024
MAX_DECK_ITEMS = 30_000
_SPLIT = "split it into several decks (one per film)"


@dataclass(frozen=True, slots=True)
class Line:
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Scene:
    scene: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Track:
    title: str
    artist: str
    accompanies: str


@dataclass(frozen=True, slots=True)
class Moment:
    title: str
    description: str
    context: str


@dataclass(frozen=True, slots=True)
class Trivia:
    title: str
    fact: str
    why_it_matters: str


@dataclass(frozen=True, slots=True)
class CustomQuestion:
    prompt: str
    answer: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Deck:
    title: str
    dialogues: tuple[Scene, ...] = ()
    quotes: tuple[Quote, ...] = ()
    soundtrack: tuple[Track, ...] = ()
    moments: tuple[Moment, ...] = ()
    trivia: tuple[Trivia, ...] = ()
    related: tuple[str, ...] = ()
    questions: tuple[CustomQuestion, ...] = field(default=())

    @property
    def slug(self) -> str:
        return slugify(self.title)

    def contents(self) -> dict[str, int]:
        """How many of each item the deck holds (what `decks` lists)."""
        return {"scenes": len(self.dialogues), "quotes": len(self.quotes),
                "tracks": len(self.soundtrack), "moments": len(self.moments),
                "trivia": len(self.trivia)}

    @property
    def is_empty(self) -> bool:
        return not (
            self.dialogues or self.quotes or self.soundtrack or self.moments
            or self.trivia or self.questions
        )


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt")
                                                    for i in range(10)}


def slugify(title: str, max_length: int = 80) -> str:
    """A file-name-safe slug: `[a-z0-9-]` only, so no title can leave its folder.

    Titles with no Latin letters get a short hash so two such films never
    share a file, and so do titles cut to `max_length` (two long titles that
    differ only past the cut); names Windows reserves (`CON`) get a suffix.
    A slug is its own slug, so a file named by one keeps it (see library.py).
    """
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_title = decomposed.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    digest = hashlib.sha1(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    if not slug:
        return f"film-{digest}"
    if any(ch.isalnum() and not ch.isascii() for ch in decomposed) or len(slug) > max_length:
        # letters that have no ASCII form (少林寺 2), or a cut: the hash keeps such films apart
        slug = f"{slug[: max_length - 11].rstrip('-')}-{digest}"
    slug = slug[:max_length].rstrip("-")
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-film"
    return slug


# -- dict <-> Deck ------------------------------------------------------------

def deck_to_dict(deck: Deck) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": deck.title,
        "dialogues": [
            {"scene": s.scene, "lines": [{"speaker": ln.speaker, "text": ln.text}
                                         for ln in s.lines]}
            for s in deck.dialogues
        ],
        "quotes": [{"speaker": q.speaker, "text": q.text} for q in deck.quotes],
        "soundtrack": [
            {"title": t.title, "artist": t.artist, "accompanies": t.accompanies}
            for t in deck.soundtrack
        ],
        "moments": [
            {"title": m.title, "description": m.description, "context": m.context}
            for m in deck.moments
        ],
        "trivia": [
            {"title": t.title, "fact": t.fact, "why_it_matters": t.why_it_matters}
            for t in deck.trivia
        ],
        "related": list(deck.related),
    }
    if deck.questions:
        data["questions"] = [
            {"prompt": q.prompt, "answer": q.answer, **({"options": list(q.options)}
                                                       if q.options else {})}
            for q in deck.questions
        ]
    return data


_T = TypeVar("_T")
_TOP_KEYS = ("title", "dialogues", "quotes", "soundtrack", "moments", "trivia", "related",
             "questions")


class _Checker:
    """Walks loaded YAML, raising DeckError with the file and the YAML path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, expected: str, value: object) -> DeckError:
        where = f"{self.source}: {path}" if path else self.source
        return DeckError(f"{where}: expected {expected}, got {_describe(value)}")

    def text(self, value: object, path: str) -> str:
        if isinstance(value, bool):
            raise self.fail(path, "a non-empty string (quote yes/no/true/false: 'yes')",
                            value)
        if value is None:
            raise self.fail(path, "a non-empty string", value)
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(path, "a non-empty string", value)
        value = value.strip()
        if not value:
            raise self.fail(path, "a non-empty string", "")
        return value

    def mapping(self, value: object, path: str, keys: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"a mapping with keys {', '.join(keys)}", value)
        for key in keys:
            if key not in value:
                raise DeckError(f"{self.source}: {_join(path, key)}: missing key "
                                f"(expected {', '.join(keys)})")
        for key in value:
            if key not in keys and key not in optional:
                allowed = ", ".join((*keys, *optional))
                raise DeckError(f"{self.source}: {_join(path, str(key)[:40])}: unknown key "
                                f"(expected one of {allowed})")
        return value

    def items(self, value: object, path: str,
              make: Callable[[object, str], _T]) -> tuple[_T, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(path, "a list", value)
        return tuple(make(item, f"{path}[{i}]") for i, item in enumerate(value))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if value == "":
        return "an empty string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def deck_from_dict(data: object, source: str = "<deck>") -> Deck:
    """Build a Deck from loaded YAML, checking every value on the way in."""
    c = _Checker(source)
    top = c.mapping(data, "", ("title",), _TOP_KEYS[1:])

    def line(v: object, p: str) -> Line:
        d = c.mapping(v, p, ("speaker", "text"))
        return Line(c.text(d["speaker"], f"{p}.speaker"), c.text(d["text"], f"{p}.text"))

    def scene(v: object, p: str) -> Scene:
        d = c.mapping(v, p, ("scene", "lines"))
        lines = c.items(d["lines"], f"{p}.lines", line)
        if not lines:
            raise c.fail(f"{p}.lines", "at least one line", d["lines"])
        return Scene(c.text(d["scene"], f"{p}.scene"), lines)

    def quote(v: object, p: str) -> Quote:
        d = c.mapping(v, p, ("speaker", "text"))
        return Quote(c.text(d["speaker"], f"{p}.speaker"), c.text(d["text"], f"{p}.text"))

    def track(v: object, p: str) -> Track:
        d = c.mapping(v, p, ("title", "artist", "accompanies"))
        return Track(*(c.text(d[k], f"{p}.{k}") for k in ("title", "artist", "accompanies")))

    def moment(v: object, p: str) -> Moment:
        d = c.mapping(v, p, ("title", "description", "context"))
        return Moment(*(c.text(d[k], f"{p}.{k}") for k in ("title", "description", "context")))

    def trivia(v: object, p: str) -> Trivia:
        d = c.mapping(v, p, ("title", "fact", "why_it_matters"))
        return Trivia(*(c.text(d[k], f"{p}.{k}") for k in ("title", "fact", "why_it_matters")))

    def related(v: object, p: str) -> str:
        return c.text(v, p)

    def custom(v: object, p: str) -> CustomQuestion:
        d = c.mapping(v, p, ("prompt", "answer"), ("options",))
        answer = c.text(d["answer"], f"{p}.answer")
        options = c.items(d.get("options"), f"{p}.options", lambda o, q: c.text(o, q))
        if options:
            if len(set(options)) != len(options):
                raise c.fail(f"{p}.options", "distinct options", d["options"])
            if answer not in options:
                raise c.fail(f"{p}.options", f"a list that contains the answer {answer!r}",
                             d["options"])
            if len(options) < 2:
                raise c.fail(f"{p}.options", "at least two options", d["options"])
        return CustomQuestion(c.text(d["prompt"], f"{p}.prompt"), answer, options)

    deck = Deck(
        title=c.text(top["title"], "title"),
        dialogues=c.items(top.get("dialogues"), "dialogues", scene),
        quotes=c.items(top.get("quotes"), "quotes", quote),
        soundtrack=c.items(top.get("soundtrack"), "soundtrack", track),
        moments=c.items(top.get("moments"), "moments", moment),
        trivia=c.items(top.get("trivia"), "trivia", trivia),
        related=c.items(top.get("related"), "related", related),
        questions=c.items(top.get("questions"), "questions", custom),
    )
    if deck.is_empty:
        raise DeckError(f"{source}: expected at least one of dialogues, quotes, soundtrack, "
                        "moments, trivia or questions; the deck has nothing to ask")
    return deck


# -- YAML ---------------------------------------------------------------------

def _yaml_loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str, source: str) -> None:
    """Refuse YAML aliases ("billion laughs") before anything is built from them.

    Every alias is an `*` token, so text without one is passed at no cost;
    otherwise the parser's events are scanned, linear in the text's size.
    """
    if "*" not in text:
        return
    import yaml

    loader = _yaml_loader()
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 1
            raise DeckError(f"{source}:{line}: YAML aliases (*{event.anchor}) are not allowed "
                            "in a deck; write each value out")


def parse_deck(text: str, source: str = "<deck>") -> Deck:
    """YAML text → Deck, with `yaml.safe_load` semantics only."""
    import yaml

    try:
        _refuse_aliases(text, source)
        data = yaml.load(text, Loader=_yaml_loader())  # a safe loader (C or pure)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise DeckError(f"{source}{line}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DeckError(f"{source}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except (ValueError, KeyError, IndexError, AttributeError, OverflowError,
            TypeError) as exc:
        # PyYAML's constructors fail this way on `!!int abc`, `!!timestamp x`, and
        # the C parser on text it cannot encode (a lone surrogate).
        raise DeckError(f"{source}: not valid YAML: a value does not fit its type or "
                        f"encoding ({type(exc).__name__}: {str(exc)[:80]})") from None
    deck = deck_from_dict(data, source)
    check_deck_size(deck, source)
    return deck


def check_deck_size(deck: Deck, source: str) -> None:
    """Refuse a deck with more lines and items than a command can hold in memory."""
    items = (sum(len(s.lines) + 1 for s in deck.dialogues) + len(deck.quotes)
             + len(deck.soundtrack) + len(deck.moments) + len(deck.trivia)
             + len(deck.related) + len(deck.questions))
    if items > MAX_DECK_ITEMS:
        raise DeckError(f"{source}: {items:,} lines and items are too many; expected a deck "
                        f"of at most {MAX_DECK_ITEMS:,} (a film has a few hundred): {_SPLIT}")


def load_deck(path: Path) -> Deck:
    """Read a YAML deck file; every failure is a one-line DeckError naming the file."""
    from reelive_quiz.files import read_limited

    raw = read_limited(path, MAX_DECK_BYTES, DeckError, "a YAML deck file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError(f"{path}:{line}: expected UTF-8 text") from None
    return parse_deck(text, str(path))


def dump_deck(deck: Deck) -> str:
    """The deck's YAML, as PyYAML writes it (see `deck_yaml`)."""
    from reelive_quiz.deck_yaml import deck_yaml

    return deck_yaml(deck_to_dict(deck))


def write_deck(deck: Deck, path: Path, *, force: bool = False) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a deck."""
    import os

    if path.is_dir():
        raise DeckError(f"{path}: is a folder; expected a deck file's name")
    if path.exists() and not force:
        raise DeckError(f"{path}: already exists; use --force to replace it")
    tmp = stage_deck(deck, path, str(path))
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise DeckError(f"{path}: cannot write the deck: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)


def stage_deck(deck: Deck, path: Path, source: str, *, clean: bool = True) -> Path:
    """The deck written to a temp file beside `path`, to be renamed into place.

    Refused (nothing left behind) if `load_deck` would refuse it, so import never
    writes a deck that cannot be read back. Temp files a killed writer left in
    the folder are removed first, as export does, unless `clean` is False: a
    caller staging many decks in one folder cleans it once (a scan per deck made
    an import of 1,000 pages quadratic: 1,000 scans of a growing folder, 2.8 s).
    """
    import os

    from reelive_quiz.files import make_folder, make_temp, remove_stale_temps, shareable

    check_deck_size(deck, source)
    make_folder(path.parent, DeckError, "the deck")
    try:
        if clean:
            remove_stale_temps(path.parent)
        fd, tmp = make_temp(path)
    except OSError as exc:
        raise DeckError(f"{path}: cannot write the deck: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump_deck(deck))
        size = tmp.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError(f"{source}: its deck would be {size / 2**20:.1f} MB; expected at "
                            f"most {MAX_DECK_BYTES // 2**20} MB: {_SPLIT}")
        shareable(tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DeckError(f"{path}: cannot write the deck: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp

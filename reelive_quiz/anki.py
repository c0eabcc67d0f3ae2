"""Questions → Anki notes: the export's policy (ids, deck names, note types, fields).

What goes into a package is decided here; how Anki stores it is `apkg.py`'s
job (the only module that knows genanki's row layout).

The package must re-import without harm.

Re-importing must update notes in place and keep their review history, so
everything Anki matches on is stable: a note's GUID hashes the question id,
deck ids hash the deck name, note-type ids hash the note type's field list
(a changed field list is a new note type, or Anki would skip its notes as
conflicting). A note's note type depends only on what its id was made from
(its kind, and for trivia the one blank), never on its mode: a question that
turns from typed into multiple choice when the deck grows keeps its note.

Notes carry the real export time as their modification time, so a re-import
counts as newer; a pinned timestamp would make Anki skip every change.

Every field is HTML-escaped with braces encoded, so deck text shows as text
in Anki: it can neither run script nor inject template or cloze syntax.
genanki is imported lazily: importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reelive_quiz.apkg import NoteRow, Scheduling, Stamps, write_apkg
from reelive_quiz.errors import ExportError
from reelive_quiz.files import make_temp, remove_stale_temps, shareable
from reelive_quiz.question import BLANK, FLIP_KINDS, KINDS, Question

if TYPE_CHECKING:
    import genanki

__all__ = [
    "BASIC_FIELDS",
    "CHOICE_FIELDS",
    "CLOZE_FIELDS",
    "NOTETYPE_VERSION",
    "ExportSummary",
    "check_output",
    "deck_id",
    "deck_name",
    "export",
    "model_id",
    "note_guid",
    "notes",
    "notetype_for",
]

#: Bump when a note type's fields change in a way the field names do not show.
NOTETYPE_VERSION = 1

CHOICE_FIELDS = ("Question", "Options", "Answer", "Info", "Film", "Kind", "Source")
BASIC_FIELDS = ("Question", "Answer", "Info", "Film", "Kind", "Source")
CLOZE_FIELDS = ("Text", "Options", "Info", "Film", "Kind", "Source")

ROOT_DECK = "Reelive"


#: The three note types; which one a question uses is `notetype_for`.
NoteType = Literal["choice", "basic", "cloze"]


def _id31(text: str) -> int:
    """A stable id in [2**30, 2**31): positive in any signed 32-bit reader, never 1."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return (1 << 30) | (int.from_bytes(digest[:4], "big") & ((1 << 30) - 1))


def model_id(key: str, fields: Sequence[str], version: int = NOTETYPE_VERSION) -> int:
    """A note type's id: new whenever its field list (or NOTETYPE_VERSION) changes."""
    return _id31(f"reelive-quiz/notetype/{key}/v{version}/" + "\x1f".join(fields))


def deck_id(name: str) -> int:
    """A deck's id from its full name, so every export files notes in the same deck."""
    return _id31(f"reelive-quiz/deck/{name}")


def deck_name(film: str, kind: str) -> str:
    """`Reelive::<film>::<kind name>`; a `::` in a title would nest one level deeper.

    Which-film questions span films, so they share one subdeck: `Reelive::Which film`."""
    if kind == "which-film":
        return f"{ROOT_DECK}::{KINDS[kind]}"
    title = " ".join(film.replace("::", ":").split()) or "Untitled"
    return f"{ROOT_DECK}::{title}::{KINDS.get(kind, kind)}"


def notetype_for(q: Question) -> NoteType:
    """"cloze", "basic" or "choice", from what the question id hashes, never its mode."""
    if q.kind == "trivia" and q.prompt.count(BLANK) == 1 and q.answer.strip(_INVISIBLE):
        return "cloze"
    if q.kind in FLIP_KINDS:  # flip cards: no options, the basic note type
        return "basic"
    return "choice"


# -- escaping -----------------------------------------------------------------

def _esc(text: str) -> str:
    """HTML text that Anki shows as is: no markup, no `{{`…`}}`, no field separator."""
    text = html.escape(text, quote=True)
    if "{" in text or "}" in text:
        text = text.replace("{", "&#123;").replace("}", "&#125;")
    if "\x1f" in text:
        text = text.replace("\x1f", " ")
    return text


_INVISIBLE = " \t\n\r\x0b\x0c\u00a0\u200b\u200c\u200d\u2060\ufeff"


def _visible(text: str, fallback: str) -> str:
    """The text, or a fallback when it would render as nothing (Anki's blank front)."""
    return text if text.strip(_INVISIBLE) else fallback


# -- note types ---------------------------------------------------------------

_CSS = """\
.card {
  --fg: #1d1d1f; --muted: #6b6b70; --bg: #fbfaf7; --line: #d8d6d0;
  --ok: #17703a; --ok-bg: #e2f4e8; --note-bg: #f3eee4; --accent: #a9783a;
  --cloze: #1a5fb4;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, "Noto Sans", sans-serif;
  font-size: 20px; line-height: 1.5; color: var(--fg); background-color: var(--bg);
  text-align: left; overflow-wrap: anywhere;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --fg: #ececee; --muted: #a3a3aa; --bg: #1f1f22; --line: #47474d;
  --ok: #7fd99a; --ok-bg: #1f3a28; --note-bg: #2c2822; --accent: #d4a565;
  --cloze: #8cb8ff;
}
.rq { max-width: 42em; margin: 0 auto; padding: 0.4em 0.9em 1em; }
.rq-meta { font-size: 0.7em; color: var(--muted); letter-spacing: 0.04em;
  text-transform: uppercase; margin-bottom: 0.6em; }
.rq-prompt { font-size: 1.1em; font-weight: 600; }
.rq-options { list-style: none; padding: 0; margin: 0.8em 0 0; counter-reset: opt; }
.rq-options li { counter-increment: opt; margin: 0.4em 0; padding: 0.45em 0.7em;
  border: 1px solid var(--line); border-radius: 8px; }
.rq-options li::before { content: counter(opt, upper-alpha) ". "; color: var(--muted);
  font-weight: 600; }
.rq-back .rq-options .rq-correct { border: 2px solid var(--ok); background: var(--ok-bg);
  font-weight: 600; }
.rq-back .rq-options .rq-correct::after { content: "  \\2713"; color: var(--ok); }
hr#answer { border: 0; border-top: 1px solid var(--line); margin: 1em 0; }
.rq-answer { font-size: 1.15em; font-weight: 700; color: var(--ok); }
.rq-info { margin-top: 0.9em; padding: 0.6em 0.8em; background: var(--note-bg);
  border-left: 4px solid var(--accent); border-radius: 4px; font-size: 0.9em; }
.rq-source { margin-top: 0.9em; font-size: 0.7em; color: var(--muted); }
.cloze { font-weight: 700; color: var(--cloze); }
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .rq { padding: 0.2em 0.4em 0.8em; }
}
"""

_META = '<div class="rq-meta">{{Film}} · {{Kind}}</div>'
_OPTIONS = '{{#Options}}<ol class="rq-options">{{Options}}</ol>{{/Options}}'
_TAIL = ('{{#Info}}<div class="rq-info">{{Info}}</div>{{/Info}}'
         '<div class="rq-source">{{Film}} · {{Kind}} · {{Source}}</div>')


def _templates(key: str) -> list[dict[str, str]]:
    if key == "cloze":
        body = f'{_META}<div class="rq-prompt">{{{{cloze:Text}}}}</div>{_OPTIONS}'
        back = f'<div class="rq rq-back">{body}<hr id="answer">{_TAIL}</div>'
    else:
        options = _OPTIONS if key == "choice" else ""
        body = f'{_META}<div class="rq-prompt">{{{{Question}}}}</div>{options}'
        back = (f'<div class="rq rq-back">{body}<hr id="answer">'
                f'<div class="rq-answer">{{{{Answer}}}}</div>{_TAIL}</div>')
    return [{"name": "Card 1", "qfmt": f'<div class="rq rq-front">{body}</div>', "afmt": back}]


_NOTETYPES = {
    "choice": ("Reelive Multiple Choice", CHOICE_FIELDS),
    "basic": ("Reelive Basic", BASIC_FIELDS),
    "cloze": ("Reelive Cloze", CLOZE_FIELDS),
}


@cache
def _models() -> dict[str, genanki.Model]:
    import genanki

    return {
        key: genanki.Model(
            model_id(key, fields), name, fields=[{"name": f} for f in fields],
            templates=_templates(key), css=_CSS,
            model_type=genanki.Model.CLOZE if key == "cloze" else genanki.Model.FRONT_BACK,
        )
        for key, (name, fields) in _NOTETYPES.items()
    }


# -- notes --------------------------------------------------------------------

_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")


def note_guid(question_id: str) -> str:
    """`genanki.guid_for("reelive", question_id)`, computed without genanki's overhead.

    The GUID is how Anki recognises a note on re-import: it must never change
    for a question id (a test pins it to genanki's function). Base 91, two
    digits at a time.
    """
    n = int.from_bytes(hashlib.sha256(f"reelive__{question_id}".encode()).digest()[:8], "big")
    pairs = _base91_pairs()
    digits = []
    while n >= 8281:
        n, r = divmod(n, 8281)
        digits.append(pairs[r])
    if n >= 91:
        digits.append(pairs[n])
    elif n:
        digits.append(_BASE91[n])
    return "".join(reversed(digits))


@cache
def _base91_pairs() -> tuple[str, ...]:
    return tuple(a + b for a in _BASE91 for b in _BASE91)


def _options_html(options: tuple[str, ...], answer: str, esc: Callable[[str], str]) -> str:
    return "".join(f'<li class="rq-correct">{esc(o)}</li>' if o == answer
                   else f"<li>{esc(o)}</li>" for o in options)


def _cloze(prompt: str, answer: str) -> str:
    """The prompt with its blank as `{{c1::answer}}`, built from escaped pieces.

    A `:` in the answer is encoded too, or `::` would start a cloze hint.
    """
    before, after = prompt.split(BLANK, 1)
    return (f"{_esc(before)}{{{{c1::{_esc(answer).replace(':', '&#58;')}}}}}"
            f"{_esc(after)}")


_Entry = tuple["genanki.Deck", str, str, tuple[str, ...], str]


def _layout(questions: Sequence[Question],
            slugs_of_title: Mapping[str, Collection[str]] | None = None,
            ) -> tuple[list[genanki.Deck], list[list[int]], Callable[[int], NoteRow]]:
    """The decks (each with its note types), the questions of each deck by position,
    and a function making one note (a NoteRow) from a position.

    Strings that repeat (names, films, sources) are escaped once.
    """
    import genanki

    models = _models()
    choice, basic, cloze = models["choice"], models["basic"], models["cloze"]
    meta: dict[tuple[str, str], _Entry] = {}
    by_name: dict[str, genanki.Deck] = {}  # which-film: many films, one subdeck
    positions: dict[str, list[int]] = {}
    used: dict[str, dict[int, genanki.Model]] = {}
    seen: dict[str, str] = {}

    def esc(text: str) -> str:  # for short strings that recur across questions
        done = seen.get(text)
        if done is None:
            done = seen[text] = _esc(text)
        return done

    if slugs_of_title is None:  # which titles more than one exported deck file shares
        slugs_of_title = _slugs_of_title(questions)

    def entry_of(q: Question) -> _Entry:
        key = (q.slug, q.kind)  # two deck files with one title are two Anki decks
        entry = meta.get(key)
        if entry is None:
            film = q.deck if len(slugs_of_title[q.deck]) == 1 else f"{q.deck} ({q.slug})"
            name = deck_name(film, q.kind)
            kind_name = KINDS.get(q.kind, q.kind)
            tags = ("reelive", _tag(q.slug), _tag(q.kind))  # shared: immutable
            deck = by_name.get(name)
            if deck is None:
                deck = by_name[name] = genanki.Deck(deck_id(name), name)
            entry = meta[key] = (deck, _esc(q.deck), _esc(kind_name), tags, f"{kind_name}?")
        return entry

    def parts(position: int) -> NoteRow:
        q = questions[position]
        _, film, kind, tags, fallback = entry_of(q)
        info, source = esc(q.info), esc(q.source)
        notetype = notetype_for(q)
        if notetype == "cloze":
            fields = [_cloze(q.prompt, q.answer), _options_html(q.options, q.answer, esc),
                      info, film, kind, source]
            model = cloze
        else:
            prompt = _esc(_visible(q.prompt, fallback))
            answer = esc(_visible(q.answer, "—"))
            if notetype == "choice":
                fields = [prompt, _options_html(q.options, q.answer, esc), answer, info, film,
                          kind, source]
                model = choice
            else:
                fields = [prompt, answer, info, film, kind, source]
                model = basic
        return NoteRow(model, fields, tags, note_guid(q.id), position, q.id)

    for position, q in enumerate(questions):
        name = entry_of(q)[0].name
        positions.setdefault(name, []).append(position)
        model = {"cloze": cloze, "basic": basic}.get(notetype_for(q), choice)
        used.setdefault(name, {}).setdefault(id(model), model)
    decks = []
    for name, deck in by_name.items():  # genanki finds them from the notes; _write needs them
        for model in used[name].values():
            deck.add_model(model)
        decks.append(deck)
    return decks, [positions[name] for name in by_name], parts


def _slugs_of_title(questions: Iterable[Question]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for q in questions:
        found.setdefault(q.deck, set()).add(q.slug)
    return found


def notes(questions: Sequence[Question]) -> list[NoteRow]:
    """Every question's note, in question order: what `export` writes, for checks."""
    _, _, note = _layout(questions)
    return [note(position) for position in range(len(questions))]


def _tag(text: str) -> str:
    return "_".join(text.split()) or "_"


# -- writing ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExportSummary:
    notes: int
    cards: int
    decks: int
    path: Path

    def __str__(self) -> str:
        return (f"Exported {self.notes} notes ({self.cards} cards) in {self.decks} decks "
                f"to {self.path}")


def check_output(out: Path) -> Path:
    """Refuse, before any work, an output that is not a writable `.apkg` path."""
    if out.suffix.lower() != ".apkg":
        raise ExportError(f"{out}: expected a file name ending in .apkg")
    if out.is_dir():
        raise ExportError(f"{out}: is a folder; expected a .apkg file name")
    folder = out.parent
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise ExportError(f"{folder}: {what}; cannot write {out.name}")
    return out


def _remove_stale_temp_files(out: Path, older_than: float = 3600) -> None:
    """Temp files a killed export left beside `out` (an hour old: no export runs that long)."""
    cutoff = time.time() - older_than
    for pattern in (f".{out.name}.*.tmp", ".reelive-export-*.anki2"):
        for stale in out.parent.glob(pattern):
            try:
                if stale.stat().st_mtime < cutoff:
                    stale.unlink()
            except OSError:
                pass


#: This process's note modification times: every export newer than the one before.
_STAMPS = Stamps()


def export(questions: Iterable[Question], out: Path,
           progress: Callable[[int, int], None] | None = None, *,
           stamps: Callable[[], int] = _STAMPS, total: int | None = None,
           titles: Mapping[str, Collection[str]] | None = None,
           scheduling: Scheduling | None = None) -> ExportSummary:
    """Write `out` atomically: a temp file in its folder, renamed only when complete.

    `questions` may be a stream (`Store.iter_catalogue`), read once, one film at
    a time: 300,000 questions never sit in memory together (541 MB → 57 MB).
    `progress(done, total)` is called as notes are written; `total` counts a
    stream that has no length, and `titles` (title → the slugs exported under it)
    tells a stream's decks that share a title apart, as a list's are. On any
    failure (KeyboardInterrupt included) the temp file is removed and `out` is
    untouched. Notes carry `stamps()` as their
    modification time (see `apkg.Stamps`).
    `scheduling` (see `anki_progress`) gives studied cards their schedule and
    fills the review log; without it every card is new.
    """
    out = check_output(Path(out))
    stream = iter(questions)
    first = next(stream, None)
    if first is None:
        raise ExportError(f"{out}: nothing to export; the chosen decks and kinds have no "
                          "questions")
    if total is None:
        total = len(questions) if isinstance(questions, Sized) else 0
    if titles is None and isinstance(questions, Sequence):
        titles = _slugs_of_title(questions)
    _remove_stale_temp_files(out)
    remove_stale_temps(out.parent)  # a killed export's, at once: its process is gone
    decks: dict[int, genanki.Deck] = {}
    batches = _film_batches(itertools.chain((first,), stream), decks, titles)
    try:
        fd, tmp = make_temp(out)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            shareable(tmp)
            written = write_apkg(decks.values(), batches, handle, total, progress, out.parent,
                                 stamps(), scheduling)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{out}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportSummary(written, written, len(decks), out)  # one card per note


def _film_batches(questions: Iterable[Question], decks: dict[int, genanki.Deck],
                  titles: Mapping[str, Collection[str]] | None,
                  ) -> Iterator[tuple[genanki.Deck, list[NoteRow]]]:
    """(deck, its notes) for one film after another, filed as `_layout` files them;
    `decks` collects every deck (with its note types) as it is met.

    A film's questions are consecutive in the catalogue's order (slug, position),
    so one film is laid out at a time; a note's `due` stays its position in the
    whole stream.
    """
    offset = 0
    for _, group in itertools.groupby(questions, key=lambda q: q.slug):
        film = list(group)
        film_decks, positions, note = _layout(film, titles)
        for deck, wanted in zip(film_decks, positions, strict=True):
            kept = decks.setdefault(deck.deck_id, deck)
            for model in deck.models.values():
                kept.add_model(model)
            yield kept, [note(position)._replace(due=position + offset)
                         for position in wanted]
        offset += len(film)

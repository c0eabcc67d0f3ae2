"""The command line: one short function per command over the library.

Errors the user can fix arrive as ReeliveError and leave as one line on
stderr with exit status 2; nothing here knows how a deck or a page is read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from reelive_quiz.errors import ReeliveError

app = typer.Typer(
    name="reelive-quiz",
    help="Learn films from Reelive pages: parse, quiz with spaced repetition, export to Anki.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DecksArg = Annotated[
    list[str] | None,
    typer.Argument(help="Deck slugs or YAML files (default: all decks).", show_default=False),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", "-k", help="Only questions of this kind (repeatable).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _check_kinds(kinds: list[str] | None) -> list[str] | None:
    from reelive_quiz.questions import KINDS

    for kind in kinds or ():
        if kind not in KINDS:
            raise ReeliveError(f"--kind {kind!r}: no such kind; expected one of "
                               f"{', '.join(KINDS)}")
    return kinds or None


@app.command("import")
def import_(
    pages: Annotated[list[Path], typer.Argument(help="Reelive page text files.")],
    out_dir: Annotated[Path | None, typer.Option("--out-dir", "-o",
                       help="Write decks here instead of the data folder.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing deck files.")] = False,
) -> None:
    """Parse Reelive pages into YAML decks."""
    from reelive_quiz.importer import import_pages
    from reelive_quiz.library import user_decks_dir
    from reelive_quiz.terminal import one_line

    for result in import_pages(pages, out_dir or user_decks_dir(), force=force):
        d = result.deck
        _out(f"{one_line(d.title)}: {len(d.dialogues)} scenes "
             f"({sum(len(s.lines) for s in d.dialogues)} lines), {len(d.quotes)} quotes, "
             f"{len(d.soundtrack)} tracks, {len(d.moments)} moments, {len(d.trivia)} trivia, "
             f"{len(d.related)} related -> {result.path}")


@app.command("decks")
def decks_(json_: JsonOpt = False) -> None:
    """List the bundled and imported decks with their slugs and counts."""
    import json

    from reelive_quiz.deck import load_deck
    from reelive_quiz.library import list_decks
    from reelive_quiz.questions import generate
    from reelive_quiz.terminal import one_line

    rows = []
    for ref in list_decks():
        deck = load_deck(ref.path)
        rows.append({"slug": ref.slug, "title": deck.title, "bundled": ref.bundled,
                     "path": str(ref.path), "scenes": len(deck.dialogues),
                     "quotes": len(deck.quotes), "tracks": len(deck.soundtrack),
                     "moments": len(deck.moments), "trivia": len(deck.trivia),
                     "questions": len(generate(deck))})
    if json_:
        _out(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        _out("No decks. Import a page with `reelive-quiz import PAGE`.")
    for r in rows:
        origin = "bundled" if r["bundled"] else "imported"
        _out(f"{r['slug']:<32} {one_line(str(r['title']))} ({origin}): {r['questions']} "
             f"questions from {r['scenes']} scenes, {r['quotes']} quotes, {r['tracks']} "
             f"tracks, {r['moments']} moments, {r['trivia']} trivia")


@app.command("questions")
def questions_(decks: DecksArg = None, kind: KindOpt = None, json_: JsonOpt = False) -> None:
    """Print the questions generated from decks (default: the bundled decks)."""
    import json

    from reelive_quiz.deck import load_deck
    from reelive_quiz.library import resolve
    from reelive_quiz.questions import generate
    from reelive_quiz.terminal import one_line

    kinds = _check_kinds(kind)
    refs = resolve(decks, include_user=False)
    questions = [q for ref in refs for q in generate(load_deck(ref.path), kinds)]
    if json_:
        _out(json.dumps([q.to_dict() for q in questions], ensure_ascii=False, indent=2))
        return
    for q in questions:
        _out(f"[{q.kind}] {one_line(q.prompt)}")
        for option in q.options:
            mark = "*" if option == q.answer else "-"
            _out(f"    {mark} {one_line(option)}")
        if not q.options:
            _out(f"    = {one_line(q.answer)}")
    _out(f"{len(questions)} questions from {len(refs)} deck(s)")


def main() -> None:
    """Entry point: typer handles usage errors (exit 2); ours become one line and exit 2."""
    try:
        app(prog_name="reelive-quiz")
    except ReeliveError as exc:
        from reelive_quiz.terminal import one_line

        sys.stderr.write(f"reelive-quiz: {one_line(str(exc))}\n")
        sys.exit(2)

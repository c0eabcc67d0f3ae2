"""The command line: one short function per command over the library.

Errors the user can fix arrive as ReeliveError and leave as one line on
stderr with exit status 2; nothing here knows how a deck or a page is read.

Imports of the library are local, inside the command that needs them, on
purpose: start-up time is a target (`status` ≤ 2 × and the first question of
`play` ≤ 3 × a bare `import typer`, see BENCHMARKS.md), and loading YAML,
fsrs, genanki or questionary for a command that does not use them would
cost tens of milliseconds each. Do not move them to the top of the file.

No `from __future__ import annotations` here: typer reads each command's
annotations, and as strings it had to compile and evaluate 84 of them on every
start (4 ms of the 10 ms it takes to build the commands); the few names known
only to type checkers are quoted.
"""

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reelive_quiz.errors import ReeliveError

if TYPE_CHECKING:
    from reelive_quiz.deck import Deck
    from reelive_quiz.store import Store

app = typer.Typer(
    name="reelive-quiz",
    help="Learn films from Reelive pages: parse, quiz with spaced repetition, export to Anki.",
    no_args_is_help=True,
    add_completion=True,
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

# Bars appear on a terminal for steps this big, which take ~2 s or more on a slow
# machine: reading ~150 pages, generating ~50 decks, writing ~20,000 Anki notes.
PAGES_FOR_A_BAR = 150
DECKS_FOR_A_BAR = 50
NOTES_FOR_A_BAR = 20_000


def _version(value: bool) -> None:
    if value:
        from reelive_quiz import __version__

        _out(f"reelive-quiz {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    """Learn films from Reelive pages: parse, quiz with spaced repetition, export to Anki."""


def _out(text: str = "") -> None:
    """Print a line of output; what a terminal would obey (in a file name, a path) is dropped."""
    from reelive_quiz.terminal import clean

    sys.stdout.write(clean(text) + "\n")


def _dumps() -> tuple[Callable[[object], str], bool]:
    """JSON for scripts, with the characters a terminal would obey escaped, as ASCII
    escapes when stdout cannot encode everything (still valid JSON, nothing lost).

    Indented for a person at a terminal, one line for a pipe: `indent` makes the
    json module fall back to its pure-Python encoder (3 ms for 365 decks' status).
    """
    import json

    from reelive_quiz.output import unicode_ok
    from reelive_quiz.terminal import json_text

    indent = 2 if sys.stdout.isatty() else None
    ascii_only = not unicode_ok()
    return (lambda data: json_text(json.dumps(data, ensure_ascii=ascii_only, indent=indent)),
            indent is not None)


def _json(data: object) -> None:
    """One JSON document; `_dumps` has escaped all that `_out` would drop (`clean` is a
    no-op on it), so it is written as it is (skipping two scans of 220 KB at 1,000 films)."""
    dumps, _ = _dumps()
    sys.stdout.write(dumps(data) + "\n")


def _json_list(items: Iterable[object]) -> None:
    """A JSON array written an item at a time: the same text, without holding it whole."""
    dumps, indented = _dumps()
    write = sys.stdout.write
    first = True
    for item in items:
        text = dumps(item)
        if indented:
            text = "  " + text.replace("\n", "\n  ")
        write(("[\n" if indented else "[") if first else (",\n" if indented else ", "))
        write(text)
        first = False
    write("[]\n" if first else ("\n]\n" if indented else "]\n"))


def _check_kinds(kinds: list[str] | None) -> list[str] | None:
    from reelive_quiz.question import KINDS

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
    from reelive_quiz.importer import read_pages
    from reelive_quiz.library import user_decks_dir
    from reelive_quiz.progress import bar

    target = out_dir or user_decks_dir()
    with bar("Reading pages", PAGES_FOR_A_BAR) as progress:
        parsed = read_pages(pages, target, force=force, progress=progress)
    if not _same_folder(target, user_decks_dir()):
        lines = _write_decks(parsed, target)
    else:  # decks of the library: catalogue them now, starting while they are written
        from reelive_quiz.catalogue_ahead import generate_ahead
        from reelive_quiz.importer import catalogue_imported
        from reelive_quiz.library import list_decks, progress_path
        from reelive_quiz.store import Store

        loaded = {path: deck for path, (_, deck) in parsed.items()}
        with Store.open(progress_path()) as store:
            early = generate_ahead(store, loaded)  # no bar on screen: a fork while one runs
            try:                                   # is risky (see `parallel`)
                lines = _write_decks(parsed, target)
                del parsed  # `loaded` alone holds the decks now: the catalogue drops each
                with bar("Building the question catalogue", DECKS_FOR_A_BAR) as progress:
                    catalogue_imported(loaded, store, list_decks(), progress, early=early)
            finally:
                early.close()
    for line in lines:
        _out(line)


def _write_decks(parsed: "dict[Path, tuple[Path, Deck]]", target: Path) -> list[str]:
    """`read_pages`' decks written; the lines `import` prints."""
    from reelive_quiz.importer import write_decks
    from reelive_quiz.progress import bar
    from reelive_quiz.terminal import one_line

    lines: list[str] = []
    with bar("Writing decks", PAGES_FOR_A_BAR) as progress:
        for result in write_decks(parsed, target, progress=progress):
            d = result.deck
            lines.append(
                f"{one_line(d.title)}: {len(d.dialogues)} scenes "
                f"({sum(len(s.lines) for s in d.dialogues)} lines), {len(d.quotes)} quotes, "
                f"{len(d.soundtrack)} tracks, {len(d.moments)} moments, {len(d.trivia)} "
                f"trivia, {len(d.related)} related -> {result.path}")
    return lines


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@app.command("decks")
def decks_(json_: JsonOpt = False) -> None:
    """List the bundled and imported decks with their slugs and counts."""

    from reelive_quiz.catalogue import deck_rows
    from reelive_quiz.library import list_decks, progress_path
    from reelive_quiz.progress import bar
    from reelive_quiz.store import Store
    from reelive_quiz.terminal import one_line

    with Store.open(progress_path()) as store, \
            bar("Building the question catalogue", DECKS_FOR_A_BAR) as progress:
        rows = deck_rows(store, list_decks(), progress)
    if json_:
        _json(rows)
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

    from reelive_quiz.deck import load_deck
    from reelive_quiz.library import list_decks, resolve
    from reelive_quiz.terminal import one_line
    from reelive_quiz.which_film import KIND, film_of, generate_all

    kinds = _check_kinds(kind)
    refs = resolve(decks, include_user=False)
    chosen = [(load_deck(ref.path), ref.slug) for ref in refs]
    library = []  # which-film asks across the library: its other decks give the options
    if kinds is None or KIND in kinds:
        named = {ref.path for ref in refs}
        library = [film_of(load_deck(r.path), r.slug) for r in list_decks()
                   if r.path not in named]
    questions = generate_all(chosen, kinds, library)
    if json_:
        _json_list(q.to_dict() for q in questions)
        return
    count = 0
    for q in questions:
        count += 1
        _out(f"[{q.kind}] {one_line(q.prompt)}")
        for option in q.options:
            mark = "*" if option == q.answer else "-"
            _out(f"    {mark} {one_line(option)}")
        if not q.options:
            _out(f"    = {one_line(q.answer)}")
    _out(f"{count} questions from {len(refs)} deck(s)")


def _open(decks: list[str] | None):  # type: ignore[no-untyped-def]
    """The progress file, synced with the chosen decks (all decks when none is named)."""
    from reelive_quiz.catalogue import sync_decks
    from reelive_quiz.library import list_decks, progress_path, resolve
    from reelive_quiz.progress import bar
    from reelive_quiz.store import Store

    refs = resolve(decks)
    store = Store.open(progress_path())
    try:
        with bar("Building the question catalogue", DECKS_FOR_A_BAR) as progress:
            if decks:  # the whole library is synced too: which-film draws on every film
                sync_decks(store, list_decks(), complete=False, progress=progress)
            slugs = sync_decks(store, refs, complete=not decks, progress=progress)
    except BaseException:
        store.close()
        raise
    return store, slugs


def _config():  # type: ignore[no-untyped-def]
    from reelive_quiz.config import load_config
    from reelive_quiz.library import config_path

    return load_config(config_path())


@app.command("play")
def play(
    decks: DecksArg = None,
    kind: KindOpt = None,
    new: Annotated[int | None, typer.Option("--new", min=0,
                   help="New questions a day (default 20, or config).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=0,
                     help="Reviews a day (default 200, or config); with --cram, questions "
                          "this session.")] = None,
    cram: Annotated[bool, typer.Option("--cram",
                    help="Practise without touching the schedule.")] = False,
) -> None:
    """Answer what is due today: reviews first, then new questions."""
    from dataclasses import replace

    from reelive_quiz.config import check_range

    if new is not None:
        check_range("new_per_day", new, "--new")
    if limit is not None:
        check_range("reviews_per_day", limit, "--limit")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ReeliveError("play needs an interactive terminal (stdin and stdout are not a "
                           "TTY); `reelive-quiz status` works anywhere")
    from reelive_quiz.clock import now
    from reelive_quiz.quiz import run, say
    from reelive_quiz.schedule import build_queue
    from reelive_quiz.session import Session

    kinds = _check_kinds(kind)
    config = _config()
    if new is not None:
        config = replace(config, new_per_day=new)
    if limit is not None and not cram:
        config = replace(config, reviews_per_day=limit)
    store, slugs = _open(decks)
    with store:
        when = now()
        queue = build_queue(store, slugs, when, config, kinds=kinds, cram=cram,
                            cram_limit=limit if limit is not None else 20)
        session = Session(store, queue, config, cram=cram)
        if session.left == 0:
            _out(_nothing_to_practise(limit) if cram
                 else _nothing_due(store, slugs, queue, when, config))
            return
        summary = run(session)
        right = f" ({summary.right * 100 // summary.answered}%)" if summary.answered else ""
        minutes, seconds = divmod(int(summary.seconds), 60)
        days = f"{summary.streak} day" + ("" if summary.streak == 1 else "s")
        say("")
        say(("bold", "Session over."), f" {summary.answered} answered, {summary.right} right"
            f"{right}, {minutes}m {seconds:02d}s. Streak: {days}. "
            f"Due by tomorrow: {summary.due_tomorrow}.")


def _nothing_to_practise(limit: int | None) -> str:
    """Cram ignores the schedule: an empty queue means a zero limit or no questions."""
    if limit == 0:
        return "Nothing to practise: --limit 0 asks for no questions (with --cram, --limit " \
               "is the number of questions)."
    return "Nothing to practise: the chosen decks and kinds have no questions that are " \
           "not suspended."


def _nothing_due(store, slugs, queue, when, config) -> str:  # type: ignore[no-untyped-def]
    """Say when the next question is due, and why what waits is not asked now."""
    from reelive_quiz.stats import deck_status

    rows = deck_status(store, slugs, when)
    dues = [r.next_due for r in rows if r.next_due]
    due_now = sum(r.due_now for r in rows)
    if due_now and queue.reviews_left == 0:  # held back by the review limit, not the clock
        limit = config.reviews_per_day
        head = (f"{due_now} review(s) are due, but the review limit is 0 (--limit, or "
                "reviews_per_day in config.toml)." if limit == 0 else
                f"{due_now} review(s) are due, but today's {limit} reviews are done; they "
                "wait for tomorrow.")
    else:
        nxt = f"The next question is due {min(dues)}." if dues else "Nothing is scheduled yet."
        head = f"Nothing is due now. {nxt}"
    waiting, new_per_day = queue.new_waiting, config.new_per_day
    if not waiting:
        why = ""
    elif new_per_day == 0:
        why = (f" {waiting} new question(s) wait: the new-question limit is 0 "
               "(--new, or new_per_day in config.toml).")
    elif queue.new_left == 0:
        why = (f" {waiting} new question(s) wait for tomorrow: today's {new_per_day} new "
               "are done.")
    else:  # every one is a sibling of a question answered today
        why = f" {waiting} new question(s) wait for another day."
    return f"{head}{why}"


@app.command("status")
def status(decks: DecksArg = None, json_: JsonOpt = False) -> None:
    """Per deck: new, learning, due now, due today, suspended, leeches, next due."""

    from reelive_quiz.clock import now
    from reelive_quiz.stats import deck_status, leeches

    store, slugs = _open(decks)
    with store:
        when = now()
        rows = deck_status(store, slugs, when)
        # only decks that have leeches (their count is in the row): 1,000 index seeks
        # saved when few or none do
        leech_rows = leeches(store, [r.slug for r in rows if r.leeches])
    if json_:
        _json({"now": when.astimezone().isoformat(),
               "decks": [r.to_dict() for r in rows],
               "leeches": [{"deck": d, "prompt": p, "lapses": n} for d, p, n in leech_rows]})
        return
    _out(f"{'deck':<36} {'new':>5} {'learn':>5} {'due':>5} {'today':>5} {'susp':>5} "
         f"{'leech':>5}  next due")
    from collections import Counter

    from reelive_quiz.terminal import one_line

    twice = {title for title, n in Counter(r.title for r in rows).items() if n > 1}
    for r in rows:  # two files with one title are told apart by their slugs
        name = f"{r.title} ({r.slug})" if r.title in twice else r.title
        _out(f"{one_line(name)[:36]:<36} {r.new:>5} {r.learning:>5} {r.due_now:>5} "
             f"{r.due_today:>5} {r.suspended:>5} {r.leeches:>5}  "
             f"{(r.next_due or '-')[:16].replace('T', ' ')}")
    if leech_rows:
        _out("\nLeeches (forgotten too often; suspended):")
        for deck, prompt, lapses in leech_rows:
            _out(f"  {one_line(deck)}: {one_line(prompt)[:80]} ({lapses} lapses)")


@app.command("stats")
def stats(json_: JsonOpt = False) -> None:
    """Reviews per day (heatmap), retention, streak, 30-day forecast, hardest questions."""

    from reelive_quiz.clock import now
    from reelive_quiz.history import collect_stats
    from reelive_quiz.views import render_stats

    store, _ = _open(None)
    with store:
        result = collect_stats(store, now())
    if json_:
        _json(result.to_dict())
        return
    from rich.console import Console

    render_stats(result, Console(highlight=False))


@app.command("optimize")
def optimize_(
    dry_run: Annotated[bool, typer.Option("--dry-run",
                       help="Fit and report, save nothing.")] = False,
    reschedule: Annotated[bool, typer.Option("--reschedule",
                          help="Move due dates to the new intervals (default: keep them).")
                          ] = False,
    reset: Annotated[bool, typer.Option("--reset",
                     help="Go back to the default FSRS parameters.")] = False,
    undo: Annotated[bool, typer.Option("--undo",
                    help="Go back to the parameters in use before the last change.")] = False,
    workload: Annotated[bool, typer.Option("--workload",
                        help="Show the daily work each desired retention costs.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Fit FSRS to your own answers; adopt the fit only if it predicts them better."""
    from reelive_quiz.clock import now, to_ts
    from reelive_quiz.library import progress_path
    from reelive_quiz.store import Store

    if reset + undo + workload > 1:
        raise ReeliveError("optimize: --reset, --undo and --workload go one at a time")
    if workload and (dry_run or reschedule):
        raise ReeliveError("optimize --workload changes nothing: it takes no --dry-run "
                           "or --reschedule")
    config = _config()
    when = to_ts(now())
    if workload:
        from reelive_quiz.optimize_views import workload_lines
        from reelive_quiz.workload import workload as simulate

        store, _ = _open(None)  # the catalogue as the decks are now
        with store:
            result = simulate(store, config)
        if json_:
            _json(result.to_dict())
            return
        for line in workload_lines(result, config.desired_retention):
            _out(line)
        return
    from reelive_quiz.optimize import change, optimize
    from reelive_quiz.optimize_views import change_lines, fit_lines

    with Store.open(progress_path()) as store:
        if reset or undo:
            done = change(store, "reset" if reset else "undo", config.desired_retention,
                          when, dry_run=dry_run, reschedule=reschedule)
            if json_:
                _json({"action": done.action, "saved": done.saved,
                       "recomputed": done.recomputed, "rescheduled": done.rescheduled,
                       "in_use": done.in_use.to_dict() if done.in_use else None})
                return
            lines = change_lines(done, "reset" if reset else "undo", dry_run)
        else:
            fit = optimize(store, config.desired_retention, when, dry_run=dry_run,
                           reschedule=reschedule)
            if json_:
                _json(fit.to_dict())
                return
            lines = fit_lines(fit, dry_run)
    for line in lines:
        _out(line)


@app.command("export")
def export_(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .apkg file to write.",
                                         show_default=False)],
    decks: DecksArg = None,
    kind: KindOpt = None,
    with_progress: Annotated[bool, typer.Option(
        "--with-progress", help="Studied cards keep their schedule and review history "
        "(tick 'Import any learning progress' in Anki).")] = False,
) -> None:
    """Export decks to an Anki package; re-importing it updates notes, never duplicates."""
    from reelive_quiz.anki import check_output, export
    from reelive_quiz.terminal import one_line

    kinds = _check_kinds(kind)
    out = check_output(output)  # fail before loading decks
    from reelive_quiz.progress import bar

    if decks and not with_progress:  # files the catalogue does not hold: not stored
        store, files = _open_files(decks)
        if files:
            with store:
                _export_files(store, files, out, kinds)
            return
        store.close()
    store, slugs = _open(decks)  # the synced catalogue: decks are re-read only if changed
    scheduling = None
    with store, bar("Writing Anki notes", NOTES_FOR_A_BAR) as progress:
        titles: dict[str, set[str]] = {}
        for f in store.deck_files():
            if f.slug in slugs:
                titles.setdefault(f.title, set()).add(f.slug)
        if with_progress:
            from reelive_quiz.anki_progress import ProgressExport
            from reelive_quiz.clock import day_number, now

            scheduling = ProgressExport(store, _config(), day_number(now()))
        summary = export(store.iter_catalogue(slugs, kinds), out, progress,
                         total=store.count_catalogue(slugs, kinds), titles=titles,
                         scheduling=scheduling)
    _out(one_line(str(summary)))
    if scheduling is not None:
        _out(f"with progress: {scheduling.studied} studied cards, {scheduling.logged} "
             "answers logged; in Anki, tick 'Import any learning progress'")


def _open_files(decks: list[str]):  # type: ignore[no-untyped-def]
    """The progress file with the library synced, and the named files if the catalogue
    does not hold them all (see `catalogue.unsynced`)."""
    from reelive_quiz.catalogue import sync_decks, unsynced
    from reelive_quiz.library import list_decks, progress_path, resolve
    from reelive_quiz.progress import bar
    from reelive_quiz.store import Store

    refs = resolve(decks)
    store = Store.open(progress_path())
    try:
        with bar("Building the question catalogue", DECKS_FOR_A_BAR) as progress:
            sync_decks(store, list_decks(), complete=False, progress=progress)
        return store, unsynced(store, refs)
    except BaseException:
        store.close()
        raise


def _export_files(store: "Store", files: list[tuple[Path, str]], out: Path,
                  kinds: list[str] | None) -> None:
    """Export deck files generated here, not stored (`file_questions`)."""
    from reelive_quiz.anki import export
    from reelive_quiz.catalogue import films
    from reelive_quiz.file_questions import FileQuestions, progress_by_file
    from reelive_quiz.progress import bar
    from reelive_quiz.terminal import one_line

    questions = FileQuestions(files, films(store), kinds)
    try:
        with bar("Exporting deck files", DECKS_FOR_A_BAR) as progress:
            summary = export(questions, out, progress_by_file(questions, progress),
                             titles=questions.titles)
    finally:
        questions.close()
    _out(one_line(str(summary)))


@app.command("import-anki")
def import_anki_(
    file: Annotated[Path, typer.Argument(
        help="An .apkg or .colpkg exported from Anki with scheduling information.",
        show_default=False)],
) -> None:
    """Merge reviews done in Anki into your progress; their questions are rescheduled."""
    from reelive_quiz.anki_import import import_anki
    from reelive_quiz.terminal import one_line

    store, _ = _open(None)  # every deck: a package may hold any of them
    with store:
        summary = import_anki(store, file, _config())
    _out(one_line(str(summary)))
    if summary.backup is not None:
        _out(f"Your progress before this first import is kept at {summary.backup}.")


@app.command("backup")
def backup_(
    file: Annotated[Path | None, typer.Argument(
        help="Where to write the copy (default: backups/ in the data folder).",
        show_default=False)] = None,
) -> None:
    """Copy your progress to a file, to keep or to move to another machine."""
    from reelive_quiz.backup import backup
    from reelive_quiz.library import progress_path

    _out(f"Progress saved to {backup(progress_path(), file)}")


@app.command("restore")
def restore_(file: Annotated[Path, typer.Argument(help="A file made by `backup`.")]) -> None:
    """Replace your progress with a backup (the current progress is kept aside first)."""
    from reelive_quiz.backup import restore
    from reelive_quiz.library import progress_path

    kept = restore(progress_path(), file)
    note = f" Your previous progress is kept at {kept}." if kept else ""
    _out(f"Progress restored from {file}.{note}")


def main() -> None:
    """Entry point: typer handles usage errors (exit 2); ours become one line and exit 2.

    The output streams are made safe first (see `output.py`): no print fails a command.
    """
    from reelive_quiz.output import finish, install

    stdout = install()
    status: int | str | None = 0
    try:
        app(prog_name="reelive-quiz")
    except SystemExit as exc:
        status = exc.code
    except ReeliveError as exc:
        from reelive_quiz.terminal import one_line

        sys.stderr.write(f"reelive-quiz: {one_line(str(exc))}\n")
        status = 2
    if status is None or isinstance(status, int):
        status = finish(stdout, status or 0)
    # The interpreter's last act is a full garbage collection over every object the
    # command built (typer's and click's too), which frees nothing that exiting does
    # not: 17-22 ms after `status` at 1,000 films, 5 ms with them frozen first.
    import gc

    gc.freeze()
    sys.exit(status)

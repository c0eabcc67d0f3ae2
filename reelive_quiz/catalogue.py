"""Deck files → the question catalogue: what the store knows each deck holds.

A deck file is re-read only when its signature (generator version, mtime,
size) changed; then its questions are regenerated and the store's catalogue
made to match. Progress follows question ids; a question whose text was only
slightly edited (a typo fixed) inherits the progress of the one it replaces
(`carry_over`). New questions are introduced in a varied order (`interleave`).
The deck and generator modules load only when a file changed: `status` on an
unchanged library reads no YAML.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelive_quiz.files import path_text
from reelive_quiz.store import DeckFile, Orphan, Store

if TYPE_CHECKING:
    from reelive_quiz.deck import Deck
    from reelive_quiz.library import DeckRef
    from reelive_quiz.question import Question
    from reelive_quiz.which_film import Film

__all__ = ["GENERATOR_VERSION", "carry_over", "deck_rows", "films", "interleave", "sync_decks",
           "sync_which_film", "unsynced"]

#: Bump when question generation changes, so every deck is re-read once.
GENERATOR_VERSION = "2"
#: Edits are matched only while the comparison stays cheap (a few seconds at worst).
_MAX_COMPARISONS = 2_000_000
#: How alike (rapidfuzz ratio, 0–100) an edited question's prompt and answer must be.
_SIMILAR = 90


def _signature(ref: DeckRef) -> str | None:
    try:
        st = os.stat(ref.path)
    except OSError:
        return None
    return f"{GENERATOR_VERSION}:{st.st_mtime_ns}:{st.st_size}"


#: Decks written per transaction when many changed: big enough to amortise a commit,
#: small enough that a session answering in another terminal waits at most a moment.
SYNC_BATCH = 100


def sync_decks(store: Store, refs: Sequence[DeckRef], *, complete: bool,
               loaded: MutableMapping[Path, Deck] | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Re-read the decks whose file changed; returns the slugs of `refs`.

    A deck's slug is its file's (`DeckRef.slug`, see library.py), hashed into
    its question ids. A file the catalogue knows under another slug (a store
    from before slugs came from file names, or a title fixed then), or a new
    file whose deck's old file is gone (renamed or moved: same title), takes
    over the old slug's progress, and the old entry goes: no question loses
    its progress, no ghost deck stays behind. `complete` says `refs` are all
    the decks there are, so a deck that disappeared is hidden (its progress kept).

    `loaded` holds decks already in memory by path (`import` has just written
    them), used instead of re-reading their files: the catalogue is the same
    either way. Each is taken out of it once synced, so a library's decks are
    not all held while its which-film questions are built (60 MB at 1,000 films).
    `progress(done, total)` counts the decks re-read. Changed decks are written
    `SYNC_BATCH` to a transaction (`Store.catalogue_batch`).
    """
    known = store.deck_files()
    by_path: dict[str, list[DeckFile]] = {}
    for f in known:
        by_path.setdefault(f.path, []).append(f)
    own = [_slug(r) for r in refs]
    claimed = set(own) | _library_slugs(complete)
    slugs: list[str] = []
    changed: list[tuple[DeckRef, str, str | None, list[DeckFile]]] = []
    for ref, slug in zip(refs, own, strict=True):
        sig = _signature(ref)
        seen = by_path.get(path_text(ref.path), [])
        slugs.append(slug)
        if _changed(seen, slug, sig):
            changed.append((ref, slug, sig, seen))
    if changed:
        from reelive_quiz.deck import load_deck
        from reelive_quiz.generate import generate
        from reelive_quiz.which_film import film_of, question_ids

        if progress:
            progress(0, len(changed))
        for start in range(0, len(changed), SYNC_BATCH):
            with store.catalogue_batch():
                for done, (ref, slug, sig, seen) in enumerate(
                        changed[start:start + SYNC_BATCH], start + 1):
                    deck = (loaded.pop(ref.path, None) if loaded else None) or load_deck(ref.path)
                    questions = generate(deck, slug=slug)
                    film = film_of(deck, slug)
                    retired = [f.slug for f in seen if f.slug != slug and f.slug not in claimed]
                    if not seen:  # a new file: the deck it replaces, if its file is gone
                        retired += [f.slug for f in known
                                    if f.slug != slug and f.slug not in claimed
                                    and f.slug not in retired
                                    and (f.slug == deck.slug or f.title == deck.title)
                                    and not os.path.exists(f.path)]
                    renamed: dict[str, str] = {}
                    for old in retired:  # the same content under the old slug: its ids
                        renamed.update(zip((q.id for q in generate(deck, slug=old)),
                                           (q.id for q in questions), strict=True))
                        renamed.update(zip(question_ids(film_of(deck, old)),
                                           question_ids(film),
                                           strict=True))  # which-film progress follows too
                    store.sync_deck(slug, deck.title, path_text(ref.path), sig or "",
                                    interleave(questions), deck.contents(), carry_over,
                                    retired=retired, renamed=renamed, items=film.items_json())
                    if progress:
                        progress(done, len(changed))
    if complete:
        current = {path_text(r.path) for r in refs}
        for f in known:
            if f.path not in current and f.slug not in slugs:
                store.forget_deck(f.slug)
    sync_which_film(store)
    return list(dict.fromkeys(slugs))


def _changed(seen: Sequence[DeckFile], slug: str, signature: str | None) -> bool:
    """Must this file be re-read? (`seen`: the catalogue's entries for its path)"""
    return [(f.slug, f.signature) for f in seen] != [(slug, signature)]


def unsynced(store: Store, refs: Sequence[DeckRef]) -> list[tuple[Path, str]]:
    """Every file of `refs` with its slug if one of them would be re-read by a sync;
    none if each is synced, or if two share a slug (then the sync decides).

    `export FILE.yaml…` generates such files without storing them (`file_questions`).
    """
    by_path: dict[str, list[DeckFile]] = {}
    for f in store.deck_files():
        by_path.setdefault(f.path, []).append(f)
    files = [(ref.path, _slug(ref)) for ref in refs]
    if len({slug for _, slug in files}) < len(files) or not any(
            _changed(by_path.get(path_text(ref.path), []), slug, _signature(ref))
            for ref, (_, slug) in zip(refs, files, strict=True)):
        return []
    return files


def sync_which_film(store: Store) -> None:
    """Rebuild the which-film questions when the set of decks (or one of them) changed.

    Checked from the deck list alone; the items are read only when rebuilding,
    which is linear in the library. A run killed half-way rebuilds next time.
    """
    state = store.library_state()
    library = _sha1(repr((GENERATOR_VERSION, sorted(
        (slug, film) for slug, film, _ in state))).encode("utf-8", "surrogatepass")).hexdigest()
    if all(built == library for _, _, built in state):
        return
    from reelive_quiz.which_film import which_film

    store.sync_which_film(_drained(which_film(films(store))), library)


def _sha1(data: bytes) -> Any:
    """hashlib's SHA-1, from the module hashlib itself falls back on: the same digest
    without loading OpenSSL, which was 3 ms of every command's start (this check)."""
    try:
        from _sha1 import sha1
    except ImportError:  # an interpreter built without it
        from hashlib import sha1
    return sha1(data)


def _drained(items: list[Question]) -> Iterator[Question]:
    """Each item as the list lets go of it: a question written to the store is freed
    while the store's page cache grows (107,745 which-film questions are 65 MB)."""
    items.reverse()
    while items:
        yield items.pop()


def films(store: Store) -> list[Film]:
    """Every synced deck's which-film items (as `Film.from_json` reads them), repeated texts shared.

    At 1,000 films the 107,000 items' kind, source and info texts are 35 MB as
    read, 12 MB shared (an info is the same for a speaker's lines in a scene).
    """
    import json

    from reelive_quiz.which_film import Film, Item

    shared: dict[str, str] = {}

    def share(text: str) -> str:
        return shared.setdefault(text, text)

    return [Film(slug, title, tuple(Item(share(what), text, share(source), sibling, share(info))
                                    for what, text, source, sibling, info
                                    in json.loads(items or "[]")))
            for slug, title, items in store.film_items()]


def _slug(ref: DeckRef) -> str:
    from reelive_quiz.library import file_slug

    return file_slug(ref.slug)


def _library_slugs(complete: bool) -> set[str]:
    """Slugs of every deck file there is, when `refs` may be only some of them."""
    if complete:
        return set()
    from reelive_quiz.library import list_decks

    return {r.slug for r in list_decks()}


def interleave(questions: Sequence[Question]) -> list[Question]:
    """New questions in a varied order: one of each kind in turn, deck order within."""
    by_kind: dict[str, list[Question]] = {}
    for q in questions:
        by_kind.setdefault(q.kind, []).append(q)
    lists = list(by_kind.values())
    out: list[Question] = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def carry_over(added: Sequence[Question], orphans: Mapping[str, Orphan],
               ) -> list[tuple[str, str]]:
    """Pairs (new id, old id) for edited questions: same kind, text nearly the same.

    `orphans` are the studied questions of the deck that the new version no
    longer has; each is inherited at most once.
    """
    if not added or not orphans or len(added) * len(orphans) > _MAX_COMPARISONS:
        return []
    from rapidfuzz import fuzz, process

    pool = {qid: f"{o.prompt}\n{o.answer}" for qid, o in orphans.items()}
    kind_of = {qid: o.kind for qid, o in orphans.items()}
    pairs = []
    for q in added:
        choices = {qid: text for qid, text in pool.items() if kind_of[qid] == q.kind}
        if not choices:
            continue
        best = process.extractOne(f"{q.prompt}\n{q.answer}", choices, scorer=fuzz.ratio,
                                  score_cutoff=_SIMILAR)
        if best is not None:
            old_id = best[2]
            pairs.append((q.id, old_id))
            del pool[old_id]
    return pairs


def deck_rows(store: Store, refs: Sequence[DeckRef],
              progress: Callable[[int, int], None] | None = None) -> list[dict[str, object]]:
    """What `decks` lists: per file its slug, title, contents and question count.

    Counts come from the synced catalogue (one entry a file); a file it does
    not hold is read and counted itself. Paths are text even when a name is
    not UTF-8 (`files.path_text`), as the store keeps them.
    """
    sync_decks(store, refs, complete=True, progress=progress)  # changed files only
    synced = store.deck_listing()
    rows: list[dict[str, object]] = []
    for ref in refs:
        row = synced.get(path_text(ref.path))
        if row is None:
            from reelive_quiz.deck import load_deck
            from reelive_quiz.generate import generate

            deck = load_deck(ref.path)
            row = {"title": deck.title, **deck.contents(),
                   "questions": len(generate(deck, slug=ref.slug))}
        rows.append({"slug": ref.slug, **row, "bundled": ref.bundled, "path": path_text(ref.path)})
    return rows

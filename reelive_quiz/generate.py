"""Deck → Questions: the question generator.

Every question is made from one item of the deck and names it in `source`.
Its id hashes the deck's slug, the kind and the content it was made from
(never its position, never its distractors), so it survives regeneration
and edits elsewhere in the deck. Distractors come from the same film and are
of the same kind as the answer; the option order is seeded by the id, so
the same deck always gives the same questions.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reelive_quiz.deck import Deck
from reelive_quiz.question import BLANK, FLIP_KINDS, KINDS, TYPEABLE_LENGTH, Kind, Mode, Question
from reelive_quiz.text import contains, fold

__all__ = ["MAX_OPTIONS", "generate"]

MAX_OPTIONS = 4

# -- text helpers -------------------------------------------------------------

def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _id(slug: str, kind: str, *content: str) -> str:
    return f"{kind}-{_digest(slug, kind, *content)[:16]}"


@dataclass(frozen=True, slots=True)
class _Pool:
    """Candidate distractors: distinct items in sorted order, each with its folded form.

    Built once per deck for the pools many questions share (speakers, scenes).
    """

    items: tuple[tuple[str, str], ...]


def _pool(items: Iterable[str]) -> _Pool:
    return _Pool(tuple((item, fold(item)) for item in sorted(set(items))))


#: Pools larger than this are sampled, not scanned: a film with 20,000 scenes must
#: not cost 20,000 steps per which-scene question.
_SCAN_LIMIT = 64


def _options(qid: str, answer: str, pool: _Pool, rng: random.Random,
             reject: Callable[[str], bool] | None = None) -> tuple[str, ...]:
    """Up to MAX_OPTIONS distinct options with the answer once; seeded by the id.

    Returns () when the pool has no distractor: never padded with junk.
    `reject` drops candidates that would be unfair (e.g. visible in the prompt).
    """
    rng.seed(int(qid.rsplit("-", 1)[1], 16))
    wanted = MAX_OPTIONS - 1
    seen = {fold(answer)}
    chosen: list[str] = []
    items = pool.items
    if len(items) > _SCAN_LIMIT:
        for index in rng.sample(range(len(items)), 4 * wanted):
            item, key = items[index]
            if key and key not in seen and not (reject and reject(item)):
                seen.add(key)
                chosen.append(item)
                if len(chosen) == wanted:
                    break
    if len(chosen) < wanted:
        seen, chosen = {fold(answer)}, []
        distractors = []
        for item, key in items:
            if key and key not in seen and not (reject and reject(item)):
                seen.add(key)
                distractors.append(item)
        if not distractors:
            return ()
        chosen = rng.sample(distractors, min(wanted, len(distractors)))
    options = [*chosen, answer]
    rng.shuffle(options)
    return tuple(options)


def _quoted(text: str) -> str:
    return f"“{text}”"


# -- generation ---------------------------------------------------------------

class _Builder:
    def __init__(self, deck: Deck, slug: str | None = None) -> None:
        self.deck = deck
        self.slug = deck.slug if slug is None else slug
        self.seen: set[str] = set()
        self.out: list[Question] = []
        self.rng = random.Random()  # reseeded by each question's id

    def add(self, kind: Kind, content: Sequence[str], *, prompt: str, answer: str,
            pool: _Pool | Iterable[str] = (), source: str, sibling: str, info: str = "",
            mode: Mode = "choice", person: bool = False, check: bool = True,
            reject: Callable[[str], bool] | None = None) -> None:
        qid = _id(self.slug, kind, *content)
        if kind in FLIP_KINDS:
            mode = "flip"
        if qid in self.seen or (check and contains(prompt, answer)):
            return
        options: tuple[str, ...] = ()
        if mode == "choice":
            shared = pool if isinstance(pool, _Pool) else _pool(pool)
            options = _options(qid, answer, shared, self.rng, reject)
        if mode == "choice" and not options:
            mode = "typed" if len(answer) <= TYPEABLE_LENGTH else "flip"
        self.seen.add(qid)
        self.out.append(Question(qid, self.deck.title, self.slug, kind, prompt, answer,
                                 options, source, sibling, info, mode, person))

    def sibling(self, *content: str) -> str:
        return _digest(self.slug, *content)[:16]


def generate(deck: Deck, kinds: Iterable[str] | None = None, *,
             slug: str | None = None) -> list[Question]:
    """All questions of a deck, in a stable order (kind by kind, deck order within).

    `slug` is the deck's key in the catalogue (its file's, see library.py); ids
    hash it, so it defaults to the title's only for a deck that has no file.
    """
    wanted = set(kinds) if kinds is not None else set(KINDS)
    b = _Builder(deck, slug)
    for kind, make in _GENERATORS.items():
        if kind in wanted:
            make(b)
    return b.out


def _speakers(deck: Deck) -> list[str]:
    names = [ln.speaker for s in deck.dialogues for ln in s.lines]
    names += [q.speaker for q in deck.quotes]
    return list(dict.fromkeys(names))


def _who_said(b: _Builder) -> None:
    deck = b.deck
    speakers = _speakers(deck)
    if len(speakers) < 2:
        return
    pool = _pool(speakers)
    said_by: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for ln in s.lines:
            said_by[fold(ln.text)].add(ln.speaker)
    for q in deck.quotes:
        said_by[fold(q.text)].add(q.speaker)
    items = [(ln.speaker, ln.text, f"dialogues[{i}].lines[{j}]", f"Scene: {s.scene}")
             for i, s in enumerate(deck.dialogues) for j, ln in enumerate(s.lines)]
    items += [(q.speaker, q.text, f"quotes[{i}]", f"A famous quote from {deck.title}.")
              for i, q in enumerate(deck.quotes)]
    for speaker, text, source, info in items:
        if len(said_by[fold(text)]) > 1:
            continue  # the same words from two people: no single right answer
        b.add("who-said", (speaker, text), prompt=f"Who says {_quoted(text)}?",
              answer=speaker, pool=pool, source=source,
              sibling=b.sibling("line", speaker, text), info=info, person=True)


def _which_scene(b: _Builder) -> None:
    deck = b.deck
    scenes_of: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for ln in s.lines:
            scenes_of[fold(ln.text)].add(s.scene)
    titles = _pool(s.scene for s in deck.dialogues)
    for i, s in enumerate(deck.dialogues):
        for j, ln in enumerate(s.lines):
            if len(scenes_of[fold(ln.text)]) > 1:
                continue
            b.add("which-scene", (s.scene, ln.text),
                  prompt=f"Which scene has {ln.speaker} say {_quoted(ln.text)}?",
                  answer=s.scene, pool=titles, source=f"dialogues[{i}].lines[{j}]",
                  sibling=b.sibling("line", ln.speaker, ln.text),
                  info=_neighbours(s.lines, j))


def _neighbours(lines: Sequence, j: int) -> str:
    window = lines[max(0, j - 1): j + 2]
    return " / ".join(f"{ln.speaker}: {ln.text}" for ln in window)


def _next_line(b: _Builder) -> None:
    deck = b.deck
    follows: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for a, nxt in zip(s.lines, s.lines[1:], strict=False):
            follows[fold(a.text)].add(fold(nxt.text))
    every_line = [ln.text for s in deck.dialogues for ln in s.lines]
    for i, s in enumerate(deck.dialogues):
        same_scene = [ln.text for ln in s.lines]
        for j, (a, nxt) in enumerate(zip(s.lines, s.lines[1:], strict=False)):
            if len(follows[fold(a.text)]) > 1:
                continue
            pool = [t for t in same_scene if fold(t) != fold(a.text)]
            if len(set(map(fold, pool))) < MAX_OPTIONS:
                pool += every_line[:: max(1, len(every_line) // 12)]
            pool = [t for t in pool if fold(t) != fold(a.text)]
            b.add("next-line", (s.scene, a.text, nxt.text),
                  prompt=(f"In “{s.scene}”, {a.speaker} says {_quoted(a.text)} "
                          f"What does {nxt.speaker} answer?"),
                  answer=nxt.text, pool=pool, source=f"dialogues[{i}].lines[{j + 1}]",
                  sibling=b.sibling("line", a.speaker, a.text),
                  info=f"Scene: {s.scene}")


def _split_quote(text: str) -> tuple[str, str] | None:
    words = text.split()
    if len(words) < 6:
        return None
    half = len(words) // 2
    # Prefer a break after punctuation near the middle: it reads like a cue.
    for k in sorted(range(2, len(words) - 2), key=lambda k: abs(k - half)):
        if words[k - 1][-1] in ",;:—-" and abs(k - half) <= 3:
            half = k
            break
    return " ".join(words[:half]), " ".join(words[half:])


def _finish_quote(b: _Builder) -> None:
    for i, q in enumerate(b.deck.quotes):
        parts = _split_quote(q.text)
        if parts is None:
            continue
        head, tail = parts
        b.add("finish-quote", (q.speaker, q.text),
              prompt=f"Finish the quote ({q.speaker}): “{head} …”", answer=tail,
              source=f"quotes[{i}]", sibling=b.sibling("line", q.speaker, q.text),
              info=f"{q.speaker}: {_quoted(q.text)}")


def _tracks(b: _Builder) -> None:
    deck = b.deck
    film = deck.title
    uses = _pool(t.accompanies for t in deck.soundtrack)
    titles = _pool(t.title for t in deck.soundtrack)
    for i, t in enumerate(deck.soundtrack):
        sib = b.sibling("track", t.title)
        info = f"“{t.title}” by {t.artist}: {t.accompanies}."
        b.add("track", ("accompanies", t.title, t.accompanies),
              prompt=f"What does the track “{t.title}” accompany in the film {film}?",
              answer=t.accompanies, pool=uses, source=f"soundtrack[{i}]", sibling=sib,
              info=info)
        b.add("track", ("title", t.accompanies, t.title),
              prompt=f"Which track of the film {film} is this: {t.accompanies}?",
              answer=t.title, pool=titles, source=f"soundtrack[{i}]", sibling=sib, info=info)


def _track_artists(b: _Builder) -> None:
    deck = b.deck
    artists = _pool(t.artist for t in deck.soundtrack)
    for i, t in enumerate(deck.soundtrack):
        b.add("track-artist", (t.title, t.artist),
              prompt=f"Who performed “{t.title}” on the soundtrack of {deck.title}?",
              answer=t.artist, pool=artists, source=f"soundtrack[{i}]",
              sibling=b.sibling("track", t.title), info=f"Accompanies: {t.accompanies}.",
              person=True)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _moments(b: _Builder) -> None:
    deck = b.deck
    titles = _pool(m.title for m in deck.moments)
    for i, m in enumerate(deck.moments):
        clue = " ".join(_SENTENCE.split(m.description)[:2])
        core = re.sub(r"^(the|a|an)\s+", "", m.title, flags=re.IGNORECASE)
        clue = _blank(clue, [core])
        b.add("moment", (m.title, m.description),
              prompt=f"Which key moment of {deck.title} is this? {clue}", answer=m.title,
              pool=titles, source=f"moments[{i}]", sibling=b.sibling("moment", m.title),
              info=f"Context: {m.context}")


# Trivia: find the key fact of a sentence (a name, a quoted term, a number).
_NAME = re.compile(r"\b[A-Z][\w’'-]*[\w](?:\s+(?:[A-Z][\w’'-]*[\w]|de|van|von|da|del|di))*"
                   r"\s+[A-Z][\w’'-]*[\w]")
_TERM = re.compile(r"(?:(?<=\s)|^)['‘\"“]([A-Z][^'‘’\"“”]{1,58}?(?:’[a-z][^'‘’\"“”]*?)?)"
                   r"['’\"”](?=[\s,.;:!?)]|$)")
_NUMBER = re.compile(r"\b(\d[\d,.]*\d|\d)(s?)\b|\b(two|three|four|five|six|seven|eight|nine|"
                     r"ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand)\b",
                     re.IGNORECASE)
_ROLE_WORDS = {"director", "editor", "cinematographer", "composer", "producer", "writer",
               "actor", "actors", "actress", "costume", "designer", "the", "a", "an", "in",
               "on", "at", "many", "some", "this", "these", "initially", "when", "while",
               "star", "stars", "screenwriter", "production"}


_NOT_A_PERSON_AFTER = {"the", "in", "of", "from", "at", "to", "into", "across", "around",
                       "through", "near", "with"}


def _names(text: str) -> tuple[list[str], list[str]]:
    """Capitalised runs of two or more words, split into people and other terms.

    A run after a place-like preposition ("in 1960s Hong Kong", "of French New
    Wave") is a term; a run inside quotes is left to `_terms`.
    """
    people, others = [], []
    for match in _NAME.finditer(text):
        before = text[: match.start()]
        if before and before[-1] in "'‘\"“":
            continue
        words = match.group(0).split()
        while words and words[0].casefold() in _ROLE_WORDS:
            words = words[1:]
        if len(words) < 2:
            continue
        name = re.sub(r"[’']s$", "", " ".join(words))
        previous = before.split()[-1:] or [""]
        prev = previous[0].casefold()
        if prev in _NOT_A_PERSON_AFTER or prev[:1].isdigit():
            others.append(name)
        else:
            people.append(name)
    return people, others


def _terms(text: str, film: str) -> list[str]:
    return [t for t in (m.group(1).strip() for m in _TERM.finditer(text))
            if fold(t) != fold(film) and len(t) > 2]


def _numbers(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(text)]


def _blank(text: str, answers: Sequence[str]) -> str:
    for answer in answers:
        if answer:
            text = re.sub(rf"(?<!\w){re.escape(answer)}(?!\w)", BLANK, text,
                          flags=re.IGNORECASE)
    return text


def _trivia(b: _Builder) -> None:
    deck = b.deck
    film = deck.title
    found = [_names(t.fact) for t in deck.trivia]
    names_of = [people for people, _ in found]
    terms_of = [_terms(t.fact, film) + others for (_, others), t in zip(found, deck.trivia,
                                                                       strict=True)]
    all_names = _pool(n for ns in names_of for n in ns if fold(n) != fold(film))
    all_terms = _pool(n for ts in terms_of for n in ts)
    for i, t in enumerate(deck.trivia):
        sib = b.sibling("trivia", t.title)
        picks: list[tuple[str, _Pool, bool, str]] = []
        names = [n for n in names_of[i] if fold(n) != fold(film)]
        if names:
            picks.append((names[0], all_names, True, "choice"))
        elif terms_of[i]:
            picks.append((terms_of[i][0], all_terms, False, "choice"))
        numbers = _numbers(t.fact)
        if numbers:
            picks.append((numbers[0], _pool(()), False, "typed"))
        for answer, pool, person, mode in picks:
            hide = [answer, *(p for p in answer.split() if len(p) > 2)] if person else [answer]
            prompt = f"{film} trivia ({t.title}): {_blank(t.fact, hide)}"
            if contains(_blank(t.title, hide), answer):
                prompt = f"{film} trivia: {_blank(t.fact, hide)}"

            def unfair(other: str, answer: str = answer, prompt: str = prompt) -> bool:
                return (contains(answer, other) or contains(other, answer)
                        or contains(prompt, other))

            b.add("trivia", (t.title, t.fact, answer), prompt=prompt, answer=answer, pool=pool,
                  reject=unfair, source=f"trivia[{i}]", sibling=sib,
                  info=f"Why it matters: {t.why_it_matters}", mode=mode, person=person)


def _custom(b: _Builder) -> None:
    for i, q in enumerate(b.deck.questions):
        b.add("custom", (q.prompt, q.answer), prompt=q.prompt, answer=q.answer,
              pool=[o for o in q.options if o != q.answer], source=f"questions[{i}]",
              sibling=b.sibling("custom", q.prompt), check=False,  # as the author wrote it
              mode="choice" if q.options else
              ("typed" if len(q.answer) <= TYPEABLE_LENGTH else "flip"))


_GENERATORS = {
    "who-said": _who_said,
    "which-scene": _which_scene,
    "next-line": _next_line,
    "finish-quote": _finish_quote,
    "track": _tracks,
    "track-artist": _track_artists,
    "moment": _moments,
    "trivia": _trivia,
    "custom": _custom,
}

"""Deck → Questions: the question generator.

Every question is made from one item of the deck and names it in `source`.
Its id hashes the deck's slug, the kind and the content it was made from
(never its position, never its distractors), so it survives regeneration
and edits elsewhere in the deck. Distractors come from the same film and are
of the same kind as the answer, and never one the prompt already names; the
option order is seeded by the id, so the same deck always gives the same
questions. Every step is linear in the deck: each text is folded once per
run (`Folds`), and pools are built once per deck or scene and sampled.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reelive_quiz.deck import Deck, Line
from reelive_quiz.keyfacts import name_parts
from reelive_quiz.question import BLANK, FLIP_KINDS, KINDS, TYPEABLE_LENGTH, Kind, Mode, Question
from reelive_quiz.text import Folds, contains, fold, fold_text

__all__ = ["MAX_OPTIONS", "SHORT_LINE", "QuestionTuple", "generate", "generate_tuples"]

MAX_OPTIONS = 4

#: A question as the generator makes it: `Question`'s fields in order (`as_row`'s tuple).
QuestionTuple = tuple[str, str, str, str, str, str, tuple[str, ...], str, str, str, str, bool]

# -- text helpers -------------------------------------------------------------

def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _id(slug: str, kind: str, *content: str) -> str:
    return f"{kind}-{_digest(slug, kind, *content)[:16]}"


#: A candidate as pools hold it: (item, its folded form, needles): the ways a prompt
#: could name it (its folded form and, for people, the folded words a person may be
#: named by alone), space-padded for a whole-word search in a padded folded prompt.
_Entry = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Pool:
    """Candidate distractors: distinct items in sorted order, as `_Entry`s.

    Built once per deck (or scene) for the pools many questions share.
    """

    items: tuple[_Entry, ...]


def _pool(items: Iterable[str], entry: Callable[[str], _Entry]) -> _Pool:
    return _Pool(tuple(entry(item) for item in sorted(set(items))))


#: Pools larger than this are sampled, not scanned: a film with 20,000 scenes must
#: not cost 20,000 steps per which-scene question.
_SCAN_LIMIT = 64


def _named(padded_prompt: str, needles: tuple[str, ...]) -> bool:
    """Does the (folded, space-padded) prompt name this item, or a person by one name?"""
    for needle in needles:  # noqa: SIM110 (not any(): 400k calls, a generator each)
        if needle in padded_prompt:
            return True
    return False


_MASK = (1 << 64) - 1


class Draws:
    """Deterministic draws seeded by a question's id (splitmix64): cheaper than seeding
    a `random.Random` per question, and the same on every machine and Python."""

    __slots__ = ("state",)

    def __init__(self, qid: str) -> None:
        self.state = int(qid.rsplit("-", 1)[1][:16], 16)

    def below(self, n: int) -> int:
        self.state = z = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return (z ^ (z >> 31)) % n

    def shuffle(self, items: list) -> None:  # type: ignore[type-arg]
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def _options(qid: str, answer: str, pool: _Pool,
             reject: Callable[[str], bool] | None = None, *, answer_key: str = "",
             prompt_key: str = "") -> tuple[str, ...]:
    """Up to MAX_OPTIONS distinct options with the answer once; seeded by the id.

    Returns () when the pool has no distractor: never padded with junk. An
    option the prompt names (folded; a person's family or given name alone
    counts) is no distractor; `reject` drops other unfair ones. Candidates are
    drawn one by one (a partial shuffle) and checked only when drawn.
    """
    draws = Draws(qid)
    wanted = MAX_OPTIONS - 1
    answer_key = answer_key or fold(answer)
    padded = f" {prompt_key} "
    seen = {answer_key}
    chosen: list[str] = []
    items = pool.items
    if len(items) > _SCAN_LIMIT:  # a few draws, never a walk over a huge pool
        for _ in range(4 * wanted):
            if _take(items[draws.below(len(items))], padded, reject, seen, chosen):
                break
        if len(chosen) < wanted:
            seen, chosen = {answer_key}, []
    if len(chosen) < wanted:
        order = list(items)
        for k in range(len(order)):
            j = k + draws.below(len(order) - k)
            order[k], order[j] = order[j], order[k]
            if _take(order[k], padded, reject, seen, chosen):
                break
    if not chosen:
        return ()
    options = [*chosen, answer]
    draws.shuffle(options)
    return tuple(options)


def _take(entry: _Entry, padded_prompt: str,
          reject: Callable[[str], bool] | None, seen: set[str], chosen: list[str]) -> bool:
    """Add a drawn candidate to `chosen` if it is a fair distractor; True once enough.

    A module function, not a closure: `_options` runs 400k times a library
    (a closure made per call cost 4% of generation, sampled with py-spy). The
    whole-word search of each needle in the prompt replaces a set of the prompt's
    words built per question (another 3%): a few candidates are drawn, each with
    one to three needles.
    """
    item, key, needles = entry
    if not key or key in seen or _named(padded_prompt, needles):
        return False
    if reject and reject(item):
        return False
    seen.add(key)
    chosen.append(item)
    return len(chosen) == MAX_OPTIONS - 1


def _quoted(text: str) -> str:
    return f"“{text}”"


#: A line this short says nothing alone: its question shows the line before it.
SHORT_LINE = 4
#: Context lines are cut to this many words: they remind, they do not retell.
_CONTEXT_WORDS = 20


def _prompt(f: Folds, *parts: str | tuple[str]) -> tuple[str, str]:
    """A prompt and its folded form, built from folded parts: no prompt is folded whole.

    A 1-tuple is a deck text shown in quotes. Parts meet at spaces or quotes, so
    the folded parts joined equal the folded prompt.
    """
    shown: list[str] = []
    keys: list[str] = []
    for part in parts:
        if isinstance(part, tuple):
            value = part[0]
            shown.append(f"“{value}”")
        else:
            value = part
            shown.append(value)
        key = f[value]
        if key:
            keys.append(key)
    return "".join(shown), " ".join(keys)


def _short(text: str, folds: Folds) -> bool:
    # a folded text is its words joined by single spaces (none: "")
    return folds[text].count(" ") < SHORT_LINE - 1


def _cut(text: str) -> str:
    words = text.split()
    return text if len(words) <= _CONTEXT_WORDS else " ".join(words[:_CONTEXT_WORDS]) + " …"


# -- generation ---------------------------------------------------------------

class _Builder:
    def __init__(self, deck: Deck, slug: str | None = None, folds: Folds | None = None) -> None:
        self.deck = deck
        self.slug = deck.slug if slug is None else slug
        self.seen: set[str] = set()
        self.out: list[QuestionTuple] = []
        # this run's folded texts: each folded once, none evicted
        self.folds = Folds() if folds is None else folds
        self._siblings: dict[tuple[str, ...], str] = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        self._entries: tuple[dict[str, _Entry], dict[str, _Entry]] = ({}, {})  # by `person`

    def add(self, kind: Kind, content: Sequence[str], *, prompt: str, answer: str,
            pool: _Pool | Iterable[str] = (), source: str, sibling: str, info: str = "",
            mode: Mode = "choice", person: bool = False, check: bool = True,
            reject: Callable[[str], bool] | None = None, key: str | None = None) -> None:
        """One question; `key` is the prompt already folded (see `_prompt`)."""
        qid = _id(self.slug, kind, *content)
        if kind in FLIP_KINDS:
            mode = "flip"
        if qid in self.seen:
            return
        prompt_key = fold_text(prompt) if key is None else key  # each prompt is new
        _, answer_key, needles = self.entry(answer, person)
        if check and (not answer_key or _named(f" {prompt_key} ", needles)):
            return
        options: tuple[str, ...] = ()
        if mode == "choice":
            shared = pool if isinstance(pool, _Pool) else self.pool(pool, person)
            options = _options(qid, answer, shared, reject, answer_key=answer_key,
                               prompt_key=prompt_key if check else "")
        if mode == "choice" and not options:
            mode = "typed" if len(answer) <= TYPEABLE_LENGTH else "flip"
        self.seen.add(qid)
        self.out.append((qid, self.deck.title, self.slug, kind, prompt, answer,
                         options, source, sibling, info, mode, person))

    def pool(self, items: Iterable[str], person: bool = False) -> _Pool:
        """A pool of this run's entries (next-line builds one per scene)."""
        return _pool(items, self.entry if not person else self.person)

    def entry(self, item: str, person: bool = False) -> _Entry:
        """An item as pools hold it and prompts are checked for it, built once per run."""
        entries = self._entries[person]
        done = entries.get(item)
        if done is None:
            key = self.folds[item]
            parts = self.parts(item) if person else ()
            done = entries[item] = (item, key, tuple(f" {p} " for p in (key, *parts)))
        return done

    def person(self, name: str) -> _Entry:
        return self.entry(name, True)

    def parts(self, name: str) -> tuple[str, ...]:
        """`name_parts` of a person, found once per run: every question about a
        speaker checks them (8% of who-said's time when found each time)."""
        done = self._parts.get(name)
        if done is None:
            done = self._parts[name] = tuple(name_parts(name))
        return done

    def sibling(self, *content: str) -> str:
        """Shared by the questions of one item; each line's is hashed once per run."""
        done = self._siblings.get(content)
        if done is None:
            done = self._siblings[content] = _digest(self.slug, *content)[:16]
        return done


def generate(deck: Deck, kinds: Iterable[str] | None = None, *,
             slug: str | None = None, folds: Folds | None = None) -> list[Question]:
    """All questions of a deck, in a stable order (kind by kind, deck order within).

    `slug` is the deck's key in the catalogue (its file's, see library.py); ids
    hash it, so it defaults to the title's only for a deck that has no file.
    `which-film` needs the other films: see `which_film.generate_all`. `folds`, if
    given, is filled with the deck's folded texts (which-film needs its items').
    """
    return [Question(*q) for q in generate_tuples(deck, kinds, slug=slug, folds=folds)]


def generate_tuples(deck: Deck, kinds: Iterable[str] | None = None, *,
                    slug: str | None = None, folds: Folds | None = None,
                    ) -> list[QuestionTuple]:
    """`generate`'s questions as plain tuples (`as_row`'s): the catalogue writes them as
    rows and a second process sends them, so they need no `Question` each (a frozen
    dataclass: 1.1 s for the 300,000 questions of 1,000 films, as much as the rest of
    turning them into rows)."""
    wanted = set(kinds) if kinds is not None else set(KINDS)
    b = _Builder(deck, slug, folds)
    for kind, make in _GENERATORS.items():
        if kind in wanted:
            make(b)
    return b.out


def _speakers(deck: Deck) -> list[str]:
    names = [ln.speaker for s in deck.dialogues for ln in s.lines]
    names += [q.speaker for q in deck.quotes]
    return list(dict.fromkeys(names))


def _who_said(b: _Builder) -> None:
    deck, f = b.deck, b.folds
    speakers = _speakers(deck)
    if len(speakers) < 2:
        return
    pool = b.pool(speakers, person=True)
    said_by: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for ln in s.lines:
            said_by[f[ln.text]].add(ln.speaker)
    for q in deck.quotes:
        said_by[f[q.text]].add(q.speaker)

    def ask(speaker: str, text: str, asked: tuple[str, str], source: str, info: str) -> None:
        if len(said_by[f[text]]) > 1:
            return  # the same words from two people: no single right answer
        b.add("who-said", (speaker, text), prompt=asked[0], key=asked[1], answer=speaker,
              pool=pool, source=source, sibling=b.sibling("line", speaker, text), info=info,
              person=True)

    for i, s in enumerate(deck.dialogues):
        for j, ln in enumerate(s.lines):
            asked = _prompt(f, "Who says ", (ln.text,), "?")
            if _short(ln.text, f):  # a script excerpt: the line before, or the scene
                before = s.lines[j - 1] if j else None
                if before is None:
                    asked = _prompt(f, "In the scene ", (s.scene,), ", who says ", (ln.text,),
                                    "?")
                elif before.speaker == ln.speaker:
                    asked = _prompt(f, "Who says ", (_cut(before.text),), " and then ",
                                    (ln.text,), "?")
                else:
                    asked = _prompt(f, before.speaker, ": ", (_cut(before.text),),
                                    " Who replies ", (ln.text,), "?")
            ask(ln.speaker, ln.text, asked, f"dialogues[{i}].lines[{j}]", f"Scene: {s.scene}")
    for i, q in enumerate(deck.quotes):
        if not _short(q.text, f):  # a short quote has no line before it to give context
            ask(q.speaker, q.text, _prompt(f, "Who says ", (q.text,), "?"), f"quotes[{i}]",
                f"A famous quote from {deck.title}.")


def _which_scene(b: _Builder) -> None:
    deck, f = b.deck, b.folds
    scenes_of: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for ln in s.lines:
            scenes_of[f[ln.text]].add(s.scene)
    titles = b.pool(s.scene for s in deck.dialogues)
    for i, s in enumerate(deck.dialogues):
        for j, ln in enumerate(s.lines):
            if len(scenes_of[f[ln.text]]) > 1:
                continue
            asked = _prompt(f, "Which scene has ", ln.speaker, " say ", (ln.text,), "?")
            if _short(ln.text, f):
                if j:
                    before = s.lines[j - 1]
                    asked = _prompt(f, before.speaker, ": ", (_cut(before.text),),
                                    " In which scene does ", ln.speaker, " answer ",
                                    (ln.text,), "?")
                elif len(s.lines) > 1:
                    after = s.lines[1]
                    asked = _prompt(f, "Which scene has ", ln.speaker, " say ", (ln.text,),
                                    ", and ", after.speaker, " answer ", (_cut(after.text),),
                                    "?")
                else:
                    continue  # a one-line scene with a short line: nothing to go by
            b.add("which-scene", (s.scene, ln.text), prompt=asked[0], key=asked[1],
                  answer=s.scene,
                  pool=titles, source=f"dialogues[{i}].lines[{j}]",
                  sibling=b.sibling("line", ln.speaker, ln.text),
                  info=_neighbours(s.lines, j))


def _neighbours(lines: Sequence[Line], j: int) -> str:
    window = lines[max(0, j - 1): j + 2]
    return " / ".join(f"{ln.speaker}: {ln.text}" for ln in window)


#: Lines from the whole deck added to a scene's pool when the scene is too small.
_SPREAD = 12


def _spread(lines: Sequence[str], f: Folds) -> list[str]:
    """Up to _SPREAD distinct lines from across the deck, in a bounded number of steps."""
    out: dict[str, str] = {}
    step = max(1, len(lines) // _SPREAD)
    for k in range(min(len(lines), 4 * _SPREAD)):  # k·step + k: a repeat cannot align
        text = lines[(k * step + k) % len(lines)]
        out.setdefault(f[text], text)
        if len(out) == _SPREAD:
            break
    return list(out.values())


def _next_line(b: _Builder) -> None:
    deck, f = b.deck, b.folds
    follows: dict[str, set[str]] = defaultdict(set)
    for s in deck.dialogues:
        for a, nxt in zip(s.lines, s.lines[1:], strict=False):
            follows[f[a.text]].add(f[nxt.text])
    every_line = [ln.text for s in deck.dialogues for ln in s.lines]
    spread = _spread(every_line, f)
    for i, s in enumerate(deck.dialogues):
        if len(s.lines) < 2:
            continue
        # one pool per scene, built once; the cue line is dropped per question
        same_scene = [ln.text for ln in s.lines]
        if len({f[t] for t in same_scene[: 2 * MAX_OPTIONS]}) <= MAX_OPTIONS:
            same_scene += spread
        pool = b.pool(same_scene)
        for j, (a, nxt) in enumerate(zip(s.lines, s.lines[1:], strict=False)):
            cue = f[a.text]
            if len(follows[cue]) > 1:
                continue
            if _short(a.text, f) and j:
                before = s.lines[j - 1]
                asked = _prompt(f, "In ", (s.scene,), ", ", before.speaker, " says ",
                                (_cut(before.text),), ", ", a.speaker, " replies ", (a.text,),
                                " What does ", nxt.speaker, " answer?")
            else:
                asked = _prompt(f, "In ", (s.scene,), ", ", a.speaker, " says ", (a.text,),
                                " What does ", nxt.speaker, " answer?")
            b.add("next-line", (s.scene, a.text, nxt.text), prompt=asked[0], key=asked[1],
                  answer=nxt.text, pool=pool, source=f"dialogues[{i}].lines[{j + 1}]",
                  sibling=b.sibling("line", a.speaker, a.text),
                  info=f"Scene: {s.scene}", reject=lambda t, cue=cue: f[t] == cue)


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
    uses = b.pool(t.accompanies for t in deck.soundtrack)
    titles = b.pool(t.title for t in deck.soundtrack)
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
    artists = b.pool((t.artist for t in deck.soundtrack), person=True)
    for i, t in enumerate(deck.soundtrack):
        b.add("track-artist", (t.title, t.artist),
              prompt=f"Who performed “{t.title}” on the soundtrack of {deck.title}?",
              answer=t.artist, pool=artists, source=f"soundtrack[{i}]",
              sibling=b.sibling("track", t.title), info=f"Accompanies: {t.accompanies}.",
              person=True)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _moments(b: _Builder) -> None:
    deck = b.deck
    titles = b.pool(m.title for m in deck.moments)
    for i, m in enumerate(deck.moments):
        clue = " ".join(_SENTENCE.split(m.description, maxsplit=2)[:2])
        core = re.sub(r"^(the|a|an)\s+", "", m.title, flags=re.IGNORECASE)
        clue = _blank(clue, [core])
        b.add("moment", (m.title, m.description),
              prompt=f"Which key moment of {deck.title} is this? {clue}", answer=m.title,
              pool=titles, source=f"moments[{i}]", sibling=b.sibling("moment", m.title),
              info=f"Context: {m.context}")


def _blank(text: str, answers: Sequence[str]) -> str:
    """Each answer, as a whole word in any case, replaced by a blank (no regex compiled)."""
    for answer in answers:
        if not answer:
            continue
        lower, needle = text.lower(), answer.lower()
        if len(lower) != len(text) or len(needle) != len(answer):  # rare case mappings
            text = re.sub(rf"(?<!\w){re.escape(answer)}(?!\w)", BLANK, text,
                          flags=re.IGNORECASE)
            continue
        out, start = [], 0
        at = lower.find(needle)
        while at >= 0:
            end = at + len(needle)
            whole = ((at == 0 or not _word_char(text[at - 1]))
                     and (end == len(text) or not _word_char(text[end])))
            if whole:
                out += (text[start:at], BLANK)
                start = end
            at = lower.find(needle, end if whole else at + 1)
        text = "".join(out) + text[start:]
    return text


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


#: A candidate scoring above this is not "good": kept only when nothing else is.
_GOOD_KEY = 3.5


def _trivia(b: _Builder) -> None:
    from reelive_quiz.keyfacts import COLOURS, key_fact, names, numbers

    deck, f = b.deck, b.folds
    film = deck.title
    # the facts as `folded_facts` gives them, folded with this run's texts: which-film
    # asks about the same facts (see `which_film.generate_all`)
    facts = [f" {f[t.fact]} " for t in deck.trivia]
    named = [names(t.fact, film) for t in deck.trivia]  # (people, other names) of each
    best = [key_fact(t.title, t.fact, film, facts, found)
            for t, found in zip(deck.trivia, named, strict=True)]
    all_names = b.pool((n for found in named for n in found[0]), person=True)
    all_terms = b.pool(k.text for k in best if k and k.category in ("term", "name"))
    all_words = b.pool(k.text for k in best if k and k.category == "word")
    colours = b.pool(COLOURS)
    pools = {"person": all_names, "term": all_terms, "name": all_terms, "word": all_words,
             "colour": colours}
    for i, t in enumerate(deck.trivia):
        sib = b.sibling("trivia", t.title)
        found = numbers(t.fact)
        asks: list[tuple[str, _Pool, bool, Mode]] = []
        key = best[i]
        if key is not None and (key.score <= _GOOD_KEY or not found):
            person = key.category == "person"
            asks.append((key.text, pools[key.category], person, "choice"))
        if found:
            asks.append((found[0], _Pool(()), False, "typed"))
        for answer, pool, person, mode in asks:
            hide = [answer, *(p for p in answer.split() if len(p) > 2)] if person else [answer]
            blanked = _blank(t.fact, hide)
            if contains(_blank(t.title, hide), answer) or f[answer] in f[t.title]:
                asked = _prompt(f, film, " trivia: ", blanked)
            else:
                asked = _prompt(f, film, " trivia (", t.title, "): ", blanked)
            answer_key = f[answer]

            def unfair(other: str, answer_key: str = answer_key) -> bool:
                other_key = f[other]
                return (f" {answer_key} " in f" {other_key} "
                        or f" {other_key} " in f" {answer_key} ")

            b.add("trivia", (t.title, t.fact, answer), prompt=asked[0], key=asked[1],
                  answer=answer, pool=pool, reject=unfair, source=f"trivia[{i}]", sibling=sib,
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


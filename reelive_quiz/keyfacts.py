"""The key fact of a trivia sentence: the term worth blanking out.

Every fact yields candidates: names (people, places, named styles), quoted
terms, colours, rare content words and numbers. They are ranked by how much
they teach: rarer in English is better (word frequencies from `wordfreq`,
loaded only while generating, from data inside the package: nothing is
downloaded), a term the trivia's title is about is better, and a term that
many facts of the same film share (the director's name) is worse. Filler
words (`film`, `scene`, `role`), stop words and the film's title never win.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelive_quiz.text import fold, fold_text

__all__ = ["COLOURS", "FILLER", "STOP_WORDS", "KeyFact", "folded_facts", "key_fact", "name_parts",
           "names", "numbers", "people"]


@dataclass(frozen=True, slots=True)
class KeyFact:
    """A candidate answer: its text as it stands in the fact, and what it is."""

    text: str
    category: str  # person, name, term, colour, word, number
    score: float  # lower teaches more


# The patterns that would start with a look-behind (`\b`, `(?<!...)`) start with the
# character class instead and look behind it (`[A-Z](?<!\w.)` is `\b[A-Z]`): a pattern
# whose first step is a class lets `re` skip to the next candidate character instead of
# trying a match at every position. Same matches; on the 12,411 facts of the 1,000-film
# library _TERM takes 0.19 → 0.03 s, _CAPITAL 0.19 → 0.12 s.
_NAME = re.compile(r"[A-Z](?<!\w.)[\w’'-]*[\w](?:\s+(?:[A-Z][\w’'-]*[\w]|de|van|von|da|del|di))*"
                   r"\s+[A-Z][\w’'-]*[\w]")
_TERM = re.compile(r"['‘\"“](?<!\S.)([A-Z][^'‘’\"“”]{1,58}?(?:’[a-z][^'‘’\"“”]*?)?)"
                   r"['’\"”](?=[\s,.;:!?)]|$)")  # (?<!\S.): the quote starts the text or a word
# A number: digits, or a number word in any case. The first character's class spells out
# what `(?i:[tfsenh])` matches (`ſ` is an `s`): `re` skips to the next candidate only for
# a case-sensitive class. 744 → 271 ms on the library's 12,411 facts.
_NUMBER = re.compile(r"[\dTtFfSsſEeNnHh](?<!\w.)(?:(?<=\d)(?:[\d,.]*\d)?(?i:s?)"
                     r"|(?i:(?<=t)(?:wo|hree|en|welve|wenty|hirty|housand)|(?<=f)(?:our|ive|orty|"
                     r"ifty)|(?<=s)(?:ix|even)|(?<=e)(?:ight|leven)|(?<=n)ine|(?<=h)undred))\b")
_WORD = re.compile(r"([A-Za-z](?<![\w’'-].)[a-z]+(?:-[a-z]+)*)(?![\w’'-])")
_CAPITAL = re.compile(r"([A-Z](?<![\w’'-].)[a-z]+(?:-[A-Za-z][a-z]+)*)(?:[’']s)?(?![\w-])")
_ROLE_WORDS = {"director", "editor", "cinematographer", "composer", "producer", "writer",
               "actor", "actors", "actress", "costume", "designer", "the", "a", "an", "in",
               "on", "at", "many", "some", "this", "these", "initially", "when", "while",
               "star", "stars", "screenwriter", "production"}
_NOT_A_PERSON_AFTER = {"the", "in", "of", "from", "at", "to", "into", "across", "around",
                       "through", "near", "with"}

COLOURS = ("red", "blue", "green", "yellow", "orange", "purple", "violet", "pink", "black",
           "white", "grey", "gray", "gold", "golden", "silver", "crimson", "scarlet",
           "turquoise", "brown", "amber", "emerald", "teal", "beige", "ivory", "indigo")

def _words(text: str) -> list[str]:
    return text.split()


STOP_WORDS = frozenset(_words("""
a about above after again against all almost also although always am among an and another
any are around as at be because been before being below between both but by can could did do
does doing down during each either even ever every few for from further had has have having
he her here hers herself him himself his how however i if in into is it its itself just like
made make makes making many may me might more most much must my myself never no nor not now
of off often on once one only or other others our ours out over own per quite rather same
several she should since so some still such than that the their theirs them themselves then
there these they this those though through throughout thus to too under until up upon us use
used uses using very via was we were what when where whether which while who whom whose why
will with within without would yet you your yours
"""))
#: Words every trivia fact uses: blanking them teaches nothing.
FILLER = frozenset(_words("""
film films movie movies scene scenes role roles character characters audience audiences
viewer viewers story stories director directors actor actors actress actresses cast crew
cinema cinematic emotional emotions emotion feel feeling feelings significant various
multiple particular including include includes included time times way ways part parts sense
moment moments thing things work works working worked approach choice choices release
released final version versions level levels aspect aspects kind kinds lot lots people
person overall great greatly key important especially particularly carefully deliberately
ultimately eventually initially known called later first last day days year years made shot
shots team create created creating creates become becomes became helped help helps allowing
allowed allow allows effect effects impact themes theme essence nature depth deep deeper
deepen deepens quality qualities based cinematographer cinematography editor editing
composer designer producer writer screenwriter costume costumes
"""))
#: Zipf value of a word outside the small list (rarer than 29,000 words, not unheard of).
_UNKNOWN = 2.5
_COLOUR = re.compile(rf"\b(?:{'|'.join(COLOURS)})\b")
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "madam", "the"})


@functools.cache
def _frequencies() -> dict[str, float]:
    """English word → frequency; wordfreq's small list (29k words, loads in ~15 ms).

    Read from wordfreq's data file as `get_frequency_dict("en", "small")` reads it
    (a test checks they agree), without importing wordfreq: its import loads
    langcodes' tables to match language codes, 0.2 s of every generating process.
    """
    import gzip
    from importlib.util import find_spec

    spec = find_spec("wordfreq")
    path = (Path(spec.submodule_search_locations[0], "data", "small_en.msgpack.gz")
            if spec and spec.submodule_search_locations else None)
    if path is None or not path.is_file():  # another layout: ask wordfreq itself
        from wordfreq import get_frequency_dict

        return get_frequency_dict("en", "small")
    import msgpack

    with gzip.open(path, "rb") as data:
        header, *buckets = msgpack.load(data, raw=False)
    if header != {"format": "cB", "version": 1}:
        from wordfreq import get_frequency_dict

        return get_frequency_dict("en", "small")
    # bucket i holds the words of frequency -i centibels (wordfreq's `cB_to_freq`)
    return {word: 10 ** (-index / 100) for index, bucket in enumerate(buckets)
            for word in bucket}


def zipf(term: str) -> float:
    """How common a term is (Zipf scale: 7 for `the`, 0 for unknown); rarest word counts."""
    freq = _frequencies()
    words = fold(term).split()
    if not words:
        return 8.0
    rarest = min(freq.get(w, 0.0) for w in words)
    return math.log10(rarest * 1e9) if rarest > 0 else _UNKNOWN


def numbers(text: str) -> list[str]:
    """The numbers of a text (digits, or number words in any case), in order."""
    return [m.group(0) for m in _NUMBER.finditer(text)]


def names(text: str, film: str) -> tuple[list[str], list[str]]:
    """Capitalised runs of two or more words, split into people and other names."""
    people, others = [], []
    film_key = fold(film)
    for match in _NAME.finditer(text):
        start = match.start()
        if start and text[start - 1] in "'‘\"“":
            continue
        words = match.group(0).split()
        while words and words[0].casefold() in _ROLE_WORDS:
            words = words[1:]
        if len(words) < 2:
            continue
        name = _POSSESSIVE.sub("", " ".join(words))
        if film_key in fold(name) or fold(name) in film_key:
            continue
        # the word before the name: split from the right, not the whole text before it
        # (a long fact has several names; 0.44 → 0.3 s on the library's 12,411 facts)
        prev = (text[:start].rsplit(None, 1)[-1:] or [""])[0].casefold()
        (others if prev in _NOT_A_PERSON_AFTER or prev[:1].isdigit() else people).append(name)
    return people, others


_POSSESSIVE = re.compile(r"[’']s$")


def _terms(text: str, film: str) -> list[str]:
    return [t for t in (m.group(1).strip() for m in _TERM.finditer(text))
            if fold(t) != fold(film) and len(t) > 2]


def people(text: str, film: str) -> list[str]:
    return names(text, film)[0]


@functools.lru_cache(maxsize=1 << 16)
def _zipf_key(key: str) -> float:
    """Zipf value of a folded candidate (its rarest word); cached: the same words come
    back in fact after fact (121k candidates, 5% of trivia's time uncached)."""
    freq = _frequencies()
    rarest = min((freq.get(w, 0.0) for w in key.split()), default=0.0)
    return math.log10(rarest * 1e9) if rarest > 0 else _UNKNOWN


#: What ends a sentence before the next one starts (a sentence also starts the text):
#: found without a `^|` branch, which made `re` try a match at every position.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z‘“'\"])")


def key_fact(title: str, fact: str, film: str, facts: Sequence[str],
             found_names: tuple[Sequence[str], Sequence[str]] | None = None) -> KeyFact | None:
    """The best candidate of one fact that is not a number (None if it has none).

    `facts` are the film's facts, folded and space-padded: a term many of them
    share singles none out. `found_names` (people, other names: `names(fact, film)`)
    saves finding the fact's names twice: the generator needs its people too.
    """
    film_key = fold(film)
    padded_film = f" {film_key} "
    title_key = fold(title)
    topic = {w[:5] for w in title_key.split() if w not in STOP_WORDS and len(w) > 2}
    found: dict[str, tuple[float, int, str, str]] = {}  # key -> (base, where, text, category)
    taken: set[str] = set()  # words of names already found: not candidates again

    def add(text: str, category: str, bonus: float, pos: float = 0.0) -> None:
        key = fold(text)
        if (not key or key in found or key in STOP_WORDS or key in FILLER
                or key in (film_key, title_key) or f" {key} " in padded_film):
            return
        words = key.split()
        score = min(_zipf_key(key), 6.0) + bonus
        if topic and not topic.isdisjoint(w[:5] for w in words):
            score -= 0.8  # what the title is about; the part of speech matters less then
            pos = min(pos, 2.5 if key.endswith("ing") else 0.0)
        found[key] = (score + pos, fact.find(text), text, category)

    runs_people, runs_other = found_names if found_names is not None else names(fact, film)
    terms = _terms(fact, film)
    for name, category in [*((n, "person") for n in runs_people),
                           *((n, "term") for n in terms), *((n, "name") for n in runs_other)]:
        add(name, category, -2.0)
        taken.update(fold(name).split())
    starts = {0, *(m.end() for m in _SENTENCE_BREAK.finditer(fact))}
    for match in _COLOUR.finditer(fact):
        add(match.group(0), "colour", -3.5)
    for match in _CAPITAL.finditer(fact):
        if match.start() in starts:
            continue  # a capital that only starts the sentence: read as a word below
        key = fold(match.group(1))
        if key not in taken and key not in _ROLE_WORDS:
            add(match.group(1), "name", -1.0)
    # content words only from the first sentence: the fact's point (a name, a term, a
    # colour or a number elsewhere still counts), and a long fact costs no more
    first = _SENTENCE_END.search(fact)
    for match in _WORD.finditer(fact, 0, first.start() if first else len(fact)):
        word = match.group(1)
        if word[0].isupper() and match.start() not in starts:
            continue  # a name: handled above
        key = word.lower() if word.isascii() and word.isalpha() else fold(word)
        if key in taken or key in STOP_WORDS:
            continue
        if key in COLOURS:
            add(word, "colour", -3.5)
            continue
        if len(key) < 4 or key.endswith("ly"):
            continue
        penalty = 0.0
        if key.endswith(("ing", "ed", "ize", "izes", "ise")):
            penalty = 2.5  # verbs rarely carry the fact
        elif key.endswith(("ful", "ous", "ive", "able", "ible", "al", "ic")):
            penalty = 2.0  # nor do adjectives
        add(word, "word", 0.0, penalty)
    # A term that many of the film's facts share is worth less; counting is the costly
    # part, so candidates are taken best first and counted until none can win.
    best: tuple[float, int, str, str] | None = None
    for key, (base, where, text, category) in sorted(found.items(), key=lambda kv: kv[1][:2]):
        if best is not None and base > best[0]:
            break
        padded = f" {key} "
        shared = sum(1 for f in facts if padded in f)
        score = base + 0.8 * min(3, max(0, shared - 1))
        if best is None or (score, where) < best[:2]:
            best = (score, where, text, category)
    return KeyFact(best[2], best[3], best[0]) if best else None


def folded_facts(facts: Sequence[str]) -> list[str]:
    """A film's facts as `key_fact` compares them: folded, space-padded."""
    return [f" {fold_text(f)} " for f in facts]


def name_parts(name: str) -> list[str]:
    """The words of a name a person may use alone (family or given name), folded."""
    return [p for p in (fold(w) for w in name.split()) if len(p) > 2 and p not in _HONORIFICS]

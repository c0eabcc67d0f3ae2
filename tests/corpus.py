"""Generate a synthetic corpus of Reelive film pages, for tests and benchmarks.

The pages follow the layout of ``tests/data/in-the-mood-for-love.txt`` byte for
byte: dialogue scenes, quotes, soundtrack, key moments, trivia, the promotion
block and the related films, the file ending without a final newline.

Everything is built from word lists, so the text varies but stays readable, and
everything is reproducible: page ``index`` of a corpus depends only on the seed
and the index (each page gets its own ``random.Random``), and a film's title
depends only on its index, so the related films of one page name other pages of
the corpus.

Within one film no dialogue line is repeated, and the titles of scenes, tracks,
key moments and trivia are all distinct.

Usage::

    python tests/corpus.py OUT_DIR --films 1000 --seed 7
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Film",
    "Scene",
    "Track",
    "film_title",
    "make_film",
    "make_page",
    "render_page",
    "write_corpus",
]

PROMOTION = (
    "The Social Media App for Movie & TV Enthusiasts",
    "👉 Reelive App 👈",
    "",
    "No mods, no censorship—just a space to relive epic movie moments. "
    "Like Reddit, but made for movie lovers.",
    "",
    "Download App",
)

# --------------------------------------------------------------------------
# The page as data, and its rendering
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scene:
    title: str
    lines: list[tuple[str, str]]  # (speaker, text)


@dataclass(frozen=True, slots=True)
class Track:
    title: str
    artists: tuple[str, ...]
    accompanies: str


@dataclass(frozen=True, slots=True)
class Film:
    title: str
    scenes: list[Scene]
    quotes: list[tuple[str, str]]  # (speaker, text)
    tracks: list[Track]
    moments: list[tuple[str, str, str]]  # (title, description, context)
    trivia: list[tuple[str, str, str]]  # (title, fact, why it matters)
    related: list[str]


def render_page(film: Film) -> str:
    """The page text of ``film``, in the exact Reelive layout."""
    out: list[str] = []
    add = out.append
    for scene in film.scenes:
        add(f"{scene.title}, Reelive")
        add("")
        for speaker, text in scene.lines:
            out += (speaker, speaker, "", text, "")
    credit = f"{film.title}, Reelive"
    for speaker, text in film.quotes:
        out += (speaker, "", text, "", speaker, "", credit)
    add("")
    for track in film.tracks:
        artists = " / ".join(track.artists)
        out += (track.title, "", f"{track.title} by {artists}, {track.accompanies}", "")
    out += ("", "Download App", "")
    for title, description, context in film.moments:
        out += (title, "", description, "", f"Context: {context}", "")
    out += ("", "Download App", "")
    for title, fact, why in film.trivia:
        out += (title, "", fact, "", f"Why it matters: {why}", "")
    out += ("", "Download App", "")
    out += PROMOTION
    for related in film.related:
        out += ("", related)
    return "\n".join(out)


# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

# fmt: off
GIVEN_NAMES = (
    "Ana", "Tomás", "Zoë", "Renée", "Søren", "Ágnes", "Łukasz", "Jean-Luc", "Anne-Marie",
    "Mo-wan", "Li-zhen", "Hiroshi", "Amara", "Mateo", "Ingrid", "Dmitri", "Chiara",
    "Kwame", "Noémie", "Björn", "Elif", "Rafael", "Siobhán", "Yusuf", "Marta", "Oskar",
    "Leila", "Étienne", "Paulina", "Hye-jin", "Nikolai", "Inês", "Bruno", "Farah",
    "Gustavo", "Helena", "Iñaki", "Jana", "Kofi", "Lucía", "Mirela", "Nadia", "Otto",
    "Priya", "Quentin", "Rosa", "Stellan", "Teodora", "Ulla", "Viktor", "Wen", "Ximena",
)
FAMILY_NAMES = (
    "Kowalski", "Núñez", "Laurent-Dubois", "Østergaard", "Müller", "Chow", "Nakamura",
    "Okafor", "Dvořák", "García-Lorca", "Petrović", "Lindqvist", "Moreau", "Fischer",
    "Haddad", "Santos", "Novák", "Rossi", "Kaczmarek", "Yilmaz", "Brennan", "Takahashi",
    "Ferreira", "Jensen", "Wójcik", "Adeyemi", "Costa-Gavras", "Ibáñez", "Schröder",
    "Marchetti", "Halvorsen", "Bergström", "Mendoza", "Sato", "Varga", "Olsen",
    "Castillo", "Dupont", "Kim", "Zając", "Åberg", "Leclerc", "Morales-Vidal", "Ruiz",
)
PLACES = (
    "Łódź", "Zürich", "São Paulo", "Kraków", "Reykjavík", "Málaga", "Göteborg",
    "Lisbon", "Hong Kong", "Marseille", "Trieste", "Odesa", "Tangier", "Valparaíso",
    "Montréal", "Bratislava", "Porto", "Nice", "Istanbul", "Dublin", "Kyoto", "Napoli",
)
TITLE_ADJS = (
    "Silent", "Last", "Broken", "Golden", "Hidden", "Quiet", "Distant", "Burning", "Pale",
    "Secret", "Wild", "Forgotten", "Crimson", "Endless", "Hollow", "Bitter", "Gentle",
    "Restless", "Velvet", "Frozen", "Lonely", "Northern", "Midnight", "Borrowed", "Lost",
    "Sleepless", "Narrow", "Faded", "Scarlet", "Tender", "Violent", "Winter", "Summer",
)
TITLE_NOUNS = (
    "Harbour", "Window", "Letter", "Garden", "Promise", "Station", "Mirror", "Lantern",
    "Orchard", "Bridge", "Rain", "Staircase", "Hotel", "Piano", "Corridor", "Tide",
    "Telephone", "Umbrella", "Balcony", "Ferry", "Fever", "Silence", "Carousel", "River",
    "Photograph", "Doorway", "Clockmaker", "Lighthouse", "Shadow", "Waltz", "Secret",
    "Alley", "Market", "Kitchen", "Rooftop", "Parade", "Storm", "Echo", "Farewell",
    "Reunion", "Confession", "Journey", "Dance", "Memory", "Glance", "Wedding", "Night",
)
TITLE_OCCUPATIONS = (
    "Baker", "Ferryman", "Tailor", "Clockmaker", "Painter", "Widow", "Stranger",
    "Lighthouse Keeper", "Gambler", "Projectionist", "Translator", "Courier", "Landlady",
)
# Pronoun forms are kept simple: every subject takes a past-tense verb.
SUBJECTS = (
    "I", "We", "You", "She", "He", "They", "Nobody", "The landlord", "My brother",
    "Your mother", "The old man downstairs", "Everyone here", "The neighbours",
    "Your husband", "My wife", "The girl at the station", "Somebody", "The doctor",
    "The police", "Your sister", "The man with the umbrella", "Our father",
)
VERBS = (
    "kept", "lost", "found", "forgot", "remembered", "sold", "painted", "burned", "hid",
    "promised", "followed", "answered", "left", "carried", "wanted", "counted", "missed",
    "noticed", "mended", "locked", "opened", "returned", "stole", "photographed",
    "borrowed", "buried", "read", "signed", "described", "refused", "watched", "wrote",
)
OBJECTS = (
    "the letters from {place}", "every key in this house", "the last train to {place}",
    "your mother’s ring", "the photographs", "the old piano", "that song", "the rent money",
    "a map of the harbour", "the red umbrella", "the tickets", "the noodles you liked",
    "the radio", "her address", "his last cigarette", "the name of the hotel",
    "the room on the second floor", "a yellow dress", "the wedding invitation", "the rain",
    "the telephone number", "my father’s watch", "the note under the door", "the ferry",
    "all the lamps in the corridor", "the postcard from {place}", "the bakery on the corner",
    "the birthday cake", "the lottery ticket", "the typewriter", "the boat", "our secret",
    "the little dog", "the garden gate", "the blue envelope", "the suitcase", "the truth",
    "the recipe", "the song from the dance hall", "the key to room {n}", "the money",
)
TAILS = (
    "", "", "", " before dawn", " in the rain", " last winter", " without telling anyone",
    " on the night of the fire", " after the funeral", " for {n} years", " in {place}",
    " behind the curtain", " when the lights went out", " at the station",
    " during the parade", " for you", " on purpose", " by mistake", " twice",
    " yesterday", " in the kitchen", " under the bridge", " while you slept",
)
QUESTION_STARTS = (
    "Why did you keep", "Who told you about", "Do you still remember", "When did we lose",
    "Have you ever seen", "Where did she hide", "What happened to", "Did anyone notice",
    "How much did you pay for", "Why does nobody talk about", "Who else knows about",
    "Can you forgive me for", "Shall we look for", "Did he ever mention",
    "Are you still thinking about", "Would you sell me",
)
SHORT_REPLIES = (
    "Not tonight.", "Maybe both.", "I don’t know.", "Listen to me.", "Of course.",
    "Please, not now.", "Look at me.", "It’s late.", "You’re shaking.", "Be careful.",
    "Stay a little longer.", "Don’t lie to me.", "I’m sorry.", "Hush.", "Wait…",
    "That’s enough.", "Not again.", "Perhaps.", "I knew it.", "Say something.",
)
ENDINGS = (".", ".", ".", ".", "!", "…")
QUOTE_OPENERS = (
    "Love is", "Time is", "Memory is", "A promise is", "Silence is", "Every goodbye is",
    "The past is", "Loneliness is", "Hope is", "A secret is", "Happiness is", "The truth is",
    "Longing is", "Regret is", "A city is", "Music is", "Rain is", "Forgiveness is",
)
QUOTE_MIDDLES = (
    "a room we can never leave", "a letter nobody answers", "a train that never stops",
    "a song we only half remember", "a door that opens both ways",
    "a wound that looks like a smile",
    "a map without names", "the only thing we really own", "a thief in a good coat",
    "a house with too many windows", "a lamp left on for someone", "a debt paid in small coins",
    "a river that forgets its source", "the shadow of a kinder day", "a dance with no music",
)
QUOTE_TAILS = (
    ".", "; it steals what we could have shared.", ", and we are its prisoners.",
    ", even if it means suffering.", ", but you can never grasp it.", "; nobody tells you that.",
    ", and still we go back.", ", until the morning comes.", "; that is all I know.",
)
PLACE_PHRASES = (
    "in a cramped {place} boarding house", "at the night market", "on a rain-soaked rooftop",
    "in the narrow stairwell", "at a noodle stall near the harbour", "on the last ferry",
    "in a smoky dance hall", "at the railway station", "in a hotel room on floor {n}",
    "beside the shuttered cinema", "in the hospital corridor", "at a crowded wedding party",
    "under the bridge", "in the kitchen of the boarding house", "at the printing shop",
    "on the empty beach outside {place}", "in the back seat of a taxi", "at the flower market",
)
MOODS = (
    "and the silence between them says more than any word",
    "while the rain drums against the windows", "as a radio plays an old waltz",
    "and neither of them dares to speak first", "though both pretend it is an accident",
    "while their neighbours gossip in the next room", "as the streetlights flicker on",
    "and the camera lingers on their hands", "while a clock ticks somewhere out of sight",
)
ACTIONS = (
    "hesitates before opening the letter", "finally says the name out loud",
    "tears the photograph in two", "leaves the umbrella behind on purpose",
    "whispers a secret into a crack in the wall", "turns away just before the kiss",
    "pays for both meals without a word", "hides the ring in a tin of biscuits",
    "misses the last train on purpose", "reads the letter aloud in front of everyone",
    "admits the lie that started everything", "steps into the rain without a coat",
    "burns the wedding invitation in the sink", "plays the song on the broken piano",
    "locks the door and sits down on the floor", "asks the question nobody wanted asked",
)
CAMERA = (
    "The camera stays outside the doorway", "The camera tracks slowly along the corridor",
    "A single long take follows them through the crowd", "The frame narrows to a mirror",
    "The shot is framed through a rain-streaked window", "The lighting turns cold and blue",
    "The music drops away completely", "The editing slows almost to a standstill",
)
CAMERA_TAILS = (
    "so the audience feels like an intruder", "which makes every gesture feel enormous",
    "leaving the faces half in shadow", "and the colours seem to drain from the room",
    "so that time itself appears to stop", "turning an ordinary evening into a ritual",
)
FEELINGS = (
    "a sudden tightness", "an unbearable tension", "a quiet heartbreak", "a rush of relief",
    "a flicker of hope", "a sting of betrayal", "a wave of nostalgia", "a strange calm",
)
AFTERMATHS = (
    "walks home alone through the empty streets", "stares at the telephone for hours",
    "pretends nothing has happened at breakfast", "packs a suitcase and then unpacks it",
    "keeps the ticket in a coat pocket for years", "never mentions that night again",
    "returns to the same stall every evening", "writes a letter that is never sent",
)
THEMES = (
    "love and loneliness", "memory and regret", "duty against desire", "class and pride",
    "missed opportunities", "the weight of secrets", "grief and renewal",
    "exile and belonging", "the passing of time", "trust and betrayal",
    "family obligation", "the cost of silence", "ambition and its price",
)
CONTEXT_VERBS = (
    "captures", "highlights", "underlines", "reflects", "sets up", "mirrors", "deepens",
    "encapsulates", "reframes", "foreshadows",
)
CONTEXT_OBJECTS = (
    "the film's central theme of {theme}", "the struggle between {theme}",
    "how the city itself becomes a character", "the societal expectations of the era",
    "the fragile trust between the two leads", "the story's slow turn toward {theme}",
    "the distance that grows between {a} and {b}", "the quiet cruelty of good manners",
)
TERMS = (
    "the slow burn", "blue hour", "the long goodbye", "ghost light", "paper moon",
    "the quiet room", "zero draft", "the velvet rule", "borrowed light", "the red thread",
    "one more take", "the lantern trick", "the empty chair", "cold coffee", "the mirror pass",
    "night shift", "the long corridor", "half-light", "the waltz method", "rain on demand",
    "the second window", "silent Sundays", "the green hour", "soft focus", "the glass wall",
)
SKILLS = (
    "the accordion", "Cantonese", "tango", "sign language", "fencing", "calligraphy",
    "the cello", "tailoring", "boxing", "Portuguese", "sailing", "stage magic",
)
FESTIVALS = ("Cannes", "Berlin", "Venice", "Toronto", "San Sebastián", "Karlovy Vary", "Busan")
TRIVIA_TITLE_A = (
    "The Long", "Costume", "Filming", "Improvised", "Sonic", "Natural", "Hidden",
    "Unusual", "Night", "Secret", "Early", "Final", "Practical", "Handmade", "Unique",
    "Method", "Lost", "Rewritten", "Borrowed", "Real", "Underwater", "Rooftop",
)
TRIVIA_TITLE_B = (
    "Development Process", "Design as Storytelling", "Locations", "Dialogue", "Landscape",
    "Lighting", "Cameos", "Editing Style", "Shoots", "Rehearsals", "Casting Choices",
    "Props", "Sets", "Score", "Ending", "Title Change", "Stunts", "Screenplay Drafts",
    "Colour Palette", "Sound Effects", "Budget", "Acting", "Premiere", "Wardrobe",
)
WHY_SUBJECTS = (
    "This choice", "This approach", "The decision", "This detail", "This commitment",
    "The technique", "This attention to detail", "The gamble",
)
WHY_VERBS = (
    "deepens", "sharpens", "grounds", "amplifies", "explains", "enriches", "shapes",
    "reinforces", "complicates", "anchors",
)
WHY_OBJECTS = (
    "the film's treatment of {theme}", "the emotional weight of the final act",
    "the audience's sympathy for {char}", "the period atmosphere of {place}",
    "the chemistry between the leads", "the rhythm of the dialogue scenes",
    "the visual storytelling", "the film's reputation among critics",
)
WHY_TAILS = (
    "", ", making every scene feel lived in", ", giving viewers a reason to watch twice",
    ", and it is still discussed in film schools", ", which audiences noticed immediately",
    ", turning a practical problem into a signature style",
)
TRACK_FORMS = (
    "{adj} {noun} Theme", "Waltz for {given}", "Nocturne No. {n}", "{noun} in {place}",
    "The {adj} {noun}", "{given}’s Song", "Rain over {place}", "{adj} Hours",
    "Love Theme from the {noun}", "Prelude in {key}", "{noun} Blues", "Tango of the {noun}",
)
KEYS = ("C Minor", "E-flat", "G Major", "A Minor", "F-sharp", "D Major", "B-flat Minor")
BANDS = (
    "The Isley Brothers", "Trad.", "Los Ojos Negros", "The Harbour Lights", "Orquesta Sol",
    "Nat King Cole", "The Velvet Trio", "Les Étoiles", "Quartet Łuna", "The Midnight Brass",
)
ACCOMPANIMENTS = (
    "Recurring theme throughout the film", "Played during key emotional moments",
    "Used in romantic scenes", "Opening credits", "End credits",
    "Played during the dance hall scene",
    "Heard on the radio in the boarding house", "Accompanies the final farewell",
    "Used in the rain sequences", "Played over the montage of letters",
    "Heard at the wedding party", "Accompanies the night market scenes",
)
# fmt: on

# --------------------------------------------------------------------------
# Building one film
# --------------------------------------------------------------------------


def film_title(index: int) -> str:
    """The title of film ``index``: word lists plus the index, so all are distinct.

    It depends only on the index (not on the corpus seed), so a page's related
    films can name other pages of the same corpus.
    """
    rng = random.Random(index * 2_654_435_761 + 12_345)
    c = rng.choice
    form = rng.randrange(10)
    if form == 0:
        base = f"The {c(TITLE_NOUNS)} of {c(PLACES)}"
    elif form == 1:
        base = f"{c(TITLE_ADJS)} {c(TITLE_NOUNS)}"
    elif form == 2:
        base = f"The {c(TITLE_OCCUPATIONS)}'s {c(TITLE_NOUNS)}"
    elif form == 3:
        base = f"Goodbye, {c(PLACES)}"
    elif form == 4:
        base = f"{c(TITLE_NOUNS)}: The {c(TITLE_ADJS)} {c(TITLE_NOUNS)}"
    elif form == 5:
        base = f"Night Train to {c(PLACES)}"
    elif form == 6:
        first, second = rng.sample(TITLE_ADJS, 2)
        base = f"{first}, {second} {c(TITLE_NOUNS)}"
    elif form == 7:
        base = f"{c(GIVEN_NAMES)}'s {c(TITLE_NOUNS)}"
    elif form == 8:
        base = f"A {c(TITLE_NOUNS)} in {c(PLACES)}"
    else:
        base = f"In the Mood for {c(TITLE_NOUNS)}"
    # No base contains a digit, so the trailing number keeps titles distinct.
    return f"{base} {index}"


class _Maker:
    """The random choices for one film, with the per-film uniqueness sets."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.c = rng.choice
        self.index = index
        self.title = film_title(index)
        self.titles: set[str] = set()  # scene, track, moment and trivia titles
        self.texts: set[str] = set()  # dialogue lines and quotes
        self.cast = self._people(rng.randint(2, 8))
        self.actors = self._people(len(self.cast), avoid=set(self.cast))
        crew = self._people(7, avoid={*self.cast, *self.actors})
        (
            self.director,
            self.cinematographer,
            self.editor,
            self.composer,
            self.costume,
            self.designer,
            self.writer,
        ) = crew

    def _people(self, count: int, avoid: set[str] | None = None) -> list[str]:
        seen = set(avoid or ())
        people: list[str] = []
        while len(people) < count:
            name = f"{self.c(GIVEN_NAMES)} {self.c(FAMILY_NAMES)}"
            if name not in seen:
                seen.add(name)
                people.append(name)
        return people

    def _fill(self, template: str) -> str:
        if "{" not in template:
            return template
        return template.format(
            place=self.c(PLACES), n=self.rng.randint(2, 40), theme=self.c(THEMES)
        )

    def _unique(self, seen: set[str], make: Callable[[], str], tag: str) -> str:
        for _ in range(20):
            text = make()
            if text not in seen:
                seen.add(text)
                return text
        # Very unlikely: fall back to numbering, which is always distinct.
        number = 1
        while f"{text} ({tag} {number})" in seen:
            number += 1
        text = f"{text} ({tag} {number})"
        seen.add(text)
        return text

    # -- text ---------------------------------------------------------------

    def _statement(self) -> str:
        c = self.c
        return (
            f"{c(SUBJECTS)} {c(VERBS)} {self._fill(c(OBJECTS))}{self._fill(c(TAILS))}{c(ENDINGS)}"
        )

    def _question(self) -> str:
        c = self.c
        return f"{c(QUESTION_STARTS)} {self._fill(c(OBJECTS))}{self._fill(c(TAILS))}?"

    def _line(self) -> str:
        roll = self.rng.random()
        if roll < 0.35:
            return self._statement()
        if roll < 0.6:
            return self._question()
        if roll < 0.8:
            return f"{self.c(SHORT_REPLIES)} {self._statement()}"
        return f"{self._statement()} {self._question()}"

    def _quote(self) -> str:
        c = self.c
        return f"{c(QUOTE_OPENERS)} {c(QUOTE_MIDDLES)}{c(QUOTE_TAILS)}"

    def _first(self, person: str) -> str:
        return person.split(" ", 1)[0]

    # -- titles -------------------------------------------------------------

    def _scene_title(self) -> str:
        c = self.c
        form = self.rng.randrange(7)
        if form == 0:
            return f"The {c(TITLE_NOUNS)} at the {c(TITLE_NOUNS)}"
        if form == 1:
            return f"A {c(TITLE_ADJS)} {c(TITLE_NOUNS)}"
        if form == 2:
            return f"{c(TITLE_NOUNS)}, {c(TITLE_NOUNS)}, and {c(TITLE_NOUNS)}"
        if form == 3:
            return f"Goodbye, {self._first(c(self.cast))}"
        if form == 4:
            return f"The {c(TITLE_NOUNS)} of {c(PLACES)}"
        if form == 5:
            return f"Talking in the {c(TITLE_NOUNS)}"
        return f"The {c(TITLE_ADJS)} {c(TITLE_NOUNS)}"

    def _moment_title(self) -> str:
        c = self.c
        if self.rng.random() < 0.5:
            return f"The {c(TITLE_ADJS)} {c(TITLE_NOUNS)}"
        return f"The {c(TITLE_NOUNS)} in the {c(TITLE_NOUNS)}"

    def _trivia_title(self) -> str:
        c = self.c
        roll = self.rng.random()
        if roll < 0.6:
            return f"{c(TRIVIA_TITLE_A)} {c(TRIVIA_TITLE_B)}"
        if roll < 0.8:
            return f"{c(self.actors).split(' ', 1)[1]}’s {c(TRIVIA_TITLE_B)}"
        return f"The '{c(TITLE_NOUNS)}' {c(TRIVIA_TITLE_B)}"

    def _track_title(self) -> str:
        c = self.c
        return c(TRACK_FORMS).format(
            adj=c(TITLE_ADJS),
            noun=c(TITLE_NOUNS),
            given=self._first(c(self.cast)),
            n=self.rng.randint(1, 21),
            place=c(PLACES),
            key=c(KEYS),
        )

    # -- sections -----------------------------------------------------------

    def scene(self) -> Scene:
        rng = self.rng
        title = self._unique(self.titles, self._scene_title, "scene")
        people = rng.sample(self.cast, min(len(self.cast), rng.choice((2, 2, 2, 3))))
        lines: list[tuple[str, str]] = []
        speaker = rng.choice(people)
        for _ in range(rng.randint(3, 7)):
            lines.append((speaker, self._unique(self.texts, self._line, "take")))
            speaker = rng.choice([p for p in people if p != speaker])
        return Scene(title, lines)

    def quote(self) -> tuple[str, str]:
        return self.c(self.cast), self._unique(self.texts, self._quote, "take")

    def track(self) -> Track:
        title = self._unique(self.titles, self._track_title, "reprise")
        artists: tuple[str, ...] = (self.composer,)
        roll = self.rng.random()
        if roll < 0.3:
            artists = (self.c(BANDS), self.composer)
        elif roll < 0.45:
            artists = (self.c(BANDS),)
        return Track(title, artists, self.c(ACCOMPANIMENTS))

    def moment(self) -> tuple[str, str, str]:
        c = self.c
        rng = self.rng
        title = self._unique(self.titles, self._moment_title, "part")
        a, b = (self._first(p) for p in rng.sample(self.cast, 2))
        pivotal = False
        sentences = [f"{a} and {b} meet {self._fill(c(PLACE_PHRASES))}, {c(MOODS)}."]
        for _ in range(rng.randint(7, 12)):
            form = rng.randrange(5)
            who = rng.choice((a, b))
            if form == 0 and pivotal:
                sentences.append(f"Moments later, {who} {c(ACTIONS)}.")
            elif form == 0:
                pivotal = True
                sentences.append(f"The pivotal moment comes when {who} {c(ACTIONS)}.")
            elif form == 1:
                sentences.append(f"{c(CAMERA)}, {c(CAMERA_TAILS)}.")
            elif form == 2:
                sentences.append(f"The audience feels {c(FEELINGS)} as {who} {c(ACTIONS)}.")
            elif form == 3:
                sentences.append(f"In the aftermath, {who} {c(AFTERMATHS)}.")
            else:
                sentences.append(
                    f"Later, {who} {c(VERBS)} {self._fill(c(OBJECTS))}{self._fill(c(TAILS))}."
                )
        context = [
            f"This scene {c(CONTEXT_VERBS)} "
            + c(CONTEXT_OBJECTS).format(theme=c(THEMES), a=a, b=b)
            + "."
        ]
        if rng.random() < 0.6:
            context.append(
                f"It is set in {c(PLACES)} in the {rng.choice('345678')}0s, where {c(THEMES)} "
                f"shapes every choice the characters make."
            )
        return title, " ".join(sentences), " ".join(context)

    def _fact(self) -> str:
        c = self.c
        n = self.rng.randint(3, 120)
        term = c(TERMS)
        actor = c(self.actors)
        char = self._first(self.cast[self.actors.index(actor)])
        form = self.rng.randrange(10)
        if form == 0:
            return (
                f"Director {self.director} spent over {n} months developing the screenplay for "
                f"'{self.title}', writing {n // 3 + 2} drafts before reaching the final version."
            )
        if form == 1:
            return (
                f"Cinematographer {self.cinematographer} shot more than {n} scenes on location "
                f"in {c(PLACES)}, a method the crew nicknamed '{term}'."
            )
        if form == 2:
            return (
                f"Actor {actor} wore over {n} different costumes designed by {self.costume}, "
                f"who called the palette '{term}'."
            )
        if form == 3:
            return (
                f"Editor {self.editor} cut the film down from over {n} hours of footage, "
                f"keeping a single take known on set as '{term}'."
            )
        if form == 4:
            return (
                f"Composer {self.composer} recorded the score with an orchestra of {n} musicians "
                f"in {c(PLACES)}, using a technique called '{term}'."
            )
        if form == 5:
            return (
                f"Actor {actor} learned {c(SKILLS)} in {n % 20 + 2} weeks to play {char}, "
                f"and the crew dubbed the routine '{term}'."
            )
        if form == 6:
            return (
                f"Production designer {self.designer} built {n % 30 + 2} full-scale sets, "
                f"including a replica of the '{term}' café in {c(PLACES)}."
            )
        if form == 7:
            return (
                f"Screenwriter {self.writer} based the character of {char} on a "
                f"{n % 60 + 20}-year-old neighbour, whom the first draft calls '{term}'."
            )
        if form == 8:
            return (
                f"The shoot lasted {n} days in {c(PLACES)}, and Director {self.director} "
                f"insisted on a daily ritual the actors called '{term}'."
            )
        return (
            f"Over {n * 10} extras appeared in the festival scene, and {actor} rehearsed "
            f"the sequence under the code name '{term}'."
        )

    def _extra_fact(self, form: int) -> str:
        c = self.c
        n = self.rng.randint(2, 60)
        if form == 0:
            return f"The production ran {n} days over schedule after storms in {c(PLACES)}."
        if form == 1:
            return (
                f"{c(self.actors)} later said the experience changed how they approach {c(THEMES)}."
            )
        if form == 2:
            return (
                f"Critics at the {c(FESTIVALS)} Film Festival praised the result, and the film "
                f"won {n % 9 + 1} awards that year."
            )
        return f"{self.director} kept {n} notebooks of ideas, several of them about '{c(TERMS)}'."

    def trivia(self) -> tuple[str, str, str]:
        c = self.c
        rng = self.rng
        title = self._unique(self.titles, self._trivia_title, "part")
        extra = [self._extra_fact(form) for form in rng.sample(range(4), rng.randint(2, 4))]
        fact = " ".join([self._fact(), *extra])
        why: list[str] = []
        for _ in range(rng.randint(2, 4)):
            obj = c(WHY_OBJECTS).format(
                theme=c(THEMES), char=self._first(c(self.cast)), place=c(PLACES)
            )
            why.append(f"{c(WHY_SUBJECTS)} {c(WHY_VERBS)} {obj}{c(WHY_TAILS)}.")
        return title, fact, " ".join(why)

    def related(self) -> list[str]:
        count = self.rng.randint(0, 5)
        others: set[int] = set()
        while len(others) < count:
            other = self.rng.randint(1, max(50, self.index + 50))
            if other != self.index:
                others.add(other)
        return [film_title(other) for other in sorted(others, key=lambda _: self.rng.random())]


def make_film(rng: random.Random, index: int) -> Film:
    """The structured content of film ``index``, drawn from ``rng``."""
    m = _Maker(rng, index)
    scenes = [m.scene() for _ in range(rng.randint(8, 20))]
    quotes = [m.quote() for _ in range(rng.randint(5, 25))]
    tracks = [m.track() for _ in range(rng.randint(1, 6))]
    moments = [m.moment() for _ in range(rng.randint(5, 20))]
    trivia = [m.trivia() for _ in range(rng.randint(5, 20))]
    return Film(m.title, scenes, quotes, tracks, moments, trivia, m.related())


def make_page(rng: random.Random, index: int) -> str:
    """The text of one synthetic Reelive page for film ``index``."""
    return render_page(make_film(rng, index))


def page_rng(seed: int, index: int) -> random.Random:
    """The random generator of page ``index`` in a corpus made with ``seed``."""
    return random.Random(f"reelive-corpus:{seed}:{index}")


def write_corpus(folder: Path, films: int, seed: int = 7) -> list[Path]:
    """Write ``film-0001.txt`` … into ``folder`` (created if needed); return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for index in range(1, films + 1):
        path = folder / f"film-{index:04d}.txt"
        path.write_bytes(make_page(page_rng(seed, index), index).encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic corpus of Reelive pages.")
    parser.add_argument("out_dir", type=Path, help="folder for film-0001.txt …")
    parser.add_argument("--films", type=int, default=1000, help="number of pages (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    if args.films < 0:
        parser.error("--films must be zero or more")
    start = time.perf_counter()
    paths = write_corpus(args.out_dir, args.films, args.seed)
    elapsed = time.perf_counter() - start
    size = sum(path.stat().st_size for path in paths)
    mean = size / len(paths) if paths else 0.0
    print(
        f"wrote {len(paths)} pages to {args.out_dir}: {size / 1e6:.1f} MB, "
        f"mean {mean / 1000:.1f} KB, in {elapsed:.2f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

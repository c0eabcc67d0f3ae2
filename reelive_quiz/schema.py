"""The progress file's schema: its migrations, columns and index conditions, in one place.

The store (`store.py`) is the only module that runs SQL on the progress file;
what its queries share with the schema lives here, so a query and the index
it relies on cannot drift apart: the learning-card index and the queue's
learning query both use `LEARNING_WHERE` (and a test checks the query plan).
Each migration runs once, in its own transaction, in order; its text never
changes once released (a file migrated by it must match a fresh one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from reelive_quiz.card import CARD_FIELDS, LEARNING_STATES, CardState

__all__ = [
    "CARD_COLUMNS",
    "DECK_CONTENTS",
    "LEARNING_WHERE",
    "MIGRATIONS",
    "NEW_IN_COUNTS",
    "QUESTION_COLUMNS",
    "SCHEMA_VERSION",
    "TABLES",
    "after_columns",
    "previous",
    "statements",
]


def previous(item: str, table: str = "") -> str:
    """SQL for one item of the answer log's `previous` (the card before the answer, a
    JSON array in CARD_FIELDS order); `table` names the log when a query has two."""
    column = f"{table}.previous" if table else "previous"
    return f"json_extract({column}, '$[{CARD_FIELDS.index(item)}]')"


#: The condition of the partial indexes `questions_learning` and
#: `questions_learning_sibling`; a query uses them only if its WHERE holds this very text.
LEARNING_WHERE = f"state IN ({', '.join(str(int(s)) for s in LEARNING_STATES)})"
#: `deck_counts` keeps new cards (state NULL) under this state: a key cannot be NULL.
NEW_IN_COUNTS = 0

# Each migration runs once, in its own transaction, in order; the file is
# backed up before the first one that touches existing data.
MIGRATIONS: list[tuple[str, str]] = [
    ("1-base", """
        CREATE TABLE decks (
            slug TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            path TEXT NOT NULL,
            signature TEXT NOT NULL
        );
        CREATE TABLE questions (
            id TEXT PRIMARY KEY,
            slug TEXT NOT NULL,
            deck TEXT NOT NULL,
            kind TEXT NOT NULL,
            prompt TEXT NOT NULL,
            answer TEXT NOT NULL,
            options TEXT NOT NULL,
            source TEXT NOT NULL,
            sibling TEXT NOT NULL,
            info TEXT NOT NULL,
            mode TEXT NOT NULL,
            person INTEGER NOT NULL,
            position INTEGER NOT NULL,
            present INTEGER NOT NULL DEFAULT 1,
            state INTEGER,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due INTEGER,
            last_review INTEGER,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX questions_due ON questions (present, suspended, due)
            WHERE state IS NOT NULL;
        CREATE INDEX questions_new ON questions (present, suspended, position, slug)
            WHERE state IS NULL;
        CREATE INDEX questions_slug ON questions (slug, present, suspended, state, due);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,
            ts INTEGER NOT NULL,
            day INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            correct INTEGER,
            given TEXT,
            expected TEXT,
            mode TEXT NOT NULL,
            seconds REAL,
            first INTEGER NOT NULL,
            cram INTEGER NOT NULL DEFAULT 0,
            previous TEXT
        );
        CREATE INDEX reviews_day ON reviews (day, cram, first);
    """),
    ("2-review-lookups", """
        CREATE INDEX reviews_question ON reviews (question, id);
    """),
    # status must not walk every card: triggers keep per-deck counts by
    # (suspended, state), and due cards are counted from a range of an index.
    ("3-deck-counts", f"""
        CREATE TABLE deck_counts (
            slug TEXT NOT NULL,
            suspended INTEGER NOT NULL,
            state INTEGER NOT NULL,  -- {NEW_IN_COUNTS}: new
            n INTEGER NOT NULL,
            PRIMARY KEY (slug, suspended, state)
        ) WITHOUT ROWID;
        INSERT INTO deck_counts
            SELECT slug, suspended, COALESCE(state, 0), COUNT(*) FROM questions
            WHERE present = 1 GROUP BY 1, 2, 3;
        CREATE TRIGGER deck_counts_insert AFTER INSERT ON questions WHEN NEW.present = 1
        BEGIN
            INSERT INTO deck_counts VALUES (NEW.slug, NEW.suspended, COALESCE(NEW.state, 0), 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER deck_counts_delete AFTER DELETE ON questions WHEN OLD.present = 1
        BEGIN
            UPDATE deck_counts SET n = n - 1 WHERE slug = OLD.slug
                AND suspended = OLD.suspended AND state = COALESCE(OLD.state, 0);
        END;
        CREATE TRIGGER deck_counts_update_old AFTER UPDATE OF slug, present, suspended, state
            ON questions WHEN OLD.present = 1
        BEGIN
            UPDATE deck_counts SET n = n - 1 WHERE slug = OLD.slug
                AND suspended = OLD.suspended AND state = COALESCE(OLD.state, 0);
        END;
        CREATE TRIGGER deck_counts_update_new AFTER UPDATE OF slug, present, suspended, state
            ON questions WHEN NEW.present = 1
        BEGIN
            INSERT INTO deck_counts VALUES (NEW.slug, NEW.suspended, COALESCE(NEW.state, 0), 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE INDEX questions_due_slug ON questions (present, suspended, due, slug)
            WHERE state IS NOT NULL;
        CREATE INDEX questions_next_due ON questions (slug, present, suspended, due)
            WHERE state IS NOT NULL;
        CREATE INDEX questions_learning ON questions (present, suspended, due, slug, id, sibling)
            WHERE {LEARNING_WHERE};
    """),
    # `decks` lists what each deck holds from the catalogue, not by re-reading
    # every file; decks synced before this are re-read once to fill the counts.
    ("4-deck-contents", """
        ALTER TABLE decks ADD COLUMN scenes INTEGER;
        ALTER TABLE decks ADD COLUMN quotes INTEGER;
        ALTER TABLE decks ADD COLUMN tracks INTEGER;
        ALTER TABLE decks ADD COLUMN moments INTEGER;
        ALTER TABLE decks ADD COLUMN trivia INTEGER;
        UPDATE decks SET signature = '';
    """),
    # personal FSRS parameters (`optimize`): the set in use is the newest row not
    # taken back (`retired` NULL); a row whose `parameters` is NULL stands for the
    # defaults (`optimize --reset`), so `--undo` can always step back.
    ("5-fsrs-parameters", """
        CREATE TABLE fsrs_parameters (
            id INTEGER PRIMARY KEY,
            adopted INTEGER NOT NULL,   -- when it came into use (Unix time)
            parameters TEXT,            -- JSON list of the 21 FSRS weights; NULL: defaults
            reviews INTEGER,            -- usable reviews the fit was made on
            log_loss REAL,              -- time-series evaluation of the fit ...
            rmse REAL,
            log_loss_before REAL,       -- ... and of the set in use before, on the same
            rmse_before REAL,           --     reviews
            retired INTEGER             -- when `optimize --undo` took it back
        );
    """),
    # Which copy of the progress this is: `restore` gives the file a new
    # generation, so a session opened before it never writes into what replaced it.
    ("6-generation", """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('generation', lower(hex(randomblob(8))));
    """),
    # which-film questions span decks: each deck keeps the items they are made of,
    # and the library signature its which-film questions were last built for.
    ("7-which-film", """
        ALTER TABLE decks ADD COLUMN items TEXT;
        ALTER TABLE decks ADD COLUMN library TEXT;
        UPDATE decks SET signature = '';
    """),
    # Each answer keeps the card's state after it (state, seconds until due,
    # difficulty) beside the state before it (`previous`): Anki's review log wants
    # both per row, and reading the "after" from the next answer of the same
    # question sorted the whole log on every `export --with-progress` (issue 14).
    # Existing logs get the next answer's `previous`, or for a question's last
    # answer its card now. The table is rebuilt in id order, not updated in place:
    # widening a million rows in place splits their pages at random (30-60 s for
    # 1.4M answers against ~10 s).
    ("8-state-after-answer", f"""
        CREATE TABLE reviews_v8 (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,
            ts INTEGER NOT NULL,
            day INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            correct INTEGER,
            given TEXT,
            expected TEXT,
            mode TEXT NOT NULL,
            seconds REAL,
            first INTEGER NOT NULL,
            cram INTEGER NOT NULL DEFAULT 0,
            previous TEXT,
            after_state INTEGER,
            after_interval INTEGER,
            after_difficulty REAL
        );
        CREATE TEMP TABLE after_v8 (id INTEGER PRIMARY KEY, later INTEGER);
        INSERT INTO after_v8  -- each answer and the next of its question, from the index
        SELECT id, LEAD(id) OVER (PARTITION BY question ORDER BY id) FROM reviews
        ORDER BY id;
        INSERT INTO reviews_v8
        SELECT r.id, r.question, r.ts, r.day, r.rating, r.correct, r.given, r.expected,
               r.mode, r.seconds, r.first, r.cram, r.previous,
               CASE WHEN a.later IS NOT NULL THEN {previous('state', 'n')}
                    ELSE (SELECT state FROM questions q WHERE q.id = r.question) END,
               CASE WHEN a.later IS NOT NULL
                    THEN {previous('due', 'n')} - {previous('last_review', 'n')}
                    ELSE (SELECT due - last_review FROM questions q WHERE q.id = r.question) END,
               CASE WHEN a.later IS NOT NULL THEN {previous('difficulty', 'n')}
                    ELSE (SELECT difficulty FROM questions q WHERE q.id = r.question) END
        FROM reviews r JOIN after_v8 a ON a.id = r.id LEFT JOIN reviews n ON n.id = a.later
        ORDER BY r.id;
        DROP TABLE after_v8;
        DROP TABLE reviews;
        ALTER TABLE reviews_v8 RENAME TO reviews;
        CREATE INDEX reviews_day ON reviews (day, cram, first);
        CREATE INDEX reviews_question ON reviews (question, id);
    """),
    # Every command checks whether the which-film questions are current from the deck
    # list (`Store.library_state`). It keyed them by each deck's file signature, so
    # touching one file of 1,000 rebuilt all 107,000 of them (12 s); a digest of what
    # they are made of (the deck's title and items) changes only with the content. A
    # deck synced before this keeps its signature as its key until it is re-read.
    # `library` is stored after `items` (26 MB at 1,000 films): the index spares every
    # command a walk through each deck's overflow pages (7 ms of each `status`).
    ("9-library-state", """
        ALTER TABLE decks ADD COLUMN film TEXT;
        CREATE INDEX decks_library ON decks (slug, film, signature, library);
    """),
    # Every command reads the deck list (`Store.deck_files`) and `status` its titles:
    # read from the table, each of 1,000 rows is a page of its own (its `items`), 4 ms
    # each time; from this index, 0.6 ms.
    ("10-deck-files", """
        CREATE INDEX decks_files ON decks (slug, title, path, signature);
    """),
    # A pick of `play` waits while a sibling of it is in learning steps today: looked up
    # for the few hundred picks here, where reading every learning card's sibling took
    # 25 ms at 1,000 films (24,000 of them) and scanning them for the picks' 21 ms.
    ("11-learning-siblings", f"""
        CREATE INDEX questions_learning_sibling ON questions
            (sibling, present, suspended, due, slug) WHERE {LEARNING_WHERE};
    """),
]
SCHEMA_VERSION = len(MIGRATIONS)

#: The tables a progress file must have (what a backup to restore is checked for).
TABLES = frozenset({"questions", "reviews", "decks"})
#: What a deck holds, as the `decks` table keeps it (see `Deck.contents`).
DECK_CONTENTS = ("scenes", "quotes", "tracks", "moments", "trivia")
#: A card's columns in `questions`, in CardState order.
CARD_COLUMNS = CARD_FIELDS
#: A question's columns in `questions`, in Question order.
QUESTION_COLUMNS = ("id", "deck", "slug", "kind", "prompt", "answer", "options", "source",
                    "sibling", "info", "mode", "person")


def statements(script: str) -> Iterator[str]:
    """A script's statements; a trigger's body has `;` inside, so split where SQLite would."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                yield buffer
            buffer = ""


def after_columns(card: CardState) -> tuple[int | None, int | None, float | None]:
    """The answer log's `after_*` columns: the card's state, seconds until due and
    difficulty once the answer is given (migration 8)."""
    gap = None if card.due is None or card.last_review is None else card.due - card.last_review
    return card.state, gap, card.difficulty

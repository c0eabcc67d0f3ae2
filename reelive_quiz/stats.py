"""Where you stand: per-deck status and long-run statistics, read from indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from reelive_quiz.clock import day_end, day_number, to_ts
from reelive_quiz.question import KINDS
from reelive_quiz.schedule import LEARNING, RELEARNING, REVIEW
from reelive_quiz.store import LEECH, SUSPENDED, Store

__all__ = ["DeckStatus", "Stats", "collect_stats", "deck_status"]


@dataclass(frozen=True, slots=True)
class DeckStatus:
    slug: str
    title: str
    total: int
    new: int
    learning: int
    due_now: int
    due_today: int
    suspended: int
    leeches: int
    next_due: str | None

    def to_dict(self) -> dict[str, object]:
        # not dataclasses.asdict: it deep-copies field by field, 10 µs a deck
        return {name: getattr(self, name) for name in self.__slots__}


def _iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).astimezone().isoformat()


def deck_status(store: Store, slugs: Sequence[str], when: datetime) -> list[DeckStatus]:
    """One row per deck, without walking every card.

    Counts by state come from `deck_counts` (kept by triggers); due cards are
    a range of the due index, up to the end of the study day; the next due
    date of a deck with nothing due today is one index seek.
    """
    now_ts, end_ts = to_ts(when), to_ts(day_end(when))
    marks = ",".join("?" * len(slugs)) or "NULL"
    titles = dict(store.query(f"SELECT slug, title FROM decks WHERE slug IN ({marks})",
                              list(slugs)))
    # slug -> [total, new, learning, due_now, due_today, suspended, leeches, next_due]
    acc = {slug: [0, 0, 0, 0, 0, 0, 0, None] for slug in titles}
    for slug, suspended, state, n in store.query(
            f"SELECT slug, suspended, state, n FROM deck_counts WHERE slug IN ({marks})",
            list(slugs)):
        row = acc.get(slug)
        if row is None:
            continue
        row[0] += n
        if suspended == SUSPENDED:
            row[5] += n
        elif suspended == LEECH:
            row[6] += n
        elif state == 0:
            row[1] += n
        elif state in (LEARNING, RELEARNING):
            row[2] += n
    for slug, due_now, due_today, first_due in store.query(
            "SELECT slug, SUM(due <= ?), COUNT(*), MIN(due) FROM questions"
            " WHERE present = 1 AND suspended = 0 AND due < ? AND state IS NOT NULL"
            " GROUP BY slug", (now_ts, end_ts)):
        row = acc.get(slug)
        if row is not None:
            row[3], row[4], row[7] = due_now, due_today, first_due
    for slug, row in acc.items():
        if row[7] is None:
            row[7] = store.query(
                "SELECT MIN(due) FROM questions WHERE slug = ? AND present = 1"
                " AND suspended = 0 AND state IS NOT NULL", (slug,))[0][0]
    return [DeckStatus(slug, titles[slug], *row[:7], _iso(row[7]))
            for slug, row in sorted(acc.items()) if row[0]]


def leeches(store: Store, slugs: Sequence[str]) -> list[tuple[str, str, int]]:
    marks = ",".join("?" * len(slugs)) or "NULL"
    return [(r[0], r[1], r[2]) for r in store.query(
        f"SELECT deck, prompt, lapses FROM questions WHERE suspended = {LEECH} AND present = 1"
        f" AND slug IN ({marks}) ORDER BY lapses DESC, deck LIMIT 50", list(slugs))]


@dataclass(frozen=True, slots=True)
class Stats:
    days: list[tuple[str, int]]  # (date, reviews) for the heatmap, oldest first
    retention: float | None  # share of reviews of learnt cards answered right
    reviews_counted: int
    streak: int
    forecast: list[tuple[str, int]]  # (date, questions due) for the next 30 days
    hardest: list[dict[str, object]]
    confused: list[dict[str, object]]
    #: per question kind: reviews of learnt questions in 30 days and the share right
    by_kind: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _date_of_day(day: int) -> str:
    return datetime.fromordinal(day).date().isoformat()


def streak(store: Store, when: datetime) -> int:
    """Study days in a row up to today (today not studied yet does not break it)."""
    today = day_number(when)
    count, d = 0, today
    if not store.query("SELECT 1 FROM reviews WHERE day = ? AND cram = 0 LIMIT 1", (today,)):
        d -= 1
    while store.query("SELECT 1 FROM reviews WHERE day = ? AND cram = 0 LIMIT 1", (d,)):
        count, d = count + 1, d - 1
    return count


def collect_stats(store: Store, when: datetime, weeks: int = 12) -> Stats:
    today = day_number(when)
    first = today - weeks * 7 + 1
    per_day = dict(store.query(
        "SELECT day, COUNT(*) FROM reviews WHERE day >= ? AND cram = 0 GROUP BY day",
        (first,)))
    days = [(_date_of_day(d), int(per_day.get(d, 0))) for d in range(first, today + 1)]
    days_in_row = streak(store, when)
    right, counted = store.query(
        "SELECT COALESCE(SUM(rating > 1), 0), COUNT(*) FROM reviews WHERE day > ? AND cram = 0"
        f" AND first = 0 AND json_extract(previous, '$[0]') = {REVIEW}", (today - 30,))[0]
    end = to_ts(day_end(when))
    due_rows = store.query(
        "SELECT CASE WHEN due < ? THEN 0 ELSE (due - ?) / 86400 + 1 END, COUNT(*)"
        " FROM questions WHERE state IS NOT NULL AND present = 1 AND suspended = 0"
        " AND due < ? GROUP BY 1", (end, end, end + 29 * 86400))
    due_by = {int(k): n for k, n in due_rows}
    forecast = [((when + timedelta(days=i)).astimezone().date().isoformat(),
                 int(due_by.get(i, 0))) for i in range(30)]
    hardest = [{"deck": r[0], "prompt": r[1], "answer": r[2], "lapses": r[3],
                "difficulty": round(r[4], 2) if r[4] is not None else None}
               for r in store.query(
                   "SELECT deck, prompt, answer, lapses, difficulty FROM questions"
                   " WHERE state IS NOT NULL AND present = 1 AND lapses > 0"
                   " ORDER BY lapses DESC, difficulty DESC LIMIT 5")]
    confused = [{"expected": r[0], "given": r[1], "times": r[2]} for r in store.query(
        "SELECT expected, given, COUNT(*) FROM reviews WHERE correct = 0 AND mode = 'choice'"
        " AND given IS NOT NULL GROUP BY expected, given ORDER BY 3 DESC, 1 LIMIT 5")]
    by_kind = [{"kind": kind, "name": KINDS.get(kind, kind), "reviews": n, "right": r,
                "retention": r / n} for kind, r, n in store.query(
        "SELECT q.kind, SUM(r.rating > 1), COUNT(*) FROM reviews r JOIN questions q"
        " ON q.id = r.question WHERE r.day > ? AND r.cram = 0 AND r.first = 0"
        f" AND json_extract(r.previous, '$[0]') = {REVIEW} GROUP BY q.kind", (today - 30,))]
    by_kind.sort(key=lambda k: (k["retention"], -k["reviews"]))  # weakest first
    return Stats(days, (right / counted) if counted else None, int(counted), days_in_row,
                 forecast, hardest, confused, by_kind)

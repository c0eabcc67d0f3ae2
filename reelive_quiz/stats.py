"""Where you stand: per-deck status and long-run statistics, read from indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from reelive_quiz.clock import day_end, day_number, to_ts
from reelive_quiz.store import Store

__all__ = ["DeckStatus", "Stats", "collect_stats", "deck_status", "streak"]


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


def deck_status(store: Store, slugs: Sequence[str], when: datetime, *,
                mostly_due: bool | None = None) -> list[DeckStatus]:
    """One row per deck, without walking every card.

    Counts by state come from `deck_counts` (kept by triggers), added up by SQLite. Due cards are
    counted from the due index up to the end of the study day, or, when most
    studied cards are due by then (a backlog: `Store.sample_due`, or
    `mostly_due` given), the cards not due are, and the due ones are what
    is left of the deck's studied cards: the same figures from a tenth of the
    index. The next due date of a deck is one index seek.
    """
    now_ts, end_ts = to_ts(when), to_ts(day_end(when))
    titles = store.deck_titles(slugs)
    # slug -> [total, new, learning, due_now, due_today, suspended, leeches, next_due, studied]
    acc = {slug: [0, 0, 0, 0, 0, 0, 0, None, 0] for slug in titles}
    for slug, total, new, learning, studied, suspended, leeches in store.deck_totals(slugs):
        row = acc.get(slug)
        if row is not None:
            row[0], row[1], row[2], row[5], row[6], row[8] = (total, new, learning, suspended,
                                                              leeches, studied)
    if mostly_due is None:
        studied, due = store.sample_due(end_ts)
        mostly_due = due * 2 > studied
    if mostly_due:
        for slug, first_due, later_today, after_today in store.not_due_by_deck(
                list(acc), now_ts, end_ts):
            row = acc[slug]
            row[4] = row[8] - after_today
            row[3] = row[4] - later_today
            row[7] = first_due
    else:
        for slug, due_now, due_today, first_due in store.due_by_deck(now_ts, end_ts):
            row = acc.get(slug)
            if row is not None:
                row[3], row[4], row[7] = due_now, due_today, first_due
        for slug, row in acc.items():
            if row[7] is None:
                row[7] = store.next_due(slug)
    return [DeckStatus(slug, titles[slug], *row[:7], _iso(row[7]))
            for slug, row in sorted(acc.items()) if row[0]]


def leeches(store: Store, slugs: Sequence[str]) -> list[tuple[str, str, int]]:
    return [(r.deck, r.prompt, r.lapses) for r in store.leeches(slugs, limit=50)]


@dataclass(frozen=True, slots=True)
class Stats:
    days: list[tuple[str, int]]  # (date, reviews) for the heatmap, oldest first
    retention: float | None  # share of reviews of learnt cards answered right
    reviews_counted: int
    streak: int
    forecast: list[tuple[str, int]]  # (date, questions due) for the next 30 days
    hardest: list[dict[str, object]]  # only questions forgotten at least once
    confused: list[dict[str, object]]
    #: per question kind: reviews of learnt questions in 30 days and the share right
    by_kind: list[dict[str, object]] = field(default_factory=list)
    #: The FSRS parameters in use: "personal" or "default", since when, on what fitted.
    fsrs: dict[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _date_of_day(day: int) -> str:
    return datetime.fromordinal(day).date().isoformat()


def streak(store: Store, when: datetime) -> int:
    """Study days in a row up to today (today not studied yet does not break it)."""
    count, d = 0, day_number(when)
    if not store.studied_on(d):
        d -= 1
    while store.studied_on(d):
        count, d = count + 1, d - 1
    return count


def collect_stats(store: Store, when: datetime, weeks: int = 12) -> Stats:
    from reelive_quiz.question import KINDS  # `status` imports this module without it

    today = day_number(when)
    first = today - weeks * 7 + 1
    per_day = store.reviews_per_day(first)
    days = [(_date_of_day(d), int(per_day.get(d, 0))) for d in range(first, today + 1)]
    right, counted = store.retention(today - 30)
    due_by = store.due_forecast(to_ts(day_end(when)), 30)
    forecast = [((when + timedelta(days=i)).astimezone().date().isoformat(),
                 int(due_by.get(i, 0))) for i in range(30)]
    hardest = [{"deck": r.deck, "prompt": r.prompt, "answer": r.answer, "lapses": r.lapses,
                "difficulty": round(r.difficulty, 2) if r.difficulty is not None else None}
               for r in store.hardest(5)]
    confused = [{"expected": r.expected, "given": r.given, "times": r.times}
                for r in store.confusions(5)]
    by_kind = [{"kind": k.kind, "name": KINDS.get(k.kind, k.kind), "reviews": k.counted,
                "right": k.right, "retention": k.right / k.counted}
               for k in store.retention_by_kind(today - 30)]
    by_kind.sort(key=lambda k: (k["retention"], -k["reviews"]))  # weakest first
    return Stats(days, (right / counted) if counted else None, int(counted),
                 streak(store, when), forecast, hardest, confused, by_kind,
                 parameters_in_use(store))


def parameters_in_use(store: Store) -> dict[str, object]:
    """Which FSRS parameters schedule the questions, and how well they fitted."""
    in_use = store.parameters_in_use()
    personal = in_use is not None and in_use.parameters is not None
    return {"parameters": "personal" if personal else "default",
            "since": _iso(in_use.adopted) if in_use is not None else None,
            "reviews": in_use.reviews if personal else None,
            "log_loss": in_use.log_loss if personal else None,
            "rmse": in_use.rmse if personal else None,
            "log_loss_before": in_use.log_loss_before if personal else None,
            "rmse_before": in_use.rmse_before if personal else None,
            "values": list(in_use.parameters) if personal else None}

"""Where you stand today: per-deck status, read from indexes.

The long-run statistics (`stats`) are `history.py`'s: `status` loads only this
(their frozen dataclass alone cost 1.2 ms to create at every start).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reelive_quiz.clock import day_end, local_iso, to_ts
from reelive_quiz.store import Store

__all__ = ["DeckStatus", "deck_status", "leeches"]


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
    return [DeckStatus(slug, titles[slug], *row[:7], None if row[7] is None else local_iso(row[7]))
            for slug, row in sorted(acc.items()) if row[0]]


def leeches(store: Store, slugs: Sequence[str]) -> list[tuple[str, str, int]]:
    return [(r.deck, r.prompt, r.lapses) for r in store.leeches(slugs, limit=50)]

"""Long-run statistics: reviews per day, retention, streak, forecast, hardest questions.

Loaded through `stats` (its module `__getattr__`), only by the commands that show them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from reelive_quiz.clock import day_end, day_number, local_iso, to_ts
from reelive_quiz.store import Store

__all__ = ["Stats", "collect_stats", "parameters_in_use", "streak"]


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
            "since": local_iso(in_use.adopted) if in_use is not None else None,
            "reviews": in_use.reviews if personal else None,
            "log_loss": in_use.log_loss if personal else None,
            "rmse": in_use.rmse if personal else None,
            "log_loss_before": in_use.log_loss_before if personal else None,
            "rmse_before": in_use.rmse_before if personal else None,
            "values": list(in_use.parameters) if personal else None}

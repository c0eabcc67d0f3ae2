"""What a desired retention costs: `reelive-quiz optimize --workload`.

Anki's "Help me decide", with Anki's engine: the FSRS simulator of
`fsrs_rs_python` (imported here only) lives a year of this fan's studying once
per desired retention, under the parameters in use: their questions, their daily
limits, the ratings they give to new questions and to remembered ones, and the
seconds they take per answer, all read from the progress file. The retention with
the least time per question remembered is pointed at; `desired_retention` in
config.toml stays the fan's choice. The simulation starts from unstudied
questions: it shows what a retention costs in the long run, not this week's reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import fsrs_rs_python as engine

from reelive_quiz.config import Config
from reelive_quiz.fsrs_records import RatingStats
from reelive_quiz.store import Store

__all__ = ["RETENTIONS", "Row", "Workload", "simulator_config", "workload"]

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
DAYS = 365
SEED = 2026  # the same inputs give the same table
#: Ratings counted before the log's own shares replace the simulator's defaults.
ENOUGH = 20


@dataclass(frozen=True, slots=True)
class Row:
    retention: float
    reviews_per_day: float
    minutes_per_day: float
    studied: int  # questions introduced over the year
    remembered: float  # of those, how many would be recalled at the end (expected)

    @property
    def seconds_per_remembered(self) -> float:
        """The time a year's study costs, per question remembered at its end."""
        return self.minutes_per_day * 60 * DAYS / self.remembered if self.remembered else 0.0


@dataclass(frozen=True, slots=True)
class Workload:
    rows: tuple[Row, ...]
    best: float  # the retention with the least time per question remembered
    questions: int
    new_per_day: int
    reviews_per_day: int
    personal: bool  # simulated with personal parameters (else the defaults)

    def to_dict(self) -> dict[str, Any]:
        return {"days": DAYS, "questions": self.questions, "new_per_day": self.new_per_day,
                "reviews_per_day": self.reviews_per_day, "personal": self.personal,
                "best": self.best,
                "rows": [{"retention": r.retention, "reviews_per_day": r.reviews_per_day,
                          "minutes_per_day": r.minutes_per_day, "studied": r.studied,
                          "remembered": r.remembered,
                          "seconds_per_remembered": r.seconds_per_remembered}
                         for r in self.rows]}


def _shares(counts: dict[int, int], ratings: tuple[int, ...],
            default: list[float]) -> list[float]:
    total = sum(counts.get(r, 0) for r in ratings)
    if total < ENOUGH:
        return default
    return [counts.get(r, 0) / total for r in ratings]


def simulator_config(stats: RatingStats, questions: int, config: Config) -> Any:
    """The simulator set up as this fan studies; what the log cannot tell stays default."""
    sim = engine.default_simulator_config()
    sim.deck_size = questions
    sim.learn_span = DAYS
    sim.learn_limit = config.new_per_day
    sim.review_limit = config.reviews_per_day
    sim.new_cards_ignore_review_limit = True  # the daily queue counts new ones apart
    sim.max_cost_perday = 1e9  # no time limit: only the daily counts stop a day
    sim.first_rating_prob = _shares(stats.first, (1, 2, 3, 4), list(sim.first_rating_prob))
    sim.review_rating_prob = _shares(stats.review, (2, 3, 4), list(sim.review_rating_prob))
    costs = [list(row) for row in sim.state_rating_costs]  # learning, review, relearning
    for row, states in enumerate(((0, 1), (2,), (3,))):
        for rating in range(1, 5):
            seen = [stats.seconds[(s, rating)] for s in states if (s, rating) in stats.seconds]
            count = sum(n for _, n in seen)
            if count >= ENOUGH:
                costs[row][rating - 1] = sum(mean * n for mean, n in seen) / count
    sim.state_rating_costs = costs
    return sim


def workload(store: Store, config: Config) -> Workload:
    in_use = store.parameters_in_use()
    personal = in_use is not None and in_use.parameters is not None
    if personal:
        parameters = list(in_use.parameters)  # type: ignore[union-attr]
    else:
        from fsrs.scheduler import DEFAULT_PARAMETERS

        parameters = list(DEFAULT_PARAMETERS)
    questions = store.questions_to_study()
    sim = simulator_config(store.rating_stats(), max(1, questions), config)
    rows = []
    for retention in RETENTIONS:
        result = engine.simulate(parameters, retention, sim, SEED)
        rows.append(Row(retention, sum(result.review_cnt_per_day) / DAYS,
                        sum(result.cost_per_day) / DAYS / 60, sum(result.learn_cnt_per_day),
                        float(result.memorized_cnt_per_day[-1])))
    useful = [r for r in rows if r.remembered > 0]
    best = min(useful, key=lambda r: r.seconds_per_remembered).retention if useful else 0.9
    return Workload(tuple(rows), best, questions, config.new_per_day, config.reviews_per_day,
                    personal)

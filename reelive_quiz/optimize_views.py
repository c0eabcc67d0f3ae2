"""What `optimize` says: plain lines for a person (the JSON comes from the results).

Every number is explained where it is shown: log loss is how surprised the
parameters are by your answers (lower is better), RMSE how far the predicted
recall is from the recall seen, in percentage points.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reelive_quiz.optimize import Change, Fit
    from reelive_quiz.workload import Workload

__all__ = ["change_lines", "fit_lines", "workload_lines"]


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone().date().isoformat()


def fit_lines(fit: Fit, dry_run: bool) -> list[str]:
    if fit.answers == 0:
        return ["No answers logged yet: play daily for a few weeks, then run "
                "`reelive-quiz optimize`. Nothing was changed."]
    read = (f"Read {fit.answers:,} answers to {fit.questions:,} questions: {fit.items:,} given "
            "on a later study day than the one before")
    if fit.sampled is not None:
        read += f" (a fixed sample of {fit.sampled:,} questions was fitted: plenty for FSRS)"
    lines = [read + f"; {fit.usable:,} usable after FSRS sets outliers aside."]
    if fit.out_of_order:
        lines.append(f"{fit.out_of_order:,} answers were logged with an earlier time than the "
                     "one before them (the clock went back); they are read in time order.")
    if fit.parameters is None:
        if fit.needed:
            lines.append(f"Not enough reviews to fit your parameters yet: FSRS needs "
                         f"{fit.needed + fit.usable:,} usable reviews, {fit.needed:,} more. "
                         "Nothing was changed; play daily for a few more weeks.")
        else:
            lines.append("FSRS could not fit parameters of your own from these reviews; "
                         "nothing was changed.")
        return lines
    assert fit.before is not None and fit.after is not None
    lines.append(f"Log loss {fit.before.log_loss:.4f} → {fit.after.log_loss:.4f}, "
                 f"RMSE {fit.before.rmse:.2%} → {fit.after.rmse:.2%} (parameters in use → "
                 "fitted, each later fifth of your reviews predicted from the ones before "
                 "it; lower is better).")
    if fit.only_initial:
        lines.append("These reviews could only fit the four initial stabilities (how long a "
                     "new question is remembered after each first rating).")
    if not fit.adopted:
        lines.append("Kept the parameters in use: the fitted ones do not predict your "
                     "answers better. Nothing was changed.")
    elif dry_run:
        lines.append("Dry run: the fitted parameters would be adopted; nothing was saved.")
    else:
        due = ("due dates moved to the new intervals" if fit.rescheduled
               else "due dates kept (`--reschedule` moves them)")
        lines.append(f"Adopted: your personal parameters schedule every question from now on; "
                     f"{fit.recomputed:,} memory states recomputed, {due}.")
        lines.append("`reelive-quiz optimize --undo` goes back to the previous parameters.")
    return lines


def change_lines(done: Change, action: str, dry_run: bool) -> list[str]:
    if done.action == "nothing":
        return (["No change of parameters to undo: the defaults are in use."]
                if action == "undo" else
                ["The default parameters are already in use: nothing changed."])
    target = done.in_use
    if target is None or target.parameters is None:
        what = "the default FSRS parameters"
    else:
        what = (f"the personal parameters of {_date(target.adopted)} (fitted on "
                f"{target.reviews or 0:,} reviews)")
    if dry_run:
        return [f"Dry run: this would go back to {what}; nothing was saved."]
    due = "due dates moved" if done.rescheduled else "due dates kept"
    return [f"Back to {what}: {done.recomputed:,} memory states recomputed, {due}."]


def workload_lines(w: Workload, desired: float) -> list[str]:
    which = "your personal" if w.personal else "the default"
    lines = [f"A simulated year of your studying at each desired retention: {w.questions:,} "
             f"questions, {w.new_per_day} new and at most {w.reviews_per_day} reviews a day, "
             f"{which} FSRS parameters, your ratings and answer times.",
             "",
             f"{'retention':>9}  {'reviews/day':>11}  {'minutes/day':>11}  "
             f"{'remembered':>10}  {'s per remembered':>16}"]
    for r in w.rows:
        mark = "  ← least work per question remembered" if r.retention == w.best else ""
        share = r.remembered / r.studied if r.studied else 0.0
        lines.append(f"{r.retention:>9.2f}  {r.reviews_per_day:>11.1f}  "
                     f"{r.minutes_per_day:>11.1f}  {share:>10.0%}  "
                     f"{r.seconds_per_remembered:>16.0f}{mark}")
    lines += ["",
              f"remembered: share of the questions studied in that year you would recall at "
              f"its end. Your desired_retention is {desired:.2f} (config.toml, [quiz]); "
              "the table only advises."]
    return lines

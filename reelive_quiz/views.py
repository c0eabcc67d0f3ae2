"""Terminal pictures of the stats: a calendar heatmap and a forecast bar chart."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from reelive_quiz.stats import Stats
from reelive_quiz.terminal import markup

__all__ = ["fsrs_line", "heatmap", "render_stats"]

_SHADES = " ░▒▓█"


def heatmap(days: list[tuple[str, int]]) -> list[str]:
    """Seven rows (Mon–Sun), one column a week, darker for more reviews."""
    if not days:
        return []
    top = max(n for _, n in days) or 1
    first = date.fromisoformat(days[0][0])
    pad = first.weekday()
    cells = [None] * pad + [n for _, n in days]
    weeks = (len(cells) + 6) // 7
    rows = []
    for weekday, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        line = []
        for w in range(weeks):
            i = w * 7 + weekday
            n = cells[i] if i < len(cells) else None
            if n is None:
                line.append(" ")
            elif n == 0:
                line.append("·")
            else:
                line.append(_SHADES[max(1, min(4, round(4 * n / top)))])
        rows.append(f"{name} {' '.join(line)}")
    return rows


def fsrs_line(fsrs: dict[str, object]) -> str:
    """Which FSRS parameters are in use (stats' `fsrs`), in words."""
    since = str(fsrs["since"])[:10] if fsrs.get("since") else None
    if fsrs["parameters"] != "personal":
        when = f" (since {since})" if since else ""
        return (f"FSRS parameters: the defaults{when}; `reelive-quiz optimize` fits your own "
                "after a few weeks of daily reviews")
    line = f"FSRS parameters: personal since {since}, fitted on {fsrs['reviews']:,} reviews"
    if fsrs.get("log_loss") is not None and fsrs.get("log_loss_before") is not None:
        line += (f"; log loss {fsrs['log_loss_before']:.4f} → {fsrs['log_loss']:.4f}, "
                 f"RMSE {fsrs['rmse_before']:.2%} → {fsrs['rmse']:.2%}")
    return line


def render_stats(s: Stats, console: Console) -> None:
    console.print(f"[bold]Reviews per day[/bold] (last {len(s.days) // 7} weeks, "
                  f"{sum(n for _, n in s.days)} in all)")
    for row in heatmap(s.days):
        console.print(f"[green]{row}[/green]")
    retention = f"{s.retention:.0%}" if s.retention is not None else "n/a"
    console.print(f"\nTrue retention (30 days, learnt questions): [bold]{retention}[/bold] "
                  f"of {s.reviews_counted} reviews · streak: [bold]{s.streak}[/bold] day(s)")
    if s.fsrs is not None:
        console.print(fsrs_line(s.fsrs))
    console.print("\n[bold]Due in the next 30 days[/bold]")
    top = max((n for _, n in s.forecast), default=0) or 1
    for day, n in s.forecast:
        bar = "█" * round(30 * n / top) if n else ""
        console.print(f"{day} {bar} {n if n else ''}".rstrip())
    if s.hardest:
        console.print("\n[bold]Hardest questions[/bold]")
        for h in s.hardest:
            console.print(f"  {markup(str(h['deck']))}: {markup(str(h['prompt']))[:80]} "
                          f"({h['lapses']} lapses)")
    if s.confused:
        console.print("\n[bold]Most often confused[/bold]")
        for c in s.confused:
            console.print(f"  {markup(str(c['expected']))} ↔ {markup(str(c['given']))} "
                          f"({c['times']}×)")

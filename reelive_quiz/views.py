"""Terminal pictures of the stats: a calendar heatmap and a compact forecast chart.

Both are pure functions from figures to lines of plain text (tests read them);
`render_stats` only adds colour. Deck text is escaped for rich's markup.
"""

from __future__ import annotations

from datetime import date

from rich.console import Console

from reelive_quiz.history import Stats
from reelive_quiz.terminal import markup, one_line

__all__ = ["forecast_chart", "fsrs_line", "heatmap", "render_stats"]

_SHADES = " ░▒▓█"
_BARS = " ▁▂▃▄▅▆▇█"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(days: list[tuple[str, int]]) -> list[str]:
    """A month line, then seven rows (Mon–Sun), one column a week, darker for more reviews.

    Every row has the same length: days before the first and after the last
    are blank cells, not missing ones, so the weeks stay in columns.
    """
    if not days:
        return []
    top = max(n for _, n in days) or 1
    first = date.fromisoformat(days[0][0])
    cells: list[int | None] = [None] * first.weekday() + [n for _, n in days]
    weeks = (len(cells) + 6) // 7
    cells += [None] * (weeks * 7 - len(cells))
    months = [" "] * (weeks * 2)
    seen = None
    for w in range(weeks):
        monday = date.fromordinal(first.toordinal() - first.weekday() + 7 * w)
        if monday.month != seen and w * 2 + 3 <= len(months):
            seen = monday.month
            months[w * 2: w * 2 + 3] = monday.strftime("%b")
    rows = [("    " + "".join(months)).rstrip()]
    for weekday, name in enumerate(_WEEKDAYS):
        line = []
        for w in range(weeks):
            n = cells[w * 7 + weekday]
            if n is None:
                line.append(" ")
            elif n == 0:
                line.append("·")
            else:
                line.append(_SHADES[max(1, min(4, round(4 * n / top)))])
        rows.append(f"{name} {' '.join(line)}")
    return rows


def forecast_chart(forecast: list[tuple[str, int]], height: int = 4) -> list[str]:
    """One column a day, `height` lines of eighth-blocks, then a line of dates."""
    if not forecast:
        return []
    top = max(n for _, n in forecast)
    levels = [0 if not n else max(1, round(n / (top or 1) * height * 8)) for _, n in forecast]
    lines = []
    for row in range(height, 0, -1):
        floor = (row - 1) * 8
        line = "".join(_BARS[min(8, max(0, level - floor))] for level in levels)
        label = f" {top}" if row == height else ""
        lines.append((line + label).rstrip())
    ticks = [" "] * len(forecast)
    for i in range(0, len(forecast), 10):
        text = date.fromisoformat(forecast[i][0]).strftime("%b %d").replace(" 0", " ")
        if i + len(text) <= len(ticks):
            ticks[i: i + len(text)] = text
    lines.append("".join(ticks).rstrip())
    return lines


def _totals(forecast: list[tuple[str, int]]) -> str:
    counts = [n for _, n in forecast]
    return (f"{sum(counts)} in all · today {counts[0] if counts else 0} · tomorrow "
            f"{counts[1] if len(counts) > 1 else 0} · next 7 days {sum(counts[:7])}")


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
    for i, row in enumerate(heatmap(s.days)):
        console.print(row if i == 0 else f"[green]{row}[/green]", highlight=False)
    retention = f"{s.retention:.0%}" if s.retention is not None else "n/a"
    days = f"{s.streak} day" + ("" if s.streak == 1 else "s")
    console.print(f"\nTrue retention (30 days, learnt questions): [bold]{retention}[/bold] "
                  f"of {s.reviews_counted} reviews · streak: [bold]{days}[/bold]")
    if s.fsrs is not None:
        console.print(fsrs_line(s.fsrs))
    if s.by_kind:
        console.print("\n[bold]Retention by kind[/bold] (weakest first)")
        width = max(len(str(k["name"])) for k in s.by_kind)
        for k in s.by_kind:
            console.print(f"  {k['name']!s:<{width}} {float(k['retention']):>4.0%} "  # type: ignore[arg-type]
                          f"of {k['reviews']}")
    console.print(f"\n[bold]Due in the next 30 days[/bold]: {_totals(s.forecast)}")
    for line in forecast_chart(s.forecast):
        console.print(line, highlight=False)
    if s.hardest:
        console.print("\n[bold]Hardest questions[/bold] (most often forgotten)")
        for h in s.hardest:
            deck = one_line(str(h["deck"]))[:30]
            room = max(30, console.width - len(deck) - 18)  # one line each, when it fits
            prompt = one_line(str(h["prompt"]))
            prompt = prompt if len(prompt) <= room else prompt[:room - 1] + "…"
            console.print(f"  {markup(deck)}: {markup(prompt)} ({h['lapses']} lapses)")
    if s.confused:
        console.print("\n[bold]Most often confused[/bold]")
        for c in s.confused:
            console.print(f"  {markup(str(c['expected']))} ↔ {markup(str(c['given']))} "
                          f"({c['times']}×)")

"""`stats` figures and pictures: retention per kind, hardest only when forgotten, the charts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from test_schedule import CONFIG, START, _day, _sync

from reelive_quiz.clock import NOW_ENV
from reelive_quiz.history import collect_stats
from reelive_quiz.store import Store
from reelive_quiz.views import _BARS, forecast_chart, heatmap


@pytest.fixture
def store(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(NOW_ENV, START.isoformat())  # _day moves it; restored after
    s = Store.open(tmp_path / "progress.sqlite3")
    yield s
    s.close()


def test_retention_by_kind_and_hardest_come_from_what_was_forgotten(store: Store) -> None:
    slugs = _sync(store)
    config = replace(CONFIG, new_per_day=12)
    kinds = ["who-said", "track"]
    first = _day(store, slugs, START, config, kinds=kinds)
    weak = {a.question.id for a in first.history if a.question.kind == "who-said"}
    assert weak and any(a.question.kind == "track" for a in first.history)
    for day in range(1, 40):  # learnt by day 10, the who-said ones are then forgotten
        _day(store, slugs, START + timedelta(days=day), config,
             wrong=weak if day >= 10 else set(), kinds=kinds)
    when = START + timedelta(days=39)
    stats = collect_stats(store, when)
    by_kind = {k["kind"]: k for k in stats.by_kind}
    assert set(by_kind) == {"who-said", "track"}
    assert by_kind["track"]["retention"] == 1.0
    assert by_kind["who-said"]["retention"] < 1.0
    assert stats.by_kind[0]["kind"] == "who-said"  # weakest first
    for k in stats.by_kind:
        assert k["right"] / k["reviews"] == k["retention"] and k["name"]
    lapsed = {qid for (qid,) in store.conn.execute("SELECT id FROM questions WHERE lapses > 0")}
    assert stats.hardest and all(h["lapses"] > 0 for h in stats.hardest)
    assert lapsed <= weak
    assert "by_kind" in stats.to_dict()  # --json keeps every figure


def test_no_hardest_questions_without_lapses(store: Store) -> None:
    slugs = _sync(store)
    for day in range(3):
        _day(store, slugs, START + timedelta(days=day), CONFIG)
    stats = collect_stats(store, START + timedelta(days=2))
    assert stats.hardest == []  # answered right every time: nothing is hard


def test_heatmap_rows_are_aligned_weeks() -> None:
    days = [((START + timedelta(days=i)).date().isoformat(), i % 5) for i in range(3, 80)]
    rows = heatmap(days)
    assert len(rows) == 8 and rows[0].split()[0] in ("Mar", "Feb")
    grid = rows[1:]
    assert len({len(r) for r in grid}) == 1  # every weekday row as long as the others
    first = START + timedelta(days=3)
    column = next(i for i, ch in enumerate(grid[first.weekday()]) if i > 3 and ch != " ")
    assert all(r[column - 1] == " " for r in grid)  # cells sit in the same columns


def test_forecast_chart_is_a_few_lines_with_one_column_a_day() -> None:
    forecast = [((START + timedelta(days=i)).date().isoformat(), n)
                for i, n in enumerate([5, 0, 40, 1] + [0] * 25 + [12])]
    lines = forecast_chart(forecast)
    assert len(lines) == 5  # four lines of bars and one of dates
    bars = [line[:30].ljust(30) for line in lines[:4]]
    for i, (_, n) in enumerate(forecast):
        column = "".join(b[i] for b in bars)
        assert (column.strip(" ") != "") == (n > 0), (i, n, column)
    assert bars[0][2] == _BARS[8] and lines[0].endswith(" 40")  # the top day fills the chart
    assert lines[-1].startswith("Mar 2")

"""The study day: it turns over at 4 a.m. local time, across midnight, DST and time zones.

The local zone is set the way a user's machine sets it (`TZ`); expected values
come from `zoneinfo`, independently of the code under test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from reelive_quiz.clock import NOW_ENV, day_end, day_number, now


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneInfo]:
    """Run the test with the machine's local time zone set to `request.param`."""
    try:
        tz = ZoneInfo(request.param)
    except ZoneInfoNotFoundError:
        pytest.skip(f"no time zone data for {request.param}")
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield tz
    monkeypatch.undo()
    time.tzset()


def _expected_day(local: datetime) -> date:
    """The study day of a wall-clock time: before 4 a.m. it is still yesterday."""
    return local.date() - timedelta(days=1) if local.hour < 4 else local.date()


def _expected_end(local: datetime, tz: ZoneInfo) -> datetime:
    """The next 4 a.m. on the wall clock, however long the day was."""
    day = _expected_day(local) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, 4, tzinfo=tz).astimezone(UTC)


def _check(local: datetime, tz: ZoneInfo) -> None:
    moment = local.astimezone(UTC)
    assert day_number(moment) == _expected_day(local).toordinal(), local
    assert day_end(moment) == _expected_end(local, tz), local
    assert day_end(moment) > moment
    assert day_number(day_end(moment)) == day_number(moment) + 1  # the next day starts there
    assert day_number(day_end(moment) - timedelta(seconds=1)) == day_number(moment)


ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati",
         "America/Santiago", "UTC"]


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_the_day_turns_at_four_not_at_midnight(zone: ZoneInfo) -> None:
    for hour, minute in [(0, 0), (0, 30), (3, 59), (4, 0), (4, 1), (12, 0), (23, 59)]:
        _check(datetime(2026, 6, 15, hour, minute, tzinfo=zone), zone)
    evening = datetime(2026, 6, 15, 22, 0, tzinfo=zone).astimezone(UTC)
    after_midnight = datetime(2026, 6, 16, 1, 30, tzinfo=zone).astimezone(UTC)
    assert day_number(evening) == day_number(after_midnight)  # one late session, one day
    assert day_end(evening) == day_end(after_midnight)


@pytest.mark.parametrize(("zone", "day"), [
    ("Europe/Paris", date(2026, 3, 29)),       # clocks go forward at 2:00: a 23-hour day
    ("Europe/Paris", date(2026, 10, 25)),      # back at 3:00: a 25-hour day
    ("America/New_York", date(2026, 3, 8)),    # forward at 2:00
    ("America/New_York", date(2026, 11, 1)),   # back at 2:00
    ("America/Santiago", date(2026, 4, 5)),    # back at midnight
    ("America/Santiago", date(2026, 9, 6)),    # forward at midnight: 0:00 does not exist
], indirect=["zone"])
def test_the_day_turns_at_four_across_a_dst_change(zone: ZoneInfo, day: date) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=30)
    for quarter in range(60 * 4):  # every 15 minutes over two and a half days, in UTC
        moment = start + timedelta(minutes=15 * quarter)
        _check(moment.astimezone(zone), zone)
    before = datetime(day.year, day.month, day.day, 12, tzinfo=zone) - timedelta(days=1)
    length = day_end(before.astimezone(UTC)) - day_end(
        (before - timedelta(days=1)).astimezone(UTC))
    after = day_end((before + timedelta(days=1)).astimezone(UTC)) - day_end(
        before.astimezone(UTC))
    assert {length, after} <= {timedelta(hours=h) for h in (23, 24, 25)}
    assert length != after  # the study day that holds the change is not 24 hours


@pytest.mark.parametrize("zone", ["Asia/Kolkata"], indirect=True)
def test_one_moment_is_a_different_study_day_in_another_zone(zone: ZoneInfo) -> None:
    moment = datetime(2026, 6, 15, 21, 0, tzinfo=UTC)  # 02:30 on the 16th in Kolkata
    assert day_number(moment) == date(2026, 6, 15).toordinal()  # still the 15th's study day
    assert day_end(moment) == datetime(2026, 6, 16, 4, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize("zone", ["America/New_York"], indirect=True)
def test_a_frozen_now_without_an_offset_is_local_time(zone: ZoneInfo,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, "2026-01-10T03:30:00")
    assert now() == datetime(2026, 1, 10, 3, 30, tzinfo=zone).astimezone(UTC)
    assert day_number(now()) == date(2026, 1, 9).toordinal()
    monkeypatch.setenv(NOW_ENV, "2026-01-10T03:30:00+00:00")
    assert now() == datetime(2026, 1, 10, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York",
                                  "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_local_iso_is_astimezone_isoformat(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`local_iso` caches each offset's zone; the text is astimezone()'s, DST edges too."""
    from reelive_quiz.clock import local_iso

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for ts in [*range(1_711_846_800 - 7200, 1_711_846_800 + 7200, 900),  # March 2024
                   *range(1_729_990_800 - 7200, 1_729_990_800 + 7200, 900),  # October
                   0, 1_781_514_000, 4_102_444_800]:
            assert local_iso(ts) == datetime.fromtimestamp(ts, UTC).astimezone().isoformat()
    finally:
        monkeypatch.undo()
        time.tzset()

"""Now, and the study day: the one place the tool asks the time.

`REELIVE_QUIZ_NOW` (ISO 8601) freezes the clock, so tests can live through
thirty days in a second. A study day starts at 4 a.m. local time, as in Anki.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

from reelive_quiz.errors import ReeliveError

__all__ = ["DAY_STARTS_AT", "NOW_ENV", "day_end", "day_number", "local_iso", "now", "to_ts"]

NOW_ENV = "REELIVE_QUIZ_NOW"
DAY_STARTS_AT = 4  # hour, local time
#: The years `REELIVE_QUIZ_NOW` may name: FSRS schedules up to 100 years ahead and
#: the study day needs a day either side, so 0001 and 9999 would overflow a date.
YEARS = (1970, 9000)


def now() -> datetime:
    """The current time, aware and in UTC; `$REELIVE_QUIZ_NOW` wins when set."""
    fixed = os.environ.get(NOW_ENV)
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise ReeliveError(f"{NOW_ENV}={fixed!r}: expected an ISO 8601 timestamp, "
                           "e.g. 2026-11-26T09:00:00+01:00") from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ReeliveError(f"{NOW_ENV}={fixed!r}: expected a time in the years {YEARS[0]} "
                           f"to {YEARS[1]}")
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is local time
    return moment.astimezone(UTC)


def day_number(moment: datetime) -> int:
    """The study day of a moment: days since 0001-01-01, turning over at 4 a.m. local."""
    local = moment.astimezone()
    return (local - timedelta(hours=DAY_STARTS_AT)).date().toordinal()


def day_end(moment: datetime) -> datetime:
    """When the study day of `moment` ends (the next 4 a.m. local), in UTC."""
    local = moment.astimezone()
    start = (local - timedelta(hours=DAY_STARTS_AT)).replace(hour=DAY_STARTS_AT, minute=0,
                                                            second=0, microsecond=0)
    end = (start + timedelta(days=1)).replace(tzinfo=None).astimezone()
    return end.astimezone(UTC)


def to_ts(moment: datetime) -> int:
    return int(moment.timestamp())


def local_iso(ts: int) -> str:
    """`datetime.fromtimestamp(ts, UTC).astimezone().isoformat()`: the moment in the
    local zone's offset at that time, each offset's zone made once (`status` writes
    one a deck: 4 ms for 1,000 decks, now 1.5)."""
    return datetime.fromtimestamp(ts, _zone(time.localtime(ts).tm_gmtoff)).isoformat()


@cache
def _zone(offset: int) -> timezone:
    return timezone(timedelta(seconds=offset))

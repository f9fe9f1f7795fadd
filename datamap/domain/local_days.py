"""Calendar days as instants: a day begins at midnight where the law that counts it applies.

Shine-the-Light (Civ. Code §1798.83) and the CCPA are California statutes: their calendar years and 12-month
periods run on California's days, so a disclosure at 23:30 on 31 December in Los Angeles belongs to that year,
though it is already 1 January in UTC. Everything else counts UTC days.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CALIFORNIA = ZoneInfo("America/Los_Angeles")


def day_start(day: dt.date, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """The instant (in UTC) at which `day` begins in `zone`."""
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


def day_window(first: dt.date, last: dt.date, zone: dt.tzinfo = dt.UTC) -> tuple[dt.datetime, dt.datetime]:
    """The half-open span [start of `first`, start of the day after `last`) of the days first..last in `zone`."""
    return day_start(first, zone), day_start(last + dt.timedelta(days=1), zone)

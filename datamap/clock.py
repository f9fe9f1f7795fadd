"""The one clock: every "now" and "today" of the service and the command line comes from here.

The service keeps a `Clock` in its application state and hands `clock.now()` to the use cases, which take
the time as an argument and never read it themselves; tests pin it with a `FixedClock`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Protocol

from datamap.errors import ConfigError

CLOCK_VARIABLE = "DATAMAP_CLOCK"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, time-zone aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock: what `datamap serve` uses."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass
class FixedClock:
    """A clock that stands still at `at` until moved: for tests and for reproducing a past run."""

    at: dt.datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock: give a time-zone-aware instant")

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, by: dt.timedelta) -> None:
        self.at += by


def parse_instant(raw: str, where: str) -> dt.datetime:
    """An ISO 8601 date or instant; a date means noon UTC of that day, an instant needs a time zone."""
    try:
        if len(raw) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(12), dt.UTC)
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"{where}={raw!r}: give a date (YYYY-MM-DD) or an instant with a time zone"
        ) from None
    if at.tzinfo is None:
        raise ConfigError(f"{where}={raw!r}: give the instant's time zone, e.g. 2026-11-28T12:00:00Z")
    return at.astimezone(dt.UTC)


def command_clock() -> Clock:
    """The clock of a one-off command: the machine's, or `DATAMAP_CLOCK` (a date or instant) when set.

    `datamap serve` never reads the variable: a running service always uses the machine's clock.
    """
    raw = os.environ.get(CLOCK_VARIABLE)
    return FixedClock(parse_instant(raw, CLOCK_VARIABLE)) if raw else SystemClock()

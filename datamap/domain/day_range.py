"""The years a data map can be about: a day or instant outside them is refused where it is read.

A day like 9999-12-31 parses, but the rules computing with it (the day after, a deadline a month later, the
calendar year before) overflow Python's dates; the API's scalars, its report URLs and the command line all
refuse anything outside `FIRST_DAY`..`LAST_DAY` (UTC) with the same words.
"""

from __future__ import annotations

import datetime as dt

from datamap.errors import ValidationError

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
_FIRST = dt.datetime.combine(FIRST_DAY, dt.time(), dt.UTC)
_END = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(), dt.UTC)
RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def in_range(value: dt.date) -> bool:
    """A day, or an instant (UTC; a naive one read as UTC), within the years the service accepts."""
    if isinstance(value, dt.datetime):
        try:
            instant = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 has no UTC instant Python can hold
            return False
        return _FIRST <= instant < _END
    return FIRST_DAY <= value <= LAST_DAY


def parse_day(raw: str, where: str) -> dt.date:
    """A `YYYY-MM-DD` text (`where` names the parameter or option), within the range; else `ValidationError`."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if not in_range(day):
        raise ValidationError(f"{where}: {raw} is out of range; give a day {RANGE}") from None
    return day

"""What the report services share: day ranges as statement parameters, the date of receipt checked."""

from __future__ import annotations

import datetime as dt

from datamap.domain.local_days import day_window
from datamap.errors import ValidationError


def window(first: dt.date, last: dt.date, zone: dt.tzinfo = dt.UTC) -> dict[str, dt.datetime]:
    """`$from`/`$to` for the inclusive day range first..last, the days counted in `zone`."""
    start, end = day_window(first, last, zone)
    return {"from": start, "to": end}


def check_received(received: dt.date, today: dt.date) -> None:
    """A request's date of receipt: not in the future, not before the year 1901."""
    if received > today:
        raise ValidationError(f"receivedAt: {received.isoformat()} is in the future")
    if received.year <= 1900:
        raise ValidationError(f"receivedAt: {received.isoformat()} is out of range")

"""What the report services share: day boundaries as UTC instants."""

from __future__ import annotations

import datetime as dt

from datamap.errors import ValidationError


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def window(first: dt.date, last: dt.date) -> dict[str, dt.datetime]:
    """`$from`/`$to` for the inclusive day range first..last."""
    return {"from": start_of(first), "to": start_of(last + dt.timedelta(days=1))}


def check_received(received: dt.date, today: dt.date) -> None:
    """A request's date of receipt: not in the future, not before the year 1901."""
    if received > today:
        raise ValidationError(f"receivedAt: {received.isoformat()} is in the future")
    if received.year <= 1900:
        raise ValidationError(f"receivedAt: {received.isoformat()} is out of range")

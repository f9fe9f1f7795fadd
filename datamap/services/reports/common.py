"""What the report services share: the date of receipt checked."""

from __future__ import annotations

import datetime as dt

from datamap.errors import ValidationError


def check_received(received: dt.date, today: dt.date) -> None:
    """A request's date of receipt: not in the future, not before the year 1901."""
    if received > today:
        raise ValidationError(f"receivedAt: {received.isoformat()} is in the future")
    if received.year <= 1900:
        raise ValidationError(f"receivedAt: {received.isoformat()} is out of range")

"""What the report services share: day boundaries as UTC instants."""

from __future__ import annotations

import datetime as dt


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def window(first: dt.date, last: dt.date) -> dict[str, dt.datetime]:
    """`$from`/`$to` for the inclusive day range first..last."""
    return {"from": start_of(first), "to": start_of(last + dt.timedelta(days=1))}

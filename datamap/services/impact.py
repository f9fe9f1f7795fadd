"""Impact use cases: the map's flows one asks about, and what reaches one recipient (`datamap.domain.impact`)."""

from __future__ import annotations

import datetime as dt

from datamap.domain.impact import (
    DEFAULT_PAGE,
    Flow,
    Period,
    RecipientImpact,
    check_page,
    check_period,
    map_day,
    recipient_impact,
)
from datamap.domain.local_days import day_start
from datamap.errors import NotFound
from datamap.graph.database import Database
from datamap.graph.impact_queries import read_flows, read_recipient_impact
from datamap.services.lineage import as_of_params, category_params


async def flows(
    db: Database,
    *,
    now: dt.datetime,
    start: str | None = None,
    end: str | None = None,
    category: str | None = None,
    purpose: str | None = None,
    as_of: dt.date | None = None,
) -> list[Flow]:
    """The flows in force on `as_of` (default today) from `start` and to `end` (keys), carrying `category`
    (with its sub-categories and ancestors), for `purpose`."""
    _, params = as_of_params(as_of, now)
    row = await read_flows(
        db, {**params, **category_params(category), "from": start, "to": end, "purpose": purpose}
    )
    for known, argument, what, key in (
        (row["fromKnown"], "from", "source or system", start),
        (row["toKnown"], "to", "system or recipient", end),
        (row["categoryKnown"], "category", "data category", category),
        (row["purposeKnown"], "purpose", "purpose", purpose),
    ):
        if not known:
            raise NotFound(f"{argument}: no {what} {key!r} in the map")
    return [Flow.of(f) for f in row["flows"]]


def impact_params(
    recipient: str, period: Period, *, now: dt.datetime, as_of: dt.date | None, limit: int, after: str | None
) -> tuple[dt.date, dict[str, object]]:
    """The day of the map, and RECIPIENT_IMPACT's parameters: the period's UTC days as instants."""
    day, params = as_of_params(map_day(period, as_of, now.astimezone(dt.UTC).date()), now)
    return day, {
        **params,
        "recipient": recipient,
        "from": day_start(period.start),
        "to": day_start(period.end),
        "after": after,
        "limit": limit,
    }


async def impact_on_recipient(
    db: Database,
    recipient: str,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime,
    as_of: dt.date | None = None,
    limit: int = DEFAULT_PAGE,
    after: str | None = None,
) -> RecipientImpact:
    """What reaches `recipient`: the map's paths on `as_of` (default: the period's last day, or today), and the
    people a recorded disclosure brought there in [start, end) (UTC days), a page at a time."""
    period = check_period(start, end)
    limit, after = check_page(limit, after)
    day, params = impact_params(recipient, period, now=now, as_of=as_of, limit=limit, after=after)
    row = await read_recipient_impact(db, params)
    if row is None:
        raise NotFound(f"recipient: no recipient {recipient!r} in the map")
    return recipient_impact(row, period=period, as_of=day, limit=limit)

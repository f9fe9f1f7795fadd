"""Lineage use cases: where a category's data goes by the map, and where one subject's data went."""

from __future__ import annotations

import datetime as dt

from datamap.domain.categories import ancestors, check_category_key
from datamap.domain.lineage import category_lineage, subject_lineage
from datamap.domain.lineage_types import Lineage
from datamap.domain.local_days import day_start
from datamap.errors import NotFound, ValidationError
from datamap.graph.database import Database
from datamap.graph.lineage_queries import MAX_FLOW_HOPS, read_category_lineage, read_subject_lineage
from datamap.services.subjects import SubjectLookup

DEFAULT_MAX_HOPS = 6
MAX_HOPS = MAX_FLOW_HOPS  # one hop for the record, the rest along flows, one more to detect truncation


def as_of_params(
    as_of: dt.date | None, now: dt.datetime, zone: dt.tzinfo = dt.UTC
) -> tuple[dt.date, dict[str, object]]:
    """`$asOf` and `$asOfEnd` (the last instant of that day in `zone`); the day of `now` (UTC) by default."""
    day = as_of or now.astimezone(dt.UTC).date()
    return day, {
        "asOf": day,
        "asOfEnd": day_start(day + dt.timedelta(days=1), zone) - dt.timedelta(microseconds=1),
    }


def category_params(category: str | None) -> dict[str, object]:
    if category is None:
        return {"category": None, "ancestors": []}
    return {"category": check_category_key(category), "ancestors": ancestors(category)}


def check_hops(max_hops: int | None) -> int:
    hops = DEFAULT_MAX_HOPS if max_hops is None else max_hops
    if not 1 <= hops <= MAX_HOPS - 1:
        raise ValidationError(f"maxHops: {hops} is out of range; give 1 to {MAX_HOPS - 1}")
    return hops


async def lineage_of_category(
    db: Database, category: str, as_of: dt.date | None = None, *, now: dt.datetime
) -> Lineage:
    day, params = as_of_params(as_of, now)
    row = await read_category_lineage(db, {**params, **category_params(category)})
    if category not in row["categories"]:
        raise NotFound(f"category: no data category {category!r} in the map as of {day}")
    return category_lineage(row, category=category, as_of=day, max_hops=MAX_HOPS - 1)


async def lineage_of_subject(
    db: Database,
    subject: SubjectLookup,
    *,
    now: dt.datetime,
    category: str | None = None,
    as_of: dt.date | None = None,
    max_hops: int | None = None,
) -> Lineage | None:
    """None when no subject has these identifiers; an erased one's lineage says when it was erased."""
    hops = check_hops(max_hops)
    day, params = as_of_params(as_of, now)
    row = subject.one(await read_subject_lineage(db, subject.hashes, {**params, **category_params(category)}))
    if row is None:
        # an unknown subject may be an erased one: the suppression list still knows its keyed hashes
        suppression = await subject.suppression(db)
        if suppression is None or suppression.erased_at is None or suppression.erased_at.date() > day:
            return None
        return Lineage.erased(suppression.subject_id, day, suppression.erased_at)
    if not row["categoryKnown"]:
        raise NotFound(f"category: no data category {category!r} in the map")
    return subject_lineage(row, as_of=day, category=category, max_hops=hops)

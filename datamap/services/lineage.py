"""Lineage use cases: where a category's data goes by the map, and where one subject's data went."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from datamap.domain.categories import ancestors, check_category_key
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.lineage import Lineage, category_lineage, subject_lineage
from datamap.domain.local_days import day_start
from datamap.errors import NotFound, ValidationError
from datamap.graph.database import Database
from datamap.graph.erasure_queries import SUPPRESSED
from datamap.graph.lineage_queries import CATEGORY_LINEAGE, MAX_FLOW_HOPS, SUBJECT_LINEAGE

DEFAULT_MAX_HOPS = 6
MAX_HOPS = MAX_FLOW_HOPS  # one hop for the record, the rest along flows, one more to detect truncation


def as_of_params(as_of: dt.date | None, zone: dt.tzinfo = dt.UTC) -> tuple[dt.date, dict[str, object]]:
    """`$asOf` and `$asOfEnd` (the last instant of that day in `zone`); today (UTC) by default."""
    day = as_of or dt.datetime.now(dt.UTC).date()
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


async def lineage_of_category(db: Database, category: str, as_of: dt.date | None = None) -> Lineage:
    day, params = as_of_params(as_of)
    (row,) = await db.read(CATEGORY_LINEAGE, **params, **category_params(category))
    if category not in row["categories"]:
        raise NotFound(f"category: no data category {category!r} in the map as of {day}")
    return category_lineage(row, category=category, as_of=day, max_hops=MAX_HOPS - 1)


async def _erased(db: Database, hashes: list[str], day: dt.date) -> Lineage | None:
    """An unknown subject may be an erased one: the suppression list still knows its keyed hashes."""
    rows = await db.read(SUPPRESSED, hashes=hashes)
    if not rows or rows[0]["erasedAt"] is None or rows[0]["erasedAt"].date() > day:
        return None
    return Lineage.erased(rows[0]["subjectId"], day, rows[0]["erasedAt"])


async def lineage_of_subject(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    *,
    category: str | None = None,
    as_of: dt.date | None = None,
    max_hops: int | None = None,
) -> Lineage | None:
    """None when no subject has these identifiers."""
    hops = check_hops(max_hops)
    day, params = as_of_params(as_of)
    hashes = [i.keyed_hash(secret) for i in identifiers]
    rows = await db.read(SUBJECT_LINEAGE, hashes=hashes, **params, **category_params(category))
    if not rows:
        return await _erased(db, hashes, day)
    if len(rows) > 1:
        raise ValidationError("subject: the identifiers given belong to different subjects; give one of them")
    if not rows[0]["categoryKnown"]:
        raise NotFound(f"category: no data category {category!r} in the map")
    return subject_lineage(rows[0], as_of=day, category=category, max_hops=hops)

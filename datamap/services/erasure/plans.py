"""The erasure plan of a subject, from one statement; legal holds; the suppression list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from datamap.domain.erasure_plan import (
    ErasurePlan,
    exception_from_hold,
    exception_from_rule,
    plan_erasure,
)
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.lineage import subject_lineage
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database
from datamap.services.erasure.views import utc_now
from datamap.services.lineage import MAX_HOPS, as_of_params

PLAN_HOPS = MAX_HOPS - 1


def plan_params(hashes: list[str], as_of: dt.date | None) -> tuple[dt.date, dict[str, Any]]:
    day, params = as_of_params(as_of)
    return day, {"hashes": hashes, "category": None, "ancestors": [], **params}


def plan_from_rows(rows: list[dict[str, Any]], day: dt.date) -> tuple[ErasurePlan | None, list[str]]:
    """The plan built from the ERASURE_PLAN rows, with every identifier hash the subject has."""
    if not rows:
        return None, []
    if len(rows) > 1:
        raise ValidationError("subject: the identifiers given belong to different subjects; give one of them")
    row = rows[0]
    lineage = subject_lineage(row, as_of=day, category=None, max_hops=PLAN_HOPS)
    exceptions = [e for e in map(exception_from_rule, row["retention"]) if e is not None]
    exceptions += [exception_from_hold(h) for h in row["holds"]]
    return plan_erasure(lineage, exceptions, as_of=day, max_hops=PLAN_HOPS), row["identifierHashes"]


async def plan(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    as_of: dt.date | None = None,
) -> ErasurePlan | None:
    """The erasure plan of a subject as of a date; None when the graph holds no such subject."""
    day, params = plan_params([i.keyed_hash(secret) for i in identifiers], as_of)
    found, _ = plan_from_rows(await db.read(q.ERASURE_PLAN, **params), day)
    return found


async def place_legal_hold(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    *,
    categories: Sequence[str],
    reason: str,
    until: dt.date | None,
    systems: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Keep some categories of a subject restricted, not erased (Art. 17(3)(e)), until a date or lifted."""
    if not reason.strip():
        raise ValidationError("reason: a legal hold needs its reason (the claim or proceeding)")
    if not categories:
        raise ValidationError("categories: name the data categories the hold covers")
    now = now or utc_now()
    hold = {
        "id": uuid.uuid4().hex,
        "categories": list(categories),
        "systems": list(systems),
        "reason": reason,
        "placedAt": now,
        **({"until": until} if until else {}),
    }
    rows = await db.write(q.PLACE_HOLD, hashes=[i.keyed_hash(secret) for i in identifiers], hold=hold)
    if not rows:
        raise NotFound("subject: the graph holds no such subject")
    return dict(rows[0]["hold"])


async def lift_legal_hold(
    db: Database, hold_id: str, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """End a legal hold; later plans erase what it kept."""
    if not reason.strip():
        raise ValidationError("reason: say why the hold ends")
    rows = await db.write(q.LIFT_HOLD, id=hold_id, now=now or utc_now(), reason=reason)
    if not rows:
        raise NotFound(f"hold: no legal hold {hold_id!r} in force")
    return dict(rows[0]["hold"])

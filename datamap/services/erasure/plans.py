"""The erasure plan of a subject, from one statement; legal holds (each with its audit event)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from datamap.domain.access import Principal
from datamap.domain.erasure_plan import (
    ErasurePlan,
    plan_erasure,
)
from datamap.domain.erasure_records import LegalHoldRecord
from datamap.domain.lineage import subject_lineage
from datamap.domain.retention_exceptions import exception_from_hold, exception_from_rule
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.trail import Trail, refusals
from datamap.services.lineage import MAX_HOPS, as_of_params
from datamap.services.subjects import SubjectLookup

PLAN_HOPS = MAX_HOPS - 1


async def read_plan(
    on: Database | Transaction, subject: SubjectLookup, as_of: dt.date | None, now: dt.datetime
) -> tuple[ErasurePlan | None, list[str]]:
    """The plan as of a date (None when the graph holds no such subject), with every identifier hash the
    subject has."""
    day, params = as_of_params(as_of, now)
    row = subject.one(await store.read_erasure_plan(on, subject.hashes, params))
    if row is None:
        return None, []
    lineage = subject_lineage(row, as_of=day, category=None, max_hops=PLAN_HOPS)
    exceptions = [e for e in map(exception_from_rule, row["retention"]) if e is not None]
    exceptions += [exception_from_hold(h) for h in row["holds"]]
    return plan_erasure(lineage, exceptions, as_of=day, max_hops=PLAN_HOPS), row["identifierHashes"]


async def plan(
    db: Database, subject: SubjectLookup, as_of: dt.date | None = None, *, now: dt.datetime
) -> ErasurePlan | None:
    """The erasure plan of a subject as of a date; None when the graph holds no such subject."""
    found, _ = await read_plan(db, subject, as_of, now)
    return found


async def place_legal_hold(
    db: Database,
    subject: SubjectLookup,
    *,
    categories: Sequence[str],
    reason: str,
    until: dt.date | None,
    systems: Sequence[str] = (),
    principal: Principal,
    now: dt.datetime,
) -> LegalHoldRecord:
    """Keep some categories of a subject restricted, not erased (Art. 17(3)(e)), until a date or lifted."""
    trail = Trail(principal, "placeLegalHold", now)

    async def work(tx: Transaction) -> LegalHoldRecord:
        placed = await store.place_hold(
            tx,
            subject.hashes,
            hold_id=uuid.uuid4().hex,
            categories=categories,
            systems=systems,
            reason=reason,
            until=until,
            placed_at=now,
        )
        hold = subject.one(placed)
        if hold is None:
            raise NotFound(f"{subject.where}: the graph holds no such subject")
        trail.about(subject_id=hold.subject_id)
        await trail.write(tx)
        return hold

    async with refusals(db, trail):
        if not reason.strip():
            raise ValidationError("reason: a legal hold needs its reason (the claim or proceeding)")
        if not categories:
            raise ValidationError("categories: name the data categories the hold covers")
        return await db.transaction(work)


async def lift_legal_hold(
    db: Database, hold_id: str, reason: str, *, principal: Principal, now: dt.datetime
) -> LegalHoldRecord:
    """End a legal hold; later plans erase what it kept."""
    trail = Trail(principal, "liftLegalHold", now)

    async def work(tx: Transaction) -> LegalHoldRecord:
        hold = await store.lift_hold(tx, hold_id, reason, now)
        if hold is None:
            raise NotFound(f"hold: no legal hold {hold_id!r} in force")
        trail.about(subject_id=hold.subject_id)
        await trail.write(tx)
        return hold

    async with refusals(db, trail):
        if not reason.strip():
            raise ValidationError("reason: say why the hold ends")
        return await db.transaction(work)

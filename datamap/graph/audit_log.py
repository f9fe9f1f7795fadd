"""The audit trail's persistence: events appended to one hash chain, read back for auditors and `verify`.

Appending takes the chain's head (`AuditChain`) by writing it, so appends serialise and the numbering has no
gaps; the head keeps the last number and digest, so removing the newest events shows too.
"""

from __future__ import annotations

import datetime as dt
from typing import LiteralString

from datamap.domain.audit import GENESIS, AuditEntry, AuditEvent, chain
from datamap.graph.database import Database, Observed, Records, Transaction, run

CHAIN_KEY = "datamap"

LOCK_HEAD: LiteralString = """
MERGE (h:AuditChain {key: $key}) ON CREATE SET h.seq = 0, h.digest = $genesis
SET h.lockedAt = $now
RETURN h.seq AS seq, h.digest AS digest
"""

APPEND: LiteralString = """
MATCH (h:AuditChain {key: $key})
UNWIND $events AS event
CREATE (e:AuditEvent) SET e = event
WITH h, max(event.seq) AS last, collect(event) AS written
SET h.seq = last, h.digest = [x IN written WHERE x.seq = last][0].digest
RETURN count(*) AS appended
"""

# Reading events, oldest first, each way served by an index (a filter written `$x IS NULL OR ...` would serve none
# and read every event ever written): a subject's (`audit_event_subject`); those of a period (`audit_event_at`,
# a missing bound given as the earliest or the latest instant); or, with neither, in the chain's order from the
# first (`audit_event_seq`), stopping at the limit. A principal filters what the index gives.
_FILTERS: LiteralString = """
  AND ($principal IS NULL OR e.principal = $principal)
RETURN e {.*} AS event
ORDER BY e.seq
LIMIT $limit
"""
EVENTS_OF_SUBJECT: LiteralString = (
    """
MATCH (e:AuditEvent {subjectId: $subjectId})
WHERE e.at >= $from AND e.at < $to"""
    + _FILTERS
)
EVENTS_IN_PERIOD: LiteralString = (
    """
MATCH (e:AuditEvent)
WHERE e.at >= $from AND e.at < $to"""
    + _FILTERS
)
EVENTS_IN_ORDER: LiteralString = (
    """
MATCH (e:AuditEvent)
WHERE e.seq >= 0"""
    + _FILTERS
)
EARLIEST = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)

ALL_EVENTS: LiteralString = """
MATCH (e:AuditEvent)
RETURN e {.*} AS event
ORDER BY e.seq
"""

HEAD: LiteralString = """
OPTIONAL MATCH (h:AuditChain {key: $key})
RETURN coalesce(h.seq, 0) AS seq, coalesce(h.digest, $genesis) AS digest
"""


def _properties(event: AuditEvent) -> dict[str, object]:
    e = event.entry
    return {
        "seq": event.seq,
        "at": e.at,
        "principal": e.principal,
        "role": e.role,
        "operation": e.operation,
        "outcome": e.outcome,
        "subjectId": e.subject_id,
        "requestId": e.request_id,
        "correlationId": e.correlation_id,
        "previous": event.previous,
        "digest": event.digest,
    }


def _event(row: dict[str, object]) -> AuditEvent:
    at = row["at"]
    assert isinstance(at, dt.datetime)
    entry = AuditEntry(
        at=at,
        principal=str(row["principal"]),
        role=str(row["role"]),
        operation=str(row["operation"]),
        outcome=str(row["outcome"]),
        subject_id=None if row.get("subjectId") is None else str(row["subjectId"]),
        request_id=None if row.get("requestId") is None else str(row["requestId"]),
        correlation_id=None if row.get("correlationId") is None else str(row["correlationId"]),
    )
    return AuditEvent(int(str(row["seq"])), entry, str(row["previous"]), str(row["digest"]))


async def append(tx: Transaction, entries: list[AuditEntry], now: dt.datetime) -> list[AuditEvent]:
    """Append entries to the chain inside the caller's write transaction (two statements)."""
    if not entries:
        return []
    (head,) = await run(tx, LOCK_HEAD, key=CHAIN_KEY, genesis=GENESIS, now=now)
    events = chain(entries, int(head["seq"]), str(head["digest"]))
    await run(tx, APPEND, key=CHAIN_KEY, events=[_properties(e) for e in events])
    Observed.observer.audit_events(len(events))  # the service's metrics (api/metrics.py)
    return events


async def read_events(
    db: Database,
    *,
    subject_id: str | None = None,
    principal: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 1000,
) -> list[AuditEvent]:
    bounds = {"from": start or EARLIEST, "to": end or LATEST}
    query = (
        EVENTS_OF_SUBJECT
        if subject_id is not None
        else EVENTS_IN_PERIOD
        if start is not None or end is not None
        else EVENTS_IN_ORDER
    )
    rows: Records = await db.read(query, subjectId=subject_id, principal=principal, limit=limit, **bounds)
    return [_event(r["event"]) for r in rows]


async def read_head(db: Database) -> tuple[int, str]:
    (row,) = await db.read(HEAD, key=CHAIN_KEY, genesis=GENESIS)
    return int(row["seq"]), str(row["digest"])


async def read_all(db: Database) -> list[AuditEvent]:
    """Every event in order (for `datamap audit verify`; the chain is read whole)."""
    return [_event(r["event"]) for r in await db.read(ALL_EVENTS)]

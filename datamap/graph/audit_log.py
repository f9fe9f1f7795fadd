"""The audit trail's persistence: events appended to one hash chain, read back for auditors and `verify`.

Appending takes the chain's head (`AuditChain`) by writing it, so appends serialise and the numbering has no
gaps; the head keeps the last number and digest, so removing the newest events shows too.
"""

from __future__ import annotations

import datetime as dt
from typing import LiteralString

from datamap.domain.audit import GENESIS, AuditEntry, AuditEvent, chain
from datamap.graph.database import Database, Records, Transaction, run

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

EVENTS: LiteralString = """
MATCH (e:AuditEvent)
WHERE ($subjectId IS NULL OR e.subjectId = $subjectId)
  AND ($principal IS NULL OR e.principal = $principal)
  AND ($from IS NULL OR e.at >= $from) AND ($to IS NULL OR e.at < $to)
RETURN e {.*} AS event
ORDER BY e.seq
LIMIT $limit
"""

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
    rows: Records = await db.read(
        EVENTS, subjectId=subject_id, principal=principal, limit=limit, **{"from": start, "to": end}
    )
    return [_event(r["event"]) for r in rows]


async def read_head(db: Database) -> tuple[int, str]:
    (row,) = await db.read(HEAD, key=CHAIN_KEY, genesis=GENESIS)
    return int(row["seq"]), str(row["digest"])


async def read_all(db: Database) -> list[AuditEvent]:
    """Every event in order (for `datamap audit verify`; the chain is read whole)."""
    return [_event(r["event"]) for r in await db.read(ALL_EVENTS)]

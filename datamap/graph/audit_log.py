"""The audit trail's persistence: events appended to one hash chain, read back for auditors and `verify`.

Appending takes the chain's head (`AuditChain`) by writing it, so appends serialise and the numbering has no
gaps; the head keeps the last number and digest, so removing the newest events shows too.

An append is one statement (`APPEND_AFTER`): the process keeps the last head it saw (`LastHead`) and chains the
events on from it in Python (digests are SHA-256, `domain.audit.chain`); the statement locks the head, and
writes the events only if the head is still that one. If another transaction or process appended meanwhile, the
statement writes nothing and returns the head as it is; the events are chained again on from it and the
statement runs again in the same transaction, which now holds the head's lock, so it appends. The chain never
forks and loses nothing, whatever the process believed; a stale belief costs one more statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import LiteralString

from datamap.domain.audit import GENESIS, AuditEntry, AuditEvent, chain
from datamap.graph.database import Database, Observed, Records, Transaction, run

CHAIN_KEY = "datamap"

# The head is locked (written) before its number and digest are read, so what is compared is what the last
# committed append left; `$events` (chained on from `$seq`/`$digest`) are written only if that is still the head.
# Either way the head as it was before is returned.
APPEND_AFTER: LiteralString = """
MERGE (h:AuditChain {key: $key}) ON CREATE SET h.seq = 0, h.digest = $genesis
SET h.lockedAt = $now
WITH h, h.seq AS seq, h.digest AS digest
WITH h, seq, digest, seq = $seq AND digest = $digest AS current
FOREACH (event IN CASE WHEN current THEN $events ELSE [] END | CREATE (e:AuditEvent) SET e = event)
FOREACH (_ IN CASE WHEN current THEN [1] ELSE [] END | SET h.seq = $lastSeq, h.digest = $lastDigest)
RETURN seq, digest, current AS appended
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


@dataclass
class LastHead:
    """The chain's head as this process last saw it (number and digest): what the next append expects. Only a
    guess: `append` checks it under the head's lock."""

    seq: int = -1  # none seen yet: the first append learns the head
    digest: str = GENESIS


SEEN = LastHead()  # the process's


async def append(
    tx: Transaction, entries: list[AuditEntry], now: dt.datetime, seen: LastHead = SEEN
) -> list[AuditEvent]:
    """Append entries to the chain inside the caller's write transaction: one statement when `seen` is still the
    head, two when another append came first (the second then holds the head's lock)."""
    if not entries:
        return []
    seq, digest = seen.seq, seen.digest
    for _ in range(2):
        events = chain(entries, seq, digest)
        last = events[-1]
        (row,) = await run(
            tx,
            APPEND_AFTER,
            key=CHAIN_KEY,
            genesis=GENESIS,
            now=now,
            seq=seq,
            digest=digest,
            events=[_properties(e) for e in events],
            lastSeq=last.seq,
            lastDigest=last.digest,
        )
        if row["appended"]:
            seen.seq, seen.digest = last.seq, last.digest
            Observed.observer.audit_events(len(events))  # the service's metrics (api/metrics.py)
            return events
        seq, digest = int(row["seq"]), str(row["digest"])
        seen.seq, seen.digest = seq, digest
    # the second statement ran holding the head's lock: it cannot have found another head
    raise RuntimeError("the audit chain's head changed while this transaction held its lock")


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

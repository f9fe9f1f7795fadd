"""The audit trail's rules: what an event says, and the hash chain that shows a deleted or altered event.

Each event's digest is SHA-256 over its canonical JSON, which includes the digest of the event before it
(`previous`), so changing or removing any event breaks every digest after it; events are numbered without
gaps (`seq`), so removing the newest ones shows against the chain's head. Events name a subject only by its
id, never by an identifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS = "0" * 64  # the `previous` of the first event


@dataclass(frozen=True)
class AuditEntry:
    """What happened, before it is chained: who, as which role, did what, about whom, with what outcome."""

    at: dt.datetime
    principal: str
    role: str
    operation: str
    outcome: str
    subject_id: str | None = None
    request_id: str | None = None  # the erasure request acted on or read
    correlation_id: str | None = None  # the HTTP request's id (X-Request-Id), as in the access log


@dataclass(frozen=True)
class AuditEvent:
    """An entry in the chain: its number, the previous event's digest and its own."""

    seq: int
    entry: AuditEntry
    previous: str
    digest: str


def _canonical(seq: int, entry: AuditEntry, previous: str) -> str:
    document = {
        "seq": seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "principal": entry.principal,
        "role": entry.role,
        "operation": entry.operation,
        "outcome": entry.outcome,
        "subjectId": entry.subject_id,
        "requestId": entry.request_id,
        "previous": previous,
    }
    if entry.correlation_id is not None:  # events written before it was recorded keep their digests
        document["correlationId"] = entry.correlation_id
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain(entries: Sequence[AuditEntry], after_seq: int, previous: str) -> list[AuditEvent]:
    """The events for `entries`, numbered on from `after_seq` and chained on from the digest `previous`."""
    events: list[AuditEvent] = []
    for offset, entry in enumerate(entries, start=1):
        seq = after_seq + offset
        digest = hashlib.sha256(_canonical(seq, entry, previous).encode()).hexdigest()
        events.append(AuditEvent(seq, entry, previous, digest))
        previous = digest
    return events


def verify(events: Sequence[AuditEvent], head_seq: int, head_digest: str) -> list[str]:
    """Every break in the chain, as sentences naming the event; empty when the chain is whole.

    `events` are all events in `seq` order; `head_seq`/`head_digest` are what the chain's head recorded last.
    """
    problems: list[str] = []
    previous, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq:
            problems.append(f"events {expected_seq} to {event.seq - 1} are missing")
        if event.previous != previous:
            problems.append(
                f"event {event.seq}: does not follow the event before it (previous digest differs)"
            )
        recomputed = hashlib.sha256(_canonical(event.seq, event.entry, event.previous).encode()).hexdigest()
        if recomputed != event.digest:
            problems.append(f"event {event.seq}: its content was changed after it was written")
        previous, expected_seq = event.digest, event.seq + 1
    if expected_seq - 1 != head_seq:
        problems.append(f"the chain's head records {head_seq} events, {expected_seq - 1} are there")
    elif head_seq and previous != head_digest:
        problems.append(f"event {head_seq}: differs from the digest the chain's head recorded")
    return problems

"""The audit trail's use cases: record who did what about whom, read it back, verify the chain.

A write records its event in its own transaction (`record` inside the caller's `db.transaction`); a lookup of a
person records its event before any of that person's data leaves the service (`record_read`, awaited before
the answer is returned). Events name a subject only by its id, never by an identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from datamap.domain.access import Principal
from datamap.domain.audit import AuditEntry, AuditEvent, verify
from datamap.errors import DatabaseUnavailable, DatamapError, QueryTimeout, ValidationError
from datamap.graph import audit_log
from datamap.graph.database import Database, Transaction

MAX_EVENTS = 1000

_correlation: ContextVar[str | None] = ContextVar("datamap_audit_correlation", default=None)


@contextmanager
def correlated(request_id: str) -> Iterator[None]:
    """Events recorded while answering one HTTP request carry its id (the access log line's `request`)."""
    token = _correlation.set(request_id)
    try:
        yield
    finally:
        _correlation.reset(token)


def entry(
    principal: Principal,
    operation: str,
    now: dt.datetime,
    *,
    outcome: str = "ok",
    subject_id: str | None = None,
    request_id: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=now,
        principal=principal.label,
        role=principal.role.value,
        operation=operation,
        outcome=outcome,
        subject_id=subject_id,
        request_id=request_id,
        correlation_id=_correlation.get(),
    )


async def record(tx: Transaction, entries: list[AuditEntry], now: dt.datetime) -> list[AuditEvent]:
    """Append to the chain inside the caller's write transaction: the event commits with the change."""
    return await audit_log.append(tx, entries, now)


async def record_read(
    db: Database, entries: list[AuditEntry], now: dt.datetime, seen: audit_log.LastHead | None = None
) -> None:
    """Append the events of a read in a transaction of their own, committed before the caller answers: one
    statement and the commit while `seen` (the process's last head by default) is still the chain's head."""

    async def work(tx: Transaction) -> None:
        await audit_log.append(tx, entries, now, audit_log.SEEN if seen is None else seen)

    await db.transaction(work)


async def events(
    db: Database,
    *,
    subject_id: str | None = None,
    principal: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = MAX_EVENTS,
) -> list[AuditEvent]:
    if not 1 <= limit <= MAX_EVENTS:
        raise ValidationError(f"limit: {limit} is out of range; give 1 to {MAX_EVENTS}")
    if start is not None and end is not None and end <= start:
        raise ValidationError("to: must be after from")
    return await audit_log.read_events(
        db, subject_id=subject_id, principal=principal, start=start, end=end, limit=limit
    )


@dataclass(frozen=True)
class ChainCheck:
    events: int
    problems: list[str]

    @property
    def whole(self) -> bool:
        return not self.problems


async def check_chain(db: Database) -> ChainCheck:
    """Every event from the first, checked against its predecessor and the chain's head."""
    seq, digest = await audit_log.read_head(db)
    found = await audit_log.read_all(db)
    return ChainCheck(len(found), verify(found, seq, digest))


T = TypeVar("T")
Named = tuple[str | None, str | None]  # (subject id, erasure request id) an answer is about


async def audited_read(
    principal: Principal,
    operation: str,
    now: dt.datetime,
    answer: Callable[[], Awaitable[T | None]],
    names_of: Callable[[T], Iterable[Named]],
    record: Callable[[list[AuditEntry], dt.datetime], Awaitable[None]],
) -> T | None:
    """`answer()`, a lookup of a person, with its events recorded (`record`: committed) before it is returned, so
    no person's data leaves without its event: one event per person the answer names, outcome `found`, `not
    found` or `refused: <code>` (a refused lookup is recorded, then its error raised). When the database itself
    failed nothing can be recorded, and the failure is raised as it is. The API (`api/audited.py`) and the
    command line (`cli_common.py`) record lookups through this one function."""
    failure: DatamapError | None = None
    names: Iterable[Named] = [(None, None)]
    try:
        found = await answer()
    except (DatabaseUnavailable, QueryTimeout):
        raise
    except DatamapError as exc:
        outcome, failure, found = f"refused: {exc.code}", exc, None
    else:
        outcome = "found" if found is not None else "not found"
        names = names_of(found) if found is not None else names
    events = [entry(principal, operation, now, outcome=outcome, subject_id=s, request_id=r) for s, r in names]
    await record(events, now)
    if failure is not None:
        raise failure
    return found

"""The audit log for auditors and admins: who looked at or changed what about whom, and when."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from datamap.api.identifiers import state_of
from datamap.domain.audit import AuditEvent as Event
from datamap.services import audit


@strawberry.type(description="One event of the audit trail, hash-chained to the one before it")
class AuditEvent:
    seq: int
    at: dt.datetime
    principal: str
    role: str
    operation: str = strawberry.field(description="The root field used")
    outcome: str
    subject_id: str | None = strawberry.field(description="The subject's id; never an identifier")
    request_id: str | None = strawberry.field(description="The erasure request acted on or read")
    correlation_id: str | None = strawberry.field(
        description="The HTTP request's id: its X-Request-Id header, and the access log line's `request`"
    )
    previous: str = strawberry.field(description="SHA-256 digest of the event before this one")
    digest: str

    @classmethod
    def of(cls, e: Event) -> AuditEvent:
        return cls(
            seq=e.seq,
            at=e.entry.at,
            principal=e.entry.principal,
            role=e.entry.role,
            operation=e.entry.operation,
            outcome=e.entry.outcome,
            subject_id=e.entry.subject_id,
            request_id=e.entry.request_id,
            correlation_id=e.entry.correlation_id,
            previous=e.previous,
            digest=e.digest,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Audit events, oldest first: by subject id, by principal, in [from, to)")
    async def audit_log(
        self,
        info: Info,
        subject_id: str | None = None,
        principal: str | None = None,
        since: Annotated[dt.datetime | None, strawberry.argument(name="from")] = None,
        until: Annotated[dt.datetime | None, strawberry.argument(name="to")] = None,
        limit: int = 200,
    ) -> list[AuditEvent] | None:
        found = await audit.events(
            state_of(info).db, subject_id=subject_id, principal=principal, start=since, end=until, limit=limit
        )
        return [AuditEvent.of(e) for e in found]

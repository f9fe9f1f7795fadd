"""Erasure requests: opening one from the plan, reading, listing, extending, certifying."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from datamap.domain.deadlines import DeadlineRule
from datamap.domain.erasure_workflow import (
    ErasureRequestRecord,
    RequestStatus,
    certificate,
    check_channel,
    request_tasks,
)
from datamap.domain.subject_events import new_subject_id
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.plans import read_plan
from datamap.services.erasure.views import ErasureRequestInput, RequestView, complete_if_done, view


async def request_erasure(
    db: Database,
    given: ErasureRequestInput,
    *,
    now: dt.datetime,
) -> RequestView:
    """Record a request with the tasks of the plan at this moment, and write the suppression entries first."""
    check_channel(given.channel, given.from_email, given.subject.identifiers)
    if given.received_at.tzinfo is None:
        raise ValidationError("receivedAt: give a time zone, e.g. 2024-05-01T10:00:00Z")
    if given.received_at > now + dt.timedelta(minutes=5):
        raise ValidationError(f"receivedAt: {given.received_at.isoformat()} is in the future")
    hashes = given.subject.hashes
    rule = DeadlineRule(given.jurisdiction)
    received_day = given.received_at.date()  # deadlines count from the day of receipt where it was received
    request_id = uuid.uuid4().hex

    async def work(tx: Transaction) -> RequestView:
        found, known_hashes = await read_plan(tx, given.subject, None, now)
        subject_id = found.subject_id if found else new_subject_id(hashes)
        open_requests = await store.open_requests_of_subject(tx, subject_id, now)
        if open_requests:
            raise ValidationError(
                f"subject: erasure request {open_requests[0]} for this subject is still open; "
                "a repeated request is answered by that one"
            )
        all_hashes = sorted(set(hashes) | set(known_hashes))
        tasks, suppression_event = request_tasks(
            request_id, found, len(all_hashes), event_id=uuid.uuid4().hex, now=now
        )
        request = ErasureRequestRecord(
            id=request_id,
            subject_id=subject_id,
            jurisdiction=given.jurisdiction,
            channel=given.channel,
            identity_method=given.identity_method,
            identity_reference=given.identity_reference,
            received_at=given.received_at.astimezone(dt.UTC),
            received_date=received_day,
            created_at=now,
            deadline=rule.due(received_day),
            version=0,
            warnings=tuple(found.warnings) if found else ("the graph holds no record of this subject",),
            art19_recipients=tuple(r.key for r in found.recipients) if found else (),
            receipt_confirmation_due=rule.receipt_confirmation_due(received_day),
        )
        await store.create_request(
            tx, request, tasks, hashes=all_hashes, suppression_event=suppression_event, now=now
        )
        # with nothing to do but the suppression entry, the request completes at once
        return await complete_if_done(tx, request_id, now)

    return await db.transaction(work)


async def get_request(db: Database, request_id: str, *, today: dt.date) -> RequestView:
    found = await store.request_with_tasks(db, request_id)
    if found is None:
        raise NotFound(f"request: no erasure request {request_id!r}")
    return view(*found, today)


async def list_requests(
    db: Database,
    status: RequestStatus | None = None,
    overdue: bool | None = None,
    *,
    today: dt.date,
) -> list[RequestView]:
    open_only = status is not None and status is not RequestStatus.COMPLETE
    views = [view(request, tasks, today) for request, tasks in await store.list_requests(db, open_only)]
    return [
        v
        for v in views
        if (status is None or v.status is status) and (overdue is None or v.overdue is overdue)
    ]


async def extend_deadline(
    db: Database,
    request_id: str,
    reason: str,
    *,
    now: dt.datetime,
) -> RequestView:
    """Extend once, with reasons, within the first period (GDPR +2 months, CCPA +45 days)."""

    async def work(tx: Transaction) -> None:
        request = await store.lock_request(tx, request_id)
        if request is None:
            raise NotFound(f"request: no erasure request {request_id!r}")
        if request.completed_at is not None:
            raise ValidationError(f"request {request_id}: already complete")
        rule = DeadlineRule(request.jurisdiction)
        extended = rule.check_extension(
            request.received_date, now.date(), reason, request.extended_deadline is not None
        )
        await store.update_request(
            tx,
            request,
            replace(request, extended_deadline=extended, extension_reason=reason, extended_at=now),
        )

    await db.transaction(work)
    return await get_request(db, request_id, today=now.date())


@dataclass(frozen=True)
class Certificate:
    request_id: str
    document: str
    digest: str
    stored_digest: str

    @property
    def intact(self) -> bool:
        """Whether the record today still gives the digest kept when the request completed."""
        return self.digest == self.stored_digest


async def completion_certificate(db: Database, request_id: str, *, today: dt.date) -> Certificate:
    found = await get_request(db, request_id, today=today)
    if found.status is not RequestStatus.COMPLETE:
        unsettled = [t.key for t in found.tasks if not t.verified]
        raise ValidationError(
            f"request {request_id}: not complete ({found.status.value}); unverified tasks: {', '.join(unsettled)}"
        )
    stored = found.request.certificate_digest
    if stored is None:
        raise ValidationError(
            f"request {request_id}: complete, but no certificate digest was kept at completion"
        )
    document, certificate_digest = certificate(found.request, found.tasks)
    return Certificate(request_id, document, certificate_digest, stored)

"""Erasure requests: opening one from the plan, approving one, reading, listing, extending, certifying.

Every mutation takes the principal it acts for and records its audit event in its own transaction
(`trail.py`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from datamap.domain.access import Principal
from datamap.domain.deadlines import DeadlineRule, check_past
from datamap.domain.erasure_certificate import certificate
from datamap.domain.erasure_plan import SUPPRESSION_KEY
from datamap.domain.erasure_records import ErasureRequestRecord, RequestStatus
from datamap.domain.erasure_workflow import (
    approval,
    check_channel,
    digest,
    request_tasks,
    suppression_written,
)
from datamap.domain.subject_events import new_subject_id
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.plans import read_plan
from datamap.services.erasure.trail import REPLAYED, Trail, refusals
from datamap.services.erasure.views import (
    ErasureRequestInput,
    RequestView,
    complete_if_done,
    seen_by,
    view,
)

NOT_VERIFIED = "not_verified"
MAX_KEY_LENGTH = 200


class _Replay(Exception):
    """Raised inside a transaction to roll it back when the call repeats one already applied."""

    def __init__(self, found: RequestView) -> None:
        self.found = found


async def request_erasure(
    db: Database,
    given: ErasureRequestInput,
    *,
    principal: Principal,
    now: dt.datetime,
) -> RequestView:
    """Record a request with the tasks of the plan at this moment, and write the suppression entries first; a
    request whose identity is not verified waits for a second compliance principal's approval, suppression
    included. The same idempotency key twice gives the first request."""
    trail = Trail(principal, "requestErasure", now)
    async with refusals(db, trail):
        try:
            return await _request_erasure(db, given, trail)
        except _Replay as replay:
            await trail.write_alone(db, REPLAYED)
            return replay.found


async def _request_erasure(db: Database, given: ErasureRequestInput, trail: Trail) -> RequestView:
    principal, now = trail.principal, trail.now
    check_channel(given.channel, given.from_email, given.subject.identifiers)
    check_past(given.received_at, now, "receivedAt")
    key = given.idempotency_key
    if key is not None and not (0 < len(key.strip()) <= MAX_KEY_LENGTH):
        raise ValidationError(f"idempotencyKey: give 1 to {MAX_KEY_LENGTH} characters, or leave it out")
    key_digest = None if key is None else digest(key)
    hashes = given.subject.hashes
    rule = DeadlineRule(given.jurisdiction)
    received_day = given.received_at.date()  # deadlines count from the day of receipt where it was received
    request_id = uuid.uuid4().hex
    approval_required = given.identity_method == NOT_VERIFIED

    async def work(tx: Transaction) -> RequestView:
        found, known_hashes = await read_plan(tx, given.subject, None, now)
        subject_id = found.subject_id if found else new_subject_id(hashes)
        trail.about(subject_id=subject_id)
        open_requests = await store.open_requests_of_subject(tx, subject_id, now)  # the subject's lock
        if key_digest is not None:
            await _replay_of_key(tx, key_digest, subject_id, hashes, now)
        if open_requests:
            raise ValidationError(
                f"subject: erasure request {open_requests[0]} for this subject is still open; "
                "a repeated request is answered by that one"
            )
        all_hashes = sorted(set(hashes) | set(known_hashes))
        tasks, suppression_event = request_tasks(
            request_id,
            found,
            len(all_hashes),
            by=principal,
            approval_required=approval_required,
            event_id=uuid.uuid4().hex,
            now=now,
        )
        request = ErasureRequestRecord(
            id=request_id,
            subject_id=subject_id,
            jurisdiction=given.jurisdiction,
            channel=given.channel,
            identity_method=given.identity_method,
            identity_reference=given.identity_reference,
            received_at=given.received_at,  # with its offset: overdue is judged on the day there
            received_date=received_day,
            created_at=now,
            deadline=rule.due(received_day),
            version=0,
            warnings=tuple(found.warnings) if found else ("the graph holds no record of this subject",),
            art19_recipients=tuple(r.key for r in found.recipients) if found else (),
            receipt_confirmation_due=rule.receipt_confirmation_due(received_day),
            opened_by=principal.label,
            approval_required=approval_required,
            pending_suppression=tuple(all_hashes) if approval_required else (),
            idempotency_key_digest=key_digest,
        )
        trail.about(request_id=request_id)
        await store.create_request(
            tx,
            request,
            tasks,
            hashes=[] if approval_required else all_hashes,
            suppression_event=suppression_event,
            now=now,
        )
        # with nothing to do but the suppression entry, the request completes at once
        opened = await complete_if_done(tx, request_id, now)
        await trail.write(tx)
        return opened

    return await db.transaction(work)


async def _replay_of_key(
    tx: Transaction, key_digest: str, subject_id: str, hashes: list[str], now: dt.datetime
) -> None:
    """Raise `_Replay` with the request first opened with this key; `ValidationError` when that request is
    about another subject."""
    first = await store.request_by_key(tx, key_digest)
    if first is None:
        return
    request, suppressed = first
    same_subject = (
        request.subject_id == subject_id
        or bool(set(hashes) & set(suppressed))
        or bool(set(hashes) & set(request.pending_suppression))
    )
    if not same_subject:
        raise ValidationError("idempotencyKey: already used for an erasure request about another subject")
    found = await store.request_with_tasks(tx, request.id)
    assert found is not None  # just read by its key, in this transaction
    raise _Replay(view(*found, now))


async def approve_request(
    db: Database, request_id: str, reason: str, *, principal: Principal, now: dt.datetime
) -> RequestView:
    """Approve a request whose identity is not verified: a compliance principal other than the one that opened
    it. Its suppression entries are written (with the subject's identifiers as they are now) and its tasks may
    run."""
    trail = Trail(principal, "approveErasureRequest", now, request_id=request_id)

    async def work(tx: Transaction) -> RequestView:
        request = await store.lock_request(tx, request_id)
        if request is None:
            raise NotFound(f"request: no erasure request {request_id!r}")
        trail.about(subject_id=request.subject_id)
        approved = approval(request, reason, by=principal, now=now)
        found = await store.request_with_tasks(tx, request_id)
        assert found is not None  # locked above
        _, tasks = found
        suppression = next(t for t in tasks if t.key == SUPPRESSION_KEY)
        hashes = sorted(
            set(request.pending_suppression) | set(await store.identifier_hashes(tx, request.subject_id))
        )
        done, event = suppression_written(
            suppression, len(hashes), by=principal, event_id=uuid.uuid4().hex, now=now
        )
        await store.approve_request(tx, request, approved, (suppression, done), event, hashes=hashes, now=now)
        answer = await complete_if_done(tx, request_id, now)
        await trail.write(tx)
        return answer

    async with refusals(db, trail):
        return await db.transaction(work)


async def get_request(
    db: Database, request_id: str, *, principal: Principal, now: dt.datetime
) -> RequestView:
    """One request as the principal may see it (a vendor: only a request with one of its tasks)."""
    found = await store.request_with_tasks(db, request_id)
    seen = seen_by(view(*found, now), principal) if found is not None else None
    if seen is None:
        raise NotFound(f"request: no erasure request {request_id!r}")
    return seen


async def list_requests(
    db: Database,
    status: RequestStatus | None = None,
    overdue: bool | None = None,
    *,
    principal: Principal,
    now: dt.datetime,
) -> list[RequestView]:
    """The requests the principal may see (a vendor: those with one of its tasks, showing only those)."""
    open_only = status is not None and status is not RequestStatus.COMPLETE
    rows = await store.list_requests(db, open_only, principal.recipient)
    views = [seen_by(view(request, tasks, now), principal) for request, tasks in rows]
    return [
        v
        for v in views
        if v is not None
        and (status is None or v.status is status)
        and (overdue is None or v.overdue is overdue)
    ]


async def extend_deadline(
    db: Database,
    request_id: str,
    reason: str,
    *,
    months: int | None = None,
    principal: Principal,
    now: dt.datetime,
) -> RequestView:
    """Extend, with reasons, within the first period: GDPR by one or two months, two further months in all
    (by default, to the latest); CCPA once by 45 days."""
    trail = Trail(principal, "extendDeadline", now, request_id=request_id)

    async def work(tx: Transaction) -> None:
        request = await store.lock_request(tx, request_id)
        if request is None:
            raise NotFound(f"request: no erasure request {request_id!r}")
        trail.about(subject_id=request.subject_id)
        if request.completed_at is not None:
            raise ValidationError(f"request {request_id}: already complete")
        rule = DeadlineRule(request.jurisdiction)
        extended = rule.check_extension(
            request.received_date, now.date(), reason, request.extended_deadline, months
        )
        await store.update_request(
            tx,
            request,
            replace(request, extended_deadline=extended, extension_reason=reason, extended_at=now),
        )
        await trail.write(tx)

    async with refusals(db, trail):
        await db.transaction(work)
    return await get_request(db, request_id, principal=principal, now=now)


@dataclass(frozen=True)
class Certificate:
    request_id: str
    subject_id: str
    document: str
    digest: str
    stored_digest: str

    @property
    def intact(self) -> bool:
        """Whether the record today still gives the digest kept when the request completed."""
        return self.digest == self.stored_digest


async def completion_certificate(
    db: Database, request_id: str, *, principal: Principal, now: dt.datetime
) -> Certificate:
    """The certificate of a complete request, computed again from the whole record (never a scoped view)."""
    whole = await store.request_with_tasks(db, request_id)
    found = view(*whole, now) if whole is not None else None
    if found is None or seen_by(found, principal) is None:
        raise NotFound(f"request: no erasure request {request_id!r}")
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
    return Certificate(request_id, found.request.subject_id, document, certificate_digest, stored)

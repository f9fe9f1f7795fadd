"""Access and right-to-know requests (GDPR Art. 15; CCPA §1798.110): recording one, confirming its receipt,
extending its deadline, reading and listing them, and answering one when its response document is sent.

Each mutation is one write transaction with its audit event (`erasure/trail.py`: a refused one is recorded in a
transaction of its own). The rules and deadlines are the domain's (`domain/subject_requests.py`,
`domain/deadlines.py`); the subject is looked up as every use case does (`subjects.py`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from datamap.domain.access import Principal
from datamap.domain.erasure_workflow import digest
from datamap.domain.subject_requests import (
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestStatus,
    answering,
    confirmation,
    extension,
    received,
)
from datamap.errors import NotFound, ValidationError
from datamap.graph import subject_request_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.trail import REPLAYED, Trail, refusals
from datamap.services.subjects import SubjectLookup

MAX_KEY_LENGTH = 200
MAX_LISTED = 1000


@dataclass(frozen=True)
class SubjectRequestInput:
    kind: SubjectRequestKind
    subject: SubjectLookup
    received_at: dt.datetime
    channel: str
    since: dt.date | None = None  # right to know: back to this day (§1798.130(a)(2)(B))
    idempotency_key: str | None = None  # the same key twice gives the first request


def _not_found(request_id: str, where: str = "id") -> NotFound:
    return NotFound(f"{where}: no subject request {request_id!r}")


async def record_subject_request(
    db: Database, given: SubjectRequestInput, *, principal: Principal, now: dt.datetime
) -> SubjectRequest:
    """Record a request about a subject the graph holds, with its deadlines. The same idempotency key again gives
    the first request (refused when that one is about another subject or of another kind)."""
    trail = Trail(principal, "recordSubjectRequest", now)
    key = given.idempotency_key

    async def work(tx: Transaction) -> SubjectRequest:
        subject_id = await given.subject.subject_id(tx)
        if subject_id is None:
            raise given.subject.unknown()
        trail.about(subject_id=subject_id)
        new = received(
            uuid.uuid4().hex,
            given.kind,
            subject_id,
            given.received_at,
            given.channel,
            given.since,
            residence=await store.subject_residence(tx, subject_id),
            key_digest=None if key is None else digest(key),
            by=principal,
            now=now,
        )
        kept = await store.create_request(tx, new)
        trail.about(request_id=kept.id)
        replayed = kept.id != new.id
        if replayed and (kept.subject_id, kept.kind) != (new.subject_id, new.kind):
            raise ValidationError(
                "idempotencyKey: already used for a subject request about another subject or of another kind"
            )
        await trail.write(tx, REPLAYED if replayed else "ok")
        return kept

    async with refusals(db, trail):
        if key is not None and not 0 < len(key.strip()) <= MAX_KEY_LENGTH:
            raise ValidationError(f"idempotencyKey: give 1 to {MAX_KEY_LENGTH} characters, or leave it out")
        return await db.transaction(work)


async def _change(
    db: Database, request_id: str, trail: Trail, change: Callable[[SubjectRequest], SubjectRequest]
) -> SubjectRequest:
    async def work(tx: Transaction) -> SubjectRequest:
        found = await store.lock_request(tx, request_id)
        if found is None:
            raise _not_found(request_id)
        trail.about(subject_id=found.subject_id)
        written = await store.write_request(tx, change(found))
        await trail.write(tx)
        return written

    async with refusals(db, trail):
        return await db.transaction(work)


async def confirm_subject_request(
    db: Database,
    request_id: str,
    confirmed_at: dt.datetime | None = None,
    *,
    principal: Principal,
    now: dt.datetime,
) -> SubjectRequest:
    """Record that the receipt of a CCPA request was confirmed to the consumer (11 CCR §7021(a)), at
    `confirmed_at` (default: now)."""
    trail = Trail(principal, "confirmSubjectRequest", now, request_id=request_id)
    return await _change(
        db, request_id, trail, lambda r: confirmation(r, confirmed_at, by=principal, now=now)
    )


async def extend_subject_request(
    db: Database,
    request_id: str,
    reason: str,
    months: int | None = None,
    *,
    principal: Principal,
    now: dt.datetime,
) -> SubjectRequest:
    """Extend the deadline, notified now with the reasons: GDPR Art. 12(3) by `months` (1 or 2; default: to the
    latest), two further months in all; CCPA §1798.130(a)(2)(A) once by 45 days."""
    trail = Trail(principal, "extendSubjectRequest", now, request_id=request_id)
    return await _change(db, request_id, trail, lambda r: extension(r, reason, months, now=now))


async def get_subject_request(db: Database, request_id: str) -> SubjectRequest:
    found = await store.request_by_id(db, request_id)
    if found is None:
        raise _not_found(request_id)
    return found


async def list_subject_requests(
    db: Database,
    kind: SubjectRequestKind | None = None,
    status: SubjectRequestStatus | None = None,
    overdue: bool | None = None,
    *,
    now: dt.datetime,
    limit: int = 100,
) -> list[SubjectRequest]:
    """The requests every filter given matches (`overdue`: not answered and past the deadline on the day `now`
    is where each was received, `SubjectRequest.overdue`), the most urgent first, at most `limit`."""
    if not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"limit: {limit} is out of range; give 1 to {MAX_LISTED}")
    return await store.list_requests(db, kind, status, overdue, now=now, limit=limit)


async def to_answer(db: Database, request_id: str, where: str) -> tuple[SubjectRequest, SubjectLookup]:
    """The request a response is drafted for, and its subject as a lookup by the keyed hashes its identifiers
    have now (none once the subject is erased: the lookup then finds no one); errors name `where`."""
    found = await store.request_with_hashes(db, request_id)
    if found is None:
        raise _not_found(request_id, where)
    return found.request, SubjectLookup((), found.hashes, where)


async def answer(tx: Transaction, request_id: str, document_id: str, now: dt.datetime) -> SubjectRequest:
    """Inside the transaction that marks its response document sent: the request answered by that document."""
    found = await store.lock_request(tx, request_id)
    if found is None:
        raise _not_found(request_id, "subjectRequest")
    answered = answering(found, document_id, now=now)
    return found if answered is found else await store.write_request(tx, answered)

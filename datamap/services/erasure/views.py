"""Erasure requests as the service hands them out: the request, its tasks, what follows; and completion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from datamap.domain.access import Principal
from datamap.domain.deadlines import Jurisdiction, is_overdue, local_day
from datamap.domain.erasure_certificate import certificate, scrubbed
from datamap.domain.erasure_records import ErasureRequestRecord, ErasureTaskRecord, RequestStatus
from datamap.domain.erasure_workflow import in_scope, status_of
from datamap.errors import NotFound
from datamap.graph import document_store, subject_request_store
from datamap.graph import erasure_store as store
from datamap.graph.database import Transaction
from datamap.services.subjects import SubjectLookup


@dataclass(frozen=True)
class ErasureRequestInput:
    subject: SubjectLookup
    received_at: dt.datetime
    jurisdiction: Jurisdiction
    channel: str
    identity_method: str
    identity_reference: str = ""
    from_email: str | None = None
    idempotency_key: str | None = None  # the same key twice gives the first request


@dataclass
class RequestView:
    """A request with its tasks (by stage, then key) and what follows from them."""

    request: ErasureRequestRecord
    tasks: list[ErasureTaskRecord]
    status: RequestStatus
    deadline: dt.date
    overdue: bool


def view(request: ErasureRequestRecord, tasks: list[ErasureTaskRecord], now: dt.datetime) -> RequestView:
    """The request as answered on `now`: overdue when, on the day where it was received, its deadline passed."""
    status = status_of(request, tasks)
    deadline = request.effective_deadline
    return RequestView(
        request,
        sorted(tasks, key=lambda t: (t.stage, t.key)),
        status,
        deadline,
        is_overdue(deadline, local_day(request.received_at, now), status is RequestStatus.COMPLETE),
    )


def seen_by(found: RequestView, principal: Principal) -> RequestView | None:
    """The request as the principal may see it: a principal scoped to one recipient (a vendor) sees only that
    recipient's tasks, and nothing of the request that names others or holds free text; None when the request
    has no task of that recipient. The status is the whole request's."""
    recipient = principal.recipient
    if recipient is None:
        return found
    tasks = [t for t in found.tasks if in_scope(t, recipient)]
    if not tasks:
        return None
    request = replace(
        found.request,
        warnings=(),
        art19_recipients=tuple(r for r in found.request.art19_recipients if r == recipient),
        identity_reference="",
        extension_reason=None,
        approval_reason=None,
        pending_suppression=(),
    )
    return replace(found, request=request, tasks=tasks)


async def complete_if_done(tx: Transaction, request_id: str, now: dt.datetime) -> RequestView:
    """When every task is settled and verified: clear the free text that may hold the person's data, keep the
    certificate's digest (of the record so cleared), clear the subject layer, the content of the documents
    drafted from it and the reasons of its access and right-to-know requests' extensions. Returns the request as
    it now stands."""
    found = await store.request_with_tasks(tx, request_id)
    if found is None:
        raise NotFound(f"request: no erasure request {request_id!r}")
    request, tasks = found
    if status_of(request, tasks) is RequestStatus.COMPLETE:
        clean_request, clean_tasks = scrubbed(request, tasks)
        clean_request = replace(clean_request, completed_at=now)
        _, certificate_digest = certificate(clean_request, clean_tasks)
        clean_request = replace(clean_request, certificate_digest=certificate_digest)
        request = await store.complete_request(tx, (request, tasks), (clean_request, clean_tasks), now)
        # documents about the person that its subject layer gave do not outlive it (`domain/review.py`), nor do
        # the reasons given for extending its access or right-to-know requests (`domain/subject_requests.py`)
        await document_store.clear_about_subject(tx, request.subject_id, now)
        await subject_request_store.clear_about_subject(tx, request.subject_id, now)
        tasks = clean_tasks
    return view(request, tasks, now)

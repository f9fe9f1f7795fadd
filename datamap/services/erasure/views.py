"""Erasure requests as the service hands them out: the request, its tasks, what follows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from datamap.domain.deadlines import Jurisdiction, is_overdue
from datamap.domain.erasure_workflow import (
    ErasureRequestRecord,
    ErasureTaskRecord,
    RequestStatus,
    certificate,
    request_status,
)
from datamap.errors import NotFound
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


@dataclass
class RequestView:
    """A request with its tasks (by stage, then key) and what follows from them."""

    request: ErasureRequestRecord
    tasks: list[ErasureTaskRecord]
    status: RequestStatus
    deadline: dt.date
    overdue: bool


def view(request: ErasureRequestRecord, tasks: list[ErasureTaskRecord], today: dt.date) -> RequestView:
    status = request_status([t.state for t in tasks])
    deadline = request.effective_deadline
    return RequestView(
        request,
        sorted(tasks, key=lambda t: (t.stage, t.key)),
        status,
        deadline,
        is_overdue(deadline, today, status is RequestStatus.COMPLETE),
    )


async def complete_if_done(tx: Transaction, request_id: str, now: dt.datetime) -> RequestView:
    """When every task is settled and verified: keep the certificate's digest and clear the subject layer.
    Returns the request as it now stands."""
    found = await store.request_with_tasks(tx, request_id)
    if found is None:
        raise NotFound(f"request: no erasure request {request_id!r}")
    request, tasks = found
    if request_status([t.state for t in tasks]) is RequestStatus.COMPLETE:
        _, certificate_digest = certificate(replace(request, completed_at=now), tasks)
        request = await store.complete_request(tx, request_id, now, certificate_digest)
    return view(request, tasks, now.date())

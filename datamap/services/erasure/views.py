"""Erasure requests as the service hands them out: the request, its tasks, what follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datamap.domain.deadlines import Jurisdiction, is_overdue
from datamap.domain.erasure_plan import (
    Action,
)
from datamap.domain.erasure_workflow import (
    RequestStatus,
    TaskState,
    TaskStatus,
    certificate,
    request_status,
)
from datamap.domain.identifiers import SubjectIdentifier
from datamap.graph import erasure_queries as q
from datamap.graph.database import Transaction, run


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ErasureRequestInput:
    identifiers: Sequence[SubjectIdentifier]
    received_at: dt.datetime
    jurisdiction: Jurisdiction
    channel: str
    identity_method: str
    identity_reference: str = ""
    from_email: str | None = None


@dataclass
class RequestView:
    """A request with its tasks and what follows from them."""

    request: dict[str, Any]
    tasks: list[dict[str, Any]]
    status: RequestStatus
    deadline: dt.date
    overdue: bool


def task_state(task: dict[str, Any]) -> TaskState:
    return TaskState(
        task["key"], Action(task["action"]), TaskStatus(task["status"]), bool(task.get("verified"))
    )


def view(request: dict[str, Any], tasks: list[dict[str, Any]], today: dt.date | None = None) -> RequestView:
    status = request_status([task_state(t) for t in tasks])
    deadline = request.get("extendedDeadline") or request["deadline"]
    today = today or utc_now().date()
    return RequestView(
        request,
        sorted(tasks, key=lambda t: (t.get("stage", 0), t["key"])),
        status,
        deadline,
        is_overdue(deadline, today, status is RequestStatus.COMPLETE),
    )


async def complete_if_done(tx: Transaction, request_id: str, now: dt.datetime) -> RequestView:
    """When every task is settled and verified: keep the certificate's digest and clear the subject layer.
    Returns the request as it now stands."""
    (row,) = await run(tx, q.REQUEST_WITH_TASKS, id=request_id)
    request, tasks = row["request"], row["tasks"]
    if request_status([task_state(t) for t in tasks]) is RequestStatus.COMPLETE:
        _, certificate_digest = certificate({**request, "completedAt": now}, tasks)
        (done,) = await run(tx, q.COMPLETE_REQUEST, id=request_id, now=now, digest=certificate_digest)
        request = done["request"]
    return view(request, tasks, now.date())

"""What waits for people, for the service's metrics: erasure requests by status and how many are overdue, and
documents awaiting approval (a second compliance principal's). One statement (`graph/backlog_queries.py`); the
statuses and "overdue" are the workflow's own rules, as `erasureRequests(status:, overdue:)` answers them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datamap.domain.deadlines import is_overdue, local_day
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import RequestStatus, TaskState, TaskStatus
from datamap.domain.erasure_workflow import request_status
from datamap.domain.review import DocumentStatus
from datamap.graph.backlog_queries import read_backlog
from datamap.graph.database import Database


@dataclass(frozen=True)
class Backlog:
    erasure_requests: dict[RequestStatus, int]  # every status, zeros included
    erasure_overdue: int  # not complete and past the (extended) deadline
    documents_awaiting_approval: int


async def backlog(db: Database, now: dt.datetime) -> Backlog:
    """The backlog as of `now` (overdue is judged on the day where each request was received, as the API's
    `erasureRequests` does)."""
    rows = await read_backlog(db, DocumentStatus.DRAFT.value)
    counts = dict.fromkeys(RequestStatus, 0)
    overdue = 0
    for r in rows.open_requests:
        if r.awaiting_approval:
            status = RequestStatus.AWAITING_APPROVAL
        else:
            states = [TaskState("", Action(a), TaskStatus(s), v) for a, s, v in r.tasks]
            status = request_status(states)
        counts[status] += 1
        overdue += is_overdue(r.deadline, local_day(r.received_at, now), status is RequestStatus.COMPLETE)
    counts[RequestStatus.COMPLETE] += rows.requests - len(rows.open_requests)
    return Backlog(counts, overdue, rows.draft_documents)

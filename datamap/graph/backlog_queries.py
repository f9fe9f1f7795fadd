"""What waits for people, read in one statement for the service's metrics (`services/backlog.py`): the erasure
requests not complete with what their status and deadline are made of, how many requests there are in all, and
the documents awaiting approval. Counts and states only: no subject, no identifier, no free text.

It reads every `ErasureRequest` and `Document` node's status property (no index serves "not complete" or "draft"),
and the tasks of the requests not complete: the metrics read it at most once every few seconds (`api/metrics.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import LiteralString

from datamap.graph.database import Database

BACKLOG: LiteralString = """
CALL () {
  MATCH (r:ErasureRequest)
  WHERE r.completedAt IS NULL
  RETURN collect({
    awaitingApproval: coalesce(r.approvalRequired, false) AND r.approvedAt IS NULL,
    deadline: coalesce(r.extendedDeadline, r.deadline),
    receivedAt: r.receivedAt,
    tasks: [(t:ErasureTask)-[:PART_OF]->(r) | [t.action, t.status, coalesce(t.verified, false)]]
  }) AS open
}
CALL () {
  MATCH (r:ErasureRequest)
  RETURN count(r) AS requests
}
CALL () {
  MATCH (d:Document)
  WHERE d.status = $draft
  RETURN count(d) AS drafts
}
RETURN open, requests, drafts
"""


@dataclass(frozen=True)
class OpenRequestRow:
    awaiting_approval: bool
    deadline: dt.date
    received_at: dt.datetime
    tasks: list[tuple[str, str, bool]]  # action, status, verified


@dataclass(frozen=True)
class BacklogRows:
    open_requests: list[OpenRequestRow]
    requests: int  # all erasure requests, complete or not
    draft_documents: int


async def read_backlog(db: Database, draft_status: str) -> BacklogRows:
    (row,) = await db.read(BACKLOG, draft=draft_status)
    return BacklogRows(
        open_requests=[
            OpenRequestRow(
                bool(r["awaitingApproval"]),
                r["deadline"],
                r["receivedAt"],
                [(str(a), str(s), bool(v)) for a, s, v in r["tasks"]],
            )
            for r in row["open"]
        ],
        requests=int(row["requests"]),
        draft_documents=int(row["drafts"]),
    )

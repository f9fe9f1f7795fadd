"""Access and right-to-know requests as the graph keeps them: one `:SubjectRequest` node each, linked to its
subject by id (`subjectId`, indexed, as an erasure request is).

Properties carry camelCase names; this module is the one place they are read and written
(`request_from_node`, `request_properties`: a property that is None is not kept). `status` is kept as the
record derives it, so that a listing filters on it in the statement. Each function runs one named statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from datamap.domain.subject_requests import (
    LAW_OF_KIND,
    RequestLaw,
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestStatus,
)
from datamap.graph.database import Database, Transaction, run

CREATE_REQUEST: LiteralString = """
CREATE (r:SubjectRequest) SET r = $request
RETURN r {.*} AS request
"""

# With an idempotency key: the request first recorded with it, or this one. The key's unique constraint makes a
# concurrent call with the same key wait for the first, then find its request.
CREATE_ONCE: LiteralString = """
MERGE (r:SubjectRequest {idempotencyKeyDigest: $request.idempotencyKeyDigest})
ON CREATE SET r = $request
RETURN r {.*} AS request
"""

REQUEST_BY_ID: LiteralString = """
MATCH (r:SubjectRequest {id: $id})
RETURN r {.*} AS request
"""

# The request with the keyed hashes of its subject's identifiers as they are now (none once the subject is erased):
# a response drafted for the request looks its subject up by them.
REQUEST_WITH_HASHES: LiteralString = """
MATCH (r:SubjectRequest {id: $id})
RETURN r {.*} AS request,
       COLLECT { MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject {id: r.subjectId}) RETURN i.hash } AS hashes
"""

# Taken for a change: the write lock on the node, and its version raised.
LOCK_REQUEST: LiteralString = """
MATCH (r:SubjectRequest {id: $id}) SET r.version = r.version + 1
RETURN r {.*} AS request
"""

# `SET r = $request` replaces every property: one that is null in the map is removed.
WRITE_REQUEST: LiteralString = """
MATCH (r:SubjectRequest {id: $id}) SET r = $request
RETURN r {.*} AS request
"""

# Where the subject a request is about lives (when the graph records it): the law of an access request.
SUBJECT_RESIDENCE: LiteralString = """
OPTIONAL MATCH (s:Subject {id: $subjectId})
RETURN s.country AS country, s.region AS region
"""

# Overdue as `SubjectRequest.overdue` has it: not answered, and today where the request was received (the
# instant `$now` in the time zone `receivedAt` was kept with, `SubjectRequest.local_day`) past the deadline (as
# extended). The most urgent first.
LIST_REQUESTS: LiteralString = """
MATCH (r:SubjectRequest)
WHERE ($kind IS NULL OR r.kind = $kind)
  AND ($status IS NULL OR r.status = $status)
  AND ($overdue IS NULL
       OR (r.answeredAt IS NULL
           AND coalesce(r.extendedDeadline, r.deadline)
               < date(datetime({datetime: $now, timezone: r.receivedAt.timezone}))) = $overdue)
RETURN r {.*} AS request
ORDER BY coalesce(r.extendedDeadline, r.deadline), r.receivedAt, r.id
LIMIT $limit
"""

# When a subject's erasure completes: the reasons of its requests' extensions (free text) are cleared.
CLEAR_ABOUT_SUBJECT: LiteralString = """
MATCH (r:SubjectRequest {subjectId: $subjectId})
WHERE r.extensionReasons IS NOT NULL
SET r.extensionReasons = null, r.reasonsClearedAt = $now, r.version = r.version + 1
RETURN count(r) AS cleared
"""


def request_from_node(node: Mapping[str, Any]) -> SubjectRequest:
    kind = SubjectRequestKind(node["kind"])
    return SubjectRequest(
        id=node["id"],
        kind=kind,
        subject_id=node["subjectId"],
        received_at=node["receivedAt"],
        received_date=node["receivedDate"],
        channel=node["channel"],
        deadline=node["deadline"],
        recorded_at=node["recordedAt"],
        recorded_by=node["recordedBy"],
        law=RequestLaw(node["law"]) if node.get("law") else LAW_OF_KIND[kind],  # kept before its law was
        since=node.get("since"),
        receipt_confirmation_due=node.get("receiptConfirmationDue"),
        confirmed_at=node.get("confirmedAt"),
        confirmed_by=node.get("confirmedBy"),
        extended_deadline=node.get("extendedDeadline"),
        extension_reasons=tuple(node.get("extensionReasons") or ()),
        extended_at=node.get("extendedAt"),
        response_document_id=node.get("responseDocumentId"),
        answered_at=node.get("answeredAt"),
        idempotency_key_digest=node.get("idempotencyKeyDigest"),
        reasons_cleared_at=node.get("reasonsClearedAt"),
        version=node.get("version", 0),
    )


def request_properties(request: SubjectRequest) -> dict[str, Any]:
    """The node's properties (None: not kept)."""
    return {
        "id": request.id,
        "kind": request.kind.value,
        "subjectId": request.subject_id,
        "receivedAt": request.received_at,
        "receivedDate": request.received_date,
        "channel": request.channel,
        "deadline": request.deadline,
        "recordedAt": request.recorded_at,
        "recordedBy": request.recorded_by,
        "law": request.law.value,
        "since": request.since,
        "receiptConfirmationDue": request.receipt_confirmation_due,
        "confirmedAt": request.confirmed_at,
        "confirmedBy": request.confirmed_by,
        "extendedDeadline": request.extended_deadline,
        "extensionReasons": list(request.extension_reasons) or None,
        "extendedAt": request.extended_at,
        "responseDocumentId": request.response_document_id,
        "answeredAt": request.answered_at,
        "idempotencyKeyDigest": request.idempotency_key_digest,
        "reasonsClearedAt": request.reasons_cleared_at,
        "status": request.status.value,
        "version": request.version,
    }


async def subject_residence(tx: Transaction, subject_id: str) -> tuple[str | None, str | None]:
    """The country and region (ISO 3166-2) the subject lives in, as the graph records them (None: not known)."""
    (row,) = await run(tx, SUBJECT_RESIDENCE, subjectId=subject_id)
    return row["country"], row["region"]


async def create_request(tx: Transaction, request: SubjectRequest) -> SubjectRequest:
    """Write a new request; with an idempotency key, the one first written with that key when there is one
    (then `request` is not written)."""
    query = CREATE_REQUEST if request.idempotency_key_digest is None else CREATE_ONCE
    (row,) = await run(tx, query, request=request_properties(request))
    return request_from_node(row["request"])


async def request_by_id(db: Database, request_id: str) -> SubjectRequest | None:
    rows = await db.read(REQUEST_BY_ID, id=request_id)
    return request_from_node(rows[0]["request"]) if rows else None


@dataclass(frozen=True)
class RequestWithHashes:
    """A request, and the keyed hashes of its subject's identifiers as they are now."""

    request: SubjectRequest
    hashes: list[str]


async def request_with_hashes(db: Database, request_id: str) -> RequestWithHashes | None:
    rows = await db.read(REQUEST_WITH_HASHES, id=request_id)
    if not rows:
        return None
    (row,) = rows
    return RequestWithHashes(request_from_node(row["request"]), sorted(row["hashes"]))


async def lock_request(tx: Transaction, request_id: str) -> SubjectRequest | None:
    """The request taken for a change; None when there is none with that id."""
    rows = await run(tx, LOCK_REQUEST, id=request_id)
    return request_from_node(rows[0]["request"]) if rows else None


async def write_request(tx: Transaction, request: SubjectRequest) -> SubjectRequest:
    """Write the request as it now stands (taken with `lock_request` in the same transaction)."""
    (row,) = await run(tx, WRITE_REQUEST, id=request.id, request=request_properties(request))
    return request_from_node(row["request"])


async def list_requests(
    db: Database,
    kind: SubjectRequestKind | None,
    status: SubjectRequestStatus | None,
    overdue: bool | None,
    *,
    now: dt.datetime,
    limit: int,
) -> list[SubjectRequest]:
    """The requests every filter given matches (`overdue`: as of `now`, judged on the day where each was
    received), the most urgent first, at most `limit`."""
    rows = await db.read(
        LIST_REQUESTS,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        overdue=overdue,
        now=now,
        limit=limit,
    )
    return [request_from_node(r["request"]) for r in rows]


async def clear_about_subject(tx: Transaction, subject_id: str, now: dt.datetime) -> int:
    """Clear the extension reasons of an erased subject's requests; how many requests had some."""
    (row,) = await run(tx, CLEAR_ABOUT_SUBJECT, subjectId=subject_id, now=now)
    return int(row["cleared"])

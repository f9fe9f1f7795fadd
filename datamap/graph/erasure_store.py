"""The erasure workflow's persistence: its statements run, and its records mapped to and from the graph.

Requests, tasks, events and legal holds are kept as nodes whose properties carry camelCase names (what
`SET t = $task` writes, what `t {.*}` returns). This module is the one place those names are read and written:
`..._from_node` turns a property map into the workflow's record (`datamap.domain.erasure_workflow`), and
`..._properties` turns a record into the map a statement writes (a property that is None is not kept). Each
function below runs one statement of `datamap.graph.erasure_queries` and returns typed values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, cast

from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_plan import SUPPRESSION_KEY, Action
from datamap.domain.erasure_records import (
    ErasureEventRecord,
    ErasureRequestRecord,
    ErasureTaskRecord,
    EventType,
    LegalHoldRecord,
    Outcome,
    TaskStatus,
)
from datamap.domain.erasure_workflow import key_digest
from datamap.domain.lineage import NodeKind
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database, Records, Transaction, run
from datamap.graph.erasure_queries import ErasurePlanRow
from datamap.graph.report_queries import STL_CUSTOMERS

Node = Mapping[str, Any]  # a node's properties as the driver returns them (`n {.*}`)


# --- records to and from property maps ----------------------------------------------------------------------


def _kept(properties: dict[str, Any]) -> dict[str, Any]:
    """The properties a node keeps: Neo4j stores no null, so None means absent."""
    return {k: v for k, v in properties.items() if v is not None}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What `SET n += $changes` must write to turn `before` into `after` (null removes a property)."""
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    return changed | {k: None for k in before if k not in after}


def event_from_node(node: Node) -> ErasureEventRecord:
    outcome = node.get("outcome")
    return ErasureEventRecord(
        id=node["id"],
        type=EventType(node["type"]),
        evidence=node.get("evidence", ""),  # cleared when the request completes
        evidence_digest=node["evidenceDigest"],
        at=node["at"],
        outcome=Outcome(outcome) if outcome else None,
        idempotency_key=node.get("idempotencyKey"),
        principal=node.get("principal"),
        role=node.get("role"),
    )


def event_properties(event: ErasureEventRecord) -> dict[str, Any]:
    return _kept(
        {
            "id": event.id,
            "type": event.type.value,
            "outcome": event.outcome.value if event.outcome else None,
            "evidence": event.evidence or None,
            "evidenceDigest": event.evidence_digest,
            "idempotencyKey": event.idempotency_key,
            "at": event.at,
            "principal": event.principal,
            "role": event.role,
        }
    )


def task_from_node(node: Node) -> ErasureTaskRecord:
    """A task from `t {.*}`, with its events when the statement returns them as `history`."""
    return ErasureTaskRecord(
        id=node["id"],
        key=node["key"],
        action=Action(node["action"]),
        target_kind=NodeKind(node["targetKind"]),
        target=node["target"],
        target_name=node["targetName"],
        categories=tuple(node["categories"]),
        legal_ground=node["legalGround"],
        depends_on=tuple(node["dependsOn"]),
        stage=node["stage"],
        observed=node["observed"],
        status=TaskStatus(node["status"]),
        verified=bool(node.get("verified")),
        version=node.get("version", 0),
        role=node.get("role"),
        restricted_until=node.get("restrictedUntil"),
        exception=node.get("exception"),
        attempts=node.get("attempts", 0),
        claimed_at=node.get("claimedAt"),
        claimed_evidence=node.get("claimedEvidence"),
        claimed_evidence_digest=node.get("claimedEvidenceDigest"),
        verified_at=node.get("verifiedAt"),
        verified_evidence=node.get("verifiedEvidence"),
        verified_evidence_digest=node.get("verifiedEvidenceDigest"),
        rejected_at=node.get("rejectedAt"),
        rejection_evidence=node.get("rejectionEvidence"),
        claimed_by=node.get("claimedBy"),
        verified_by=node.get("verifiedBy"),
        history=tuple(event_from_node(e) for e in node.get("history", ())),
    )


def task_properties(task: ErasureTaskRecord) -> dict[str, Any]:
    """The task node's properties (its events are nodes of their own)."""
    return _kept(
        {
            "id": task.id,
            "key": task.key,
            "action": task.action.value,
            "targetKind": task.target_kind.value,
            "target": task.target,
            "targetName": task.target_name,
            "categories": list(task.categories),
            "legalGround": task.legal_ground,
            "dependsOn": list(task.depends_on),
            "stage": task.stage,
            "observed": task.observed,
            "status": task.status.value,
            "verified": task.verified,
            "version": task.version,
            "role": task.role,
            "restrictedUntil": task.restricted_until,
            "exception": task.exception,
            "attempts": task.attempts or None,  # kept from the first claim on
            "claimedAt": task.claimed_at,
            "claimedEvidence": task.claimed_evidence,
            "claimedEvidenceDigest": task.claimed_evidence_digest,
            "verifiedAt": task.verified_at,
            "verifiedEvidence": task.verified_evidence,
            "verifiedEvidenceDigest": task.verified_evidence_digest,
            "rejectedAt": task.rejected_at,
            "rejectionEvidence": task.rejection_evidence,
            "claimedBy": task.claimed_by,
            "verifiedBy": task.verified_by,
        }
    )


def request_from_node(node: Node) -> ErasureRequestRecord:
    received_at: dt.datetime = node["receivedAt"]
    return ErasureRequestRecord(
        id=node["id"],
        subject_id=node["subjectId"],
        jurisdiction=Jurisdiction(node["jurisdiction"]),
        channel=node["channel"],
        identity_method=node["identityMethod"],
        identity_reference=node.get("identityReference", ""),
        received_at=received_at,
        received_date=node.get("receivedDate") or received_at.date(),
        created_at=node["createdAt"],
        deadline=node["deadline"],
        version=node.get("version", 0),
        warnings=tuple(node.get("warnings", ())),
        art19_recipients=tuple(node.get("art19Recipients", ())),
        receipt_confirmation_due=node.get("receiptConfirmationDue"),
        extended_deadline=node.get("extendedDeadline"),
        extension_reason=node.get("extensionReason"),
        extended_at=node.get("extendedAt"),
        completed_at=node.get("completedAt"),
        certificate_digest=node.get("certificateDigest"),
        opened_by=node.get("openedBy"),
        approval_required=bool(node.get("approvalRequired")),
        approved_at=node.get("approvedAt"),
        approved_by=node.get("approvedBy"),
        approval_reason=node.get("approvalReason"),
        pending_suppression=tuple(node.get("pendingSuppression", ())),
        idempotency_key_digest=node.get("idempotencyKeyDigest"),
    )


def request_properties(request: ErasureRequestRecord) -> dict[str, Any]:
    return _kept(
        {
            "id": request.id,
            "subjectId": request.subject_id,
            "jurisdiction": request.jurisdiction.value,
            "channel": request.channel,
            "identityMethod": request.identity_method,
            "identityReference": request.identity_reference or None,  # cleared when the request completes
            "receivedAt": request.received_at,
            "receivedDate": request.received_date,
            "createdAt": request.created_at,
            "deadline": request.deadline,
            "version": request.version,
            "warnings": list(request.warnings),
            "art19Recipients": list(request.art19_recipients),
            "receiptConfirmationDue": request.receipt_confirmation_due,
            "extendedDeadline": request.extended_deadline,
            "extensionReason": request.extension_reason,
            "extendedAt": request.extended_at,
            "completedAt": request.completed_at,
            "certificateDigest": request.certificate_digest,
            "openedBy": request.opened_by,
            "approvalRequired": True if request.approval_required else None,
            "approvedAt": request.approved_at,
            "approvedBy": request.approved_by,
            "approvalReason": request.approval_reason,
            "pendingSuppression": list(request.pending_suppression) or None,
            "idempotencyKeyDigest": request.idempotency_key_digest,
        }
    )


def hold_from_node(node: Node) -> LegalHoldRecord:
    return LegalHoldRecord(
        id=node["id"],
        subject_id=node["subjectId"],
        categories=tuple(node["categories"]),
        systems=tuple(node.get("systems") or ()),
        reason=node["reason"],
        placed_at=node["placedAt"],
        until=node.get("until"),
        lifted_at=node.get("liftedAt"),
        lift_reason=node.get("liftReason"),
    )


# --- statements -----------------------------------------------------------------------------------------------


async def _records(on: Database | Transaction, query: LiteralString, **params: Any) -> Records:
    """One statement: on its own (a read of `Database`) or inside the transaction given."""
    if isinstance(on, Database):
        return await on.read(query, **params)
    return await run(on, query, **params)


async def read_erasure_plan(
    on: Database | Transaction, hashes: list[str], as_of: Mapping[str, object]
) -> list[ErasurePlanRow]:
    """ERASURE_PLAN: one row per subject the keyed hashes point to (the caller applies the one-subject rule).
    `as_of` holds `$asOf` and `$asOfEnd`."""
    records = await _records(on, q.ERASURE_PLAN, hashes=hashes, category=None, ancestors=[], **as_of)
    return cast("list[ErasurePlanRow]", records)


async def open_requests_of_subject(tx: Transaction, subject_id: str, now: dt.datetime) -> list[str]:
    """Take the subject's erasure lock (concurrent requests for one subject serialise on it); the ids of its
    requests not complete."""
    rows = await run(tx, q.OPEN_REQUESTS_OF_SUBJECT, subjectId=subject_id, now=now)
    return [r["id"] for r in rows if r["id"]]


async def create_request(
    tx: Transaction,
    request: ErasureRequestRecord,
    tasks: Sequence[ErasureTaskRecord],
    *,
    hashes: list[str],
    suppression_event: ErasureEventRecord | None,
    now: dt.datetime,
) -> None:
    """Write the request with its tasks, the suppression entries of `hashes`, and the event of the suppression
    task (the task keyed `SUPPRESSION_KEY`, which must be among `tasks`); none of the last two while the request
    awaits approval (`hashes` empty, no event)."""
    suppression = next(t for t in tasks if t.key == SUPPRESSION_KEY)
    events = [] if suppression_event is None else [suppression_event]
    await run(
        tx,
        q.CREATE_REQUEST,
        request=request_properties(request),
        tasks=[task_properties(t) for t in tasks],
        hashes=hashes,
        now=now,
        events=[{"task": suppression.id, "properties": event_properties(e)} for e in events],
    )


async def request_by_key(tx: Transaction, key_digest: str) -> tuple[ErasureRequestRecord, list[str]] | None:
    """The request opened with an idempotency key (by its digest), with the keyed hashes it suppresses."""
    rows = await run(tx, q.REQUEST_BY_KEY, keyDigest=key_digest)
    if not rows:
        return None
    return request_from_node(rows[0]["request"]), list(rows[0]["suppressed"])


async def identifier_hashes(tx: Transaction, subject_id: str) -> list[str]:
    """The keyed hashes of every identifier the subject has now (none when the graph holds no such subject)."""
    (row,) = await run(tx, q.IDENTIFIER_HASHES, subjectId=subject_id)
    return list(row["hashes"])


async def approve_request(
    tx: Transaction,
    before: ErasureRequestRecord,
    after: ErasureRequestRecord,
    suppression: tuple[ErasureTaskRecord, ErasureTaskRecord],
    event: ErasureEventRecord,
    *,
    hashes: list[str],
    now: dt.datetime,
) -> None:
    """Write the approved request, the suppression entries of `hashes`, and its suppression task (`before`,
    `after`) settled with its event."""
    task_before, task_after = suppression
    await run(
        tx,
        q.APPROVE_REQUEST,
        id=after.id,
        changes=_changes(request_properties(before), request_properties(after)),
        hashes=hashes,
        now=now,
        task=task_after.id,
        taskChanges=_changes(task_properties(task_before), task_properties(task_after)),
        event=event_properties(event),
    )


@dataclass(frozen=True)
class LockedTask:
    """A task taken for a change (its and its request's `version` raised), with its events; its request; the
    status of each task it depends on, by key; its events recorded under the idempotency key given."""

    task: ErasureTaskRecord
    request: ErasureRequestRecord
    dependencies: dict[str, TaskStatus]
    prior: tuple[ErasureEventRecord, ...]


async def lock_task(tx: Transaction, task_id: str, idempotency_key: str | None) -> LockedTask | None:
    """None when there is no such task. `prior` matches the key as given or as kept after completion."""
    key_digest_ = None if idempotency_key is None else key_digest(idempotency_key)
    rows = await run(tx, q.LOCK_TASK, id=task_id, idempotencyKey=idempotency_key, keyDigest=key_digest_)
    if not rows:
        return None
    (row,) = rows
    return LockedTask(
        task=task_from_node(row["task"]),
        request=request_from_node(row["request"]),
        dependencies={d["key"]: TaskStatus(d["status"]) for d in row["dependencies"]},
        prior=tuple(event_from_node(e) for e in row["prior"]),
    )


async def update_task(
    tx: Transaction, before: ErasureTaskRecord, after: ErasureTaskRecord, event: ErasureEventRecord
) -> ErasureTaskRecord:
    """Write what changed from `before` (as read) to `after`, and the event; the task as it now stands, with
    its events."""
    changes = _changes(task_properties(before), task_properties(after))
    (row,) = await run(tx, q.UPDATE_TASK, id=after.id, changes=changes, event=event_properties(event))
    return task_from_node(row["task"])


async def request_with_tasks(
    on: Database | Transaction, request_id: str
) -> tuple[ErasureRequestRecord, list[ErasureTaskRecord]] | None:
    """The request with its tasks and their events; None when there is no such request."""
    rows = await _records(on, q.REQUEST_WITH_TASKS, id=request_id)
    if not rows:
        return None
    (row,) = rows
    return request_from_node(row["request"]), [task_from_node(t) for t in row["tasks"]]


async def lock_request(tx: Transaction, request_id: str) -> ErasureRequestRecord | None:
    """The request taken for a change (its `version` raised); None when there is no such request."""
    rows = await run(tx, q.LOCK_REQUEST, id=request_id)
    return request_from_node(rows[0]["request"]) if rows else None


async def update_request(
    tx: Transaction, before: ErasureRequestRecord, after: ErasureRequestRecord
) -> ErasureRequestRecord:
    """Write what changed from `before` (as read) to `after`; the request as it now stands."""
    changes = _changes(request_properties(before), request_properties(after))
    (row,) = await run(tx, q.UPDATE_REQUEST, id=after.id, changes=changes)
    return request_from_node(row["request"])


async def complete_request(
    tx: Transaction,
    before: tuple[ErasureRequestRecord, Sequence[ErasureTaskRecord]],
    after: tuple[ErasureRequestRecord, Sequence[ErasureTaskRecord]],
    now: dt.datetime,
) -> ErasureRequestRecord:
    """Write the request complete (`after`: its completion time, certificate digest and cleared free text, and
    its tasks and their events cleared likewise), mark its suppression entries erased and remove the subject
    layer; the request as it now stands."""
    request_before, tasks_before = before
    request_after, tasks_after = after
    old_tasks = {t.id: t for t in tasks_before}
    task_changes = []
    event_changes = []
    for task in tasks_after:
        old = old_tasks[task.id]
        changed = _changes(task_properties(old), task_properties(task))
        if changed:
            task_changes.append({"id": task.id, "changes": changed})
        old_events = {e.id: e for e in old.history}
        for event in task.history:
            changed = _changes(event_properties(old_events[event.id]), event_properties(event))
            if changed:
                event_changes.append({"id": event.id, "changes": changed})
    (row,) = await run(
        tx,
        q.COMPLETE_REQUEST,
        id=request_after.id,
        changes=_changes(request_properties(request_before), request_properties(request_after)),
        tasks=task_changes,
        events=event_changes,
        now=now,
        **STL_CUSTOMERS,
    )
    return request_from_node(row["request"])


async def list_requests(
    db: Database, open_only: bool, recipient: str | None = None
) -> list[tuple[ErasureRequestRecord, list[ErasureTaskRecord]]]:
    """Every request (or those not complete) with its tasks (without their events), by time of receipt; with
    `recipient`, only the requests that have a task whose target is that recipient."""
    rows = await db.read(
        q.LIST_REQUESTS, openOnly=open_only, recipient=recipient, recipientKind=NodeKind.RECIPIENT.value
    )
    return [(request_from_node(r["request"]), [task_from_node(t) for t in r["tasks"]]) for r in rows]


async def place_hold(
    tx: Transaction,
    hashes: list[str],
    *,
    hold_id: str,
    categories: Sequence[str],
    systems: Sequence[str],
    reason: str,
    until: dt.date | None,
    placed_at: dt.datetime,
) -> list[LegalHoldRecord]:
    """Place a legal hold on the subject the keyed hashes point to. The hold as it would stand on each subject
    they point to; it is written only when that is exactly one (the caller applies the one-subject rule)."""
    properties = _kept(
        {
            "id": hold_id,
            "categories": list(categories),
            "systems": list(systems),
            "reason": reason,
            "placedAt": placed_at,
            "until": until,
        }
    )  # and `subjectId`, which the statement writes: the id of the subject the hold is placed on
    (row,) = await run(tx, q.PLACE_HOLD, hashes=hashes, hold=properties)
    return [hold_from_node({**properties, "subjectId": subject_id}) for subject_id in row["subjects"]]


async def lift_hold(tx: Transaction, hold_id: str, reason: str, now: dt.datetime) -> LegalHoldRecord | None:
    """End a legal hold in force; None when there is none with that id."""
    rows = await run(tx, q.LIFT_HOLD, id=hold_id, now=now, reason=reason)
    return hold_from_node(rows[0]["hold"]) if rows else None

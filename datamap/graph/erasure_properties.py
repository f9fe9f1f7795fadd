"""The erasure workflow's records (`datamap.domain.erasure_records`) to and from the graph's property maps.

Requests, tasks, events and legal holds are kept as nodes whose properties carry camelCase names (what
`SET t = $task` writes, what `t {.*}` returns). This module is the one place those names are read and written:
`..._from_node` turns a property map into the workflow's record, and `..._properties` turns a record into the
map a statement writes (a property that is None is not kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import (
    ErasureEventRecord,
    ErasureRequestRecord,
    ErasureTaskRecord,
    EventType,
    LegalHoldRecord,
    Outcome,
    TaskStatus,
)
from datamap.domain.lineage_types import NodeKind

Node = Mapping[str, Any]  # a node's properties as the driver returns them (`n {.*}`)


def kept_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """The properties a node keeps: Neo4j stores no null, so None means absent."""
    return {k: v for k, v in properties.items() if v is not None}


def changed_properties(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
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
    return kept_properties(
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
    return kept_properties(
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
    return kept_properties(
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

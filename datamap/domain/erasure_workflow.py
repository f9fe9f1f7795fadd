"""The erasure workflow's rules: task transitions, the request's derived status, the completion certificate.

A task starts PENDING. An outcome claimed by a system or vendor (DONE, NOT_FOUND, FAILED, HELD) is recorded
apart from its verification: a claim becomes proof only when `verify` confirms it with evidence. A FAILED task
may be recorded again; a settled claim (DONE, NOT_FOUND, HELD) is final unless verification rejects it, which
sends the task back to FAILED. A task can only be recorded once every task it depends on is settled.

What the workflow keeps (requests, tasks, their events, legal holds) is described here as frozen records with
the domain's names; `datamap.graph.erasure_store` maps them to and from the graph's properties.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_plan import SUPPRESSION_KEY, Action, ErasurePlan
from datamap.domain.identifiers import SubjectIdentifier, normalise_email
from datamap.domain.lineage import NodeKind
from datamap.domain.vocabulary import IdentifierKind
from datamap.errors import ValidationError


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    NOT_FOUND = "not_found"
    FAILED = "failed"
    HELD = "held"


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    FAILED = "failed"
    HELD = "held"


class EventType(StrEnum):
    """What happened to a task: an outcome claimed, a claim verified, a claim rejected."""

    OUTCOME = "outcome"
    VERIFICATION = "verification"
    REJECTION = "rejection"


class RequestStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_VERIFICATION = "awaiting_verification"
    COMPLETE = "complete"


SETTLED = frozenset({TaskStatus.DONE, TaskStatus.NOT_FOUND, TaskStatus.HELD})
HOLDABLE = frozenset(
    {
        Action.RESTRICT,
        Action.INSTRUCT_PROCESSOR,
        Action.NOTIFY_RECIPIENT,
        Action.INFORM_PUBLIC,
        Action.BACKUP_BEYOND_USE,
    }
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TaskState:
    key: str
    action: Action
    status: TaskStatus
    verified: bool


# --- what the workflow keeps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureEventRecord:
    """One thing that happened to a task. `outcome` for outcome events; `idempotency_key` for those a caller
    recorded (the suppression entry's is datamap's own)."""

    id: str
    type: EventType
    evidence: str
    evidence_digest: str
    at: dt.datetime
    outcome: Outcome | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ErasureTaskRecord:
    """One task of a request as kept: what the plan said, and its claimed and verified outcome.

    `history` holds the task's events when it was read with them (empty otherwise), not in any order."""

    id: str
    key: str
    action: Action
    target_kind: NodeKind
    target: str
    target_name: str
    categories: tuple[str, ...]
    legal_ground: str
    depends_on: tuple[str, ...]
    stage: int
    observed: bool
    status: TaskStatus
    verified: bool
    version: int = 0
    role: str | None = None
    restricted_until: dt.date | None = None
    exception: str | None = None
    attempts: int = 0
    claimed_at: dt.datetime | None = None
    claimed_evidence: str | None = None
    claimed_evidence_digest: str | None = None
    verified_at: dt.datetime | None = None
    verified_evidence: str | None = None
    verified_evidence_digest: str | None = None
    rejected_at: dt.datetime | None = None
    rejection_evidence: str | None = None
    history: tuple[ErasureEventRecord, ...] = ()

    @property
    def state(self) -> TaskState:
        return TaskState(self.key, self.action, self.status, self.verified)


@dataclass(frozen=True)
class ErasureRequestRecord:
    """An erasure request as kept. `received_date` is the day of receipt where it was received (deadlines count
    from it); `version` is raised by every change of the request or one of its tasks."""

    id: str
    subject_id: str
    jurisdiction: Jurisdiction
    channel: str
    identity_method: str
    identity_reference: str
    received_at: dt.datetime
    received_date: dt.date
    created_at: dt.datetime
    deadline: dt.date
    version: int = 0
    warnings: tuple[str, ...] = ()
    art19_recipients: tuple[str, ...] = ()
    receipt_confirmation_due: dt.date | None = None
    extended_deadline: dt.date | None = None
    extension_reason: str | None = None
    extended_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    certificate_digest: str | None = None

    @property
    def effective_deadline(self) -> dt.date:
        return self.extended_deadline or self.deadline


@dataclass(frozen=True)
class LegalHoldRecord:
    """A legal hold on one subject (GDPR Art. 17(3)(e)): some categories kept restricted until a date or until
    it is lifted."""

    id: str
    subject_id: str
    categories: tuple[str, ...]
    systems: tuple[str, ...]
    reason: str
    placed_at: dt.datetime
    until: dt.date | None = None
    lifted_at: dt.datetime | None = None
    lift_reason: str | None = None


# --- rules ----------------------------------------------------------------------------------------------------


def check_outcome(
    task: TaskState, outcome: Outcome, evidence: str, dependencies: Mapping[str, TaskStatus]
) -> TaskStatus:
    """The task's new status, or `ValidationError` saying why this transition is not allowed."""
    if task.status in SETTLED:
        raise ValidationError(
            f"task {task.key}: already {task.status.value.upper()}"
            + (" and verified" if task.verified else "")
            + "; a settled outcome is final (verification can reject it)"
        )
    if task.action is Action.SUPPRESS:
        raise ValidationError(f"task {task.key}: the suppression entry is written by datamap itself")
    if outcome is Outcome.HELD and task.action not in HOLDABLE:
        raise ValidationError(
            f"task {task.key}: HELD is not an outcome of {task.action.value}; data our own systems must keep is "
            "planned as a restriction task"
        )
    if outcome is not Outcome.FAILED and not evidence.strip():
        raise ValidationError(f"task {task.key}: evidence is required for {outcome.value.upper()}")
    waiting = sorted(k for k, status in dependencies.items() if status not in SETTLED)
    if waiting:
        raise ValidationError(
            f"task {task.key}: waits for {', '.join(waiting)} (upstream of it, or the suppression entry), which "
            "must be settled first so that no sync brings erased data back"
        )
    return TaskStatus(outcome.value)


def check_verification(task: TaskState, confirmed: bool, evidence: str) -> TaskStatus:
    """Verification confirms a settled claim (kept) or rejects it (back to FAILED)."""
    if task.status not in SETTLED:
        raise ValidationError(
            f"task {task.key}: is {task.status.value.upper()}; only a settled outcome can be verified"
        )
    if task.verified:
        raise ValidationError(f"task {task.key}: already verified")
    if not evidence.strip():
        raise ValidationError(f"task {task.key}: verification needs evidence")
    return task.status if confirmed else TaskStatus.FAILED


def request_status(tasks: Sequence[TaskState]) -> RequestStatus:
    if all(t.status in SETTLED and t.verified for t in tasks):
        return RequestStatus.COMPLETE
    if all(t.status in SETTLED for t in tasks):
        return RequestStatus.AWAITING_VERIFICATION
    if any(t.status is not TaskStatus.PENDING for t in tasks if t.action is not Action.SUPPRESS):
        return RequestStatus.IN_PROGRESS
    return RequestStatus.OPEN


def claim(
    task: ErasureTaskRecord,
    outcome: Outcome,
    evidence: str,
    idempotency_key: str,
    dependencies: Mapping[str, TaskStatus],
    *,
    event_id: str,
    now: dt.datetime,
) -> tuple[ErasureTaskRecord, ErasureEventRecord]:
    """The task with the outcome claimed, and the event that records it (or `ValidationError`)."""
    status = check_outcome(task.state, outcome, evidence, dependencies)
    claimed = replace(
        task,
        status=status,
        claimed_at=now,
        claimed_evidence=evidence,
        claimed_evidence_digest=digest(evidence),
        attempts=task.attempts + 1,
    )
    event = ErasureEventRecord(
        id=event_id,
        type=EventType.OUTCOME,
        outcome=outcome,
        evidence=evidence,
        evidence_digest=digest(evidence),
        idempotency_key=idempotency_key,
        at=now,
    )
    return claimed, event


def verification(
    task: ErasureTaskRecord, confirmed: bool, evidence: str, *, event_id: str, now: dt.datetime
) -> tuple[ErasureTaskRecord, ErasureEventRecord]:
    """The task with its claim confirmed (or rejected), and the event that records it (or `ValidationError`)."""
    status = check_verification(task.state, confirmed, evidence)
    if confirmed:
        checked = replace(
            task,
            status=status,
            verified=True,
            verified_at=now,
            verified_evidence=evidence,
            verified_evidence_digest=digest(evidence),
        )
    else:
        checked = replace(task, status=status, verified=False, rejected_at=now, rejection_evidence=evidence)
    event = ErasureEventRecord(
        id=event_id,
        type=EventType.VERIFICATION if confirmed else EventType.REJECTION,
        evidence=evidence,
        evidence_digest=digest(evidence),
        at=now,
    )
    return checked, event


def request_tasks(
    request_id: str, plan: ErasurePlan | None, hash_count: int, *, event_id: str, now: dt.datetime
) -> tuple[list[ErasureTaskRecord], ErasureEventRecord]:
    """The tasks of a new request: the suppression entry of `hash_count` keyed hashes (written by datamap itself,
    so settled and verified at once), then the plan's other tasks, pending; and the suppression's event."""
    evidence = f"{hash_count} keyed-hash suppression entries written by datamap"
    planned = plan.tasks if plan else []
    suppression = ErasureTaskRecord(
        id=f"{request_id}/{SUPPRESSION_KEY}",
        key=SUPPRESSION_KEY,
        action=Action.SUPPRESS,
        target_kind=NodeKind.SUBJECT,
        target="suppression list",
        target_name="suppression list (keyed hashes only)",
        categories=(),
        legal_ground=next(
            (t.legal_ground for t in reversed(planned) if t.action is Action.SUPPRESS),
            "GDPR Art. 17(1) and 19",
        ),
        depends_on=(),
        stage=0,
        observed=True,
        status=TaskStatus.DONE,
        verified=True,
        claimed_at=now,
        verified_at=now,
        claimed_evidence=evidence,
        verified_evidence=evidence,
        claimed_evidence_digest=digest(evidence),
        verified_evidence_digest=digest(evidence),
    )
    event = ErasureEventRecord(
        id=event_id,
        type=EventType.OUTCOME,
        outcome=Outcome.DONE,
        at=now,
        evidence=evidence,
        evidence_digest=digest(evidence),
    )
    tasks = [suppression] + [
        ErasureTaskRecord(
            id=f"{request_id}/{t.key}",
            key=t.key,
            action=t.action,
            target_kind=t.target_kind,
            target=t.target,
            target_name=t.target_name,
            categories=tuple(t.categories),
            legal_ground=t.legal_ground,
            depends_on=tuple(t.depends_on),
            stage=t.stage,
            observed=t.observed,
            status=TaskStatus.PENDING,
            verified=False,
            role=t.role,
            restricted_until=t.restricted_until,
            exception=t.exception,
        )
        for t in planned
        if t.action is not Action.SUPPRESS
    ]
    return tasks, event


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


# The certificate's fields, named as in its document (which must not change: digests kept for completed
# requests are compared with a document computed again from the record).
CERTIFIED_TASK_FIELDS = (
    "key",
    "action",
    "target",
    "categories",
    "legalGround",
    "status",
    "verified",
    "claimedAt",
    "claimedEvidenceDigest",
    "verifiedAt",
    "verifiedEvidenceDigest",
    "restrictedUntil",
    "exception",
)
CERTIFIED_REQUEST_FIELDS = (
    "id",
    "subjectId",
    "jurisdiction",
    "receivedAt",
    "deadline",
    "extendedDeadline",
    "completedAt",
)


def _certified_request(r: ErasureRequestRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": r.id,
        "subjectId": r.subject_id,
        "jurisdiction": r.jurisdiction.value,
        "receivedAt": r.received_at,
        "deadline": r.deadline,
        "extendedDeadline": r.extended_deadline,
        "completedAt": r.completed_at,
    }
    return {k: _iso(fields[k]) for k in CERTIFIED_REQUEST_FIELDS}


def _certified_task(t: ErasureTaskRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": t.key,
        "action": t.action.value,
        "target": t.target,
        "categories": list(t.categories),
        "legalGround": t.legal_ground,
        "status": t.status.value,
        "verified": t.verified,
        "claimedAt": t.claimed_at,
        "claimedEvidenceDigest": t.claimed_evidence_digest,
        "verifiedAt": t.verified_at,
        "verifiedEvidenceDigest": t.verified_evidence_digest,
        "restrictedUntil": t.restricted_until,
        "exception": t.exception,
    }
    return {k: _iso(fields[k]) for k in CERTIFIED_TASK_FIELDS}


def certificate(request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord]) -> tuple[str, str]:
    """The completion certificate as canonical JSON, and the SHA-256 digest over all of it."""
    document = {
        "certificate": "erasure completion (GDPR Art. 17 and 19)",
        "request": _certified_request(request),
        "tasks": [_certified_task(t) for t in sorted(tasks, key=lambda t: t.key)],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, digest(text)


def check_channel(channel: str, from_email: str | None, identifiers: Sequence[SubjectIdentifier]) -> None:
    """A request that comes by email is handled only for the address it comes from (the seed's §19)."""
    if channel != "email":
        return
    if from_email is None:
        raise ValidationError("fromEmail: a request that came by email must give the address it came from")
    sender = normalise_email(from_email)
    emails = [i.value for i in identifiers if i.kind is IdentifierKind.EMAIL]
    if sender not in emails:
        raise ValidationError(
            "subject: a request that comes by email is handled only for the email address it comes from "
            "(privacy notice §19); give that address as the subject's email"
        )

"""The erasure workflow's rules: task transitions, the request's derived status, the completion certificate.

A task starts PENDING. An outcome claimed by a system or vendor (DONE, NOT_FOUND, FAILED, HELD) is recorded
apart from its verification: a claim becomes proof only when `verify` confirms it with evidence. A FAILED task
may be recorded again; a settled claim (DONE, NOT_FOUND, HELD) is final unless verification rejects it, which
sends the task back to FAILED. A task can only be recorded once every task it depends on is settled.

Separation of duties: the principal that claimed an outcome cannot verify it; a request whose requester's identity
was not verified awaits a second compliance principal's approval (not the one who opened it) before any task
runs, its suppression entry included. A principal scoped to one recipient (a vendor) records only that
recipient's tasks. Free text that may hold personal data (the identity reference, evidence, reasons) is cleared
when the request completes; the evidence digests stay, so the certificate still verifies.

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

from datamap.domain.access import Principal, Role
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_plan import HOLD_GROUND, SUPPRESSION_KEY, Action, ErasurePlan
from datamap.domain.identifiers import SubjectIdentifier, normalise_email
from datamap.domain.lineage import NodeKind
from datamap.domain.vocabulary import IdentifierKind
from datamap.errors import Forbidden, ValidationError


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
    AWAITING_APPROVAL = "awaiting_approval"
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


# Who claimed and verified the suppression entry: datamap itself, at the request of the principal that opened
# (or approved) the request, whom its event names.
DATAMAP = "datamap"
APPROVERS = frozenset({Role.COMPLIANCE, Role.ADMIN})
KEY_DIGEST_PREFIX = "sha256:"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key_digest(idempotency_key: str) -> str:
    """How an outcome's idempotency key is kept once its request completes (a key may hold personal data)."""
    return KEY_DIGEST_PREFIX + digest(idempotency_key)


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
    principal: str | None = None  # the label of the principal that did it (absent on events from before)
    role: str | None = None


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
    claimed_by: str | None = None  # principals' labels (absent on tasks settled before they were kept)
    verified_by: str | None = None
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
    opened_by: str | None = None  # principals' labels (absent on requests opened before they were kept)
    approval_required: bool = False  # identity not verified: a second compliance principal approves first
    approved_at: dt.datetime | None = None
    approved_by: str | None = None
    approval_reason: str | None = None
    pending_suppression: tuple[str, ...] = ()  # keyed hashes to suppress once approved
    idempotency_key_digest: str | None = None

    @property
    def effective_deadline(self) -> dt.date:
        return self.extended_deadline or self.deadline

    @property
    def awaiting_approval(self) -> bool:
        return self.approval_required and self.approved_at is None


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


def check_scope(task: ErasureTaskRecord, principal: Principal) -> None:
    """A principal scoped to one recipient (a vendor's token) acts only on that recipient's tasks."""
    if principal.recipient is not None and not in_scope(task, principal.recipient):
        raise Forbidden(
            f"task {task.key}: {principal.label} is scoped to recipient {principal.recipient!r} and may act "
            "only on its tasks"
        )


def in_scope(task: ErasureTaskRecord, recipient: str) -> bool:
    return task.target_kind is NodeKind.RECIPIENT and task.target == recipient


def check_runs(request: ErasureRequestRecord, task_key: str) -> None:
    """No task runs while the request awaits approval (identity not verified)."""
    if request.awaiting_approval:
        raise ValidationError(
            f"task {task_key}: request {request.id} awaits approval (the requester's identity is not verified); "
            "no task runs before a second compliance principal approves it"
        )


def check_separation(task: ErasureTaskRecord, principal: Principal) -> None:
    """Who claimed an outcome does not also verify it."""
    if task.claimed_by is not None and task.claimed_by == principal.label:
        raise Forbidden(
            f"task {task.key}: its outcome was recorded by {principal.label}, who therefore cannot verify it "
            "(separation of duties: another principal verifies)"
        )


def request_status(tasks: Sequence[TaskState]) -> RequestStatus:
    if all(t.status in SETTLED and t.verified for t in tasks):
        return RequestStatus.COMPLETE
    if all(t.status in SETTLED for t in tasks):
        return RequestStatus.AWAITING_VERIFICATION
    if any(t.status is not TaskStatus.PENDING for t in tasks if t.action is not Action.SUPPRESS):
        return RequestStatus.IN_PROGRESS
    return RequestStatus.OPEN


def status_of(request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord]) -> RequestStatus:
    """The request's status: awaiting approval, or what its tasks say."""
    if request.awaiting_approval:
        return RequestStatus.AWAITING_APPROVAL
    return request_status([t.state for t in tasks])


def claim(
    task: ErasureTaskRecord,
    outcome: Outcome,
    evidence: str,
    idempotency_key: str,
    dependencies: Mapping[str, TaskStatus],
    *,
    by: Principal,
    event_id: str,
    now: dt.datetime,
) -> tuple[ErasureTaskRecord, ErasureEventRecord]:
    """The task with the outcome claimed by `by`, and the event that records it (or `ValidationError`)."""
    status = check_outcome(task.state, outcome, evidence, dependencies)
    claimed = replace(
        task,
        status=status,
        claimed_at=now,
        claimed_evidence=evidence,
        claimed_evidence_digest=digest(evidence),
        claimed_by=by.label,
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
        principal=by.label,
        role=by.role.value,
    )
    return claimed, event


def verification(
    task: ErasureTaskRecord,
    confirmed: bool,
    evidence: str,
    *,
    by: Principal,
    event_id: str,
    now: dt.datetime,
) -> tuple[ErasureTaskRecord, ErasureEventRecord]:
    """The task with its claim confirmed (or rejected) by `by`, and the event that records it
    (`ValidationError`, or `Forbidden` when `by` claimed the outcome itself)."""
    status = check_verification(task.state, confirmed, evidence)
    check_separation(task, by)
    if confirmed:
        checked = replace(
            task,
            status=status,
            verified=True,
            verified_at=now,
            verified_evidence=evidence,
            verified_evidence_digest=digest(evidence),
            verified_by=by.label,
        )
    else:
        checked = replace(task, status=status, verified=False, rejected_at=now, rejection_evidence=evidence)
    event = ErasureEventRecord(
        id=event_id,
        type=EventType.VERIFICATION if confirmed else EventType.REJECTION,
        evidence=evidence,
        evidence_digest=digest(evidence),
        at=now,
        principal=by.label,
        role=by.role.value,
    )
    return checked, event


def suppression_written(
    task: ErasureTaskRecord, hash_count: int, *, by: Principal, event_id: str, now: dt.datetime
) -> tuple[ErasureTaskRecord, ErasureEventRecord]:
    """The suppression task once its `hash_count` keyed-hash entries are written (by datamap itself, so settled
    and verified at once), and its event, which names the principal at whose request it was written."""
    evidence = f"{hash_count} keyed-hash suppression entries written by datamap"
    done = replace(
        task,
        status=TaskStatus.DONE,
        verified=True,
        claimed_at=now,
        verified_at=now,
        claimed_evidence=evidence,
        verified_evidence=evidence,
        claimed_evidence_digest=digest(evidence),
        verified_evidence_digest=digest(evidence),
        claimed_by=DATAMAP,
        verified_by=DATAMAP,
    )
    event = ErasureEventRecord(
        id=event_id,
        type=EventType.OUTCOME,
        outcome=Outcome.DONE,
        at=now,
        evidence=evidence,
        evidence_digest=digest(evidence),
        principal=by.label,
        role=by.role.value,
    )
    return done, event


def request_tasks(
    request_id: str,
    plan: ErasurePlan | None,
    hash_count: int,
    *,
    by: Principal,
    approval_required: bool = False,
    event_id: str,
    now: dt.datetime,
) -> tuple[list[ErasureTaskRecord], ErasureEventRecord | None]:
    """The tasks of a new request: the suppression entry of `hash_count` keyed hashes, then the plan's other
    tasks, pending; and the suppression's event. The suppression entry is written at once (settled and verified,
    with its event) unless the request needs approval first: then it is pending too, and there is no event."""
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
        status=TaskStatus.PENDING,
        verified=False,
    )
    event: ErasureEventRecord | None = None
    if not approval_required:
        suppression, event = suppression_written(suppression, hash_count, by=by, event_id=event_id, now=now)
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


def approval(
    request: ErasureRequestRecord, reason: str, *, by: Principal, now: dt.datetime
) -> ErasureRequestRecord:
    """The request approved by `by` (`ValidationError`, or `Forbidden` when `by` may not approve it): a
    compliance principal other than the one that opened it."""
    if not request.approval_required:
        raise ValidationError(f"request {request.id}: its identity was verified; it needs no approval")
    if request.approved_at is not None:
        raise ValidationError(f"request {request.id}: already approved by {request.approved_by}")
    if by.role not in APPROVERS:
        raise Forbidden(f"request {request.id}: only a compliance principal approves a request")
    if request.opened_by is not None and request.opened_by == by.label:
        raise Forbidden(
            f"request {request.id}: opened by {by.label}, who therefore cannot approve it (separation of duties: "
            "a second compliance principal approves a request whose identity is not verified)"
        )
    if not reason.strip():
        raise ValidationError("reason: say why the request may proceed although the identity is not verified")
    return replace(
        request,
        approved_at=now,
        approved_by=by.label,
        approval_reason=reason,
        pending_suppression=(),
    )


def _scrubbed_ground(task: ErasureTaskRecord) -> str:
    """A legal hold's restriction names the hold's reason (free text) in its ground: keep the hold's id and the
    digest of the ground instead."""
    if task.exception is None or not task.exception.startswith("hold:"):
        return task.legal_ground
    if not task.legal_ground.startswith(HOLD_GROUND + " ("):
        return task.legal_ground  # already scrubbed, or not a hold's ground
    return f"{HOLD_GROUND} {task.exception} (its reason cleared on completion; sha256 {digest(task.legal_ground)})"


def _scrubbed_event(event: ErasureEventRecord) -> ErasureEventRecord:
    key = event.idempotency_key
    if key is not None and not key.startswith(KEY_DIGEST_PREFIX):
        key = key_digest(key)
    return replace(event, evidence="", idempotency_key=key)


def scrubbed(
    request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord]
) -> tuple[ErasureRequestRecord, list[ErasureTaskRecord]]:
    """The request and its tasks (with their events) without the free text that may hold the person's data, as
    they are kept once the request completes: the identity reference, reasons, evidence texts and idempotency
    keys go (keys as their digest); evidence digests stay, so the certificate computed from these verifies."""
    clean_request = replace(
        request, identity_reference="", extension_reason=None, approval_reason=None, pending_suppression=()
    )
    clean_tasks = [
        replace(
            t,
            legal_ground=_scrubbed_ground(t),
            claimed_evidence=None,
            verified_evidence=None,
            rejection_evidence=None,
            history=tuple(_scrubbed_event(e) for e in t.history),
        )
        for t in tasks
    ]
    return clean_request, clean_tasks


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
# Who acted, added only when kept: a request completed before principals were kept keeps its document (and so
# its digest) byte for byte.
CERTIFIED_REQUEST_PRINCIPALS = ("openedBy", "approvedBy")
CERTIFIED_TASK_PRINCIPALS = ("claimedBy", "verifiedBy")


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
    principals = {"openedBy": r.opened_by, "approvedBy": r.approved_by}
    return {k: _iso(fields[k]) for k in CERTIFIED_REQUEST_FIELDS} | {
        k: principals[k] for k in CERTIFIED_REQUEST_PRINCIPALS if principals[k] is not None
    }


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
    principals = {"claimedBy": t.claimed_by, "verifiedBy": t.verified_by}
    return {k: _iso(fields[k]) for k in CERTIFIED_TASK_FIELDS} | {
        k: principals[k] for k in CERTIFIED_TASK_PRINCIPALS if principals[k] is not None
    }


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

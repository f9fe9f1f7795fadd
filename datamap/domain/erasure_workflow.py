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

What the workflow keeps (requests, tasks, their events, legal holds) is `datamap.domain.erasure_records`; the
certificate and what is kept once a request completes, `datamap.domain.erasure_certificate`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

from datamap.domain.access import Principal, Role
from datamap.domain.erasure_plan import SUPPRESSION_KEY, Action, ErasurePlan
from datamap.domain.erasure_records import (
    ErasureEventRecord,
    ErasureRequestRecord,
    ErasureTaskRecord,
    EventType,
    Outcome,
    RequestStatus,
    TaskState,
    TaskStatus,
)
from datamap.domain.identifiers import SubjectIdentifier, normalise_email
from datamap.domain.lineage_types import NodeKind
from datamap.domain.vocabulary import IdentifierKind
from datamap.errors import Forbidden, ValidationError

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

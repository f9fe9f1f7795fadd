"""The erasure workflow's rules: task transitions, the request's derived status, the completion certificate.

A task starts PENDING. An outcome claimed by a system or vendor (DONE, NOT_FOUND, FAILED, HELD) is recorded
apart from its verification: a claim becomes proof only when `verify` confirms it with evidence. A FAILED task
may be recorded again; a settled claim (DONE, NOT_FOUND, HELD) is final unless verification rejects it, which
sends the task back to FAILED. A task can only be recorded once every task it depends on is settled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from datamap.domain.erasure_plan import Action
from datamap.domain.identifiers import SubjectIdentifier, normalise_email
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


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


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


def certificate(request: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """The completion certificate as canonical JSON, and the SHA-256 digest over all of it."""
    document = {
        "certificate": "erasure completion (GDPR Art. 17 and 19)",
        "request": {k: _iso(request.get(k)) for k in CERTIFIED_REQUEST_FIELDS},
        "tasks": [
            {k: _iso(t.get(k)) for k in CERTIFIED_TASK_FIELDS} for t in sorted(tasks, key=lambda t: t["key"])
        ],
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

"""What the erasure workflow keeps: requests, their tasks and the tasks' events, legal holds, as frozen records
with the domain's names, and the states they pass through (`datamap.domain.erasure_workflow` holds the rules;
`datamap.graph.erasure_store` maps the records to and from the graph's properties)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_plan import Action
from datamap.domain.lineage_types import NodeKind


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


@dataclass(frozen=True)
class TaskState:
    key: str
    action: Action
    status: TaskStatus
    verified: bool


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

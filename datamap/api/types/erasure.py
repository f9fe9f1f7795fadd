"""GraphQL types of erasure: the plan, requests with their tasks and proof, certificates, legal holds."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import strawberry

from datamap.api.types.common import NodeKindEnum, RecipientRoleEnum, SubjectInput
from datamap.domain import erasure_plan as ep
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_records import (
    ErasureTaskRecord,
    LegalHoldRecord,
    Outcome,
    RequestStatus,
    TaskStatus,
)
from datamap.domain.vocabulary import RecipientRole
from datamap.services import erasure as es

ActionEnum = strawberry.enum(ep.Action, name="ErasureAction")
OutcomeEnum = strawberry.enum(Outcome, name="ErasureOutcome")
TaskStatusEnum = strawberry.enum(TaskStatus, name="ErasureTaskStatus")
RequestStatusEnum = strawberry.enum(RequestStatus, name="ErasureRequestStatus")
JurisdictionEnum = strawberry.enum(Jurisdiction, name="Jurisdiction")


@strawberry.enum(description="How the request reached us")
class RequestChannel(StrEnum):
    EMAIL = "email"
    WEB_FORM = "web_form"
    POST = "post"
    PHONE = "phone"
    IN_PERSON = "in_person"


@strawberry.enum(description="How the requester's identity was verified (seed §19)")
class IdentityMethod(StrEnum):
    EMAIL_CONFIRMATION = "email_confirmation"
    ACCOUNT_LOGIN = "account_login"
    GOVERNMENT_ID = "government_id"
    PROOF_OF_ADDRESS = "proof_of_address"
    OTHER = "other"
    NOT_VERIFIED = "not_verified"


def _role(value: str | None) -> RecipientRole | None:
    return RecipientRole(value) if value else None


@strawberry.type(description="One step of an erasure plan")
class PlannedErasureTask:
    key: str
    action: ActionEnum  # type: ignore[valid-type]
    target_kind: NodeKindEnum  # type: ignore[valid-type]
    target: str
    target_name: str
    role: RecipientRoleEnum | None  # type: ignore[valid-type]
    categories: list[str]
    legal_ground: str
    depends_on: list[str] = strawberry.field(description="Tasks that must be settled first (upstream first)")
    stage: int = strawberry.field(description="Tasks of one stage may run in parallel")
    observed: bool = strawberry.field(description="The holder is known from records or disclosures")
    restricted_until: dt.date | None = strawberry.field(description="For restrictions: when they end")
    exception: str | None = strawberry.field(
        description="The retention rule or legal hold behind a restriction"
    )

    @classmethod
    def of(cls, t: ep.PlannedTask) -> PlannedErasureTask:
        return cls(**_planned(t))


def _planned(t: ep.PlannedTask | ErasureTaskRecord) -> dict[str, Any]:
    """The fields a planned task and a request's task share."""
    return {
        "key": t.key,
        "action": t.action,
        "target_kind": t.target_kind,
        "target": t.target,
        "target_name": t.target_name,
        "role": _role(t.role),
        "categories": list(t.categories),
        "legal_ground": t.legal_ground,
        "depends_on": list(t.depends_on),
        "stage": t.stage,
        "observed": t.observed,
        "restricted_until": t.restricted_until,
        "exception": t.exception,
    }


@strawberry.type(
    description="A recipient to tell of the erasure, and that the subject may ask about (GDPR Art. 19): one "
    "the data was disclosed to, or one routine flows from a system holding it reach. A destination the map "
    "reaches only on an event (a contingent flow) is not one until a disclosure there is recorded"
)
class Art19Recipient:
    key: str
    name: str
    role: RecipientRoleEnum | None  # type: ignore[valid-type]
    country: str | None
    categories: list[str]
    observed: bool
    why: str = strawberry.field(
        description="The recorded disclosure, or the routine flow that brings the data"
    )


@strawberry.type
class ErasurePlan:
    subject_id: str
    as_of: dt.date
    tasks: list[PlannedErasureTask]
    recipients: list[Art19Recipient]
    warnings: list[str]

    @classmethod
    def of(cls, plan: ep.ErasurePlan) -> ErasurePlan:
        return cls(
            subject_id=plan.subject_id,
            as_of=plan.as_of,
            tasks=[PlannedErasureTask.of(t) for t in plan.tasks],
            recipients=[
                Art19Recipient(
                    key=r.key,
                    name=r.name,
                    role=_role(r.role),
                    country=r.country,
                    categories=list(r.categories),
                    observed=r.observed,
                    why=r.why,
                )
                for r in plan.recipients
            ],
            warnings=plan.warnings,
        )


@strawberry.type(
    description="One thing that happened to a task: a claimed outcome, a verification, a rejection"
)
class ErasureEvent:
    type: str
    outcome: OutcomeEnum | None  # type: ignore[valid-type]
    evidence_digest: str
    idempotency_key: str | None = strawberry.field(
        description="As given; its digest (sha256:...) once the request is complete"
    )
    at: dt.datetime
    principal: str | None = strawberry.field(
        description="Who did it (null on events recorded before this was kept)"
    )
    role: str | None = strawberry.field(description="The role it acted in")


@strawberry.type
class ErasureTask(PlannedErasureTask):
    id: strawberry.ID
    status: TaskStatusEnum  # type: ignore[valid-type]
    verified: bool
    attempts: int
    claimed_at: dt.datetime | None
    claimed_evidence: str | None = strawberry.field(description="What the system or vendor says")
    verified_at: dt.datetime | None
    verified_evidence: str | None = strawberry.field(description="What proves it")
    claimed_by: str | None = strawberry.field(description="Who recorded the outcome")
    verified_by: str | None = strawberry.field(description="Who verified it (never who recorded it)")
    history: list[ErasureEvent]

    @classmethod
    def of_record(cls, t: ErasureTaskRecord) -> ErasureTask:
        return cls(
            **_planned(t),
            id=strawberry.ID(t.id),
            status=t.status,
            verified=t.verified,
            attempts=t.attempts,
            claimed_at=t.claimed_at,
            claimed_evidence=t.claimed_evidence,
            verified_at=t.verified_at,
            verified_evidence=t.verified_evidence,
            claimed_by=t.claimed_by,
            verified_by=t.verified_by,
            history=[
                ErasureEvent(
                    type=e.type.value,
                    outcome=e.outcome,
                    evidence_digest=e.evidence_digest,
                    idempotency_key=e.idempotency_key,
                    at=e.at,
                    principal=e.principal,
                    role=e.role,
                )
                for e in sorted(t.history, key=lambda e: e.at)
            ],
        )


@strawberry.type
class ErasureRequest:
    id: strawberry.ID
    subject_id: str
    jurisdiction: JurisdictionEnum  # type: ignore[valid-type]
    channel: str
    identity_method: str
    received_at: dt.datetime
    deadline: dt.date = strawberry.field(description="The first deadline (GDPR one month, CCPA 45 days)")
    extended_deadline: dt.date | None
    extension_reason: str | None
    effective_deadline: dt.date
    receipt_confirmation_due: dt.date | None = strawberry.field(description="CCPA: 10 business days")
    status: RequestStatusEnum  # type: ignore[valid-type]
    overdue: bool
    completed_at: dt.datetime | None
    warnings: list[str]
    art19_recipients: list[str]
    opened_by: str | None = strawberry.field(description="Who opened the request")
    approved_by: str | None = strawberry.field(
        description="Who approved it (a request whose identity is not verified waits for a second principal)"
    )
    approved_at: dt.datetime | None
    tasks: list[ErasureTask]

    @classmethod
    def of(cls, v: es.RequestView) -> ErasureRequest:
        r = v.request
        return cls(
            id=strawberry.ID(r.id),
            subject_id=r.subject_id,
            jurisdiction=r.jurisdiction,
            channel=r.channel,
            identity_method=r.identity_method,
            received_at=r.received_at,
            deadline=r.deadline,
            extended_deadline=r.extended_deadline,
            extension_reason=r.extension_reason,
            effective_deadline=v.deadline,
            receipt_confirmation_due=r.receipt_confirmation_due,
            status=v.status,
            overdue=v.overdue,
            completed_at=r.completed_at,
            warnings=list(r.warnings),
            art19_recipients=list(r.art19_recipients),
            opened_by=r.opened_by,
            approved_by=r.approved_by,
            approved_at=r.approved_at,
            tasks=[ErasureTask.of_record(t) for t in v.tasks],
        )


@strawberry.type(
    description="Proof that a request was carried out; `intact` is false if the record changed since"
)
class ErasureCertificate:
    request_id: strawberry.ID
    subject_id: str
    document: str = strawberry.field(
        description="Canonical JSON: every task, outcome, evidence digest and time"
    )
    digest: str = strawberry.field(description="SHA-256 of the document as the record stands now")
    stored_digest: str = strawberry.field(description="SHA-256 kept when the request completed")
    intact: bool


@strawberry.type
class LegalHold:
    id: strawberry.ID
    categories: list[str]
    systems: list[str]
    reason: str
    until: dt.date | None
    placed_at: dt.datetime
    lifted_at: dt.datetime | None = None

    @classmethod
    def of(cls, hold: LegalHoldRecord) -> LegalHold:
        return cls(
            id=strawberry.ID(hold.id),
            categories=list(hold.categories),
            systems=list(hold.systems),
            reason=hold.reason,
            until=hold.until,
            placed_at=hold.placed_at,
            lifted_at=hold.lifted_at,
        )


@strawberry.input
class IdentityVerificationInput:
    method: IdentityMethod
    reference: str = strawberry.field(default="", description="Where the proof is kept (ticket, case number)")


@strawberry.input
class ErasureRequestInput:
    subject: SubjectInput
    received_at: dt.datetime
    jurisdiction: JurisdictionEnum  # type: ignore[valid-type]
    channel: RequestChannel
    identity_verification: IdentityVerificationInput
    from_email: str | None = strawberry.field(default=None, description="Required when the channel is EMAIL")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Recommended: the same key again gives the first request, not a second one"
    )

"""GraphQL types of access and right-to-know requests: the request with its deadlines, and its input."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.common import SubjectInput
from datamap.api.types.erasure import RequestChannel
from datamap.domain.subject_requests import RequestLaw, SubjectRequestKind, SubjectRequestStatus
from datamap.domain.subject_requests import SubjectRequest as Kept

SubjectRequestKindEnum = strawberry.enum(
    SubjectRequestKind,
    name="SubjectRequestKind",
    description="ACCESS: GDPR Art. 15; RIGHT_TO_KNOW: CCPA, Civ. Code §1798.100, §1798.110, §1798.115",
)
SubjectRequestStatusEnum = strawberry.enum(SubjectRequestStatus, name="SubjectRequestStatus")
RequestLawEnum = strawberry.enum(
    RequestLaw,
    name="RequestLaw",
    description="The law whose deadlines a request runs on: GDPR (Art. 12(3)), FADP (Switzerland: Art. 25(7), "
    "DPO Art. 18), CCPA (§1798.130(a)(2))",
)

# The fields given as the request keeps them (`domain/subject_requests.py`), under the same names.
_AS_KEPT = (
    "subject_id",
    "kind",
    "law",
    "status",
    "received_at",
    "received_date",
    "since",
    "deadline",
    "extended_deadline",
    "effective_deadline",
    "extended_at",
    "receipt_confirmation_due",
    "confirmed_at",
    "confirmed_by",
    "answered_at",
    "recorded_at",
    "recorded_by",
    "reasons_cleared_at",
)


@strawberry.type(
    description="A GDPR access request (Art. 15) or a CCPA right-to-know request, with its deadlines: answered "
    "when its response document is marked sent"
)
class SubjectRequest:
    id: strawberry.ID
    subject_id: str = strawberry.field(description="The person it is about (our internal id)")
    kind: SubjectRequestKindEnum  # type: ignore[valid-type]
    law: RequestLawEnum = strawberry.field(  # type: ignore[valid-type]
        description="An ACCESS request of a person living in Switzerland (when recorded) is the FADP's, another "
        "the GDPR's; a RIGHT_TO_KNOW request the CCPA's"
    )
    status: SubjectRequestStatusEnum  # type: ignore[valid-type]
    channel: RequestChannel
    received_at: dt.datetime = strawberry.field(description="With the offset it was given with")
    received_date: dt.date = strawberry.field(description="The day of receipt where it was received")
    since: dt.date | None = strawberry.field(
        description="RIGHT_TO_KNOW: back to this day, not before 1 January 2022 (§1798.130(a)(2)(B))"
    )
    deadline: dt.date = strawberry.field(
        description="The first deadline: GDPR one month (Art. 12(3)), FADP 30 days (DPO Art. 18(1)), CCPA 45 days "
        "(§1798.130(a)(2))"
    )
    extended_deadline: dt.date | None
    effective_deadline: dt.date
    extension_reasons: list[str] = strawberry.field(
        description="One per extension, as the person was told; cleared when the person's erasure completes"
    )
    extended_at: dt.datetime | None
    receipt_confirmation_due: dt.date | None = strawberry.field(
        description="RIGHT_TO_KNOW: 10 business days after receipt (11 CCR §7021(a))"
    )
    confirmed_at: dt.datetime | None
    confirmed_by: str | None
    response_document_id: strawberry.ID | None = strawberry.field(
        description="The document whose sending answered it"
    )
    answered_at: dt.datetime | None
    overdue: bool = strawberry.field(
        description="Not answered, and today (where it was received) is past the effective deadline"
    )
    confirmation_overdue: bool = strawberry.field(
        description="RIGHT_TO_KNOW: neither confirmed nor answered, and today (where it was received) is past the "
        "day it was due"
    )
    recorded_at: dt.datetime
    recorded_by: str
    reasons_cleared_at: dt.datetime | None

    @classmethod
    def of(cls, request: Kept, now: dt.datetime) -> SubjectRequest:
        document = request.response_document_id
        return cls(
            **{name: getattr(request, name) for name in _AS_KEPT},
            id=strawberry.ID(request.id),
            channel=RequestChannel(request.channel),
            extension_reasons=list(request.extension_reasons),
            response_document_id=strawberry.ID(document) if document is not None else None,
            overdue=request.overdue(now),
            confirmation_overdue=request.confirmation_overdue(now),
        )


@strawberry.input(description="An access or right-to-know request as received")
class SubjectRequestInput:
    kind: SubjectRequestKindEnum  # type: ignore[valid-type]
    subject: SubjectInput
    received_at: dt.datetime = strawberry.field(description="With its time zone: the day of receipt is local")
    channel: RequestChannel
    since: dt.date | None = strawberry.field(
        default=None,
        description="RIGHT_TO_KNOW: back to this day instead of the 12 months before the request, not before 1 "
        "January 2022 (Civ. Code §1798.130(a)(2)(B); 11 CCR §7024(h))",
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Recommended: the same key again gives the first request, not a second one"
    )

"""Root fields of access and right-to-know requests: translate arguments, call the service, translate back."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from datamap.api.access_rules import principal_in
from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.types import subject_requests as t
from datamap.domain.subject_requests import SubjectRequestKind, SubjectRequestStatus
from datamap.services import subject_requests


@strawberry.type
class SubjectRequestQuery:
    @strawberry.field(
        description="Access and right-to-know requests, the most urgent first; every filter given must match "
        "(`overdue`: not answered and past the effective deadline, on the day where it was received)"
    )
    async def subject_requests(
        self,
        info: Info,
        kind: t.SubjectRequestKindEnum | None = None,  # type: ignore[valid-type]
        status: t.SubjectRequestStatusEnum | None = None,  # type: ignore[valid-type]
        overdue: bool | None = None,
        limit: int = 100,
    ) -> list[t.SubjectRequest] | None:
        now = now_of(info)
        found = await subject_requests.list_subject_requests(
            state_of(info).db,
            SubjectRequestKind(kind) if kind else None,
            SubjectRequestStatus(status) if status else None,
            overdue,
            now=now,
            limit=limit,
        )
        return [t.SubjectRequest.of(r, now) for r in found]

    @strawberry.field(description="One access or right-to-know request with its deadlines")
    async def subject_request(self, info: Info, id: strawberry.ID) -> t.SubjectRequest | None:
        found = await subject_requests.get_subject_request(state_of(info).db, str(id))
        return t.SubjectRequest.of(found, now_of(info))


@strawberry.type
class SubjectRequestMutation:
    @strawberry.mutation(
        description="Record a GDPR access request (Art. 15: due in one month, Art. 12(3); for a subject living in "
        "Switzerland the FADP's, Art. 25: due in 30 days, DPO Art. 18) or a CCPA right-to-know request (due in 45 "
        "days, §1798.130(a)(2); receipt confirmed within 10 business days, 11 CCR §7021(a)) about a subject the "
        "graph holds. The same idempotencyKey again gives the first request"
    )
    async def record_subject_request(
        self, info: Info, input: t.SubjectRequestInput
    ) -> t.SubjectRequest | None:
        now = now_of(info)
        given = subject_requests.SubjectRequestInput(
            kind=SubjectRequestKind(input.kind),
            subject=subject_of(info, input.subject, "input.subject"),
            received_at=input.received_at,
            channel=input.channel.value,
            since=input.since,
            idempotency_key=input.idempotency_key,
        )
        recorded = await subject_requests.record_subject_request(
            state_of(info).db, given, principal=principal_in(info), now=now
        )
        return t.SubjectRequest.of(recorded, now)

    @strawberry.mutation(
        description="Record that the receipt of a RIGHT_TO_KNOW request was confirmed to the consumer, with how "
        "the business will process it (11 CCR §7021(a)); at `confirmedAt` (default: now)"
    )
    async def confirm_subject_request(
        self, info: Info, id: strawberry.ID, confirmed_at: dt.datetime | None = None
    ) -> t.SubjectRequest | None:
        now = now_of(info)
        confirmed = await subject_requests.confirm_subject_request(
            state_of(info).db, str(id), confirmed_at, principal=principal_in(info), now=now
        )
        return t.SubjectRequest.of(confirmed, now)

    @strawberry.mutation(
        description="Extend the deadline, with the reasons the person is told, within the first period: ACCESS "
        "by `months` (1 or 2; default: to the latest), two further months in all (GDPR Art. 12(3)); under the "
        "FADP by `months` (required: the period the person is told, DPO Art. 18(2); 1 or 2, two in all); "
        "RIGHT_TO_KNOW once by 45 days (§1798.130(a)(2)(A))"
    )
    async def extend_subject_request(
        self, info: Info, id: strawberry.ID, reason: str, months: int | None = None
    ) -> t.SubjectRequest | None:
        now = now_of(info)
        extended = await subject_requests.extend_subject_request(
            state_of(info).db, str(id), reason, months, principal=principal_in(info), now=now
        )
        return t.SubjectRequest.of(extended, now)

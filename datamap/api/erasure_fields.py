"""Erasure root fields: translate arguments, call the erasure service, translate the answer."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from datamap.api.access_rules import principal_in
from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.types import SubjectInput
from datamap.api.types import erasure as t
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_records import Outcome, RequestStatus
from datamap.services import erasure


@strawberry.type
class ErasureQuery:
    @strawberry.field(
        description="Every place the subject's data is or went, as ordered erasure tasks; null when "
        "the graph holds no such subject"
    )
    async def erasure_plan(
        self, info: Info, subject: SubjectInput, as_of: dt.date | None = None
    ) -> t.ErasurePlan | None:
        found = await erasure.plan(state_of(info).db, subject_of(info, subject), as_of, now=now_of(info))
        return t.ErasurePlan.of(found) if found else None

    @strawberry.field(
        description="Erasure requests; `overdue`: past the deadline and not complete. A token scoped to one "
        "recipient sees only the requests with a task of that recipient, and only those tasks"
    )
    async def erasure_requests(
        self,
        info: Info,
        status: t.RequestStatusEnum | None = None,  # type: ignore[valid-type]
        overdue: bool | None = None,
    ) -> list[t.ErasureRequest] | None:
        views = await erasure.list_requests(
            state_of(info).db,
            RequestStatus(status) if status else None,
            overdue,
            principal=principal_in(info),
            now=now_of(info),
        )
        return [t.ErasureRequest.of(v) for v in views]

    @strawberry.field(description="One erasure request with its tasks and their proof")
    async def erasure_request(self, info: Info, id: strawberry.ID) -> t.ErasureRequest | None:
        return t.ErasureRequest.of(
            await erasure.get_request(
                state_of(info).db, str(id), principal=principal_in(info), now=now_of(info)
            )
        )

    @strawberry.field(description="The completion certificate of a complete request")
    async def erasure_certificate(self, info: Info, request: strawberry.ID) -> t.ErasureCertificate | None:
        cert = await erasure.completion_certificate(
            state_of(info).db, str(request), principal=principal_in(info), now=now_of(info)
        )
        return t.ErasureCertificate(
            request_id=strawberry.ID(cert.request_id),
            subject_id=cert.subject_id,
            document=cert.document,
            digest=cert.digest,
            stored_digest=cert.stored_digest,
            intact=cert.intact,
        )


@strawberry.type
class ErasureMutation:
    @strawberry.mutation(
        description="Open an erasure request: its tasks are the plan at this moment, and the "
        "subject goes on the suppression list first. A request whose identity is NOT_VERIFIED awaits "
        "approval (approveErasureRequest) before anything runs. The same idempotencyKey again gives the "
        "first request"
    )
    async def request_erasure(self, info: Info, input: t.ErasureRequestInput) -> t.ErasureRequest | None:
        given = erasure.ErasureRequestInput(
            subject=subject_of(info, input.subject, "input.subject"),
            received_at=input.received_at,
            jurisdiction=Jurisdiction(input.jurisdiction),
            channel=input.channel.value,
            identity_method=input.identity_verification.method.value,
            identity_reference=input.identity_verification.reference,
            from_email=input.from_email,
            idempotency_key=input.idempotency_key,
        )
        return t.ErasureRequest.of(
            await erasure.request_erasure(
                state_of(info).db, given, principal=principal_in(info), now=now_of(info)
            )
        )

    @strawberry.mutation(
        description="Approve a request whose identity is not verified, so that its tasks run (its "
        "suppression entries are written now); by a compliance principal other than the one that opened it"
    )
    async def approve_erasure_request(
        self, info: Info, request: strawberry.ID, reason: str
    ) -> t.ErasureRequest | None:
        return t.ErasureRequest.of(
            await erasure.approve_request(
                state_of(info).db, str(request), reason, principal=principal_in(info), now=now_of(info)
            )
        )

    @strawberry.mutation(
        description="Record the outcome a system or vendor reports for a task (idempotent by key); a token "
        "scoped to one recipient records only that recipient's tasks"
    )
    async def record_erasure_outcome(
        self,
        info: Info,
        task: strawberry.ID,
        outcome: t.OutcomeEnum,  # type: ignore[valid-type]
        evidence: str,
        idempotency_key: str,
    ) -> t.ErasureTask | None:
        recorded = await erasure.record_outcome(
            state_of(info).db,
            str(task),
            Outcome(outcome),
            evidence,
            idempotency_key,
            principal=principal_in(info),
            now=now_of(info),
        )
        return t.ErasureTask.of_record(recorded)

    @strawberry.mutation(
        description="Confirm a claimed outcome with evidence (or reject it: confirmed false); not by the "
        "principal that recorded it"
    )
    async def verify_erasure_task(
        self, info: Info, task: strawberry.ID, evidence: str, confirmed: bool = True
    ) -> t.ErasureTask | None:
        return t.ErasureTask.of_record(
            await erasure.verify_task(
                state_of(info).db,
                str(task),
                evidence,
                confirmed,
                principal=principal_in(info),
                now=now_of(info),
            )
        )

    @strawberry.mutation(
        description="Extend the deadline, with reasons, notified within the first period: GDPR by `months` (1 or "
        "2; default: to the latest), two further months in all (Art. 12(3)); CCPA once by 45 days"
    )
    async def extend_deadline(
        self, info: Info, request: strawberry.ID, reason: str, months: int | None = None
    ) -> t.ErasureRequest | None:
        return t.ErasureRequest.of(
            await erasure.extend_deadline(
                state_of(info).db,
                str(request),
                reason,
                months=months,
                principal=principal_in(info),
                now=now_of(info),
            )
        )

    @strawberry.mutation(
        description="Keep some of a subject's categories restricted, not erased (Art. 17(3)(e))"
    )
    async def place_legal_hold(
        self,
        info: Info,
        subject: SubjectInput,
        categories: list[str],
        reason: str,
        until: dt.date | None = None,
        systems: list[str] | None = None,
    ) -> t.LegalHold | None:
        hold = await erasure.place_legal_hold(
            state_of(info).db,
            subject_of(info, subject),
            categories=categories,
            reason=reason,
            until=until,
            systems=systems or [],
            principal=principal_in(info),
            now=now_of(info),
        )
        return t.LegalHold.of(hold)

    @strawberry.mutation(description="End a legal hold; plans made afterwards erase what it kept")
    async def lift_legal_hold(self, info: Info, hold: strawberry.ID, reason: str) -> t.LegalHold | None:
        return t.LegalHold.of(
            await erasure.lift_legal_hold(
                state_of(info).db, str(hold), reason, principal=principal_in(info), now=now_of(info)
            )
        )

"""Report root fields: Shine-the-Light, GDPR access, RoPA, transfer register, CCPA right to know."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from datamap.api.access_rules import principal_in
from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.types import SubjectInput
from datamap.api.types import reports as t
from datamap.services.reports import map_reports, stl_standard, subject_reports
from datamap.services.reports import shine_the_light as stl_service


async def _shine_the_light(
    info: Info, customer: SubjectInput, received_at: dt.date, at_designated_address: bool, *, answer: bool
) -> t.ShineTheLightReport:
    """A customer's request answered (recorded, as the principal) or previewed."""
    found = await stl_service.answer_request(
        state_of(info).db,
        subject_of(info, customer, "customer"),
        received_at,
        at_designated_address=at_designated_address,
        principal=principal_in(info) if answer else None,
        now=now_of(info),
    )
    return t.ShineTheLightReport.of(found)


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Answer a Shine-the-Light request (Civ. Code §1798.83): record it and its response, once per "
        "customer and calendar year (a second request gets the first answer); a requester who is not a "
        "customer (§1798.83(e)(1)) is answered, and recorded, with the reasons"
    )
    async def answer_shine_the_light_request(
        self,
        info: Info,
        customer: SubjectInput,
        received_at: dt.date,
        at_designated_address: bool = True,
    ) -> t.ShineTheLightReport | None:
        return await _shine_the_light(info, customer, received_at, at_designated_address, answer=True)

    @strawberry.mutation(
        description="Issue the business-wide Shine-the-Light report of a calendar year that has ended: California "
        "customers only (§1798.83(e)(1)), frozen with its SHA-256 digest; issued once (again: the first)"
    )
    async def issue_shine_the_light_standard_report(
        self, info: Info, year: int
    ) -> t.ShineTheLightReport | None:
        found = await stl_standard.issue_standard_report(
            state_of(info).db, year, principal=principal_in(info), now=now_of(info)
        )
        return t.ShineTheLightReport.of(found)


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="A preview of the Shine-the-Light answer (Civ. Code §1798.83) to a request: the "
        "disclosures of the calendar year before (California's days), or why the requester is not a customer "
        "(§1798.83(e)(1)); records nothing (answerShineTheLightRequest does). A request already answered this "
        "calendar year shows that answer"
    )
    async def shine_the_light_report(
        self,
        info: Info,
        customer: SubjectInput,
        received_at: dt.date,
        at_designated_address: bool = True,
    ) -> t.ShineTheLightReport | None:
        return await _shine_the_light(info, customer, received_at, at_designated_address, answer=False)

    @strawberry.field(
        description="The business-wide Shine-the-Light report of a calendar year (California's days): as issued "
        "(issuedAt, digest), or before that a preview of the data as they stand"
    )
    async def shine_the_light_standard_report(self, info: Info, year: int) -> t.ShineTheLightReport | None:
        found = await stl_standard.standard_report(state_of(info).db, year, now=now_of(info))
        return t.ShineTheLightReport.of(found)

    @strawberry.field(description="GDPR Art. 15 access report; null when the graph holds no such subject")
    async def access_report(
        self, info: Info, subject: SubjectInput, as_of: dt.date | None = None
    ) -> t.AccessReport | None:
        found = await subject_reports.access_report(
            state_of(info).db, subject_of(info, subject), as_of, now=now_of(info)
        )
        return t.AccessReport.of(found) if found else None

    @strawberry.field(description="The record of processing activities (Art. 30) as of a date")
    async def ropa(self, info: Info, as_of: dt.date | None = None) -> t.RecordOfProcessing | None:
        found = await map_reports.record_of_processing(state_of(info).db, as_of, now=now_of(info))
        return t.RecordOfProcessing.of(found)

    @strawberry.field(description="Transfers in force on a date, with each mechanism's validity and findings")
    async def transfer_register(self, info: Info, as_of: dt.date | None = None) -> t.TransferRegister | None:
        found = await map_reports.transfer_register(state_of(info).db, as_of, now=now_of(info))
        return t.TransferRegister.of(found)

    @strawberry.field(
        description="CCPA right to know for the 12 months (California's days) before the request, or with "
        "`since` back to that day, not before 1 January 2022 (Civ. Code §1798.130(a)(2)(B); 11 CCR §7024(h)); "
        "null when unknown"
    )
    async def ccpa_right_to_know(
        self, info: Info, subject: SubjectInput, received_at: dt.date, since: dt.date | None = None
    ) -> t.RightToKnow | None:
        return await subject_reports.right_to_know(
            state_of(info).db, subject_of(info, subject), received_at, now=now_of(info), since=since
        )

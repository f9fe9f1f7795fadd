"""Report root fields: Shine-the-Light, GDPR access, RoPA, transfer register, CCPA right to know."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.types import SubjectInput
from datamap.api.types import reports as t
from datamap.services.reports import map_reports, subject_reports
from datamap.services.reports import shine_the_light as stl_service


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Shine-the-Light (Civ. Code §1798.83) for a customer's request: records it, and "
        "answers with the disclosures of the calendar year before (California's days); once per calendar year"
    )
    async def shine_the_light_report(
        self,
        info: Info,
        customer: SubjectInput,
        received_at: dt.date,
        at_designated_address: bool = True,
    ) -> t.ShineTheLightReport | None:
        found = await stl_service.customer_report(
            state_of(info).db,
            subject_of(info, customer, "customer"),
            received_at,
            at_designated_address=at_designated_address,
            now=now_of(info),
        )
        return t.ShineTheLightReport.of(found)

    @strawberry.field(
        description="The business-wide Shine-the-Light report of a calendar year (California's days)"
    )
    async def shine_the_light_standard_report(self, info: Info, year: int) -> t.ShineTheLightReport | None:
        return t.ShineTheLightReport.of(await stl_service.standard_report(state_of(info).db, year))

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
        description="CCPA right to know for the 12 months (California's days) before the request; "
        "null when unknown"
    )
    async def ccpa_right_to_know(
        self, info: Info, subject: SubjectInput, received_at: dt.date
    ) -> t.RightToKnow | None:
        return await subject_reports.right_to_know(
            state_of(info).db, subject_of(info, subject), received_at, now=now_of(info)
        )

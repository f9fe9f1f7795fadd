"""Report root fields: Shine-the-Light, GDPR access, RoPA, transfer register, CCPA right to know."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from datamap.api.identifiers import identifiers_of, state_of
from datamap.api.types import SubjectInput
from datamap.api.types import reports as t
from datamap.domain import shine_the_light as stl
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
    ) -> t.ShineTheLightReport:
        state = state_of(info)
        found = await stl_service.customer_report(
            state.db,
            identifiers_of(customer, "customer"),
            state.secret,
            received_at,
            at_designated_address=at_designated_address,
        )
        return t.ShineTheLightReport.of(
            found.response,
            found.letter(),
            request_id=found.request_id,
            received=found.received,
            due=found.due,
            repeated=found.repeated,
            first_received=found.first_received,
        )

    @strawberry.field(
        description="The business-wide Shine-the-Light report of a calendar year (California's days)"
    )
    async def shine_the_light_standard_report(self, info: Info, year: int) -> t.ShineTheLightReport:
        response, business = await stl_service.standard_report(state_of(info).db, year)
        letter = stl.letter(
            response,
            business=business.get("name", ""),
            business_address=business.get("address"),
            received=dt.date(year + 1, 1, 1),
        )
        return t.ShineTheLightReport.of(response, letter)

    @strawberry.field(description="GDPR Art. 15 access report; null when the graph holds no such subject")
    async def access_report(
        self, info: Info, subject: SubjectInput, as_of: dt.date | None = None
    ) -> t.AccessReport | None:
        state = state_of(info)
        found = await subject_reports.access_report(state.db, identifiers_of(subject), state.secret, as_of)
        return t.AccessReport.of(found) if found else None

    @strawberry.field(description="The record of processing activities (Art. 30) as of a date")
    async def ropa(self, info: Info, as_of: dt.date | None = None) -> t.RecordOfProcessing:
        return t.RecordOfProcessing.of(await map_reports.record_of_processing(state_of(info).db, as_of))

    @strawberry.field(description="Transfers in force on a date, with each mechanism's validity and findings")
    async def transfer_register(self, info: Info, as_of: dt.date | None = None) -> t.TransferRegister:
        return t.TransferRegister.of(await map_reports.transfer_register(state_of(info).db, as_of))

    @strawberry.field(
        description="CCPA right to know for the 12 months (California's days) before the request; "
        "null when unknown"
    )
    async def ccpa_right_to_know(
        self, info: Info, subject: SubjectInput, received_at: dt.date
    ) -> t.RightToKnow | None:
        state = state_of(info)
        found = await subject_reports.right_to_know(
            state.db, identifiers_of(subject), state.secret, received_at
        )
        return t.RightToKnow.of(found) if found else None

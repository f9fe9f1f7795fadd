"""Shine-the-Light responses: per customer (recorded, once per calendar year) and the business-wide report."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from datamap.domain import shine_the_light as stl
from datamap.domain.documents import Document
from datamap.domain.erasure_workflow import digest
from datamap.domain.local_days import CALIFORNIA, day_window
from datamap.domain.report_rows import NoticeRow, OrganisationRow, StatutoryRow
from datamap.errors import ValidationError
from datamap.graph import report_queries as q
from datamap.graph.database import Database, Transaction
from datamap.services.reports.common import check_received
from datamap.services.subjects import SubjectLookup


@dataclass(frozen=True)
class CustomerResponse:
    """A recorded request and its response; `repeated` when it is the year's first response again."""

    request_id: str
    subject_id: str
    received: dt.date
    due: dt.date
    response: stl.ShineTheLightResponse
    repeated: bool
    first_received: dt.date
    business: str
    business_address: str | None

    def letter(self) -> Document:
        return stl.letter(
            self.response,
            business=self.business,
            business_address=self.business_address,
            received=self.received,
            first_received=self.first_received if self.repeated else None,
        )


@dataclass(frozen=True)
class StandardResponse:
    """The business-wide response for a calendar year, from the business that gives it."""

    response: stl.ShineTheLightResponse
    business: str
    business_address: str | None

    def letter(self) -> Document:
        """As a letter dated the first day of the year after (when such requests can first be answered)."""
        return stl.letter(
            self.response,
            business=self.business,
            business_address=self.business_address,
            received=dt.date(self.response.year + 1, 1, 1),
        )


def _statutory(rows: Sequence[StatutoryRow]) -> dict[str, str]:
    return {r["key"]: r["statutoryCategory"] for r in rows}


def _route(notice: NoticeRow | None) -> str:
    return (notice["shineTheLightRoute"] if notice else None) or "disclosure_report"


def _business(controller: OrganisationRow | None) -> tuple[str, str | None]:
    """The name and address of the business that answers (the controller publishing the notice)."""
    business = controller or {}
    return business.get("name", ""), business.get("address")


def _answered(
    request: q.StlRequestRow, received: dt.date, repeated: bool, controller: OrganisationRow | None
) -> CustomerResponse:
    """The answer to the request received on `received`: the recorded `request`'s response."""
    return CustomerResponse(
        request["id"],
        request["subjectId"],
        received,
        request["due"],
        stl.ShineTheLightResponse.from_json(request["response"]),
        repeated,
        request["received"],
        *_business(controller),
    )


async def customer_report(
    db: Database,
    customer: SubjectLookup,
    received: dt.date,
    *,
    at_designated_address: bool = True,
    now: dt.datetime,
) -> CustomerResponse:
    """Record the request and answer it; a second request in the same calendar year gets the first answer."""
    check_received(received, now.astimezone(dt.UTC).date())
    hashes = customer.hashes
    first, last = stl.preceding_calendar_year(received)

    async def work(tx: Transaction) -> CustomerResponse:
        # one request per customer and calendar year of receipt, whichever identifier the customer gives
        fallback = "h_" + hashes[0][:32]
        row = await q.read_stl_customer(
            tx, hashes, fallback, received.year, *day_window(first, last, CALIFORNIA)
        )
        subject_id = customer.one(row["subjects"]) or fallback
        previous = row["previous"]
        if previous is not None:
            return _answered(previous, received, True, row["controller"])
        response = stl.build_response(
            first.year, _route(row["notice"]), row["disclosures"], _statutory(row["statutory"])
        )
        document = response.to_json()
        request: q.StlRequestRow = {
            "key": f"{subject_id}:{received.year}",
            "id": uuid.uuid4().hex,
            "subjectId": subject_id,
            "received": received,
            "year": received.year,
            "atDesignatedAddress": at_designated_address,
            "due": stl.due_date(received, at_designated_address),
            "response": document,
            "responseDigest": digest(document),
            "createdAt": now,
        }
        stored = await q.save_stl_request(tx, request)
        return _answered(stored, received, stored["id"] != request["id"], row["controller"])

    return await db.transaction(work)


async def standard_report(db: Database, year: int) -> StandardResponse:
    """The business-wide response for `year` (the statute allows a standardised response)."""
    if not 1900 < year < 9999:
        raise ValidationError(f"year: {year} is out of range")
    row = await q.read_stl_standard(db, *day_window(dt.date(year, 1, 1), dt.date(year, 12, 31), CALIFORNIA))
    response = stl.build_response(
        year, _route(row["notice"]), row["disclosures"], _statutory(row["statutory"])
    )
    return StandardResponse(response, *_business(row["controller"]))

"""The business-wide Shine-the-Light report of a calendar year: previewed live, issued once as a frozen record.

Civ. Code §1798.83 lets a business answer its customers with a standardised report of a calendar year: the
categories of §1798.83(e)(6)(A) it disclosed to third parties for their own direct marketing, and those third
parties. It covers California customers only (§1798.83(e)(1): residents of California whose relationship is
primarily for personal, family, or household purposes). Issued once a year, its response is kept with its SHA-256
digest: what was issued stays what it was, whatever happens to the data later (an erasure, a correction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datamap.domain import shine_the_light as stl
from datamap.domain.access import Principal
from datamap.domain.documents import Document
from datamap.domain.erasure_workflow import digest
from datamap.domain.local_days import CALIFORNIA, day_window
from datamap.errors import ValidationError
from datamap.graph import stl_queries as q
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.trail import Trail, refusals
from datamap.services.reports.shine_the_light import business_of, route_of, statutory_of


@dataclass(frozen=True)
class StandardResponse:
    """The business-wide response for a calendar year; `issued_at` and `digest` once it was issued."""

    response: stl.ShineTheLightResponse
    business: str
    business_address: str | None
    issued_at: dt.datetime | None = None
    digest: str | None = None

    def letter(self) -> Document:
        """The report (not a letter to anyone)."""
        return stl.standard_report_document(
            self.response, business=self.business, business_address=self.business_address
        )


def _check_year(year: int) -> None:
    if not 1900 < year < 9999:
        raise ValidationError(f"year: {year} is out of range")


async def _live(
    tx: Transaction, year: int, now: dt.datetime
) -> tuple[stl.ShineTheLightResponse, q.StlStandardRow]:
    """The report from the data as they stand; the third parties' names and addresses (§1798.83(a)(2)) as the
    map holds them on the day the report is made (California's)."""
    row = await q.read_stl_standard(
        tx,
        year,
        *day_window(dt.date(year, 1, 1), dt.date(year, 12, 31), CALIFORNIA),
        as_of=now.astimezone(CALIFORNIA).date(),
    )
    response = stl.build_response(
        year, route_of(row["notice"]), row["disclosures"], statutory_of(row["statutory"])
    )
    return response, row


async def standard_report(db: Database, year: int, *, now: dt.datetime) -> StandardResponse:
    """The report of `year` as issued, or, before it is issued, as the data stand now (a preview); one read."""
    _check_year(year)
    response, row = await db.read_transaction(lambda tx: _live(tx, year, now))
    issued = row["issued"]
    if issued is None:
        return StandardResponse(response, *business_of(row["controller"]))
    frozen = stl.ShineTheLightResponse.from_json(issued["response"])
    return StandardResponse(
        frozen, *business_of(row["controller"]), issued["issuedAt"], issued["responseDigest"]
    )


async def issue_standard_report(
    db: Database, year: int, *, principal: Principal, now: dt.datetime
) -> StandardResponse:
    """Issue the report of a calendar year that has ended (in California): frozen with its digest; issuing it
    again gives the report first issued."""
    _check_year(year)
    if year >= now.astimezone(CALIFORNIA).year:
        raise ValidationError(f"year: {year} has not ended in California; issue it from 1 January {year + 1}")
    trail = Trail(principal, "issueShineTheLightStandardReport", now)

    async def work(tx: Transaction) -> StandardResponse:
        response, row = await _live(tx, year, now)
        document = response.to_json()
        issued = await q.save_stl_issued(
            tx,
            {
                "year": year,
                "response": document,
                "responseDigest": digest(document),
                "issuedAt": now,
                "issuedBy": principal.label,
            },
        )
        await trail.write(tx, "issued" if issued["issuedAt"] == now else "issued before")
        frozen = stl.ShineTheLightResponse.from_json(issued["response"])
        return StandardResponse(
            frozen, *business_of(row["controller"]), issued["issuedAt"], issued["responseDigest"]
        )

    async with refusals(db, trail):
        return await db.transaction(work)

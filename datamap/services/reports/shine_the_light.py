"""Shine-the-Light responses: per customer (recorded, once per calendar year) and the business-wide report."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datamap.domain import shine_the_light as stl
from datamap.domain.documents import Document
from datamap.domain.erasure_workflow import digest
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.local_days import CALIFORNIA
from datamap.errors import ValidationError
from datamap.graph import report_queries as q
from datamap.graph.database import Database, Transaction, run
from datamap.services.reports.common import check_received, window


@dataclass(frozen=True)
class CustomerResponse:
    """A recorded request and its response; `repeated` when it is the year's first response again."""

    request_id: str
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


def _statutory(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    return {r["key"]: r["statutoryCategory"] for r in rows}


async def customer_report(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    received: dt.date,
    *,
    at_designated_address: bool = True,
    now: dt.datetime | None = None,
) -> CustomerResponse:
    """Record the request and answer it; a second request in the same calendar year gets the first answer."""
    now = now or dt.datetime.now(dt.UTC)
    check_received(received, now.date())
    hashes = sorted(i.keyed_hash(secret) for i in identifiers)
    first, last = stl.preceding_calendar_year(received)

    async def work(tx: Transaction) -> CustomerResponse:
        # one request per customer and calendar year of receipt, whichever identifier the customer gives
        fallback = "h_" + hashes[0][:32]
        (row,) = await run(
            tx,
            q.STL_CUSTOMER,
            hashes=hashes,
            fallbackId=fallback,
            year=received.year,
            **window(first, last, CALIFORNIA),
        )
        if len(row["subjects"]) > 1:
            raise ValidationError(
                "customer: the identifiers given belong to different subjects; give one of them"
            )
        customer = row["subjects"][0] if row["subjects"] else fallback
        key = f"{customer}:{received.year}"
        business = row["controller"] or {}
        previous = row["previous"]
        if previous is not None:
            return CustomerResponse(
                previous["id"],
                received,
                previous["due"],
                stl.ShineTheLightResponse.from_json(previous["response"]),
                True,
                previous["received"],
                business.get("name", ""),
                business.get("address"),
            )
        route = (row["notice"] or {}).get("shineTheLightRoute") or "disclosure_report"
        response = stl.build_response(first.year, route, row["disclosures"], _statutory(row["statutory"]))
        document = response.to_json()
        request = {
            "key": key,
            "id": uuid.uuid4().hex,
            "subjectId": customer,
            "received": received,
            "year": received.year,
            "atDesignatedAddress": at_designated_address,
            "due": stl.due_date(received, at_designated_address),
            "response": document,
            "responseDigest": digest(document),
            "createdAt": now,
        }
        (saved,) = await run(tx, q.SAVE_STL_REQUEST, request=request)
        stored = saved["request"]
        return CustomerResponse(
            stored["id"],
            received,
            stored["due"],
            stl.ShineTheLightResponse.from_json(stored["response"]),
            stored["id"] != request["id"],
            stored["received"],
            business.get("name", ""),
            business.get("address"),
        )

    return await db.transaction(work)


async def standard_report(db: Database, year: int) -> tuple[stl.ShineTheLightResponse, dict[str, Any]]:
    """The business-wide response for `year` (the statute allows a standardised response)."""
    if not 1900 < year < 9999:
        raise ValidationError(f"year: {year} is out of range")
    (row,) = await db.read(q.STL_STANDARD, **window(dt.date(year, 1, 1), dt.date(year, 12, 31), CALIFORNIA))
    route = (row["notice"] or {}).get("shineTheLightRoute") or "disclosure_report"
    return stl.build_response(year, route, row["disclosures"], _statutory(row["statutory"])), row[
        "controller"
    ] or {}

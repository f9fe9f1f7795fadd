"""Shine-the-Light responses: per customer (recorded, once per calendar year) and the business-wide report."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from datamap.domain import shine_the_light as stl
from datamap.domain.access import Principal
from datamap.domain.documents import Document
from datamap.domain.erasure_workflow import digest
from datamap.domain.local_days import CALIFORNIA, day_window
from datamap.domain.report_rows import NoticeRow, OrganisationRow, StatutoryRow
from datamap.graph import stl_queries as q
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.trail import Trail, refusals
from datamap.services.reports.common import check_received
from datamap.services.subjects import SubjectLookup


@dataclass(frozen=True)
class CustomerResponse:
    """A recorded request and its response; `repeated` when it is the year's first response again; `recorded`
    false for a preview (nothing written)."""

    request_id: str
    subject_id: str
    received: dt.date
    due: dt.date
    response: stl.ShineTheLightResponse
    repeated: bool
    first_received: dt.date
    business: str
    business_address: str | None
    recorded: bool = True
    digest: str | None = None  # SHA-256 of the response as recorded

    def letter(self) -> Document:
        return stl.letter(
            self.response,
            business=self.business,
            business_address=self.business_address,
            received=self.received,
            first_received=self.first_received if self.repeated else None,
        )


def statutory_of(rows: Sequence[StatutoryRow]) -> dict[str, str]:
    return {r["key"]: r["statutoryCategory"] for r in rows}


def route_of(notice: NoticeRow | None) -> str:
    return (notice["shineTheLightRoute"] if notice else None) or "disclosure_report"


def business_of(controller: OrganisationRow | None) -> tuple[str, str | None]:
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
        *business_of(controller),
        digest=request["responseDigest"],
    )


async def customer_report(
    db: Database,
    customer: SubjectLookup,
    received: dt.date,
    *,
    at_designated_address: bool = True,
    now: dt.datetime,
    trail: Trail | None = None,
) -> CustomerResponse:
    """Record the request and answer it, its audit event (`trail`) in the same transaction; without a trail,
    only preview the answer, writing nothing. A second request in the same calendar year gets the first answer.
    A requester who is not a "customer" of §1798.83(e)(1) is answered with the reasons."""
    check_received(received, now.astimezone(dt.UTC).date())
    hashes = customer.hashes
    first, last = stl.preceding_calendar_year(received)

    async def work(tx: Transaction) -> CustomerResponse:
        # one request per customer and calendar year of receipt, whichever identifier the customer gives
        fallback = "h_" + hashes[0][:32]
        # the third parties' names and addresses (§1798.83(a)(2)) as the map held them on the day received
        row = await q.read_stl_customer(
            tx, hashes, fallback, received.year, *day_window(first, last, CALIFORNIA), as_of=received
        )
        subject_id = customer.one(row["subjects"]) or fallback
        previous = row["previous"]
        if previous is not None:
            if trail is not None:  # answered again: recorded as such
                trail.about(subject_id=previous["subjectId"])
                await trail.write(tx, "answered before")
            return _answered(previous, received, True, row["controller"])
        profile = next((p for p in row["profiles"] if p["id"] == subject_id), None)
        reasons = stl.eligibility(
            profile["region"] if profile else None, profile["relationship"] if profile else None
        )
        response = stl.build_response(
            first.year, route_of(row["notice"]), row["disclosures"], statutory_of(row["statutory"]), reasons
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
        if trail is None:
            return replace(_answered(request, received, False, row["controller"]), recorded=False)
        stored = await q.save_stl_request(tx, request)
        trail.about(subject_id=subject_id)
        await trail.write(tx)
        return _answered(stored, received, stored["id"] != request["id"], row["controller"])

    return await (db.read_transaction(work) if trail is None else db.transaction(work))


async def answer_request(
    db: Database,
    customer: SubjectLookup,
    received: dt.date,
    *,
    at_designated_address: bool = True,
    principal: Principal | None,
    now: dt.datetime,
) -> CustomerResponse:
    """Record the request and its answer, with its audit event in the same transaction; without a principal,
    only preview the answer (nothing written)."""
    if principal is None:
        return await customer_report(
            db, customer, received, at_designated_address=at_designated_address, now=now
        )
    trail = Trail(principal, "answerShineTheLightRequest", now)
    async with refusals(db, trail):
        return await customer_report(
            db, customer, received, at_designated_address=at_designated_address, now=now, trail=trail
        )

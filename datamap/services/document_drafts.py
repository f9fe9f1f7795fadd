"""What a draft holds, per kind of document: its content, from the report services as they are, and the findings
the reviewer must see. Reads only; `documents.draft` records the draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TypeVar

from datamap.domain.access import Principal
from datamap.domain.access_report import access_document
from datamap.domain.outgoing_documents import (
    art19_findings,
    art19_notice,
    certificate_findings,
    erasure_certificate_document,
    right_to_know_document,
    shine_the_light_findings,
    tasks_of_recipient,
)
from datamap.domain.review import About, Content, DocumentKind
from datamap.domain.subject_requests import check_response
from datamap.domain.transfer_validity import Finding
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services import erasure, subject_requests
from datamap.services.reports import shine_the_light as stl_service
from datamap.services.reports import subject_reports
from datamap.services.subjects import SubjectLookup

Produced = tuple[Content, tuple[Finding, ...]]
T = TypeVar("T")


@dataclass(frozen=True)
class DraftInput:
    """What to draft: the kind, and what that kind is about (the fields its producer needs, checked here)."""

    kind: DocumentKind
    subject: SubjectLookup | None = None
    received: dt.date | None = None  # Shine-the-Light and CCPA: the day the request was received
    as_of: dt.date | None = None  # the access report's date (default: today)
    at_designated_address: bool = True  # Shine-the-Light
    erasure_request_id: str | None = None
    recipient: str | None = None  # an Art. 19 notice's addressee
    since: dt.date | None = None  # CCPA right to know: back to this day (§1798.130(a)(2)(B))
    subject_request_id: str | None = None  # the access or right-to-know request the document answers


def _needed(value: T | None, argument: str, kind: DocumentKind) -> T:
    if value is None:
        raise ValidationError(f"input.{argument}: required for a document of kind {kind.name}")
    return value


def _agrees(given: T | None, kept: T | None, argument: str, request_id: str) -> None:
    """An argument given beside a subject request says what the request says, or nothing."""
    if given is not None and given != kept:
        raise ValidationError(
            f"input.{argument}: {given} contradicts subject request {request_id} ({kept or 'none'}); leave it out "
            "to take the request's"
        )


async def produce(db: Database, given: DraftInput, *, principal: Principal, now: dt.datetime) -> Produced:
    """The content and findings of a new draft of `given.kind`. A response to a subject request takes the
    request's subject, day of receipt and `since`, and names the request (its sending answers it)."""
    if given.subject_request_id is None:
        return await _produce(db, given, principal=principal, now=now)
    request, subject = await subject_requests.to_answer(db, given.subject_request_id, "input.subjectRequest")
    check_response(request, given.kind, "input.kind")
    _agrees(given.received, request.received_date, "receivedAt", request.id)
    _agrees(given.since, request.since, "since", request.id)
    filled = replace(
        given, subject=given.subject or subject, received=request.received_date, since=request.since
    )
    content, findings = await _produce(db, filled, principal=principal, now=now)
    if content.about.subject_id != request.subject_id:
        raise ValidationError(
            f"input.subject: not the subject of subject request {request.id}; leave it out to take the request's"
        )
    return replace(content, about=replace(content.about, subject_request_id=request.id)), findings


async def _produce(db: Database, given: DraftInput, *, principal: Principal, now: dt.datetime) -> Produced:
    kind = given.kind
    if given.since is not None and kind is not DocumentKind.CCPA_RIGHT_TO_KNOW:
        raise ValidationError(f"input.since: only for a document of kind CCPA_RIGHT_TO_KNOW, not {kind.name}")
    if kind is DocumentKind.ACCESS_REPORT:
        return await _access_report(db, _needed(given.subject, "subject", kind), given.as_of, now)
    if kind in (DocumentKind.SHINE_THE_LIGHT, DocumentKind.CCPA_RIGHT_TO_KNOW):
        subject = _needed(given.subject, "subject", kind)
        received = _needed(given.received, "receivedAt", kind)
        if kind is DocumentKind.SHINE_THE_LIGHT:
            return await _shine_the_light(db, subject, received, given.at_designated_address, now)
        return await _right_to_know(db, subject, received, given.since, now)
    request_id = _needed(given.erasure_request_id, "erasureRequest", kind)
    if kind is DocumentKind.ART19_NOTICE:
        recipient = _needed(given.recipient, "recipient", kind)
        return await _art19_notice(db, request_id, recipient, principal, now)
    return await _certificate(db, request_id, principal, now)


async def _access_report(
    db: Database, subject: SubjectLookup, as_of: dt.date | None, now: dt.datetime
) -> Produced:
    """GDPR Art. 15, with the findings the report keeps for staff (recipients known only by category, invalid
    safeguards, ...)."""
    report = await subject_reports.access_report(db, subject, as_of, now=now)
    if report is None:
        raise subject.unknown()
    content = Content(DocumentKind.ACCESS_REPORT, About(report.subject_id), access_document(report))
    return content, tuple(report.findings)


async def _shine_the_light(
    db: Database, subject: SubjectLookup, received: dt.date, at_designated_address: bool, now: dt.datetime
) -> Produced:
    """Civ. Code §1798.83: the answer as it would be (a preview: drafting records no answer; the customer's one
    answer a year is recorded by answerShineTheLightRequest), and the letter is the draft."""
    found = await stl_service.customer_report(
        db, subject, received, at_designated_address=at_designated_address, now=now
    )
    content = Content(DocumentKind.SHINE_THE_LIGHT, About(found.subject_id), found.letter())
    return content, shine_the_light_findings(found.response, found.repeated, found.first_received)


async def _right_to_know(
    db: Database, subject: SubjectLookup, received: dt.date, since: dt.date | None, now: dt.datetime
) -> Produced:
    """Civ. Code §1798.110: the 12 months before the request, or back to `since` (§1798.130(a)(2)(B))."""
    found = await subject_reports.right_to_know(db, subject, received, now=now, since=since)
    if found is None:
        raise subject.unknown()
    return Content(
        DocumentKind.CCPA_RIGHT_TO_KNOW, About(found.subject_id), right_to_know_document(found)
    ), ()


async def _art19_notice(
    db: Database, request_id: str, recipient: str, principal: Principal, now: dt.datetime
) -> Produced:
    found = await erasure.get_request(db, request_id, principal=principal, now=now)
    request = found.request
    if recipient not in request.art19_recipients:
        listed = ", ".join(request.art19_recipients) or "none"
        raise ValidationError(
            f"input.recipient: request {request_id} communicates its erasure (GDPR Art. 19) to {listed}; "
            f"not to {recipient!r}"
        )
    about = About(request.subject_id, request.id, recipient)
    content = Content(DocumentKind.ART19_NOTICE, about, art19_notice(request, found.tasks, recipient))
    return content, art19_findings(request, tasks_of_recipient(found.tasks, recipient))


async def _certificate(db: Database, request_id: str, principal: Principal, now: dt.datetime) -> Produced:
    cert = await erasure.completion_certificate(db, request_id, principal=principal, now=now)
    found = await erasure.get_request(db, request_id, principal=principal, now=now)
    request = found.request
    document = erasure_certificate_document(request, found.tasks, cert.digest, cert.stored_digest)
    content = Content(DocumentKind.ERASURE_CERTIFICATE, About(request.subject_id, request.id), document)
    return content, certificate_findings(request.id, cert.digest, cert.stored_digest)

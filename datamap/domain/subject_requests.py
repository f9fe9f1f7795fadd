"""Requests to access or to know one's data, kept with their deadlines: GDPR Art. 15 access requests (the Swiss
FADP's Art. 25 for a person living in Switzerland) and CCPA right-to-know requests (Cal. Civ. Code §1798.100,
§1798.110, §1798.115). Pure.

GDPR Art. 12(3): the answer is due "within one month of receipt", which "may be extended by two further months
where necessary", the person told of any extension within the first month, with the reasons. FADP Art. 25(7)
and DPO Art. 18: within 30 days of receipt; if that cannot be done, the person is told within the 30 days, with
the period in which the information will follow (`deadlines.FadpAccessRule`). CCPA §1798.130(a)(2): 45 days,
which "may be extended once by an additional 45 days", notified within the first 45 days; 11 CCR §7021(a):
receipt confirmed within 10 business days, with how the business will process the request. The law of an access
request is the subject's residence when it is recorded (`law_of`), kept with it. The dates are the rules' of
`deadlines.py`; here is the request as kept and what may happen to it. A request is answered when the document
drafted to answer it (`review.py`: an ACCESS_REPORT or a CCPA_RIGHT_TO_KNOW document naming it) is marked sent.

Its days are days where it was received (`received_at` keeps the offset it was given with): the day of receipt,
and the day on which an extension is notified, or on which it is overdue (`SubjectRequest.local_day`).

What may hold personal data: the reasons of an extension (free text, cleared when the person's erasure
completes). The subject is named by its id only; the channel is a closed list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from datamap.domain.access import Principal
from datamap.domain.ccpa import window_of
from datamap.domain.deadlines import (
    DeadlineRule,
    FadpAccessRule,
    Jurisdiction,
    ResponseRule,
    check_past,
    is_overdue,
    local_day,
)
from datamap.domain.regions import country_of
from datamap.domain.review import DocumentKind
from datamap.errors import ValidationError


class SubjectRequestKind(StrEnum):
    ACCESS = "access"  # GDPR Art. 15
    RIGHT_TO_KNOW = "right_to_know"  # Cal. Civ. Code §1798.100, §1798.110, §1798.115


class SubjectRequestStatus(StrEnum):
    OPEN = "open"  # received, not answered
    CONFIRMED = "confirmed"  # CCPA: its receipt confirmed (11 CCR §7021(a)), not answered yet
    ANSWERED = "answered"  # its response document was sent


class RequestLaw(StrEnum):
    """The law whose deadlines a request runs on."""

    GDPR = "gdpr"  # Art. 12(3); the UK GDPR keeps the same article
    FADP = "fadp"  # Switzerland: FADP Art. 25(7), DPO Art. 18
    CCPA = "ccpa"  # §1798.130(a)(2), 11 CCR §7021

    @property
    def rule(self) -> ResponseRule:
        return _RULES[self]


_RULES: dict[RequestLaw, ResponseRule] = {
    RequestLaw.GDPR: DeadlineRule(Jurisdiction.GDPR),
    RequestLaw.FADP: FadpAccessRule(),
    RequestLaw.CCPA: DeadlineRule(Jurisdiction.CCPA),
}
# The law of a request of each kind, unless the subject's residence says otherwise (`law_of`); also the law of a
# request kept before its law was (a GDPR access request, a CCPA right-to-know request).
LAW_OF_KIND = {
    SubjectRequestKind.ACCESS: RequestLaw.GDPR,
    SubjectRequestKind.RIGHT_TO_KNOW: RequestLaw.CCPA,
}


def law_of(kind: SubjectRequestKind, country: str | None, region: str | None = None) -> RequestLaw:
    """The law of a request about a subject living in `country` (or `region`, ISO 3166-2): an access request of
    a person living in Switzerland is the FADP's (Art. 25; Switzerland does not apply the GDPR), any other the
    GDPR's; a right-to-know request is the CCPA's."""
    where = (country or (country_of(region) if region else "")).upper()
    if kind is SubjectRequestKind.ACCESS and where == "CH":
        return RequestLaw.FADP
    return LAW_OF_KIND[kind]


# The document that answers each kind of request (`review.py`).
RESPONSE = {
    SubjectRequestKind.ACCESS: DocumentKind.ACCESS_REPORT,
    SubjectRequestKind.RIGHT_TO_KNOW: DocumentKind.CCPA_RIGHT_TO_KNOW,
}


@dataclass(frozen=True)
class SubjectRequest:
    """A request as kept. `received_date` is the day of receipt where it was received (deadlines count from it);
    `deadline` the first one, `extended_deadline` the one an extension set; `since` (right to know only) the day
    the consumer asked to go back to."""

    id: str
    kind: SubjectRequestKind
    subject_id: str
    received_at: dt.datetime  # with the offset it was given with: where it was received
    received_date: dt.date
    channel: str
    deadline: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    law: RequestLaw
    since: dt.date | None = None
    receipt_confirmation_due: dt.date | None = None  # CCPA only
    confirmed_at: dt.datetime | None = None
    confirmed_by: str | None = None
    extended_deadline: dt.date | None = None
    extension_reasons: tuple[str, ...] = ()  # one per extension; cleared on the person's erasure
    extended_at: dt.datetime | None = None
    response_document_id: str | None = None
    answered_at: dt.datetime | None = None
    idempotency_key_digest: str | None = None
    reasons_cleared_at: dt.datetime | None = None  # when the person's erasure cleared the extension reasons
    version: int = 0

    @property
    def rule(self) -> ResponseRule:
        return self.law.rule

    @property
    def effective_deadline(self) -> dt.date:
        return self.extended_deadline or self.deadline

    @property
    def status(self) -> SubjectRequestStatus:
        if self.answered_at is not None:
            return SubjectRequestStatus.ANSWERED
        if self.confirmed_at is not None:
            return SubjectRequestStatus.CONFIRMED
        return SubjectRequestStatus.OPEN

    def local_day(self, now: dt.datetime) -> dt.date:
        """The day `now` is where the request was received (its deadlines are days there)."""
        return local_day(self.received_at, now)

    def overdue(self, now: dt.datetime) -> bool:
        """Not answered, and today where it was received (`local_day`) is past the deadline (as extended)."""
        return is_overdue(self.effective_deadline, self.local_day(now), self.answered_at is not None)

    def confirmation_overdue(self, now: dt.datetime) -> bool:
        """CCPA: neither confirmed nor answered, and today where it was received is past the day the
        confirmation was due."""
        if self.receipt_confirmation_due is None:
            return False
        done = self.confirmed_at is not None or self.answered_at is not None
        return is_overdue(self.receipt_confirmation_due, self.local_day(now), done)


def received(
    request_id: str,
    kind: SubjectRequestKind,
    subject_id: str,
    received_at: dt.datetime,
    channel: str,
    since: dt.date | None,
    *,
    residence: tuple[str | None, str | None],
    key_digest: str | None,
    by: Principal,
    now: dt.datetime,
) -> SubjectRequest:
    """A new request about a subject living where `residence` (country, region) says, under the law that gives
    (`law_of`), with its deadlines from the day of receipt where it was received (`ValidationError` naming the
    argument)."""
    check_past(received_at, now, "receivedAt")
    day = received_at.date()  # where it was received
    if since is not None:
        if kind is not SubjectRequestKind.RIGHT_TO_KNOW:
            raise ValidationError(
                "since: only a RIGHT_TO_KNOW request goes back to a day (Civ. Code §1798.130(a)(2)(B)); an ACCESS "
                "request (GDPR Art. 15) is answered with the data as they are"
            )
        window_of(day, since)  # not before 1 January 2022, not after the day of receipt
    law = law_of(kind, *residence)
    rule = law.rule
    return SubjectRequest(
        id=request_id,
        kind=kind,
        subject_id=subject_id,
        received_at=received_at,  # its offset says where it was received: its days are days there
        received_date=day,
        channel=channel,
        deadline=rule.due(day),
        recorded_at=now,
        recorded_by=by.label,
        law=law,
        since=since,
        receipt_confirmation_due=rule.receipt_confirmation_due(day),
        idempotency_key_digest=key_digest,
    )


def _check_unanswered(request: SubjectRequest, action: str) -> None:
    if request.answered_at is not None:
        raise ValidationError(
            f"id: subject request {request.id} was answered on {request.answered_at.date()} (document "
            f"{request.response_document_id}); {action}"
        )


def confirmation(
    request: SubjectRequest, at: dt.datetime | None, *, by: Principal, now: dt.datetime
) -> SubjectRequest:
    """The request with its receipt confirmed `at` (default: now): 11 CCR §7021(a), CCPA requests only."""
    if request.kind is not SubjectRequestKind.RIGHT_TO_KNOW:
        asks = {
            RequestLaw.FADP: "the FADP asks for the information itself within 30 days (DPO Art. 18(1))",
        }.get(request.law, "GDPR Art. 12(3) asks for the answer itself within one month")
        raise ValidationError(
            f"id: subject request {request.id} is a {request.law.name} access request; a confirmation of receipt "
            f"is the CCPA's (11 CCR §7021(a)), {asks}"
        )
    _check_unanswered(request, "it needs no confirmation of receipt any more")
    if request.confirmed_at is not None:
        raise ValidationError(
            f"id: subject request {request.id}: its receipt was confirmed on {request.confirmed_at.isoformat()} "
            f"by {request.confirmed_by}"
        )
    when = now if at is None else at
    check_past(when, now, "confirmedAt")
    if when < request.received_at:
        raise ValidationError(
            f"confirmedAt: {when.isoformat()} is before the request was received "
            f"({request.received_at.isoformat()})"
        )
    return replace(request, confirmed_at=when, confirmed_by=by.label)


def extension(
    request: SubjectRequest, reason: str, months: int | None, *, now: dt.datetime
) -> SubjectRequest:
    """The request with its deadline extended, notified today (where it was received) with `reason`: GDPR
    Art. 12(3) by one or two months, two further months in all; FADP (DPO Art. 18(2)) by the period the person is
    told, within the 30 days; CCPA §1798.130(a)(2)(A) once by 45 days (the rule's `check_extension` says what is
    refused and why)."""
    _check_unanswered(request, "nothing is left to extend")
    if request.reasons_cleared_at is not None:
        # the person is erased: a reason given now (free text) would outlive them
        raise ValidationError(
            f"id: subject request {request.id} is about a person erased on "
            f"{request.reasons_cleared_at.date().isoformat()}; there is nobody left to tell of an extension"
        )
    extended = request.rule.check_extension(
        request.received_date, request.local_day(now), reason, request.extended_deadline, months
    )
    return replace(
        request,
        extended_deadline=extended,
        extension_reasons=(*request.extension_reasons, reason.strip()),
        extended_at=now,
    )


def check_response(request: SubjectRequest, kind: DocumentKind, where: str) -> None:
    """A document answering the request is of the kind that answers it."""
    expected = RESPONSE[request.kind]
    if kind is not expected:
        raise ValidationError(
            f"{where}: subject request {request.id} ({request.kind.name}) is answered by a document of kind "
            f"{expected.name}, not {kind.name}"
        )


def answering(request: SubjectRequest, document_id: str, *, now: dt.datetime) -> SubjectRequest:
    """The request answered by the document just sent; a request already answered keeps its first answer (a
    document sent later, a correction, does not move the day it was answered)."""
    if request.answered_at is not None:
        return request
    return replace(request, answered_at=now, response_document_id=document_id)

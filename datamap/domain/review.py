"""Review before sending: every document for a person or an authority is drafted, approved, then sent. Pure.

The documents the business sends about one person (the GDPR Art. 15 access report, a Shine-the-Light response
under Civ. Code §1798.83, a CCPA right-to-know response under §1798.110, a notice to a recipient under GDPR
Art. 19, an erasure certificate) are first kept as a DRAFT with the findings their producer raised for staff.
A compliance principal other than the one who drafted it approves it (separation of duties, as for the approval
of an erasure request), which freezes the SHA-256 digest of its canonical content; only an approved document is
marked SENT. A finding of HIGH or CRITICAL severity blocks approval: such a document would be wrong to send.
A document not yet sent may be WITHDRAWN.

Why: a communication under Art. 15 to 22 goes to the person "in a concise, transparent, intelligible and easily
accessible form" (GDPR Art. 12(1)), and the controller must be able to demonstrate compliance (Art. 5(2)): the
digest frozen at approval shows what was approved, and that the record of it was not changed since.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from datamap.domain.access import Principal, Role
from datamap.domain.documents import Document, Section
from datamap.domain.erasure_workflow import digest
from datamap.domain.transfer_validity import Finding, Severity
from datamap.errors import Forbidden, ValidationError


class DocumentKind(StrEnum):
    ACCESS_REPORT = "access_report"  # GDPR Art. 15
    SHINE_THE_LIGHT = "shine_the_light"  # Cal. Civ. Code §1798.83
    CCPA_RIGHT_TO_KNOW = "ccpa_right_to_know"  # Cal. Civ. Code §1798.110, §1798.115
    ART19_NOTICE = "art19_notice"  # GDPR Art. 19, to one recipient
    ERASURE_CERTIFICATE = "erasure_certificate"  # GDPR Art. 17 and 19


class DocumentStatus(StrEnum):
    DRAFT = "draft"  # recorded with its findings, not yet approved
    APPROVED = "approved"  # by a second compliance principal: its content digest is frozen
    SENT = "sent"  # on record as sent, and how
    WITHDRAWN = "withdrawn"  # before it was sent: it will not be


class Channel(StrEnum):
    """How a document was sent (a closed list: free text here could hold an address, which would outlive the
    person's erasure)."""

    EMAIL = "email"
    POST = "post"
    PORTAL = "portal"
    OTHER = "other"


APPROVERS = frozenset({Role.COMPLIANCE, Role.ADMIN})
BLOCKING = frozenset({Severity.CRITICAL, Severity.HIGH})
# Built from the erasure request's own record, which its completion keeps: these stay when the person's erasure
# completes. Every other kind is built from the subject layer, and its content is cleared then.
KEPT_AFTER_ERASURE = frozenset({DocumentKind.ART19_NOTICE, DocumentKind.ERASURE_CERTIFICATE})


@dataclass(frozen=True)
class About:
    """Whom or what a document is about: ids only, never an identifier of the person."""

    subject_id: str | None
    erasure_request_id: str | None = None
    recipient: str | None = None  # an Art. 19 notice's addressee (a recipient key of the map)
    subject_request_id: str | None = None  # the access or right-to-know request it answers


@dataclass(frozen=True)
class Content:
    """What is sent: the kind, whom it is about, the title and the sections. The digest covers exactly this."""

    kind: DocumentKind
    about: About
    document: Document

    def canonical(self) -> str:
        """One text for one content: keys sorted, no spaces, UTF-8 as it is."""
        body = {
            "kind": self.kind.value,
            "subjectId": self.about.subject_id,
            "erasureRequestId": self.about.erasure_request_id,
            "recipient": self.about.recipient,
            "title": self.document.title,
            "sections": [
                {"heading": s.heading, "paragraphs": list(s.paragraphs), "items": list(s.items)}
                for s in self.document.sections
            ],
        }
        if self.about.subject_request_id is not None:  # only then: a document without one keeps its digest
            body["subjectRequestId"] = self.about.subject_request_id
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def digest(self) -> str:
        return digest(self.canonical())

    @classmethod
    def from_canonical(cls, text: str) -> Content:
        raw: dict[str, Any] = json.loads(text)
        sections = [Section(s["heading"], list(s["paragraphs"]), list(s["items"])) for s in raw["sections"]]
        about = About(
            raw["subjectId"], raw["erasureRequestId"], raw["recipient"], raw.get("subjectRequestId")
        )
        return cls(DocumentKind(raw["kind"]), about, Document(raw["title"], sections))


@dataclass(frozen=True)
class DocumentFilter:
    """Which documents a listing gives: every field that is set must match."""

    status: DocumentStatus | None
    kind: DocumentKind | None
    subject_id: str | None
    erasure_request_id: str | None


@dataclass(frozen=True)
class ReviewDocument:
    """A document under review as kept. `content` and `html` are None once cleared (the person's erasure
    completed); the title, the digests and who did what stay."""

    id: str
    kind: DocumentKind
    about: About
    title: str
    content: Content | None
    html: str | None
    findings: tuple[Finding, ...]
    status: DocumentStatus
    content_digest: str  # of the content as drafted
    drafted_by: str
    drafted_at: dt.datetime
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    approved_digest: str | None = None  # frozen at approval
    sent_by: str | None = None
    sent_at: dt.datetime | None = None
    channel: Channel | None = None
    withdrawn_by: str | None = None
    withdrawn_at: dt.datetime | None = None
    cleared_at: dt.datetime | None = None
    version: int = 0

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity in BLOCKING)

    @property
    def intact(self) -> bool | None:
        """Whether the content kept still gives its digest (the approved one, once approved); None once
        cleared."""
        if self.content is None:
            return None
        return self.content.digest == (self.approved_digest or self.content_digest)


def draft(
    document_id: str,
    content: Content,
    findings: tuple[Finding, ...],
    html: str,
    *,
    by: Principal,
    now: dt.datetime,
) -> ReviewDocument:
    """A new draft; its findings most severe first."""
    order = list(Severity)
    return ReviewDocument(
        id=document_id,
        kind=content.kind,
        about=content.about,
        title=content.document.title,
        content=content,
        html=html,
        findings=tuple(sorted(findings, key=lambda f: order.index(f.severity))),
        status=DocumentStatus.DRAFT,
        content_digest=content.digest,
        drafted_by=by.label,
        drafted_at=now,
    )


def _named(findings: tuple[Finding, ...]) -> str:
    return "; ".join(f"{f.severity.value.upper()} {f.code}: {f.message}" for f in findings)


def _check_unchanged(doc: ReviewDocument, expected: str, since: str) -> Content:
    if doc.content is None:
        raise ValidationError(
            f"document {doc.id}: its content was cleared on {doc.cleared_at} when the person's erasure "
            "completed; nothing is left to approve or send"
        )
    if doc.content.digest != expected:
        raise ValidationError(
            f"document {doc.id}: its content no longer gives the digest kept when it was {since}; "
            "the record was changed: withdraw it and draft it again"
        )
    return doc.content


def _settled(doc: ReviewDocument, action: str) -> None:
    """Refuse `action` on a document that is sent or withdrawn."""
    if doc.status is DocumentStatus.SENT:
        raise ValidationError(f"document {doc.id}: already sent on {doc.sent_at} by {doc.sent_by}; {action}")
    if doc.status is DocumentStatus.WITHDRAWN:
        raise ValidationError(
            f"document {doc.id}: withdrawn on {doc.withdrawn_at} by {doc.withdrawn_by}; draft it again"
        )


def _check_approver(doc: ReviewDocument, by: Principal, action: str) -> None:
    if by.role not in APPROVERS:
        raise Forbidden(f"document {doc.id}: only a compliance principal may {action} a document")


def approval(doc: ReviewDocument, *, by: Principal, now: dt.datetime) -> ReviewDocument:
    """The document approved by `by`: a compliance principal other than its drafter, with no blocking
    finding; its content digest is frozen. `Forbidden` or `ValidationError` naming the problem otherwise."""
    _settled(doc, "it needs no approval")
    if doc.status is DocumentStatus.APPROVED:
        raise ValidationError(
            f"document {doc.id}: already approved on {doc.approved_at} by {doc.approved_by}"
        )
    _check_approver(doc, by, "approve")
    if doc.drafted_by == by.label:
        raise Forbidden(
            f"document {doc.id}: drafted by {by.label}, who therefore cannot approve it (separation of "
            "duties: a second compliance principal approves what is sent)"
        )
    content = _check_unchanged(doc, doc.content_digest, "drafted")
    if doc.blocking:
        raise ValidationError(
            f"document {doc.id}: cannot be approved while it has findings of HIGH or CRITICAL severity; "
            f"resolve them, then draft it again: {_named(doc.blocking)}"
        )
    return replace(
        doc,
        status=DocumentStatus.APPROVED,
        approved_by=by.label,
        approved_at=now,
        approved_digest=content.digest,
    )


def sending(doc: ReviewDocument, channel: Channel, *, by: Principal, now: dt.datetime) -> ReviewDocument:
    """The document marked sent: only once approved, and only while its content still gives the approved
    digest."""
    _settled(doc, "it is sent once")
    if doc.status is not DocumentStatus.APPROVED:
        raise ValidationError(
            f"document {doc.id}: not approved yet ({doc.status.value}); a compliance principal other than its "
            "drafter approves it before it is sent"
        )
    _check_approver(doc, by, "send")
    assert doc.approved_digest is not None  # set with the status
    _check_unchanged(doc, doc.approved_digest, "approved")
    return replace(doc, status=DocumentStatus.SENT, sent_by=by.label, sent_at=now, channel=channel)


def withdrawal(doc: ReviewDocument, *, by: Principal, now: dt.datetime) -> ReviewDocument:
    """The document withdrawn (a draft, or approved and not yet sent): it will not be sent."""
    _settled(doc, "a sent document stays on record")
    _check_approver(doc, by, "withdraw")
    return replace(doc, status=DocumentStatus.WITHDRAWN, withdrawn_by=by.label, withdrawn_at=now)

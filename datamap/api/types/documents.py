"""GraphQL types of documents under review before sending: the document, its sections, the draft's input."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.common import SubjectInput
from datamap.api.types.reports import Finding
from datamap.domain.review import Channel, DocumentKind, DocumentStatus, ReviewDocument

DocumentKindEnum = strawberry.enum(DocumentKind, name="DocumentKind")
DocumentStatusEnum = strawberry.enum(DocumentStatus, name="DocumentStatus")
ChannelEnum = strawberry.enum(Channel, name="DocumentChannel")


# The fields given as the review keeps them (`domain/review.py`), under the same names.
_AS_KEPT = (
    "kind",
    "status",
    "title",
    "content_digest",
    "approved_digest",
    "intact",
    "drafted_by",
    "drafted_at",
    "approved_by",
    "approved_at",
    "sent_by",
    "sent_at",
    "channel",
    "withdrawn_by",
    "withdrawn_at",
    "cleared_at",
)


@strawberry.type(description="A heading with its paragraphs and list items")
class DocumentSection:
    heading: str
    paragraphs: list[str]
    items: list[str]


@strawberry.type(
    description="A document for a person, a recipient or an authority: drafted, approved by a second compliance "
    "principal, then sent"
)
class Document:
    id: strawberry.ID
    kind: DocumentKindEnum  # type: ignore[valid-type]
    status: DocumentStatusEnum  # type: ignore[valid-type]
    title: str
    subject_id: str | None = strawberry.field(description="The person it is about (our internal id)")
    erasure_request_id: strawberry.ID | None
    recipient: str | None = strawberry.field(description="An Art. 19 notice's addressee (a recipient key)")
    subject_request_id: strawberry.ID | None = strawberry.field(
        description="The access or right-to-know request it answers: sending it answers the request"
    )
    sections: list[DocumentSection] | None = strawberry.field(
        description="What is sent; null once cleared by the person's erasure"
    )
    findings: list[Finding] = strawberry.field(description="For the reviewer, most severe first")
    blocking_findings: list[Finding] = strawberry.field(
        description="Findings of HIGH or CRITICAL severity: while there is one, the document cannot be approved"
    )
    content_digest: str = strawberry.field(description="SHA-256 of the canonical content as drafted")
    approved_digest: str | None = strawberry.field(description="SHA-256 of the content, frozen at approval")
    intact: bool | None = strawberry.field(
        description="Whether the content kept still gives that digest; null once cleared"
    )
    drafted_by: str
    drafted_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_by: str | None
    sent_at: dt.datetime | None
    channel: ChannelEnum | None  # type: ignore[valid-type]
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    cleared_at: dt.datetime | None
    html_url: str = strawberry.field(description="The document as HTML (GET, with the bearer token)")
    pdf_url: str = strawberry.field(description="The document as PDF (GET, with the bearer token)")

    @classmethod
    def of(cls, doc: ReviewDocument) -> Document:
        about, content = doc.about, doc.content
        sections = None
        if content is not None:
            sections = [
                DocumentSection(heading=s.heading, paragraphs=list(s.paragraphs), items=list(s.items))
                for s in content.document.sections
            ]
        return cls(
            **{name: getattr(doc, name) for name in _AS_KEPT},
            id=strawberry.ID(doc.id),
            subject_id=about.subject_id,
            erasure_request_id=strawberry.ID(about.erasure_request_id) if about.erasure_request_id else None,
            recipient=about.recipient,
            subject_request_id=strawberry.ID(about.subject_request_id) if about.subject_request_id else None,
            sections=sections,
            findings=list(doc.findings),
            blocking_findings=list(doc.blocking),
            html_url=f"/documents/{doc.id}.html",
            pdf_url=f"/documents/{doc.id}.pdf",
        )


@strawberry.input(description="What to draft: the kind, and what that kind is about")
class DraftDocumentInput:
    kind: DocumentKindEnum  # type: ignore[valid-type]
    subject: SubjectInput | None = strawberry.field(
        default=None, description="ACCESS_REPORT, SHINE_THE_LIGHT, CCPA_RIGHT_TO_KNOW: the person"
    )
    received_at: dt.date | None = strawberry.field(
        default=None, description="SHINE_THE_LIGHT, CCPA_RIGHT_TO_KNOW: the day the request was received"
    )
    as_of: dt.date | None = strawberry.field(
        default=None, description="ACCESS_REPORT: its date (default today)"
    )
    at_designated_address: bool = strawberry.field(
        default=True, description="SHINE_THE_LIGHT: the request came to the designated address"
    )
    erasure_request: strawberry.ID | None = strawberry.field(
        default=None, description="ART19_NOTICE, ERASURE_CERTIFICATE: the erasure request"
    )
    recipient: str | None = strawberry.field(
        default=None,
        description="ART19_NOTICE: the recipient it is addressed to (one of the request's art19Recipients)",
    )
    since: dt.date | None = strawberry.field(
        default=None,
        description="CCPA_RIGHT_TO_KNOW: back to this day instead of the 12 months before the request, not before "
        "1 January 2022 (Civ. Code §1798.130(a)(2)(B))",
    )
    subject_request: strawberry.ID | None = strawberry.field(
        default=None,
        description="ACCESS_REPORT, CCPA_RIGHT_TO_KNOW: the request it answers (recordSubjectRequest); the "
        "subject, receivedAt and since are then the request's, and sending the document answers it",
    )

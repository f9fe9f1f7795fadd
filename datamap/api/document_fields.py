"""Root fields of documents under review before sending: translate arguments, call the service, translate back."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from datamap.api.access_rules import principal_in
from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.types import documents as t
from datamap.domain.review import Channel, DocumentFilter, DocumentKind, DocumentStatus
from datamap.services import documents
from datamap.services.document_drafts import DraftInput


@strawberry.type
class DocumentQuery:
    @strawberry.field(
        description="Documents under review or sent, the newest draft first; every filter given must match"
    )
    async def documents(
        self,
        info: Info,
        status: t.DocumentStatusEnum | None = None,  # type: ignore[valid-type]
        kind: t.DocumentKindEnum | None = None,  # type: ignore[valid-type]
        subject_id: str | None = None,
        erasure_request: strawberry.ID | None = None,
        limit: int = 100,
    ) -> list[t.Document] | None:
        which = DocumentFilter(
            DocumentStatus(status) if status else None,
            DocumentKind(kind) if kind else None,
            subject_id,
            str(erasure_request) if erasure_request is not None else None,
        )
        found = await documents.listed(state_of(info).db, which, limit)
        return [t.Document.of(d) for d in found]

    @strawberry.field(description="One document with its sections, findings and digests")
    async def document(self, info: Info, id: strawberry.ID) -> t.Document | None:
        return t.Document.of(await documents.get(state_of(info).db, str(id)))


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(
        description="Draft a document from the data as it is now, with the findings a reviewer must see; a "
        "Shine-the-Light draft records the customer's request as answered; one for a `subjectRequest` answers "
        "that request once it is marked sent"
    )
    async def draft_document(self, info: Info, input: t.DraftDocumentInput) -> t.Document | None:
        given = DraftInput(
            kind=DocumentKind(input.kind),
            subject=subject_of(info, input.subject, "input.subject") if input.subject is not None else None,
            received=input.received_at,
            as_of=input.as_of,
            at_designated_address=input.at_designated_address,
            erasure_request_id=str(input.erasure_request) if input.erasure_request is not None else None,
            recipient=input.recipient,
            since=input.since,
            subject_request_id=str(input.subject_request) if input.subject_request is not None else None,
        )
        drafted = await documents.draft(
            state_of(info).db, given, principal=principal_in(info), now=now_of(info)
        )
        return t.Document.of(drafted)

    @strawberry.mutation(
        description="Approve a draft, freezing its content digest: by a compliance principal other than its "
        "drafter, and only with no finding of HIGH or CRITICAL severity"
    )
    async def approve_document(self, info: Info, id: strawberry.ID) -> t.Document | None:
        approved = await documents.approve(
            state_of(info).db, str(id), principal=principal_in(info), now=now_of(info)
        )
        return t.Document.of(approved)

    @strawberry.mutation(description="Record that an approved document was sent, and how")
    async def mark_document_sent(
        self,
        info: Info,
        id: strawberry.ID,
        channel: t.ChannelEnum,  # type: ignore[valid-type]
    ) -> t.Document | None:
        sent = await documents.mark_sent(
            state_of(info).db, str(id), Channel(channel), principal=principal_in(info), now=now_of(info)
        )
        return t.Document.of(sent)

    @strawberry.mutation(description="Withdraw a document not yet sent: it will not be sent")
    async def withdraw_document(self, info: Info, id: strawberry.ID) -> t.Document | None:
        withdrawn = await documents.withdraw(
            state_of(info).db, str(id), principal=principal_in(info), now=now_of(info)
        )
        return t.Document.of(withdrawn)

"""Documents under review before sending: draft, approve, mark sent, withdraw; read one, list them, download.

Each change is one write transaction with its audit event (`erasure/trail.py`: a refused change is recorded in a
transaction of its own); a download records its read event before the document leaves the service. The rules
(who approves, what blocks approval, the digest) are the domain's (`domain/review.py`). Sending a response to an
access or right-to-know request answers that request in the same transaction (`subject_requests.py`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

from datamap.domain import review
from datamap.domain.access import Principal
from datamap.domain.review import Channel, DocumentFilter, ReviewDocument
from datamap.errors import NotFound, ValidationError
from datamap.graph import document_store as store
from datamap.graph.database import Database, Transaction
from datamap.services import audit, subject_requests
from datamap.services.document_drafts import DraftInput, produce
from datamap.services.erasure.trail import Trail, refusals

MAX_LISTED = 1000
Then = Callable[[Transaction, ReviewDocument], Awaitable[None]]


def _request_of(about: review.About) -> str | None:
    """The request a document's audit events name: its erasure request, or the subject request it answers."""
    return about.erasure_request_id or about.subject_request_id


async def draft(db: Database, given: DraftInput, *, principal: Principal, now: dt.datetime) -> ReviewDocument:
    """Generate the document's content from the report services as they are now, and record it as a draft with
    its findings and its HTML."""
    trail = Trail(principal, "draftDocument", now)
    async with refusals(db, trail):
        content, findings = await produce(db, given, principal=principal, now=now)
        trail.about(subject_id=content.about.subject_id, request_id=_request_of(content.about))
        drafted = review.draft(
            uuid.uuid4().hex, content, findings, content.document.html(), by=principal, now=now
        )

        async def work(tx: Transaction) -> ReviewDocument:
            created = await store.create_document(tx, drafted)
            await trail.write(tx)
            return created

        return await db.transaction(work)


async def _change(
    db: Database,
    document_id: str,
    trail: Trail,
    change: Callable[[ReviewDocument], ReviewDocument],
    then: Then | None = None,
) -> ReviewDocument:
    """Change the document and, with `then`, what follows from the change, in one transaction with its event."""

    async def work(tx: Transaction) -> ReviewDocument:
        found = await store.lock_document(tx, document_id)
        if found is None:
            raise NotFound(f"id: no document {document_id!r}")
        trail.about(subject_id=found.about.subject_id, request_id=_request_of(found.about))
        written = await store.write_document(tx, change(found))
        if then is not None:
            await then(tx, written)
        await trail.write(tx)
        return written

    async with refusals(db, trail):
        return await db.transaction(work)


async def approve(
    db: Database, document_id: str, *, principal: Principal, now: dt.datetime
) -> ReviewDocument:
    """Approve a draft: a compliance principal other than its drafter, no finding of HIGH or CRITICAL severity;
    its content digest is frozen."""
    trail = Trail(principal, "approveDocument", now)
    return await _change(db, document_id, trail, lambda d: review.approval(d, by=principal, now=now))


async def mark_sent(
    db: Database, document_id: str, channel: Channel, *, principal: Principal, now: dt.datetime
) -> ReviewDocument:
    """Record that an approved document was sent, and how; the subject request it answers, if any, is answered
    with it."""
    trail = Trail(principal, "markDocumentSent", now)

    async def answer(tx: Transaction, sent: ReviewDocument) -> None:
        if sent.about.subject_request_id is not None:
            await subject_requests.answer(tx, sent.about.subject_request_id, sent.id, now)

    return await _change(
        db, document_id, trail, lambda d: review.sending(d, channel, by=principal, now=now), then=answer
    )


async def withdraw(
    db: Database, document_id: str, *, principal: Principal, now: dt.datetime
) -> ReviewDocument:
    """A document not yet sent will not be sent."""
    trail = Trail(principal, "withdrawDocument", now)
    return await _change(db, document_id, trail, lambda d: review.withdrawal(d, by=principal, now=now))


async def get(db: Database, document_id: str) -> ReviewDocument:
    found = await store.document_by_id(db, document_id)
    if found is None:
        raise NotFound(f"id: no document {document_id!r}")
    return found


async def listed(db: Database, which: DocumentFilter, limit: int = 100) -> list[ReviewDocument]:
    """The documents `which` describes, the newest draft first, at most `limit`."""
    if not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"limit: {limit} is out of range; give 1 to {MAX_LISTED}")
    return await store.list_documents(db, which, limit)


async def for_download(
    db: Database, document_id: str, form: str, *, principal: Principal, now: dt.datetime
) -> tuple[ReviewDocument, str]:
    """The document and its HTML as drafted, for a download as `form` (html or pdf); its read event is committed
    first. NotFound for an unknown document, and for one whose content was cleared by the person's erasure."""
    found = await store.document_by_id(db, document_id)
    outcome = "found" if found is not None and found.html is not None else "not found"
    about = found.about if found is not None else review.About(None)
    event = audit.entry(
        principal,
        f"document.{form}",
        now,
        outcome=outcome,
        subject_id=about.subject_id,
        request_id=_request_of(about),
    )
    await audit.record_read(db, [event], now)
    if found is None:
        raise NotFound(f"document: no document {document_id!r}")
    if found.html is None:
        raise NotFound(
            f"document {document_id}: its content was cleared on {found.cleared_at} when the person's erasure "
            "completed"
        )
    return found, found.html

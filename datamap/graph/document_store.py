"""Documents under review as the graph keeps them: one `:Document` node each, linked to what it is about by id.

A document names its subject (`subjectId`) and, for the erasure documents, its request (`erasureRequestId`) and
recipient, for a response to an access or right-to-know request that request (`subjectRequestId`), by id only;
its content is kept as the canonical JSON the digest covers (`content`), beside the HTML that was drafted
(`html`) and the reviewer's findings (`findings`, JSON). This module is the one place those
property names are read and written; each function runs one named statement and returns typed values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, LiteralString

from datamap.domain.review import (
    KEPT_AFTER_ERASURE,
    About,
    Channel,
    Content,
    DocumentFilter,
    DocumentKind,
    DocumentStatus,
    ReviewDocument,
)
from datamap.domain.transfer_validity import Finding, Severity
from datamap.graph.database import Database, Transaction, run

CREATE_DOCUMENT: LiteralString = """
CREATE (d:Document) SET d = $document
RETURN d {.*} AS document
"""

# `SET d = $document` replaces every property: one that is null in the map is removed.
WRITE_DOCUMENT: LiteralString = """
MATCH (d:Document {id: $id})
SET d = $document
RETURN d {.*} AS document
"""

# Taken for a change: the write lock on the node, and its version raised (a concurrent change waits, then reads
# what this one wrote).
LOCK_DOCUMENT: LiteralString = """
MATCH (d:Document {id: $id}) SET d.version = d.version + 1
RETURN d {.*} AS document
"""

DOCUMENT_BY_ID: LiteralString = """
MATCH (d:Document {id: $id})
RETURN d {.*} AS document
"""

LIST_DOCUMENTS: LiteralString = """
MATCH (d:Document)
WHERE ($status IS NULL OR d.status = $status)
  AND ($kind IS NULL OR d.kind = $kind)
  AND ($subjectId IS NULL OR d.subjectId = $subjectId)
  AND ($erasureRequestId IS NULL OR d.erasureRequestId = $erasureRequestId)
RETURN d {.*} AS document
ORDER BY d.draftedAt DESC, d.id
LIMIT $limit
"""

# When a subject's erasure completes: the content of every document about it that the subject layer gave is
# cleared (its title, digests and who did what stay).
CLEAR_ABOUT_SUBJECT: LiteralString = """
MATCH (d:Document {subjectId: $subjectId})
WHERE NOT d.kind IN $kept AND d.clearedAt IS NULL
SET d.content = null, d.html = null, d.findings = null, d.clearedAt = $now, d.version = d.version + 1
RETURN count(d) AS cleared
"""


def _finding(raw: Mapping[str, Any]) -> Finding:
    return Finding(Severity(raw["severity"]), raw["code"], raw["message"], raw["fix"])


def document_from_node(node: Mapping[str, Any]) -> ReviewDocument:
    content = node.get("content")
    channel = node.get("channel")
    return ReviewDocument(
        id=node["id"],
        kind=DocumentKind(node["kind"]),
        about=About(
            node.get("subjectId"),
            node.get("erasureRequestId"),
            node.get("recipient"),
            node.get("subjectRequestId"),
        ),
        title=node["title"],
        content=Content.from_canonical(content) if content is not None else None,
        html=node.get("html"),
        findings=tuple(_finding(f) for f in json.loads(node.get("findings") or "[]")),
        status=DocumentStatus(node["status"]),
        content_digest=node["contentDigest"],
        drafted_by=node["draftedBy"],
        drafted_at=node["draftedAt"],
        approved_by=node.get("approvedBy"),
        approved_at=node.get("approvedAt"),
        approved_digest=node.get("approvedDigest"),
        sent_by=node.get("sentBy"),
        sent_at=node.get("sentAt"),
        channel=Channel(channel) if channel else None,
        withdrawn_by=node.get("withdrawnBy"),
        withdrawn_at=node.get("withdrawnAt"),
        cleared_at=node.get("clearedAt"),
        version=node.get("version", 0),
    )


def document_properties(doc: ReviewDocument) -> dict[str, Any]:
    """The node's properties (None: not kept)."""
    findings = [
        {"severity": f.severity.value, "code": f.code, "message": f.message, "fix": f.fix}
        for f in doc.findings
    ]
    return {
        "id": doc.id,
        "kind": doc.kind.value,
        "subjectId": doc.about.subject_id,
        "erasureRequestId": doc.about.erasure_request_id,
        "recipient": doc.about.recipient,
        "subjectRequestId": doc.about.subject_request_id,
        "title": doc.title,
        "content": doc.content.canonical() if doc.content is not None else None,
        "html": doc.html,
        "findings": json.dumps(findings, ensure_ascii=False) if doc.content is not None else None,
        "status": doc.status.value,
        "contentDigest": doc.content_digest,
        "draftedBy": doc.drafted_by,
        "draftedAt": doc.drafted_at,
        "approvedBy": doc.approved_by,
        "approvedAt": doc.approved_at,
        "approvedDigest": doc.approved_digest,
        "sentBy": doc.sent_by,
        "sentAt": doc.sent_at,
        "channel": doc.channel.value if doc.channel else None,
        "withdrawnBy": doc.withdrawn_by,
        "withdrawnAt": doc.withdrawn_at,
        "clearedAt": doc.cleared_at,
        "version": doc.version,
    }


async def create_document(tx: Transaction, doc: ReviewDocument) -> ReviewDocument:
    (row,) = await run(tx, CREATE_DOCUMENT, document=document_properties(doc))
    return document_from_node(row["document"])


async def lock_document(tx: Transaction, document_id: str) -> ReviewDocument | None:
    """The document taken for a change; None when there is none with that id."""
    rows = await run(tx, LOCK_DOCUMENT, id=document_id)
    return document_from_node(rows[0]["document"]) if rows else None


async def write_document(tx: Transaction, doc: ReviewDocument) -> ReviewDocument:
    """Write the document as it now stands (taken with `lock_document` in the same transaction)."""
    (row,) = await run(tx, WRITE_DOCUMENT, id=doc.id, document=document_properties(doc))
    return document_from_node(row["document"])


async def document_by_id(db: Database, document_id: str) -> ReviewDocument | None:
    rows = await db.read(DOCUMENT_BY_ID, id=document_id)
    return document_from_node(rows[0]["document"]) if rows else None


async def list_documents(db: Database, which: DocumentFilter, limit: int) -> list[ReviewDocument]:
    """The documents `which` describes, the newest draft first."""
    status, kind = which.status, which.kind
    rows = await db.read(
        LIST_DOCUMENTS,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        subjectId=which.subject_id,
        erasureRequestId=which.erasure_request_id,
        limit=limit,
    )
    return [document_from_node(r["document"]) for r in rows]


async def clear_about_subject(tx: Transaction, subject_id: str, now: dt.datetime) -> int:
    """Clear the content of the documents about an erased subject that its subject layer gave (those built from
    the erasure request's own record stay); how many were cleared."""
    (row,) = await run(
        tx,
        CLEAR_ABOUT_SUBJECT,
        subjectId=subject_id,
        kept=sorted(k.value for k in KEPT_AFTER_ERASURE),
        now=now,
    )
    return int(row["cleared"])

"""Erasure requests: opening one from the plan, reading, listing, extending, certifying."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from datamap.domain.deadlines import DeadlineRule, Jurisdiction
from datamap.domain.erasure_plan import (
    SUPPRESSION_KEY,
    Action,
    ErasurePlan,
)
from datamap.domain.erasure_workflow import (
    RequestStatus,
    TaskStatus,
    certificate,
    check_channel,
    digest,
)
from datamap.domain.subject_events import new_subject_id
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database, Transaction, run
from datamap.services.erasure.plans import plan_from_rows, plan_params
from datamap.services.erasure.views import ErasureRequestInput, RequestView, complete_if_done, utc_now, view


async def request_erasure(
    db: Database,
    given: ErasureRequestInput,
    secret: bytes,
    now: dt.datetime | None = None,
) -> RequestView:
    """Record a request with the tasks of the plan at this moment, and write the suppression entries first."""
    now = now or utc_now()
    check_channel(given.channel, given.from_email, given.identifiers)
    if given.received_at.tzinfo is None:
        raise ValidationError("receivedAt: give a time zone, e.g. 2024-05-01T10:00:00Z")
    if given.received_at > now + dt.timedelta(minutes=5):
        raise ValidationError(f"receivedAt: {given.received_at.isoformat()} is in the future")
    hashes = [i.keyed_hash(secret) for i in given.identifiers]
    rule = DeadlineRule(given.jurisdiction)
    received = given.received_at.astimezone(dt.UTC)
    received_day = given.received_at.date()  # deadlines count from the day of receipt where it was received
    request_id = uuid.uuid4().hex

    async def work(tx: Transaction) -> RequestView:
        day, params = plan_params(hashes, now.date())
        found, known_hashes = plan_from_rows(await run(tx, q.ERASURE_PLAN, **params), day)
        subject_id = found.subject_id if found else new_subject_id(hashes)
        open_requests = [
            r for r in await run(tx, q.OPEN_REQUESTS_OF_SUBJECT, subjectId=subject_id, now=now) if r["id"]
        ]
        if open_requests:
            raise ValidationError(
                f"subject: erasure request {open_requests[0]['id']} for this subject is still open; "
                "a repeated request is answered by that one"
            )
        tasks = _task_rows(request_id, found, now, len(set(hashes) | set(known_hashes)))
        warnings = list(found.warnings) if found else ["the graph holds no record of this subject"]
        request = {
            "id": request_id,
            "subjectId": subject_id,
            "receivedAt": received,
            "createdAt": now,
            "jurisdiction": given.jurisdiction.value,
            "channel": given.channel,
            "identityMethod": given.identity_method,
            "identityReference": given.identity_reference,
            "receivedDate": received_day,
            "deadline": rule.due(received_day),
            "version": 0,
            "warnings": warnings,
            "art19Recipients": [r.key for r in found.recipients] if found else [],
        }
        confirm = rule.receipt_confirmation_due(received_day)
        if confirm is not None:
            request["receiptConfirmationDue"] = confirm
        suppression = next(t for t in tasks if t["key"] == SUPPRESSION_KEY)
        await run(
            tx,
            q.CREATE_REQUEST,
            request=request,
            tasks=tasks,
            hashes=sorted(set(hashes) | set(known_hashes)),
            now=now,
            suppressionTask=suppression["id"],
            suppressionEvent={
                "id": uuid.uuid4().hex,
                "type": "outcome",
                "outcome": "done",
                "at": now,
                "evidence": suppression["claimedEvidence"],
                "evidenceDigest": suppression["claimedEvidenceDigest"],
            },
        )
        # with nothing to do but the suppression entry, the request completes at once
        return await complete_if_done(tx, request_id, now)

    return await db.transaction(work)


def _task_rows(
    request_id: str, found: ErasurePlan | None, now: dt.datetime, hash_count: int
) -> list[dict[str, Any]]:
    evidence = f"{hash_count} keyed-hash suppression entries written by datamap"
    suppression = {
        "id": f"{request_id}/{SUPPRESSION_KEY}",
        "key": SUPPRESSION_KEY,
        "action": Action.SUPPRESS.value,
        "targetKind": "subject",
        "target": "suppression list",
        "targetName": "suppression list (keyed hashes only)",
        "categories": [],
        "legalGround": "GDPR Art. 17(1) and 19",
        "dependsOn": [],
        "stage": 0,
        "observed": True,
        "status": TaskStatus.DONE.value,
        "verified": True,
        "version": 0,
        "claimedAt": now,
        "verifiedAt": now,
        "claimedEvidence": evidence,
        "verifiedEvidence": evidence,
        "claimedEvidenceDigest": digest(evidence),
        "verifiedEvidenceDigest": digest(evidence),
    }
    rows = [suppression]
    for t in found.tasks if found else []:
        if t.action is Action.SUPPRESS:
            suppression["legalGround"] = t.legal_ground
            continue
        row: dict[str, Any] = {
            "id": f"{request_id}/{t.key}",
            "key": t.key,
            "action": t.action.value,
            "targetKind": t.target_kind.value,
            "target": t.target,
            "targetName": t.target_name,
            "categories": list(t.categories),
            "legalGround": t.legal_ground,
            "dependsOn": t.depends_on,
            "stage": t.stage,
            "observed": t.observed,
            "status": TaskStatus.PENDING.value,
            "verified": False,
            "version": 0,
        }
        for name, value in (
            ("role", t.role),
            ("restrictedUntil", t.restricted_until),
            ("exception", t.exception),
        ):
            if value is not None:
                row[name] = value
        rows.append(row)
    return rows


async def get_request(db: Database, request_id: str, today: dt.date | None = None) -> RequestView:
    rows = await db.read(q.REQUEST_WITH_TASKS, id=request_id)
    if not rows:
        raise NotFound(f"request: no erasure request {request_id!r}")
    return view(rows[0]["request"], rows[0]["tasks"], today)


async def list_requests(
    db: Database,
    status: RequestStatus | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> list[RequestView]:
    open_only = status is not None and status is not RequestStatus.COMPLETE
    views = [
        view(r["request"], r["tasks"], today) for r in await db.read(q.LIST_REQUESTS, openOnly=open_only)
    ]
    return [
        v
        for v in views
        if (status is None or v.status is status) and (overdue is None or v.overdue is overdue)
    ]


async def extend_deadline(
    db: Database,
    request_id: str,
    reason: str,
    now: dt.datetime | None = None,
) -> RequestView:
    """Extend once, with reasons, within the first period (GDPR +2 months, CCPA +45 days)."""
    now = now or utc_now()

    async def work(tx: Transaction) -> None:
        rows = await run(tx, q.LOCK_REQUEST, id=request_id)
        if not rows:
            raise NotFound(f"request: no erasure request {request_id!r}")
        request = rows[0]["request"]
        if request.get("completedAt") is not None:
            raise ValidationError(f"request {request_id}: already complete")
        rule = DeadlineRule(Jurisdiction(request["jurisdiction"]))
        extended = rule.check_extension(
            (request.get("receivedDate") or request["receivedAt"].date()),
            now.date(),
            reason,
            request.get("extendedDeadline") is not None,
        )
        await run(
            tx,
            q.UPDATE_REQUEST,
            id=request_id,
            changes={"extendedDeadline": extended, "extensionReason": reason, "extendedAt": now},
        )

    await db.transaction(work)
    return await get_request(db, request_id, now.date())


@dataclass(frozen=True)
class Certificate:
    request_id: str
    document: str
    digest: str
    stored_digest: str

    @property
    def intact(self) -> bool:
        """Whether the record today still gives the digest kept when the request completed."""
        return self.digest == self.stored_digest


async def completion_certificate(db: Database, request_id: str) -> Certificate:
    found = await get_request(db, request_id)
    if found.status is not RequestStatus.COMPLETE:
        unsettled = [t["key"] for t in found.tasks if not t.get("verified")]
        raise ValidationError(
            f"request {request_id}: not complete ({found.status.value}); unverified tasks: {', '.join(unsettled)}"
        )
    stored = found.request.get("certificateDigest")
    if stored is None:
        raise ValidationError(
            f"request {request_id}: complete, but no certificate digest was kept at completion"
        )
    document, certificate_digest = certificate(found.request, found.tasks)
    return Certificate(request_id, document, certificate_digest, stored)

"""Erasure use cases: plan, request, record and verify outcomes, extend, certify, hold.

Every mutation is one write transaction: it commits whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from datamap.domain.deadlines import DeadlineRule, Jurisdiction, is_overdue
from datamap.domain.erasure_plan import (
    SUPPRESSION_KEY,
    Action,
    ErasurePlan,
    exception_from_hold,
    exception_from_rule,
    plan_erasure,
)
from datamap.domain.erasure_workflow import (
    Outcome,
    RequestStatus,
    TaskState,
    TaskStatus,
    certificate,
    check_channel,
    check_outcome,
    check_verification,
    digest,
    request_status,
)
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.lineage import subject_lineage
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database, run
from datamap.services.lineage import MAX_HOPS, as_of_params

PLAN_HOPS = MAX_HOPS - 1


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ErasureRequestInput:
    identifiers: Sequence[SubjectIdentifier]
    received_at: dt.datetime
    jurisdiction: Jurisdiction
    channel: str
    identity_method: str
    identity_reference: str = ""
    from_email: str | None = None


@dataclass
class RequestView:
    """A request with its tasks and what follows from them."""

    request: dict[str, Any]
    tasks: list[dict[str, Any]]
    status: RequestStatus
    deadline: dt.date
    overdue: bool


def _state(task: dict[str, Any]) -> TaskState:
    return TaskState(
        task["key"], Action(task["action"]), TaskStatus(task["status"]), bool(task.get("verified"))
    )


def view(request: dict[str, Any], tasks: list[dict[str, Any]], today: dt.date | None = None) -> RequestView:
    status = request_status([_state(t) for t in tasks])
    deadline = request.get("extendedDeadline") or request["deadline"]
    today = today or _now().date()
    return RequestView(
        request,
        sorted(tasks, key=lambda t: (t.get("stage", 0), t["key"])),
        status,
        deadline,
        is_overdue(deadline, today, status is RequestStatus.COMPLETE),
    )


def _plan_params(hashes: list[str], as_of: dt.date | None) -> tuple[dt.date, dict[str, Any]]:
    day, params = as_of_params(as_of)
    return day, {"hashes": hashes, "category": None, "ancestors": [], **params}


def _plan_from(rows: list[dict[str, Any]], day: dt.date) -> tuple[ErasurePlan | None, list[str]]:
    """The plan built from the ERASURE_PLAN rows, with every identifier hash the subject has."""
    if not rows:
        return None, []
    if len(rows) > 1:
        raise ValidationError("subject: the identifiers given belong to different subjects; give one of them")
    row = rows[0]
    lineage = subject_lineage(row, as_of=day, category=None, max_hops=PLAN_HOPS)
    exceptions = [e for e in map(exception_from_rule, row["retention"]) if e is not None]
    exceptions += [exception_from_hold(h) for h in row["holds"]]
    return plan_erasure(lineage, exceptions, as_of=day, max_hops=PLAN_HOPS), row["identifierHashes"]


async def plan(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    as_of: dt.date | None = None,
) -> ErasurePlan | None:
    """The erasure plan of a subject as of a date; None when the graph holds no such subject."""
    day, params = _plan_params([i.keyed_hash(secret) for i in identifiers], as_of)
    found, _ = _plan_from(await db.read(q.ERASURE_PLAN, **params), day)
    return found


async def request_erasure(
    db: Database,
    given: ErasureRequestInput,
    secret: bytes,
    now: dt.datetime | None = None,
) -> RequestView:
    """Record a request with the tasks of the plan at this moment, and write the suppression entries first."""
    now = now or _now()
    check_channel(given.channel, given.from_email, given.identifiers)
    if given.received_at.tzinfo is None:
        raise ValidationError("receivedAt: give a time zone, e.g. 2024-05-01T10:00:00Z")
    if given.received_at > now + dt.timedelta(minutes=5):
        raise ValidationError(f"receivedAt: {given.received_at.isoformat()} is in the future")
    hashes = [i.keyed_hash(secret) for i in given.identifiers]
    rule = DeadlineRule(given.jurisdiction)
    received = given.received_at.astimezone(dt.UTC)
    request_id = uuid.uuid4().hex

    async def work(tx: AsyncManagedTransaction) -> RequestView:
        day, params = _plan_params(hashes, now.date())
        found, known_hashes = _plan_from(await run(tx, q.ERASURE_PLAN, **params), day)
        subject_id = found.subject_id if found else "s_" + hashes[0][:32]
        open_requests = await run(tx, q.OPEN_REQUESTS_OF_SUBJECT, subjectId=subject_id)
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
            "deadline": rule.due(received.date()),
            "version": 0,
            "warnings": warnings,
            "art19Recipients": [r.key for r in found.recipients] if found else [],
        }
        confirm = rule.receipt_confirmation_due(received.date())
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
        return view(request, tasks, now.date())

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


class _Replay(Exception):
    """Raised inside a transaction to roll it back when a request is a replay of one already applied."""

    def __init__(self, task: dict[str, Any]) -> None:
        self.task = task


async def _lock(tx: AsyncManagedTransaction, task_id: str, idempotency_key: str | None) -> dict[str, Any]:
    rows = await run(tx, q.LOCK_TASK, id=task_id, idempotencyKey=idempotency_key)
    if not rows:
        raise NotFound(f"task: no erasure task {task_id!r}")
    return rows[0]


async def record_outcome(
    db: Database,
    task_id: str,
    outcome: Outcome,
    evidence: str,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record what a system or vendor says happened. The same idempotency key twice changes nothing."""
    now = now or _now()
    if not idempotency_key.strip():
        raise ValidationError("idempotencyKey: required, so that a retried call is applied once")

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        locked = await _lock(tx, task_id, idempotency_key)
        task = locked["task"]
        for prior in locked["prior"]:
            if prior["outcome"] == outcome.value and prior["evidenceDigest"] == digest(evidence):
                task["version"] -= 1
                raise _Replay(task)
            raise ValidationError(
                f"idempotencyKey: {idempotency_key!r} was already used on this task for "
                f"{prior['outcome'].upper()} with other evidence"
            )
        dependencies = {d["key"]: TaskStatus(d["status"]) for d in locked["dependencies"]}
        status = check_outcome(_state(task), outcome, evidence, dependencies)
        changes = {
            "status": status.value,
            "claimedAt": now,
            "claimedEvidence": evidence,
            "claimedEvidenceDigest": digest(evidence),
            "attempts": task.get("attempts", 0) + 1,
        }
        event = {
            "id": uuid.uuid4().hex,
            "type": "outcome",
            "outcome": outcome.value,
            "evidence": evidence,
            "evidenceDigest": digest(evidence),
            "idempotencyKey": idempotency_key,
            "at": now,
        }
        (row,) = await run(tx, q.UPDATE_TASK, id=task_id, changes=changes, event=event)
        return dict(row["task"])

    try:
        return await db.transaction(work)
    except _Replay as replay:
        return replay.task


async def verify_task(
    db: Database,
    task_id: str,
    evidence: str,
    confirmed: bool = True,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Confirm (or reject) a claimed outcome with evidence; completes the request when it is the last one."""
    now = now or _now()

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        locked = await _lock(tx, task_id, None)
        status = check_verification(_state(locked["task"]), confirmed, evidence)
        changes: dict[str, Any] = {"status": status.value, "verified": confirmed}
        if confirmed:
            changes |= {
                "verifiedAt": now,
                "verifiedEvidence": evidence,
                "verifiedEvidenceDigest": digest(evidence),
            }
        else:
            changes |= {"rejectedAt": now, "rejectionEvidence": evidence}
        event = {
            "id": uuid.uuid4().hex,
            "type": "verification" if confirmed else "rejection",
            "evidence": evidence,
            "evidenceDigest": digest(evidence),
            "at": now,
        }
        (row,) = await run(tx, q.UPDATE_TASK, id=task_id, changes=changes, event=event)
        await _complete_if_done(tx, locked["request"]["id"], now)
        return dict(row["task"])

    return await db.transaction(work)


async def _complete_if_done(tx: AsyncManagedTransaction, request_id: str, now: dt.datetime) -> None:
    (row,) = await run(tx, q.REQUEST_WITH_TASKS, id=request_id)
    if request_status([_state(t) for t in row["tasks"]]) is not RequestStatus.COMPLETE:
        return
    _, certificate_digest = certificate({**row["request"], "completedAt": now}, row["tasks"])
    await run(tx, q.COMPLETE_REQUEST, id=request_id, now=now, digest=certificate_digest)


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
    now = now or _now()

    async def work(tx: AsyncManagedTransaction) -> None:
        rows = await run(tx, q.LOCK_REQUEST, id=request_id)
        if not rows:
            raise NotFound(f"request: no erasure request {request_id!r}")
        request = rows[0]["request"]
        if request.get("completedAt") is not None:
            raise ValidationError(f"request {request_id}: already complete")
        rule = DeadlineRule(Jurisdiction(request["jurisdiction"]))
        extended = rule.check_extension(
            request["receivedAt"].date(), now.date(), reason, request.get("extendedDeadline") is not None
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
    document, certificate_digest = certificate(found.request, found.tasks)
    return Certificate(request_id, document, certificate_digest, found.request["certificateDigest"])


async def place_legal_hold(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    *,
    categories: Sequence[str],
    reason: str,
    until: dt.date | None,
    systems: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Keep some categories of a subject restricted, not erased (Art. 17(3)(e)), until a date or lifted."""
    if not reason.strip():
        raise ValidationError("reason: a legal hold needs its reason (the claim or proceeding)")
    if not categories:
        raise ValidationError("categories: name the data categories the hold covers")
    now = now or _now()
    hold = {
        "id": uuid.uuid4().hex,
        "categories": list(categories),
        "systems": list(systems),
        "reason": reason,
        "placedAt": now,
        **({"until": until} if until else {}),
    }
    rows = await db.write(q.PLACE_HOLD, hashes=[i.keyed_hash(secret) for i in identifiers], hold=hold)
    if not rows:
        raise NotFound("subject: the graph holds no such subject")
    return dict(rows[0]["hold"])


async def suppressed_since(
    db: Database, identifiers: Sequence[SubjectIdentifier], secret: bytes
) -> dict[str, Any] | None:
    """When a subject was suppressed (and erased), if it was."""
    rows = await db.read(q.SUPPRESSED, hashes=[i.keyed_hash(secret) for i in identifiers])
    return rows[0] if rows else None

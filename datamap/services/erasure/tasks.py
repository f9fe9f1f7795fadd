"""Erasure tasks: recording claimed outcomes and verifying them, each in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from datamap.domain.erasure_workflow import (
    Outcome,
    TaskStatus,
    check_outcome,
    check_verification,
    digest,
)
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database, Transaction, run
from datamap.services.erasure.views import complete_if_done, task_state, utc_now


class _Replay(Exception):
    """Raised inside a transaction to roll it back when a request is a replay of one already applied."""

    def __init__(self, task: dict[str, Any]) -> None:
        self.task = task


async def _lock(tx: Transaction, task_id: str, idempotency_key: str | None) -> dict[str, Any]:
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
    now = now or utc_now()
    if not idempotency_key.strip():
        raise ValidationError("idempotencyKey: required, so that a retried call is applied once")

    async def work(tx: Transaction) -> dict[str, Any]:
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
        status = check_outcome(task_state(task), outcome, evidence, dependencies)
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
    now = now or utc_now()

    async def work(tx: Transaction) -> dict[str, Any]:
        locked = await _lock(tx, task_id, None)
        status = check_verification(task_state(locked["task"]), confirmed, evidence)
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
        await complete_if_done(tx, locked["request"]["id"], now)
        return dict(row["task"])

    return await db.transaction(work)

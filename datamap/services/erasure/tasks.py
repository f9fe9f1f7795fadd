"""Erasure tasks: recording claimed outcomes and verifying them, each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from datamap.domain.access import Principal
from datamap.domain.erasure_records import ErasureTaskRecord, Outcome
from datamap.domain.erasure_workflow import check_runs, check_scope, claim, digest, verification
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.trail import REPLAYED, Trail, refusals
from datamap.services.erasure.views import complete_if_done


class _Replay(Exception):
    """Raised inside a transaction to roll it back when a request is a replay of one already applied."""

    def __init__(self, task: ErasureTaskRecord) -> None:
        self.task = task


async def _lock(tx: Transaction, task_id: str, idempotency_key: str | None, trail: Trail) -> store.LockedTask:
    """The task taken for a change; the trail learns its request and subject."""
    locked = await store.lock_task(tx, task_id, idempotency_key)
    if locked is None:
        raise NotFound(f"task: no erasure task {task_id!r}")
    trail.about(subject_id=locked.request.subject_id, request_id=locked.request.id)
    return locked


async def record_outcome(
    db: Database,
    task_id: str,
    outcome: Outcome,
    evidence: str,
    idempotency_key: str,
    *,
    principal: Principal,
    now: dt.datetime,
) -> ErasureTaskRecord:
    """Record what a system or vendor says happened. The same idempotency key twice changes nothing. A principal
    scoped to one recipient records only that recipient's tasks; no task runs while its request awaits
    approval."""
    trail = Trail(principal, "recordErasureOutcome", now)

    async def work(tx: Transaction) -> ErasureTaskRecord:
        locked = await _lock(tx, task_id, idempotency_key, trail)
        task = locked.task
        check_scope(task, principal)
        for prior in locked.prior:
            if prior.outcome is outcome and prior.evidence_digest == digest(evidence):
                raise _Replay(replace(task, version=task.version - 1))  # as it stands: the lock rolls back
            raise ValidationError(
                f"idempotencyKey: {idempotency_key!r} was already used on this task for "
                f"{prior.outcome.value.upper() if prior.outcome else 'another event'} with other evidence"
            )
        check_runs(locked.request, task.key)
        claimed, event = claim(
            task,
            outcome,
            evidence,
            idempotency_key,
            locked.dependencies,
            by=principal,
            event_id=uuid.uuid4().hex,
            now=now,
        )
        updated = await store.update_task(tx, task, claimed, event)
        await trail.write(tx)
        return updated

    async with refusals(db, trail):
        if not idempotency_key.strip():
            raise ValidationError("idempotencyKey: required, so that a retried call is applied once")
        try:
            return await db.transaction(work)
        except _Replay as replay:
            await trail.write_alone(db, REPLAYED)
            return replay.task


async def verify_task(
    db: Database,
    task_id: str,
    evidence: str,
    confirmed: bool = True,
    *,
    principal: Principal,
    now: dt.datetime,
) -> ErasureTaskRecord:
    """Confirm (or reject) a claimed outcome with evidence; completes the request when it is the last one. The
    principal that claimed the outcome cannot verify it."""
    trail = Trail(principal, "verifyErasureTask", now)

    async def work(tx: Transaction) -> ErasureTaskRecord:
        locked = await _lock(tx, task_id, None, trail)
        check_scope(locked.task, principal)
        check_runs(locked.request, locked.task.key)
        checked, event = verification(
            locked.task, confirmed, evidence, by=principal, event_id=uuid.uuid4().hex, now=now
        )
        updated = await store.update_task(tx, locked.task, checked, event)
        completed = await complete_if_done(tx, locked.request.id, now)
        await trail.write(tx)
        # completion clears the task's free text: answer with the task as it is kept
        return next((t for t in completed.tasks if t.id == updated.id), updated)

    async with refusals(db, trail):
        return await db.transaction(work)

"""Erasure tasks: recording claimed outcomes and verifying them, each in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from datamap.domain.erasure_workflow import (
    ErasureTaskRecord,
    Outcome,
    claim,
    digest,
    verification,
)
from datamap.errors import NotFound, ValidationError
from datamap.graph import erasure_store as store
from datamap.graph.database import Database, Transaction
from datamap.services.erasure.views import complete_if_done


class _Replay(Exception):
    """Raised inside a transaction to roll it back when a request is a replay of one already applied."""

    def __init__(self, task: ErasureTaskRecord) -> None:
        self.task = task


async def _lock(tx: Transaction, task_id: str, idempotency_key: str | None) -> store.LockedTask:
    locked = await store.lock_task(tx, task_id, idempotency_key)
    if locked is None:
        raise NotFound(f"task: no erasure task {task_id!r}")
    return locked


async def record_outcome(
    db: Database,
    task_id: str,
    outcome: Outcome,
    evidence: str,
    idempotency_key: str,
    *,
    now: dt.datetime,
) -> ErasureTaskRecord:
    """Record what a system or vendor says happened. The same idempotency key twice changes nothing."""
    if not idempotency_key.strip():
        raise ValidationError("idempotencyKey: required, so that a retried call is applied once")

    async def work(tx: Transaction) -> ErasureTaskRecord:
        locked = await _lock(tx, task_id, idempotency_key)
        task = locked.task
        for prior in locked.prior:
            if prior.outcome is outcome and prior.evidence_digest == digest(evidence):
                raise _Replay(replace(task, version=task.version - 1))  # as it stands: the lock rolls back
            raise ValidationError(
                f"idempotencyKey: {idempotency_key!r} was already used on this task for "
                f"{prior.outcome.value.upper() if prior.outcome else 'another event'} with other evidence"
            )
        claimed, event = claim(
            task, outcome, evidence, idempotency_key, locked.dependencies, event_id=uuid.uuid4().hex, now=now
        )
        return await store.update_task(tx, task, claimed, event)

    try:
        return await db.transaction(work)
    except _Replay as replay:
        return replay.task


async def verify_task(
    db: Database,
    task_id: str,
    evidence: str,
    confirmed: bool = True,
    *,
    now: dt.datetime,
) -> ErasureTaskRecord:
    """Confirm (or reject) a claimed outcome with evidence; completes the request when it is the last one."""

    async def work(tx: Transaction) -> ErasureTaskRecord:
        locked = await _lock(tx, task_id, None)
        checked, event = verification(locked.task, confirmed, evidence, event_id=uuid.uuid4().hex, now=now)
        updated = await store.update_task(tx, locked.task, checked, event)
        await complete_if_done(tx, locked.request.id, now)
        return updated

    return await db.transaction(work)

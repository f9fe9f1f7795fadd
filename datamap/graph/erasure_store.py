"""The erasure workflow's persistence: its statements run, and its records mapped to and from the graph.

Requests, tasks, events and legal holds are kept as nodes whose properties carry camelCase names, read and
written in one place, `datamap.graph.erasure_properties`. Each function below runs one statement of
`datamap.graph.erasure_queries` and returns typed values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, cast

from datamap.domain.erasure_plan import SUPPRESSION_KEY
from datamap.domain.erasure_records import (
    ErasureEventRecord,
    ErasureRequestRecord,
    ErasureTaskRecord,
    LegalHoldRecord,
    TaskStatus,
)
from datamap.domain.erasure_workflow import key_digest
from datamap.domain.lineage_types import NodeKind
from datamap.graph import erasure_queries as q
from datamap.graph.database import Database, Records, Transaction, run
from datamap.graph.erasure_properties import (
    changed_properties,
    event_from_node,
    event_properties,
    hold_from_node,
    kept_properties,
    request_from_node,
    request_properties,
    task_from_node,
    task_properties,
)
from datamap.graph.erasure_queries import ErasurePlanRow
from datamap.graph.record_tallies import ERASE_TALLIES
from datamap.graph.stl_queries import STL_CUSTOMERS

Node = Mapping[str, Any]  # a node's properties as the driver returns them (`n {.*}`)


# --- statements -----------------------------------------------------------------------------------------------


async def _records(on: Database | Transaction, query: LiteralString, **params: Any) -> Records:
    """One statement: on its own (a read of `Database`) or inside the transaction given."""
    if isinstance(on, Database):
        return await on.read(query, **params)
    return await run(on, query, **params)


async def read_erasure_plan(
    on: Database | Transaction, hashes: list[str], as_of: Mapping[str, object]
) -> list[ErasurePlanRow]:
    """ERASURE_PLAN: one row per subject the keyed hashes point to (the caller applies the one-subject rule).
    `as_of` holds `$asOf` and `$asOfEnd`."""
    records = await _records(on, q.ERASURE_PLAN, hashes=hashes, category=None, ancestors=[], **as_of)
    return cast("list[ErasurePlanRow]", records)


async def open_requests_of_subject(tx: Transaction, subject_id: str, now: dt.datetime) -> list[str]:
    """Take the subject's erasure lock (concurrent requests for one subject serialise on it); the ids of its
    requests not complete."""
    rows = await run(tx, q.OPEN_REQUESTS_OF_SUBJECT, subjectId=subject_id, now=now)
    return [r["id"] for r in rows if r["id"]]


async def create_request(
    tx: Transaction,
    request: ErasureRequestRecord,
    tasks: Sequence[ErasureTaskRecord],
    *,
    hashes: list[str],
    suppression_event: ErasureEventRecord | None,
    now: dt.datetime,
) -> None:
    """Write the request with its tasks, the suppression entries of `hashes`, and the event of the suppression
    task (the task keyed `SUPPRESSION_KEY`, which must be among `tasks`); none of the last two while the request
    awaits approval (`hashes` empty, no event)."""
    suppression = next(t for t in tasks if t.key == SUPPRESSION_KEY)
    events = [] if suppression_event is None else [suppression_event]
    await run(
        tx,
        q.CREATE_REQUEST,
        request=request_properties(request),
        tasks=[task_properties(t) for t in tasks],
        hashes=hashes,
        now=now,
        events=[{"task": suppression.id, "properties": event_properties(e)} for e in events],
    )


async def request_by_key(tx: Transaction, key_digest: str) -> tuple[ErasureRequestRecord, list[str]] | None:
    """The request opened with an idempotency key (by its digest), with the keyed hashes it suppresses."""
    rows = await run(tx, q.REQUEST_BY_KEY, keyDigest=key_digest)
    if not rows:
        return None
    return request_from_node(rows[0]["request"]), list(rows[0]["suppressed"])


async def identifier_hashes(tx: Transaction, subject_id: str) -> list[str]:
    """The keyed hashes of every identifier the subject has now (none when the graph holds no such subject)."""
    (row,) = await run(tx, q.IDENTIFIER_HASHES, subjectId=subject_id)
    return list(row["hashes"])


async def approve_request(
    tx: Transaction,
    before: ErasureRequestRecord,
    after: ErasureRequestRecord,
    suppression: tuple[ErasureTaskRecord, ErasureTaskRecord],
    event: ErasureEventRecord,
    *,
    hashes: list[str],
    now: dt.datetime,
) -> None:
    """Write the approved request, the suppression entries of `hashes`, and its suppression task (`before`,
    `after`) settled with its event."""
    task_before, task_after = suppression
    await run(
        tx,
        q.APPROVE_REQUEST,
        id=after.id,
        changes=changed_properties(request_properties(before), request_properties(after)),
        hashes=hashes,
        now=now,
        task=task_after.id,
        taskChanges=changed_properties(task_properties(task_before), task_properties(task_after)),
        event=event_properties(event),
    )


@dataclass(frozen=True)
class LockedTask:
    """A task taken for a change (its and its request's `version` raised), with its events; its request; the
    status of each task it depends on, by key; its events recorded under the idempotency key given."""

    task: ErasureTaskRecord
    request: ErasureRequestRecord
    dependencies: dict[str, TaskStatus]
    prior: tuple[ErasureEventRecord, ...]


async def lock_task(tx: Transaction, task_id: str, idempotency_key: str | None) -> LockedTask | None:
    """None when there is no such task. `prior` matches the key as given or as kept after completion."""
    key_digest_ = None if idempotency_key is None else key_digest(idempotency_key)
    rows = await run(tx, q.LOCK_TASK, id=task_id, idempotencyKey=idempotency_key, keyDigest=key_digest_)
    if not rows:
        return None
    (row,) = rows
    return LockedTask(
        task=task_from_node(row["task"]),
        request=request_from_node(row["request"]),
        dependencies={d["key"]: TaskStatus(d["status"]) for d in row["dependencies"]},
        prior=tuple(event_from_node(e) for e in row["prior"]),
    )


async def update_task(
    tx: Transaction, before: ErasureTaskRecord, after: ErasureTaskRecord, event: ErasureEventRecord
) -> ErasureTaskRecord:
    """Write what changed from `before` (as read) to `after`, and the event; the task as it now stands, with
    its events."""
    changes = changed_properties(task_properties(before), task_properties(after))
    (row,) = await run(tx, q.UPDATE_TASK, id=after.id, changes=changes, event=event_properties(event))
    return task_from_node(row["task"])


async def request_with_tasks(
    on: Database | Transaction, request_id: str
) -> tuple[ErasureRequestRecord, list[ErasureTaskRecord]] | None:
    """The request with its tasks and their events; None when there is no such request."""
    rows = await _records(on, q.REQUEST_WITH_TASKS, id=request_id)
    if not rows:
        return None
    (row,) = rows
    return request_from_node(row["request"]), [task_from_node(t) for t in row["tasks"]]


async def lock_request(tx: Transaction, request_id: str) -> ErasureRequestRecord | None:
    """The request taken for a change (its `version` raised); None when there is no such request."""
    rows = await run(tx, q.LOCK_REQUEST, id=request_id)
    return request_from_node(rows[0]["request"]) if rows else None


async def update_request(
    tx: Transaction, before: ErasureRequestRecord, after: ErasureRequestRecord
) -> ErasureRequestRecord:
    """Write what changed from `before` (as read) to `after`; the request as it now stands."""
    changes = changed_properties(request_properties(before), request_properties(after))
    (row,) = await run(tx, q.UPDATE_REQUEST, id=after.id, changes=changes)
    return request_from_node(row["request"])


async def complete_request(
    tx: Transaction,
    before: tuple[ErasureRequestRecord, Sequence[ErasureTaskRecord]],
    after: tuple[ErasureRequestRecord, Sequence[ErasureTaskRecord]],
    now: dt.datetime,
) -> ErasureRequestRecord:
    """Write the request complete (`after`: its completion time, certificate digest and cleared free text, and
    its tasks and their events cleared likewise), mark its suppression entries erased and remove the subject
    layer; the request as it now stands."""
    request_before, tasks_before = before
    request_after, tasks_after = after
    old_tasks = {t.id: t for t in tasks_before}
    task_changes = []
    event_changes = []
    for task in tasks_after:
        old = old_tasks[task.id]
        changed = changed_properties(task_properties(old), task_properties(task))
        if changed:
            task_changes.append({"id": task.id, "changes": changed})
        old_events = {e.id: e for e in old.history}
        for event in task.history:
            changed = changed_properties(event_properties(old_events[event.id]), event_properties(event))
            if changed:
                event_changes.append({"id": event.id, "changes": changed})
    # the subject's records off the record tallies, before COMPLETE_REQUEST deletes them (record_tallies.py)
    await run(tx, ERASE_TALLIES, id=request_after.id)
    (row,) = await run(
        tx,
        q.COMPLETE_REQUEST,
        id=request_after.id,
        changes=changed_properties(request_properties(request_before), request_properties(request_after)),
        tasks=task_changes,
        events=event_changes,
        now=now,
        **STL_CUSTOMERS,
    )
    return request_from_node(row["request"])


async def list_requests(
    db: Database, open_only: bool, recipient: str | None = None
) -> list[tuple[ErasureRequestRecord, list[ErasureTaskRecord]]]:
    """Every request (or those not complete) with its tasks (without their events), by time of receipt; with
    `recipient`, only the requests that have a task whose target is that recipient."""
    rows = await db.read(
        q.LIST_REQUESTS, openOnly=open_only, recipient=recipient, recipientKind=NodeKind.RECIPIENT.value
    )
    return [(request_from_node(r["request"]), [task_from_node(t) for t in r["tasks"]]) for r in rows]


async def place_hold(
    tx: Transaction,
    hashes: list[str],
    *,
    hold_id: str,
    categories: Sequence[str],
    systems: Sequence[str],
    reason: str,
    until: dt.date | None,
    placed_at: dt.datetime,
) -> list[LegalHoldRecord]:
    """Place a legal hold on the subject the keyed hashes point to. The hold as it would stand on each subject
    they point to; it is written only when that is exactly one (the caller applies the one-subject rule)."""
    properties = kept_properties(
        {
            "id": hold_id,
            "categories": list(categories),
            "systems": list(systems),
            "reason": reason,
            "placedAt": placed_at,
            "until": until,
        }
    )  # and `subjectId`, which the statement writes: the id of the subject the hold is placed on
    (row,) = await run(tx, q.PLACE_HOLD, hashes=hashes, hold=properties)
    return [hold_from_node({**properties, "subjectId": subject_id}) for subject_id in row["subjects"]]


async def lift_hold(tx: Transaction, hold_id: str, reason: str, now: dt.datetime) -> LegalHoldRecord | None:
    """End a legal hold in force; None when there is none with that id."""
    rows = await run(tx, q.LIFT_HOLD, id=hold_id, now=now, reason=reason)
    return hold_from_node(rows[0]["hold"]) if rows else None

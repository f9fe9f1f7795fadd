"""Record the subject layer: collections and disclosures, one at a time or in batches.

Rows that share an identifier (directly or through other rows of the batch) belong to one subject: the one
their identifiers already point to, or a new one. A subject on the suppression list (an erasure request covers
it) is never re-created: a single record is refused, a batch skips it and says how many it skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datamap.domain.access import Principal
from datamap.domain.subject_events import (
    Collection,
    Disclosure,
    assign_subject,
    identifier_groups,
    key_refs,
    new_subject_id,
    to_row,
)
from datamap.domain.transfer_findings import Finding
from datamap.errors import NotFound, ValidationError
from datamap.graph import subject_writer
from datamap.graph.database import Database, Transaction
from datamap.services import audit
from datamap.services.map_findings import findings_of_event

Event = Collection | Disclosure


@dataclass(frozen=True)
class Written:
    """What a batch wrote: (record id, subject id) per written event, and the lines skipped as suppressed."""

    records: list[tuple[str, str]]
    suppressed_lines: list[int]


def rows_for(
    events: Sequence[Event], secret: bytes, lines: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Validate and hash every event; `lines` number them (unique; default 1, 2, ...)."""
    numbers = list(lines) if lines is not None else list(range(1, len(events) + 1))
    return [to_row(event, secret, line=number) for number, event in zip(numbers, events, strict=True)]


async def check_keys(tx: Transaction, events: Sequence[Event]) -> None:
    """Raise `NotFound` naming every key the events use that the map does not hold."""
    missing = await subject_writer.missing_keys(tx, **key_refs(events).as_params())
    if missing:
        detail = "; ".join(f"{kind}: {', '.join(map(repr, keys))}" for kind, keys in missing.items())
        raise NotFound(f"unknown keys in the map: {detail}")


async def write_events(tx: Transaction, rows: list[dict[str, Any]]) -> Written:
    """Resolve the subjects of already validated rows and write them in this transaction."""
    groups = identifier_groups(rows)
    params = [
        {"group": g, "hashes": sorted({h for i in members for h in rows[i]["hashes"]})}
        for g, members in enumerate(groups)
    ]
    suppressed: list[int] = []
    new: set[str] = set()  # subjects none of whose identifiers is known: created, not merged
    for found in await subject_writer.resolve_subjects(tx, params):
        members = groups[found["group"]]
        if len(found["subjects"]) > 1:
            kinds = sorted({i["kind"] for m in members for i in rows[m]["identifiers"]})
            raise ValidationError(
                f"line {rows[members[0]]['line']}: its identifiers ({', '.join(kinds)}) belong to "
                f"{len(found['subjects'])} different subjects already; record them separately"
            )
        if found["suppressed"]:
            suppressed += [rows[m]["line"] for m in members]
        if found["subjects"]:
            subject_id = found["subjects"][0]
        else:
            subject_id = new_subject_id(params[found["group"]]["hashes"])
            new.add(subject_id)
        for m in members:
            assign_subject(rows[m], subject_id)
    skipped = set(suppressed)
    live = [r for r in rows if r["line"] not in skipped]
    await subject_writer.write_subjects(tx, per_subject(live), new)
    return Written([(r["id"], r["subjectId"]) for r in live], sorted(suppressed))


def per_subject(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with their subject resolved, gathered into one row per subject for the graph."""
    subjects: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = subjects.get(r["subjectId"])
        if s is None:
            s = subjects[r["subjectId"]] = {
                "id": r["subjectId"],
                "first": r["at"],
                "country": None,
                "region": None,
                "relationship": None,
                "hashes": set(),
                "identifiers": {},
                "memberships": {},
                "collections": [],
                "disclosures": [],
            }
        s["first"] = min(s["first"], r["at"])
        moved = (
            r["country"]
            and not r["region"]
            and s["region"]
            and not s["region"].startswith(r["country"] + "-")
        )
        s["country"] = r["country"] or s["country"]
        # a new country without a region ends a region of another country, as between batches (WRITE_SUBJECTS)
        s["region"] = None if moved else r["region"] or s["region"]
        s["relationship"] = r["relationship"] or s["relationship"]
        s["hashes"].update(r["hashes"])
        s["identifiers"].update({i["hash"]: i for i in r["identifiers"]})
        for key in r["subjectCategories"]:
            s["memberships"][key] = min(s["memberships"].get(key, r["at"]), r["at"])
        fields = (
            ("id", "categories", "at", "system", "source")
            if "system" in r
            else ("id", "categories", "at", "recipient", "purpose")
        )
        s["collections" if "system" in r else "disclosures"].append({k: r[k] for k in fields})
    return [
        {
            **s,
            "hashes": sorted(s["hashes"]),
            "identifiers": list(s["identifiers"].values()),
            "memberships": [{"key": k, "since": v} for k, v in s["memberships"].items()],
        }
        for s in subjects.values()
    ]


async def _write_audited(
    tx: Transaction,
    events: Sequence[Event],
    rows: list[dict[str, Any]],
    by: tuple[Principal, str, dt.datetime] | None,
) -> Written:
    """Check the keys, write the rows (none of a suppressed subject) and the audit events of `by`, in `tx`."""
    await check_keys(tx, events)
    written = await write_events(tx, rows)
    if written.suppressed_lines:
        raise ValidationError(
            "subject: an erasure request covers this subject (it is on the suppression list); nothing was recorded"
        )
    if by is not None:
        principal, operation, now = by
        subjects = sorted({subject for _, subject in written.records})
        entries = [audit.entry(principal, operation, now, subject_id=s) for s in subjects]
        await audit.record(tx, entries, now)
    return written


async def record(
    db: Database,
    events: Sequence[Event],
    secret: bytes,
    *,
    by: tuple[Principal, str, dt.datetime] | None = None,
) -> list[tuple[str, str]]:
    """Validate and write `events` in one transaction; (record id, subject id) of each, in order.

    `by` (principal, operation, now): the audit event of each subject written, in the same transaction."""
    rows = rows_for(events, secret)

    async def work(tx: Transaction) -> Written:
        return await _write_audited(tx, events, rows, by)

    return (await db.transaction(work)).records


@dataclass(frozen=True)
class Recorded:
    """One event recorded: its id, its subject's, and what it raises against the map on its day."""

    id: str
    subject_id: str
    findings: tuple[Finding, ...]


async def record_event(
    db: Database, event: Event, secret: bytes, *, by: tuple[Principal, str, dt.datetime]
) -> Recorded:
    """Record one event as `record` does, and, in the same transaction, read what it raises against the map as of
    its own day (`map_findings.findings_of_event`): an event the map does not allow is recorded all the same (it
    happened), and its findings say so."""
    rows = rows_for([event], secret)

    async def work(tx: Transaction) -> Recorded:
        ((record_id, subject_id),) = (await _write_audited(tx, [event], rows, by)).records
        found = await findings_of_event(tx, event, record_id, subject_id, rows[0]["at"])
        return Recorded(record_id, subject_id, found)

    return await db.transaction(work)

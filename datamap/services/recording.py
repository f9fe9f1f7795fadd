"""Record the subject layer: collections and disclosures, one at a time or in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from datamap.domain.subject_events import Collection, Disclosure, key_refs, to_row
from datamap.errors import NotFound, ValidationError
from datamap.graph import subject_writer
from datamap.graph.database import Database

Event = Collection | Disclosure


def rows_for(events: Sequence[Event], secret: bytes, first_line: int = 1) -> list[dict[str, Any]]:
    return [to_row(e, secret, line=first_line + i) for i, e in enumerate(events)]


async def check_keys(tx: AsyncManagedTransaction, events: Sequence[Event]) -> None:
    """Raise `NotFound` naming every key the events use that the map does not hold."""
    missing = await subject_writer.missing_keys(tx, **key_refs(events).as_params())
    if missing:
        detail = "; ".join(f"{kind}: {', '.join(map(repr, keys))}" for kind, keys in missing.items())
        raise NotFound(f"unknown keys in the map: {detail}")


async def write_events(
    tx: AsyncManagedTransaction, events: Sequence[Event], rows: list[dict[str, Any]]
) -> dict[str, str]:
    """Write already validated events (rows in the same order) in this transaction; record id -> subject id."""
    clashes = await subject_writer.conflicts(tx, rows)
    if clashes:
        lines = ", ".join(str(c["line"]) for c in clashes[:10])
        raise ValidationError(
            f"record {lines}: its identifiers belong to {len(clashes[0]['subjects'])} different subjects; "
            "record them separately or merge the subjects first"
        )
    collections = [r for e, r in zip(events, rows, strict=True) if isinstance(e, Collection)]
    disclosures = [r for e, r in zip(events, rows, strict=True) if isinstance(e, Disclosure)]
    written = []
    if collections:
        written += await subject_writer.write_collections(tx, collections)
    if disclosures:
        written += await subject_writer.write_disclosures(tx, disclosures)
    return {w["id"]: w["subjectId"] for w in written}


async def record(db: Database, events: Sequence[Event], secret: bytes) -> list[tuple[str, str]]:
    """Validate and write `events` in one transaction; return (record id, subject id) of each, in order."""
    rows = rows_for(events, secret)

    async def work(tx: AsyncManagedTransaction) -> dict[str, str]:
        await check_keys(tx, events)
        return await write_events(tx, events, rows)

    subjects = await db.transaction(work)
    return [(r["id"], subjects[r["id"]]) for r in rows]

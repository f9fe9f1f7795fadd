"""Finding one subject by the keyed hashes of its identifiers: the one fragment every statement uses.

`$hashes` holds the keyed hashes of the identifiers the caller gave; a statement that starts with
`SUBJECT_BY_HASHES` has one row per subject they point to (the caller applies the one-subject rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import LiteralString

from datamap.graph.database import Database, Transaction, run

# the pattern alone, for statements that look the subject up optionally (inside a CALL)
IDENTIFIED_SUBJECT: LiteralString = "(i:Identifier)-[:IDENTIFIES]->(s:Subject) WHERE i.hash IN $hashes"

SUBJECT_BY_HASHES: LiteralString = "MATCH " + IDENTIFIED_SUBJECT + "\nWITH DISTINCT s\n"

SUBJECT_IDS: LiteralString = SUBJECT_BY_HASHES + "RETURN s.id AS id\n"

# The keyed hashes of one subject's identifiers, found by our id of the subject (none once it is erased).
SUBJECT_HASHES: LiteralString = """
MATCH (i:Identifier)-[:IDENTIFIES]->(:Subject {id: $subjectId})
RETURN i.hash AS hash
"""

SUPPRESSION: LiteralString = """
MATCH (sup:Suppression) WHERE sup.hash IN $hashes
OPTIONAL MATCH (r:ErasureRequest)-[:SUPPRESSES]->(sup)
WITH sup, collect(r) AS requests
RETURN sup.createdAt AS since, sup.erasedAt AS erasedAt, [r IN requests | r.id] AS requests,
       head([r IN requests | r.subjectId]) AS subjectId
ORDER BY since LIMIT 1
"""


@dataclass(frozen=True)
class SuppressionRow:
    """The earliest suppression entry among the hashes: since when, erased when, by which requests."""

    since: dt.datetime
    erased_at: dt.datetime | None
    requests: list[str]
    subject_id: str | None


async def find_suppression(db: Database, hashes: list[str]) -> SuppressionRow | None:
    rows = await db.read(SUPPRESSION, hashes=hashes)
    if not rows:
        return None
    (row,) = rows
    return SuppressionRow(row["since"], row["erasedAt"], row["requests"], row["subjectId"])


async def subject_ids(tx: Transaction, hashes: list[str]) -> list[str]:
    """The ids of the subjects the keyed hashes point to (the caller applies the one-subject rule)."""
    return [row["id"] for row in await run(tx, SUBJECT_IDS, hashes=hashes)]


async def subject_hashes(db: Database, subject_id: str) -> list[str]:
    """The keyed hashes of the identifiers of the subject with our id `subject_id` (sorted; none when no subject
    has that id, or it is erased)."""
    return sorted(row["hash"] for row in await db.read(SUBJECT_HASHES, subjectId=subject_id))

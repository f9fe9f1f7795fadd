"""Reading the whole map back out of the graph, for `datamap map export` and `datamap map diff`.

One statement per kind, all in one read transaction (one consistent map; small statements plan quickly): every
map entry as one version's stored properties (`{.*}`: the seed's fields as
`map_writer` wrote them, and the version bookkeeping) with the entry's lifetime (`validFrom`, `validTo` of the
node), the references it owns as relationships (named like the seed's fields, sorted by key so that an export is
the same text each time), and how many earlier versions it has (`earlierVersions`). Which version
(`graph/map_versions.py` says how versions are kept):

- `$asOf` a day: the entries that hold on it (`validity.valid`), each as its version of that day
  (`validity.as_of_version`), with the relationships that hold on it;
- `$asOf` null: every entry whatever its lifetime, each as its latest version, with the relationships of that
  version (open, or closed when the entry was retired).

A flow is one relationship per version (all with its key): its lifetime runs from its first version's
`validFrom` to its latest version's `validTo`. The domain (`domain/map_export.py`) turns the rows into seed entries.
"""

from __future__ import annotations

import datetime as dt
from typing import LiteralString

from datamap.domain.map_export import MAP_FILES, MapRows
from datamap.graph.database import Database, Transaction, run
from datamap.graph.map_versions import read_map_edits
from datamap.graph.validity import as_of_version, valid

_HOLDS: LiteralString = "($asOf IS NULL OR " + valid("n") + ")"
# A relationship `e` of the entry `n` in the version exported (`e.validTo` is the day it was closed).
_LINK: LiteralString = (
    "CASE WHEN $asOf IS NULL THEN e.validTo IS NULL OR e.validTo >= n.validTo ELSE " + valid("e") + " END"
)
_EARLIER: LiteralString = "earlierVersions: COUNT { (n)-[:PREVIOUS_VERSION]->(:MapVersion) }"


def _keys(edge: LiteralString, target: LiteralString) -> LiteralString:
    """The keys of the entries `n` references through `edge` in the version exported, sorted."""
    return (
        "COLLECT { MATCH (n)-[e:"
        + edge
        + "]->(x:"
        + target
        + ") WHERE "
        + _LINK
        + " RETURN x.key ORDER BY x.key }"
    )


def _entries(label: LiteralString, references: LiteralString = "") -> LiteralString:
    """The entries of one label, one row each (`entry`), each as the version exported, by key."""
    return (
        "MATCH (n:"
        + label
        + ") WHERE "
        + _HOLDS
        + "\nWITH n, CASE WHEN $asOf IS NULL THEN n ELSE "
        + as_of_version("n")
        + " END AS v ORDER BY n.key\nRETURN v {.*, validFrom: n.validFrom, validTo: n.validTo, "
        + _EARLIER
        + references
        + "} AS entry"
    )


_CERTIFICATIONS: LiteralString = (
    ", certifications: COLLECT { MATCH (n)-[e:HOLDS_CERTIFICATION]->(c:Certification) WHERE "
    + _LINK
    + " RETURN c {.*} ORDER BY c.validFrom, c.program }"
)

_FLOWS: LiteralString = (
    """MATCH (a:Source|System)-[f:FLOWS_TO]->(b:System|Recipient)
WITH a, f, b ORDER BY coalesce(f.version, 1) DESC
WITH f.key AS key, collect({f: f, a: a, b: b}) AS versions, min(f.validFrom) AS validFrom
WITH key, validFrom, size(versions) - 1 AS earlier, versions[0].f.validTo AS validTo,
     CASE WHEN $asOf IS NULL THEN versions[0] ELSE head([n IN versions WHERE """
    + valid("n.f")
    + """]) END AS chosen
WHERE chosen IS NOT NULL
WITH key, validFrom, validTo, earlier, chosen.f AS f, chosen.a AS a, chosen.b AS b ORDER BY key
RETURN f {.*, validFrom: validFrom, validTo: validTo, earlierVersions: earlier,
  from: CASE WHEN a:Source THEN {source: a.key} ELSE {system: a.key} END,
  to: CASE WHEN b:System THEN {system: b.key} ELSE {recipient: b.key} END} AS entry
"""
)

_NOTICE: LiteralString = "OPTIONAL MATCH (n:Notice {key: 'notice'}) RETURN n {.*} AS notice"
_SUBJECTS: LiteralString = "MATCH (s:Subject) RETURN count(s) AS subjects"

# One statement per kind, by the seed file it fills (small statements: Neo4j plans each quickly).
EXPORT_STATEMENTS: dict[str, LiteralString] = {
    "organisations": _entries("Organisation", _CERTIFICATIONS),
    "data_categories": _entries("DataCategory"),
    "subject_categories": _entries("SubjectCategory"),
    "sources": _entries("Source"),
    "systems": _entries("System", ", categories: " + _keys("STORES", "DataCategory")),
    "purposes": _entries(
        "Purpose",
        ", categories: "
        + _keys("PROCESSES", "DataCategory")
        + ", subjectCategories: "
        + _keys("CONCERNS", "SubjectCategory")
        + ", systems: "
        + _keys("USES", "System")
        + ", controllerOrganisations: "
        + _keys("ON_BEHALF_OF", "Organisation"),
    ),
    "recipients": _entries("Recipient"),
    "flows": _FLOWS,
    "transfers": _entries("Transfer", ", categories: " + _keys("CARRIES", "DataCategory")),
    "retention": _entries(
        "RetentionRule",
        ", categories: "
        + _keys("APPLIES_TO", "DataCategory")
        + ", systems: "
        + _keys("APPLIES_IN", "System"),
    ),
    "rights": _entries("Right"),
    "deadlines": _entries("Deadline"),
    "contact_points": _entries("ContactPoint"),
}


async def read_map(db: Database, as_of: dt.date | None) -> MapRows:
    """Every map entry (None: each as its latest version; a day: those that hold then, as they were), read in
    one read transaction (one statement per kind: the rows of one consistent map)."""

    async def work(tx: Transaction) -> MapRows:
        (notice,) = await run(tx, _NOTICE)
        entries = {
            name: tuple(r["entry"] for r in await run(tx, EXPORT_STATEMENTS[name], asOf=as_of))
            for name in MAP_FILES
        }
        (subjects,) = await run(tx, _SUBJECTS)
        edits = await read_map_edits(tx)
        return MapRows(
            notice=notice["notice"],
            entries=entries,
            subjects=subjects["subjects"],
            api_changes=int(edits["changes"]) if edits else 0,
        )

    return await db.read_transaction(work)

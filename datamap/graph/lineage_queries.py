"""Lineage: where data of a category, or of one subject, goes. One statement, one round trip, each.

Both statements return raw material (records, disclosures, map paths, purposes, transfers); the pure path
logic (narrowing categories along a path, grouping, truncation) is in `datamap.domain.lineage`.

Parameters shared by both: `$asOf` (date), `$asOfEnd` (datetime: the end of that day, UTC), `$category`
(or null) with `$ancestors` (its ancestor keys). A map fact is valid when `validFrom <= $asOf` and
`validTo` is null or after `$asOf` (`datamap.graph.validity`). Flow paths are bounded at `MAX_FLOW_HOPS`
relationships. `read_subject_lineage` and `read_category_lineage` run them and return their rows typed
(`datamap.domain.lineage_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import LiteralString, TypeVar, cast

from datamap.domain.lineage_rows import CategoryLineageRow, SubjectLineageRow
from datamap.graph.database import Database, Records
from datamap.graph.subject_lookup import SUBJECT_BY_HASHES
from datamap.graph.validity import all_valid, as_of_version, organisation_of, valid

MAX_FLOW_HOPS = 8  # the literal bound of the FLOWS_TO expansions below (a test keeps them in step)

# A map node on a path is valid as of the date too (sources, systems and recipients carry validFrom/validTo).
VALID_NODES_FRAGMENT: LiteralString = all_valid("x", "nodes(path)")

# Entries are projected with their attributes as of the date (`validity.as_of_version`); a recipient's
# organisation name and (when it has none of its own) country through its `IS` relationship then.
PATH_FRAGMENT: LiteralString = (
    "nodes: [n IN nodes(path) | elementId(n)], flows: [f IN relationships(path) | elementId(f)]"
)
# The distinct nodes and flows the collected `paths` go through, once each (paths refer to them by element id).
PATH_PARTS_FRAGMENT: LiteralString = (
    """
CALL (paths) {
  UNWIND paths AS p UNWIND nodes(p) AS n
  WITH DISTINCT n
  WITH n, """
    + as_of_version("n")
    + " AS a, "
    + organisation_of("n")
    + """ AS o
  RETURN collect(a {.key, .name, .role, .kind, .operator, .backups, .organisation,
                    country: coalesce(a.country, o.country), organisationName: o.name,
                    label: head([l IN labels(n) WHERE l IN ['Source', 'System', 'Recipient']]),
                    id: elementId(n)}) AS pathNodes
}
CALL (paths) {
  UNWIND paths AS p UNWIND relationships(p) AS f
  WITH DISTINCT f
  RETURN collect(f {.key, .categories, .purposes, .trigger, id: elementId(f)}) AS pathFlows
}
"""
)
# A transfer in force (`t`): its exporter and importer over relationships that hold on the date, and the
# attributes of all three then (`ta`, `ea`, `ia`; `imp` stays bound for its certifications). Project with
# `_TRANSFER`.
TRANSFER_PARTIES: LiteralString = (
    "MATCH (t)-[ex:EXPORTER]->(exp:Organisation) WHERE "
    + valid("ex")
    + "\n  MATCH (t)-[im:IMPORTER]->(imp:Organisation) WHERE "
    + valid("im")
    + "\n  WITH t, imp, "
    + as_of_version("t")
    + " AS ta, "
    + as_of_version("exp")
    + " AS ea, "
    + as_of_version("imp")
    + " AS ia\n"
)
_TRANSFER: LiteralString = (
    "ta {.key, .mechanism, .fromCountries, .toCountries, validFrom: t.validFrom, validTo: t.validTo, "
    ".tiaReviewDate, exporter: ea {.key, .name, .country}, importer: ia {.key, .name, .country}, "
    "categories: [(t)-[e:CARRIES]->(c:DataCategory) WHERE " + valid("e") + " | c.key]}"
)
_PURPOSES: LiteralString = (
    """
CALL () {
  MATCH (p:Purpose)
  WITH p, """
    + as_of_version("p")
    + """ AS pa
  RETURN collect(pa {.key, .name, .legalBasis, .actingAs, .trigger,
                     categories: [(p)-[e:PROCESSES]->(c:DataCategory) WHERE """
    + valid("e")
    + """ | c.key]}) AS purposes
}
"""
)

SUBJECT_LINEAGE_BODY: LiteralString = (
    SUBJECT_BY_HASHES
    + """
CALL (s) {
  OPTIONAL MATCH (s)-[h:HELD_IN]->(sys:System)
  WHERE h.at <= $asOfEnd
    AND ($category IS NULL OR any(c IN h.categories
         WHERE c = $category OR c STARTS WITH $category + '.' OR c IN $ancestors))
  OPTIONAL MATCH (src:Source {key: h.source})
  WITH h, """
    + as_of_version("sys")
    + " AS sa, "
    + as_of_version("src")
    + """ AS srca
  RETURN collect(CASE WHEN h IS NULL THEN null ELSE {
    id: h.id, at: h.at, categories: h.categories,
    system: sa {.key, .name, .country, .operator, .backups}, source: srca {.key, .name, .kind}
  } END) AS records
}
CALL (s) {
  OPTIONAL MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient)
  WHERE d.at <= $asOfEnd
    AND ($category IS NULL OR any(c IN d.categories
         WHERE c = $category OR c STARTS WITH $category + '.' OR c IN $ancestors))
  OPTIONAL MATCH (p:Purpose {key: d.purpose})
  WITH d, """
    + as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + " AS o, "
    + as_of_version("p")
    + """ AS pa
  RETURN collect(CASE WHEN d IS NULL THEN null ELSE {
    id: d.id, at: d.at, categories: d.categories,
    recipient: ra {.key, .name, .role, .kind, .organisation, .ownDirectMarketing,
                   country: coalesce(ra.country, o.country), organisationName: o.name},
    purpose: pa {.key, .name, .legalBasis, .thirdPartyDirectMarketing}
  } END) AS disclosures
}
CALL (s) {
  MATCH (s)-[h:HELD_IN]->(sys:System)
  WHERE h.at <= $asOfEnd
  OPTIONAL MATCH (src:Source {key: h.source})
  UNWIND [x IN [sys, src] WHERE x IS NOT NULL] AS start
  MATCH path = (start:Source|System)-[:FLOWS_TO*1..8]->(n:System|Recipient)
  WHERE (start = sys OR nodes(path)[1] <> sys) AND """
    + VALID_NODES_FRAGMENT
    + """
    AND all(f IN relationships(path) WHERE """
    + valid("f")
    + """
        AND any(c IN f.categories WHERE any(hc IN h.categories
            WHERE c = hc OR c STARTS WITH hc + '.' OR hc STARTS WITH c + '.')))
  WITH collect({record: h.id, """
    + PATH_FRAGMENT
    + """}) AS mapPaths, collect(path) AS paths
  """
    + PATH_PARTS_FRAGMENT
    + """
  RETURN mapPaths, pathNodes, pathFlows
}
CALL (s) {
  MATCH (s)-[h:HELD_IN]->(sys:System)<-[u:USES]-(p:Purpose)-[pr:PROCESSES]->(c:DataCategory)
  WHERE h.at <= $asOfEnd AND """
    + valid("p")
    + " AND "
    + valid("u")
    + " AND "
    + valid("pr")
    + """
    AND any(hc IN h.categories WHERE c.key = hc OR c.key STARTS WITH hc + '.' OR hc STARTS WITH c.key + '.')
  RETURN collect(DISTINCT {record: h.id, purpose: p.key, category: c.key}) AS mapPurposes
}
"""
    + _PURPOSES
    + """CALL () {
  MATCH (t:Transfer)
  WHERE """
    + valid("t")
    + "\n  "
    + TRANSFER_PARTIES
    + """  RETURN collect("""
    + _TRANSFER
    + """) AS transfers
}
"""
)

SUBJECT_LINEAGE_RETURN: LiteralString = """
RETURN s.id AS subjectId, s.country AS country, s.region AS region,
       $category IS NULL OR EXISTS { MATCH (:DataCategory {key: $category}) } AS categoryKnown,
       records, disclosures, mapPaths, pathNodes, pathFlows, mapPurposes, purposes, transfers
"""

SUBJECT_LINEAGE: LiteralString = SUBJECT_LINEAGE_BODY + SUBJECT_LINEAGE_RETURN

CATEGORY_LINEAGE: LiteralString = (
    """
CALL () {
  MATCH (c:DataCategory)
  WHERE (c.key = $category OR c.key STARTS WITH $category + '.' OR c.key IN $ancestors)
    AND """
    + valid("c")
    + """
  RETURN collect(c.key) AS categories
}
CALL (categories) {
  OPTIONAL MATCH (sys:System)-[st:STORES]->(c:DataCategory)
  WHERE c.key IN categories AND """
    + valid("sys")
    + " AND "
    + valid("st")
    + """
  WITH sys, c, """
    + as_of_version("sys")
    + """ AS sa
  RETURN collect(DISTINCT CASE WHEN sys IS NULL THEN null ELSE
    {system: sa {.key, .name, .country, .operator}, category: c.key} END) AS stored
}
CALL (categories) {
  OPTIONAL MATCH (p:Purpose)-[pr:PROCESSES]->(c:DataCategory)
  WHERE c.key IN categories AND """
    + valid("p")
    + " AND "
    + valid("pr")
    + """
  WITH p, c, """
    + as_of_version("p")
    + """ AS pa
  RETURN collect(DISTINCT CASE WHEN p IS NULL THEN null ELSE
    {purpose: pa {.key, .name, .legalBasis, .trigger}, category: c.key} END) AS processed
}
CALL (categories) {
  MATCH path = (start:Source|System)-[:FLOWS_TO*1..8]->(n:System|Recipient)
  WHERE NOT EXISTS {
      MATCH (start)<-[g:FLOWS_TO]-(:Source|System)
      WHERE """
    + valid("g")
    + """
        AND any(c IN g.categories WHERE c IN categories)
    }
    AND """
    + VALID_NODES_FRAGMENT
    + """
    AND all(f IN relationships(path) WHERE """
    + valid("f")
    + """
        AND any(c IN f.categories WHERE c IN categories))
  WITH collect({"""
    + PATH_FRAGMENT
    + """}) AS mapPaths, collect(path) AS paths
  """
    + PATH_PARTS_FRAGMENT
    + """
  RETURN mapPaths, pathNodes, pathFlows
}
"""
    + _PURPOSES
    + """CALL (categories) {
  OPTIONAL MATCH (t:Transfer)-[ca:CARRIES]->(c:DataCategory)
  WHERE c.key IN categories AND """
    + valid("t")
    + " AND "
    + valid("ca")
    + """
  WITH DISTINCT t WHERE t IS NOT NULL
  """
    + TRANSFER_PARTIES
    + """  RETURN collect("""
    + _TRANSFER
    + """) AS transfers
}
RETURN categories, stored, processed, mapPaths, pathNodes, pathFlows, purposes, transfers
"""
)


R = TypeVar("R")


def _typed(records: Records, row: type[R]) -> list[R]:
    """The driver's records as the rows the statement returns (the one place they are taken on trust)."""
    return cast(list[R], records)


async def read_subject_lineage(
    db: Database, hashes: list[str], params: Mapping[str, object]
) -> list[SubjectLineageRow]:
    """SUBJECT_LINEAGE: one row per subject the keyed `hashes` point to. `params`: `asOf`, `asOfEnd`,
    `category` and `ancestors`."""
    return _typed(await db.read(SUBJECT_LINEAGE, hashes=hashes, **params), SubjectLineageRow)


async def read_category_lineage(db: Database, params: Mapping[str, object]) -> CategoryLineageRow:
    """CATEGORY_LINEAGE: its one row. `params`: `asOf`, `asOfEnd`, `category` and `ancestors`."""
    (row,) = _typed(await db.read(CATEGORY_LINEAGE, **params), CategoryLineageRow)
    return row

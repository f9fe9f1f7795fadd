"""Lineage: where data of a category, or of one subject, goes. One statement, one round trip, each.

Both statements return raw material (records, disclosures, map paths, purposes, transfers); the pure path
logic (narrowing categories along a path, grouping, truncation) is in `datamap.domain.lineage`.

Parameters shared by both: `$asOf` (date), `$asOfEnd` (datetime: the end of that day, UTC), `$category`
(or null) with `$ancestors` (its ancestor keys). A map fact is valid when `validFrom <= $asOf` and
`validTo` is null or after `$asOf` (`datamap.graph.validity`). Flow paths are bounded at `MAX_FLOW_HOPS`
relationships. `read_subject_lineage` and `read_category_lineage` run them and return their rows typed
(`datamap.domain.lineage_rows`).

What they read, they read once: a subject's records are read once for its records, paths and purposes, each
recipient and purpose of its disclosures once, and the purposes' and transfers' categories only where lineage can
narrow to them (`related`: the categories related to those the subject holds, or to the category asked about;
`domain.categories.narrow` keeps no other), found from the categories' side. Lists whose order an answer shows
(records, disclosures, paths, a subject's map purposes, a category's systems and purposes) keep the order the
walk from their own nodes gives.
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
# organisation name and (when it has none of its own) country through its `IS` relationship then (only a
# recipient has one: the others are not looked at).
PATH_FRAGMENT: LiteralString = (
    "nodes: [n IN nodes(path) | elementId(n)], flows: [f IN relationships(path) | elementId(f)]"
)
# The distinct nodes and flows the collected `paths` go through, once each (paths refer to them by element id).
PATH_PARTS_FRAGMENT: LiteralString = (
    """
CALL (paths) {
  UNWIND paths AS p UNWIND nodes(p) AS n
  WITH DISTINCT n
  WITH n, labels(n) AS ls
  WITH n, ls, """
    + as_of_version("n")
    + " AS a, CASE WHEN 'Recipient' IN ls THEN "
    + organisation_of("n")
    + """ END AS o
  RETURN collect(a {.key, .name, .role, .kind, .operator, .backups, .organisation,
                    country: coalesce(a.country, o.country), organisationName: o.name,
                    label: head([l IN ls WHERE l IN ['Source', 'System', 'Recipient']]),
                    id: elementId(n)}) AS pathNodes
}
CALL (paths) {
  UNWIND paths AS p UNWIND relationships(p) AS f
  WITH DISTINCT f
  RETURN collect(f {.key, .categories, .purposes, .trigger, id: elementId(f)}) AS pathFlows
}
"""
)
# The organisations that export and import each transfer on the date, read from the organisations' side (a
# transfer has some dozens of relationships, an organisation a few): `links`, `{t, o, importer}` each, in the
# order the organisations' relationships are read. TRANSFERS_IN_FORCE and TRANSFER_PARTIES take them.
TRANSFER_LINKS: LiteralString = (
    """CALL () {
  MATCH (o:Organisation)<-[x:EXPORTER|IMPORTER]-(t:Transfer)
  USING SCAN o:Organisation
  WHERE """
    + valid("x")
    + """
  RETURN collect({t: t, o: o, importer: type(x) = 'IMPORTER'}) AS links
}
"""
)
# A transfer's (`t`, `imp` bound) exporter, and the attributes of all three then (`ta`, `ea`, `ia`; the variables
# bound before, and `imp` for its certifications, stay bound).
_EXPORTER: LiteralString = (
    "UNWIND [y IN links WHERE NOT y.importer AND y.t = t | y.o] AS exp\n  WITH *, "
    + as_of_version("t")
    + " AS ta, "
    + as_of_version("exp")
    + " AS ea, "
    + as_of_version("imp")
    + " AS ia\n"
)
# The transfers in force on the date (`t`), by their importers (`imp`), each with its exporter (`exp`), from
# `links` (TRANSFER_LINKS); project with `_TRANSFER`.
TRANSFERS_IN_FORCE: LiteralString = (
    """UNWIND [y IN links WHERE y.importer] AS link
  WITH *, link.t AS t, link.o AS imp
  WHERE """
    + valid("t")
    + "\n  "
    + _EXPORTER
)
# The importer and exporter of a transfer in force (`t`), from `links`, as TRANSFERS_IN_FORCE.
TRANSFER_PARTIES: LiteralString = (
    "UNWIND [y IN links WHERE y.importer AND y.t = t | y.o] AS imp\n  " + _EXPORTER
)
# A transfer's categories, only those among `relatedNodes` (the categories lineage can narrow to: the others would
# narrow to nothing); nodes, so a relationship to another category costs no property read.
_TRANSFER: LiteralString = (
    "ta {.key, .mechanism, .fromCountries, .toCountries, validFrom: t.validFrom, validTo: t.validTo, "
    ".tiaReviewDate, exporter: ea {.key, .name, .country}, importer: ia {.key, .name, .country}, "
    "categories: [(t)-[e:CARRIES]->(c:DataCategory) WHERE c IN relatedNodes AND " + valid("e") + " | c.key]}"
)
# Every purpose as of the date, each with the categories among `related` it processes on the date (`processing`:
# `{p, e, key}` of each PROCESSES relationship in force then into a related category).
_PURPOSES: LiteralString = (
    """
CALL (processing) {
  MATCH (p:Purpose)
  WITH p, """
    + as_of_version("p")
    + """ AS pa
  RETURN collect(pa {.key, .name, .legalBasis, .actingAs, .trigger,
                     categories: [x IN processing WHERE x.p = p | x.key]}) AS purposes
}
"""
)
# The PROCESSES relationships that hold on the date into the `related` categories, read from the categories'
# side (a category has a few dozen relationships, the purposes together some hundreds).
_PROCESSING: LiteralString = (
    """
CALL (related) {
  UNWIND related AS r
  WITH r.c AS c, r.key AS key
  MATCH (c)<-[e:PROCESSES]-(p:Purpose)
  WHERE """
    + valid("e")
    + """
  RETURN collect({p: p, e: e, key: key}) AS processing
}
"""
)

# The categories related to the keys in `keys` (each key itself, its ancestors and its sub-categories), found by
# the index on their keys: one row per category node, `c` with its `key`.
RELATED_CATEGORIES: LiteralString = """CALL (keys) {
    UNWIND keys AS related_key
    WITH split(related_key, '.') AS parts
    UNWIND range(1, size(parts)) AS i
    WITH DISTINCT reduce(k = head(parts), part IN parts[1..i] | k + '.' + part) AS key
    MATCH (c:DataCategory {key: key})
    RETURN c, c.key AS key
    UNION
    UNWIND keys AS related_key
    MATCH (c:DataCategory)
    WHERE c.key STARTS WITH related_key + '.'
    RETURN c, c.key AS key
  }
"""

# The subject's records up to the day (`held`: the relationship's values read once, for the records, the flow
# paths and the map's purposes), and the categories related to what they hold (`related`, `{c, key}` each: the
# same, an ancestor or a sub-category; lineage narrows what travels to them, so a purpose's or transfer's other
# categories cannot change an answer and are not read).
_HELD: LiteralString = (
    """
CALL (s) {
  MATCH (s)-[h:HELD_IN]->(sys:System)
  WHERE h.at <= $asOfEnd
  OPTIONAL MATCH (src:Source {key: h.source})
  RETURN collect({sys: sys, src: src, id: h.id, at: h.at, categories: h.categories}) AS held
}
CALL (held) {
  UNWIND held AS x
  UNWIND x.categories AS hc
  WITH collect(DISTINCT hc) AS keys
  """
    + RELATED_CATEGORIES
    + """  RETURN collect({c: c, key: key}) AS related
}
"""
)

SUBJECT_LINEAGE_BODY: LiteralString = (
    SUBJECT_BY_HASHES
    + _HELD
    + """
CALL (held) {
  UNWIND held AS x
  WITH x WHERE $category IS NULL OR any(c IN x.categories
       WHERE c = $category OR c STARTS WITH $category + '.' OR c IN $ancestors)
  WITH x, x.sys AS sys, x.src AS src
  WITH x, """
    + as_of_version("sys")
    + " AS sa, "
    + as_of_version("src")
    + """ AS srca
  RETURN collect({
    id: x.id, at: x.at, categories: x.categories,
    system: sa {.key, .name, .country, .operator, .backups}, source: srca {.key, .name, .kind}
  }) AS records
}
CALL (s) {
  OPTIONAL MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient)
  WHERE d.at <= $asOfEnd
    AND ($category IS NULL OR any(c IN d.categories
         WHERE c = $category OR c STARTS WITH $category + '.' OR c IN $ancestors))
  WITH collect(CASE WHEN d IS NULL THEN null ELSE
    {r: r, id: d.id, at: d.at, categories: d.categories, purpose: d.purpose} END) AS found
  CALL (found) {
    UNWIND found AS x
    WITH DISTINCT x.r AS r
    WITH r, """
    + as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + """ AS o
    RETURN collect({r: r, recipient: ra {.key, .name, .role, .kind, .organisation, .ownDirectMarketing,
                   country: coalesce(ra.country, o.country), organisationName: o.name}}) AS recipients
  }
  CALL (found) {
    UNWIND found AS x
    WITH DISTINCT x.purpose AS key
    MATCH (p:Purpose {key: key})
    WITH key, """
    + as_of_version("p")
    + """ AS pa
    RETURN collect({key: key, purpose: pa {.key, .name, .legalBasis, .thirdPartyDirectMarketing}}) AS purposes
  }
  RETURN [x IN found | {
    id: x.id, at: x.at, categories: x.categories,
    recipient: head([y IN recipients WHERE y.r = x.r | y.recipient]),
    purpose: head([y IN purposes WHERE y.key = x.purpose | y.purpose])
  }] AS disclosures
}
CALL (held) {
  UNWIND held AS x
  WITH x, x.sys AS sys
  UNWIND [y IN [sys, x.src] WHERE y IS NOT NULL] AS start
  MATCH path = (start:Source|System)-[:FLOWS_TO*1..8]->(n:System|Recipient)
  WHERE (start = sys OR nodes(path)[1] <> sys) AND """
    + VALID_NODES_FRAGMENT
    + """
    AND all(f IN relationships(path) WHERE """
    + valid("f")
    + """
        AND any(c IN f.categories WHERE any(hc IN x.categories
            WHERE c = hc OR c STARTS WITH hc + '.' OR hc STARTS WITH c + '.')))
  WITH collect({record: x.id, """
    + PATH_FRAGMENT
    + """}) AS mapPaths, collect(path) AS paths
  """
    + PATH_PARTS_FRAGMENT
    + """
  RETURN mapPaths, pathNodes, pathFlows
}
"""
    + _PROCESSING
    + """CALL (held, processing) {
  UNWIND held AS x
  WITH x, x.sys AS sys
  MATCH (sys)<-[u:USES]-(p:Purpose)
  WHERE """
    + valid("p")
    + " AND "
    + valid("u")
    + """
  WITH x, p, [y IN processing WHERE y.p = p AND any(hc IN x.categories
      WHERE y.key = hc OR y.key STARTS WITH hc + '.' OR hc STARTS WITH y.key + '.')] AS matched
  WITH collect({x: x, p: p, matched: matched}) AS uses
  // where a record matches two or more of a purpose's categories, they are listed in the order a walk from the
  // purpose reads its relationships: the purpose's are read once, for all its records
  CALL (uses) {
    UNWIND uses AS use
    WITH use.p AS p, collect(use.matched) AS lists
    WHERE any(l IN lists WHERE size(l) > 1)
    WITH p, reduce(acc = [], l IN lists | acc + [y IN l WHERE NOT y.e IN acc | y.e]) AS rels
    RETURN collect({p: p, order: COLLECT {
      MATCH (p)-[e:PROCESSES]->(:DataCategory) WHERE e IN rels RETURN e
    }}) AS orders
  }
  UNWIND uses AS use
  WITH use.x AS x, use.p AS p, CASE WHEN size(use.matched) < 2 THEN use.matched ELSE
    [e IN head([o IN orders WHERE o.p = use.p | o.order]) | head([y IN use.matched WHERE y.e = e])] END AS ordered
  UNWIND [y IN ordered WHERE y IS NOT NULL] AS y
  RETURN collect(DISTINCT {record: x.id, purpose: p.key, category: y.key}) AS mapPurposes
}
"""
    + _PURPOSES
    + """CALL (related) {
  """
    + TRANSFER_LINKS
    + """  WITH links, [r IN related | r.c] AS relatedNodes
  """
    + TRANSFERS_IN_FORCE
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

# `categories`: the keys of the category, its sub-categories and ancestors that hold on the date; `holding`:
# their nodes; `related`: all of them, holding or not, `{c, key}` each (what lineage can narrow to).
CATEGORY_LINEAGE: LiteralString = (
    """
CALL () {
  MATCH (c:DataCategory)
  WHERE c.key = $category OR c.key STARTS WITH $category + '.' OR c.key IN $ancestors
  WITH c, c.key AS key, """
    + valid("c")
    + """ AS holds
  RETURN collect(CASE WHEN holds THEN key END) AS categories, collect(CASE WHEN holds THEN c END) AS holding,
         collect({c: c, key: key}) AS related
}
CALL (holding) {
  OPTIONAL MATCH (sys:System)-[st:STORES]->(c:DataCategory)
  WHERE c IN holding AND """
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
CALL (holding) {
  OPTIONAL MATCH (p:Purpose)-[pr:PROCESSES]->(c:DataCategory)
  WHERE c IN holding AND """
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
    + _PROCESSING
    + _PURPOSES
    + """CALL (holding, related) {
  """
    + TRANSFER_LINKS
    + """  WITH holding, links, [r IN related | r.c] AS relatedNodes
  OPTIONAL MATCH (t:Transfer)-[ca:CARRIES]->(c:DataCategory)
  WHERE c IN holding AND """
    + valid("t")
    + " AND "
    + valid("ca")
    + """
  WITH DISTINCT links, relatedNodes, t WHERE t IS NOT NULL
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

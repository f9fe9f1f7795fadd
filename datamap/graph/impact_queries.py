"""Impact: the map's flows, filtered; what reaches one recipient, by the map and as observed. One statement each.

`FLOWS` lists the flows in force on `$asOf` (the flow and both its ends valid, `datamap.graph.validity`),
filtered by the key of the source or system they leave (`$from`), of the system or recipient they reach (`$to`),
by a purpose they serve, and by a data category, which includes its sub-categories and its ancestors (a flow
carrying `user.contact` carries email addresses: the same match as `categoryLineage`, with `$ancestors`).

`RECIPIENT_IMPACT` answers for one recipient, in one round trip:

- the map's paths that end at it: every path of flows (bounded at `MAX_FLOW_HOPS`, like lineage) from a source
  or system, each flow and node in force on `$asOf`; the nodes and flows once each, paths by element id, as
  `SUBJECT_LINEAGE` sends them (`datamap.graph.lineage_queries`);
- `subjectCount`: the subjects with a recorded disclosure (DISCLOSED_TO) to it at an instant in
  [`$from`, `$to`). Only recorded disclosures count: they are what "observed" means, the people whose data the
  recipient is known to have received then (GDPR Art. 33(3)(a), Art. 34(1)). People held in a system that a
  routine flow connects to it are not counted: the map says their data goes there as a matter of course, not
  that it went in the period, and counting them would read every record of those systems (at a million
  subjects, most of them); the paths name those systems, whose people an assessment can then weigh;
- `subjects`: a page of those subjects by id (after `$after`, `$limit` + 1 of them, so the caller knows whether
  more follow), each with the categories disclosed to the recipient in the period, how many disclosures, and
  the first and last.

Reading the period's disclosures is the cost (at a million subjects a recipient may have two million), so they
are read as one range of the `disclosed_to_recipient_at` index (schema/constraints.cypher): the recipient's key,
then the instant; no other recipient's disclosures and none outside the period. The page reads no more than it
needs: when the people are many among all subjects, it walks the subjects in id order and keeps those with a
disclosure in the period, stopping at the page's end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import LiteralString, cast

from datamap.domain.impact import FlowsRow, RecipientImpactRow
from datamap.graph.database import Database

# the lineage's fragments: the same path validity and the same way of sending paths
from datamap.graph.lineage_queries import PATH_FRAGMENT, PATH_PARTS_FRAGMENT, VALID_NODES_FRAGMENT
from datamap.graph.validity import as_of_version, organisation_of, valid

# The page walks the subjects in id order when that reads about this many subjects for a page, or fewer.
PAGE_SCAN = 5000

_END: LiteralString = "label: head([l IN labels(x) WHERE l IN ['Source', 'System', 'Recipient']])"

FLOWS: LiteralString = (
    """
CALL () {
  MATCH (a:Source|System)-[f:FLOWS_TO]->(b:System|Recipient)
  WHERE ($from IS NULL OR a.key = $from) AND ($to IS NULL OR b.key = $to)
    AND ($purpose IS NULL OR $purpose IN f.purposes)
    AND ($category IS NULL OR any(c IN f.categories
         WHERE c = $category OR c STARTS WITH $category + '.' OR c IN $ancestors))
    AND """
    + valid("f")
    + " AND "
    + valid("a")
    + " AND "
    + valid("b")
    + """
  WITH a, f, b ORDER BY a.key, b.key, f.key
  // the ends' names as of the day asked about (a renamed system shows its name of then)
  WITH f, a, b, """
    + as_of_version("a")
    + " AS av, "
    + as_of_version("b")
    + """ AS bv
  RETURN collect(f {.key, .categories, .purposes, .trigger, .ref, .note, .validFrom, .validTo, .version,
                    start: [x IN [a] | x {.key, name: av.name, """
    + _END
    + """}][0],
                    end: [x IN [b] | x {.key, name: bv.name, """
    + _END
    + """}][0]}) AS flows
}
RETURN flows,
       $from IS NULL OR EXISTS { MATCH (n:Source|System) WHERE n.key = $from } AS fromKnown,
       $to IS NULL OR EXISTS { MATCH (n:System|Recipient) WHERE n.key = $to } AS toKnown,
       $category IS NULL OR EXISTS { MATCH (:DataCategory {key: $category}) } AS categoryKnown,
       $purpose IS NULL OR EXISTS { MATCH (:Purpose {key: $purpose}) } AS purposeKnown
"""
)

# The subjects (`s`) with a disclosure to the recipient at an instant in [$from, $to), one row per disclosure:
# one range of the `disclosed_to_recipient_at` index (the recipient's key, then the instant), which reads the
# period's disclosures to this recipient and no others. The ends are not matched by label: every DISCLOSED_TO
# leaves a Subject for a Recipient (`subject_writer`), and checking both labels doubled the cost of a count that
# reads half a million disclosures at a million subjects.
_DISCLOSED_IN_PERIOD: LiteralString = """
  MATCH ()-[d:DISCLOSED_TO]->()
  USING INDEX d:DISCLOSED_TO(recipient, at)
  WHERE d.recipient = $recipient AND d.at >= $from AND d.at < $to
  WITH startNode(d) AS s
"""

RECIPIENT_IMPACT: LiteralString = (
    """
MATCH (r:Recipient {key: $recipient})
CALL (r) {
  MATCH path = (start:Source|System)-[:FLOWS_TO*1..8]->(r)
  WHERE """
    + VALID_NODES_FRAGMENT
    + """
    AND all(f IN relationships(path) WHERE """
    + valid("f")
    + """)
  WITH collect({"""
    + PATH_FRAGMENT
    + """}) AS mapPaths, collect(path) AS paths
  """
    + PATH_PARTS_FRAGMENT
    + """
  RETURN mapPaths, pathNodes, pathFlows
}
CALL () {
  """
    + _DISCLOSED_IN_PERIOD
    + """
  RETURN count(DISTINCT s) AS subjectCount
}
// The page: when the people are many among all subjects, walk the subjects in id order (the subject_id index)
// and keep those with a disclosure in the period, some $scan subjects for a page on average; when they are few,
// read the period's disclosures again and sort their people.
WITH r, mapPaths, pathNodes, pathFlows, subjectCount,
     subjectCount > 0 AND ($limit + 1) * COUNT { (:Subject) } <= $scan * subjectCount AS many
CALL (r, many, subjectCount) {
  WITH r WHERE many
  CALL (r) {
    MATCH (s:Subject) WHERE s.id > coalesce($after, '')
    WITH r, s ORDER BY s.id
    WHERE EXISTS { MATCH (s)-[d:DISCLOSED_TO]->(r) WHERE d.at >= $from AND d.at < $to }
    RETURN s LIMIT $limit + 1
  }
  RETURN collect(s) AS walked
}
CALL (many, subjectCount) {
  WITH 1 AS one WHERE subjectCount > 0 AND NOT many
  """
    + _DISCLOSED_IN_PERIOD
    + """
  WITH DISTINCT s WHERE $after IS NULL OR s.id > $after
  WITH s ORDER BY s.id LIMIT $limit + 1
  RETURN collect(s) AS sorted
}
CALL (r, walked, sorted) {
  UNWIND walked + sorted AS s
  CALL (s, r) {
    MATCH (s)-[d:DISCLOSED_TO]->(r)
    WHERE d.at >= $from AND d.at < $to
    RETURN reduce(acc = [], cs IN collect(d.categories) | acc + [c IN cs WHERE NOT c IN acc]) AS categories,
           count(d) AS disclosures, min(d.at) AS first, max(d.at) AS last
  }
  WITH s, categories, disclosures, first, last ORDER BY s.id
  RETURN collect({subjectId: s.id, categories: categories, disclosures: disclosures, first: first,
                  last: last}) AS subjects
}
WITH *, """
    + as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + """ AS o
RETURN {key: ra.key, name: ra.name, role: ra.role, kind: ra.kind, country: coalesce(ra.country, o.country)}
       AS recipient, mapPaths, pathNodes, pathFlows, subjectCount, subjects
"""
)


async def read_flows(db: Database, params: Mapping[str, object]) -> FlowsRow:
    """FLOWS: its one row. `params`: `asOf`, `from`, `to`, `purpose`, `category` and `ancestors`."""
    (row,) = await db.read(FLOWS, **params)
    return cast(FlowsRow, row)


async def read_recipient_impact(
    db: Database, params: Mapping[str, object], *, scan: int = PAGE_SCAN
) -> RecipientImpactRow | None:
    """RECIPIENT_IMPACT: its row, None for an unknown recipient. `params`: `recipient`, `asOf`, `from`, `to`
    (instants), `after`, `limit`; `scan`: see PAGE_SCAN."""
    rows = await db.read(RECIPIENT_IMPACT, **params, scan=scan)
    return cast(RecipientImpactRow, rows[0]) if rows else None

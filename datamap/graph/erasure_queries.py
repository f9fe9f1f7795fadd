"""Erasure: the plan's one statement, and the workflow's persistence (requests, tasks, events, suppression).

A task is changed only after writing its request's `version` (and its own): updates of one request's tasks
serialise, so the second sees the first's result, the last verification always completes the request, and a
task's dependencies cannot change under it. Every workflow change is one transaction of a few statements.

The statements read and write the nodes' properties as they are kept (camelCase: `SET t = $task` writes such a
map, `t {.*}` returns one); `datamap.graph.erasure_store` runs them and maps those property maps to and from the
workflow's records. ERASURE_PLAN's row, read by the pure plan logic, is `ErasurePlanRow`.
"""

from __future__ import annotations

import datetime as dt
from typing import LiteralString, NotRequired, TypedDict

from datamap.domain.lineage_rows import SubjectLineageRow
from datamap.graph.lineage_queries import SUBJECT_LINEAGE_BODY, SUBJECT_LINEAGE_RETURN
from datamap.graph.subject_lookup import SUBJECT_BY_HASHES
from datamap.graph.validity import as_of_version, valid

# The bases on which a retention rule overrides erasure (`retention_exceptions.OVERRIDING_BASES`, kept in step by
# tests/test_erasure_plan_rules.py), as a Cypher list.
OVERRIDING_BASES_LIST: LiteralString = "['legal_obligation_accounting', 'legal_obligation_tax']"

# Only the rules that can override erasure (`exception_from_rule`: a legal obligation with a period) are read
# with their categories and systems: the plan makes no exception of the others.
ERASURE_PLAN: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + """
CALL () {
  MATCH (r:RetentionRule)
  WHERE """
    + valid("r")
    + """
  WITH r, """
    + as_of_version("r")
    + """ AS ra
  WITH r, ra WHERE ra.basis IN """
    + OVERRIDING_BASES_LIST
    + """ AND ra.period <> ''
  RETURN collect(ra {.key, .name, .basis, .period,
                     categories: [(r)-[e:APPLIES_TO]->(c:DataCategory) WHERE """
    + valid("e")
    + """ | c.key],
                     systems: [(r)-[e:APPLIES_IN]->(x:System) WHERE """
    + valid("e")
    + """ | x.key]}) AS retention
}
CALL (s) {
  OPTIONAL MATCH (h:LegalHold)-[:ON]->(s)
  WHERE h.liftedAt IS NULL AND h.placedAt <= $asOfEnd
  RETURN collect(h {.*}) AS holds
}
CALL (s) {
  MATCH (i:Identifier)-[:IDENTIFIES]->(s)
  RETURN collect(i.hash) AS identifierHashes
}
"""
    + SUBJECT_LINEAGE_RETURN
    + ", retention, holds, identifierHashes"
)

# Opening a request first takes the subject's lock node, so two concurrent requests for one subject serialise.
OPEN_REQUESTS_OF_SUBJECT: LiteralString = """
MERGE (lock:ErasureLock {subjectId: $subjectId})
SET lock.at = $now
WITH lock
OPTIONAL MATCH (r:ErasureRequest {subjectId: $subjectId}) WHERE r.completedAt IS NULL
RETURN r.id AS id
"""

# The suppression entries of `$hashes`, which the request `r` suppresses (a fragment: `r` is bound before it).
SUPPRESS_HASHES: LiteralString = """
CALL (r) {
  UNWIND $hashes AS hash
  MERGE (sup:Suppression {hash: hash}) ON CREATE SET sup.createdAt = $now
  MERGE (r)-[:SUPPRESSES]->(sup)
}
"""

# `$hashes` is empty and `$events` too while the request awaits approval: nothing is suppressed yet.
CREATE_REQUEST: LiteralString = (
    """
CREATE (r:ErasureRequest) SET r = $request
WITH r
CALL (r) {
  UNWIND $tasks AS task
  CREATE (t:ErasureTask)-[:PART_OF]->(r) SET t = task
}
"""
    + SUPPRESS_HASHES
    + """
CALL (r) {
  UNWIND $events AS event
  MATCH (t:ErasureTask {id: event.task})-[:PART_OF]->(r)
  CREATE (e:ErasureEvent)-[:OF]->(t) SET e = event.properties
}
RETURN r.id AS id
"""
)

# A request opened with this idempotency key (its digest), with the keyed hashes it suppresses.
REQUEST_BY_KEY: LiteralString = """
MATCH (r:ErasureRequest {idempotencyKeyDigest: $keyDigest})
RETURN r {.*} AS request, [(r)-[:SUPPRESSES]->(sup:Suppression) | sup.hash] AS suppressed
ORDER BY r.createdAt
LIMIT 1
"""

IDENTIFIER_HASHES: LiteralString = """
MATCH (i:Identifier)-[:IDENTIFIES]->(:Subject {id: $subjectId})
RETURN collect(i.hash) AS hashes
"""

# Approval: the request changed, its suppression entries written, its suppression task settled with its event.
APPROVE_REQUEST: LiteralString = (
    """
MATCH (r:ErasureRequest {id: $id})
SET r += $changes
WITH r
"""
    + SUPPRESS_HASHES
    + """
WITH r
MATCH (t:ErasureTask {id: $task})-[:PART_OF]->(r)
SET t += $taskChanges
CREATE (e:ErasureEvent)-[:OF]->(t) SET e = $event
RETURN r.id AS id
"""
)

LOCK_TASK: LiteralString = """
MATCH (t:ErasureTask {id: $id})-[:PART_OF]->(r:ErasureRequest)
SET r.version = r.version + 1, t.version = t.version + 1
RETURN t {.*, history: [(e:ErasureEvent)-[:OF]->(t) | e {.*}]} AS task, r {.*} AS request,
       [(d:ErasureTask)-[:PART_OF]->(r) WHERE d.key IN t.dependsOn | d {.key, .status}] AS dependencies,
       [(e:ErasureEvent)-[:OF]->(t) WHERE e.idempotencyKey IN [$idempotencyKey, $keyDigest] | e {.*}] AS prior
"""

UPDATE_TASK: LiteralString = """
MATCH (t:ErasureTask {id: $id})
SET t += $changes
CREATE (e:ErasureEvent)-[:OF]->(t) SET e = $event
RETURN t {.*, history: [(h:ErasureEvent)-[:OF]->(t) | h {.*}]} AS task
"""

REQUEST_WITH_TASKS: LiteralString = """
MATCH (r:ErasureRequest {id: $id})
RETURN r {.*} AS request,
       [(t:ErasureTask)-[:PART_OF]->(r) | t {.*, history: [(e:ErasureEvent)-[:OF]->(t) | e {.*}]}] AS tasks
"""

LOCK_REQUEST: LiteralString = """
MATCH (r:ErasureRequest {id: $id})
SET r.version = r.version + 1
RETURN r {.*} AS request
"""

UPDATE_REQUEST: LiteralString = """
MATCH (r:ErasureRequest {id: $id})
SET r += $changes
RETURN r {.*} AS request
"""

# On completion: the request's free text cleared and its certificate's digest kept (`$changes`), the free text
# of its tasks and their events cleared (`$tasks`, `$events`: each `{id, changes}`), the suppression entries
# marked, and the subject layer (subject, identifiers, records, disclosures, holds) removed; requests, tasks and
# events stay as the audit trail. A California customer's disclosures are first summed into the anonymous
# `StlDisclosuresKept` of their year (recipient, purpose, categories; no subject, no time), so that the
# business-wide Shine-the-Light report of that year, issued later, still counts them (Civ. Code §1798.83(b)(3)).
COMPLETE_REQUEST: LiteralString = """
MATCH (r:ErasureRequest {id: $id})
SET r += $changes
WITH r
CALL (r) {
  UNWIND $tasks AS change
  MATCH (t:ErasureTask {id: change.id})-[:PART_OF]->(r)
  SET t += change.changes
}
CALL (r) {
  UNWIND $events AS change
  MATCH (e:ErasureEvent {id: change.id})-[:OF]->(:ErasureTask)-[:PART_OF]->(r)
  SET e += change.changes
}
CALL (r) {
  MATCH (r)-[:SUPPRESSES]->(sup:Suppression)
  SET sup.erasedAt = coalesce(sup.erasedAt, $now)
}
CALL (r) {
  MATCH (s:Subject {id: r.subjectId})-[d:DISCLOSED_TO]->(rec:Recipient)
  WHERE s.region = $california AND s.relationship = $personal
  WITH rec, d, datetime({datetime: d.at, timezone: $californiaZone}).year AS year
  MERGE (k:StlDisclosuresKept {year: year, recipient: rec.key, purpose: coalesce(d.purpose, '')})
  ON CREATE SET k.categories = []
  SET k.categories = k.categories + [c IN d.categories WHERE NOT c IN k.categories]
}
CALL (r) {
  MATCH (s:Subject {id: r.subjectId})
  OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(s)
  OPTIONAL MATCH (h:LegalHold)-[:ON]->(s)
  DETACH DELETE i, h, s
}
RETURN r {.*} AS request
"""

# `$recipient` (a vendor's scope): only requests with a task whose target is that recipient.
LIST_REQUESTS: LiteralString = """
MATCH (r:ErasureRequest)
WHERE ($openOnly = false OR r.completedAt IS NULL)
  AND ($recipient IS NULL OR EXISTS {
    (t:ErasureTask)-[:PART_OF]->(r) WHERE t.targetKind = $recipientKind AND t.target = $recipient
  })
RETURN r {.*} AS request,
       [(t:ErasureTask)-[:PART_OF]->(r) | t {.*}] AS tasks
ORDER BY r.receivedAt, r.id
"""

# the hold is placed only when the hashes point to exactly one subject; the caller reports the others
PLACE_HOLD: LiteralString = (
    SUBJECT_BY_HASHES
    + """
WITH collect(s) AS subjects
FOREACH (s IN CASE WHEN size(subjects) = 1 THEN subjects ELSE [] END |
  CREATE (h:LegalHold)-[:ON]->(s) SET h = $hold, h.subjectId = s.id)
RETURN [s IN subjects | s.id] AS subjects
"""
)

LIFT_HOLD: LiteralString = """
MATCH (h:LegalHold {id: $id}) WHERE h.liftedAt IS NULL
SET h.liftedAt = $now, h.liftReason = $reason
RETURN h {.*} AS hold
"""


# --- the plan's row -------------------------------------------------------------------------------------------


class PlanRetentionRow(TypedDict):
    """A retention rule in force that can override erasure (a legal obligation with a period):
    `r {.key, .name, .basis, .period, categories, systems}`."""

    key: str
    name: str
    basis: str
    period: str | None
    categories: list[str]
    systems: list[str]


class PlanHoldRow(TypedDict):
    """A legal hold in force on the subject, every property (`h {.*}`)."""

    id: str
    subjectId: str
    categories: list[str]
    systems: list[str]
    reason: str
    placedAt: dt.datetime
    until: NotRequired[dt.date]


class ErasurePlanRow(SubjectLineageRow):
    """ERASURE_PLAN's row (one per subject the hashes point to): the subject's lineage with the retention rules
    and legal holds in force, and the keyed hashes of every identifier the subject has."""

    retention: list[PlanRetentionRow]
    holds: list[PlanHoldRow]
    identifierHashes: list[str]

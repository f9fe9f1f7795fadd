"""Erasure: the plan's one statement, and the workflow's persistence (requests, tasks, events, suppression).

A task is changed only after writing its request's `version` (and its own): updates of one request's tasks
serialise, so the second sees the first's result, the last verification always completes the request, and a
task's dependencies cannot change under it. Every workflow change is one transaction of a few statements.
"""

from __future__ import annotations

from typing import LiteralString

from datamap.graph.lineage_queries import SUBJECT_LINEAGE_BODY, SUBJECT_LINEAGE_RETURN

ERASURE_PLAN: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + """
CALL () {
  MATCH (r:RetentionRule)
  WHERE r.validFrom <= $asOf AND (r.validTo IS NULL OR r.validTo > $asOf)
  RETURN collect(r {.key, .name, .basis, .period,
                    categories: [(r)-[:APPLIES_TO]->(c:DataCategory) | c.key],
                    systems: [(r)-[:APPLIES_IN]->(x:System) | x.key]}) AS retention
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

SUPPRESSED: LiteralString = """
MATCH (sup:Suppression) WHERE sup.hash IN $hashes
OPTIONAL MATCH (r:ErasureRequest)-[:SUPPRESSES]->(sup)
WITH sup, collect(r) AS requests
RETURN sup.createdAt AS since, sup.erasedAt AS erasedAt, [r IN requests | r.id] AS requests,
       head([r IN requests | r.subjectId]) AS subjectId
ORDER BY since LIMIT 1
"""

# Opening a request first takes the subject's lock node, so two concurrent requests for one subject serialise.
OPEN_REQUESTS_OF_SUBJECT: LiteralString = """
MERGE (lock:ErasureLock {subjectId: $subjectId})
SET lock.at = $now
WITH lock
OPTIONAL MATCH (r:ErasureRequest {subjectId: $subjectId}) WHERE r.completedAt IS NULL
RETURN r.id AS id
"""

CREATE_REQUEST: LiteralString = """
CREATE (r:ErasureRequest) SET r = $request
WITH r
UNWIND $tasks AS task
CREATE (t:ErasureTask)-[:PART_OF]->(r) SET t = task
WITH DISTINCT r
UNWIND $hashes AS hash
MERGE (sup:Suppression {hash: hash}) ON CREATE SET sup.createdAt = $now
MERGE (r)-[:SUPPRESSES]->(sup)
WITH DISTINCT r
MATCH (t:ErasureTask {id: $suppressionTask})
CREATE (e:ErasureEvent)-[:OF]->(t) SET e = $suppressionEvent
RETURN r.id AS id
"""

LOCK_TASK: LiteralString = """
MATCH (t:ErasureTask {id: $id})-[:PART_OF]->(r:ErasureRequest)
SET r.version = r.version + 1, t.version = t.version + 1
RETURN t {.*, history: [(e:ErasureEvent)-[:OF]->(t) | e {.*}]} AS task, r {.*} AS request,
       [(d:ErasureTask)-[:PART_OF]->(r) WHERE d.key IN t.dependsOn | d {.key, .status}] AS dependencies,
       [(e:ErasureEvent)-[:OF]->(t) WHERE e.idempotencyKey = $idempotencyKey | e {.*}] AS prior
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

# On completion: the certificate's digest is kept, the suppression entries marked, and the subject layer
# (subject, identifiers, records, disclosures, holds) removed; requests, tasks and events stay as the audit trail.
COMPLETE_REQUEST: LiteralString = """
MATCH (r:ErasureRequest {id: $id})
SET r.completedAt = $now, r.certificateDigest = $digest
WITH r
CALL (r) {
  MATCH (r)-[:SUPPRESSES]->(sup:Suppression)
  SET sup.erasedAt = coalesce(sup.erasedAt, $now)
}
CALL (r) {
  MATCH (s:Subject {id: r.subjectId})
  OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(s)
  OPTIONAL MATCH (h:LegalHold)-[:ON]->(s)
  DETACH DELETE i, h, s
}
RETURN r {.*} AS request
"""

LIST_REQUESTS: LiteralString = """
MATCH (r:ErasureRequest)
WHERE $openOnly = false OR r.completedAt IS NULL
RETURN r {.*} AS request,
       [(t:ErasureTask)-[:PART_OF]->(r) | t {.*}] AS tasks
ORDER BY r.receivedAt, r.id
"""

PLACE_HOLD: LiteralString = """
MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject) WHERE i.hash IN $hashes
WITH DISTINCT s
CREATE (h:LegalHold)-[:ON]->(s) SET h = $hold, h.subjectId = s.id
RETURN h {.*} AS hold
"""

LIFT_HOLD: LiteralString = """
MATCH (h:LegalHold {id: $id}) WHERE h.liftedAt IS NULL
SET h.liftedAt = $now, h.liftReason = $reason
RETURN h {.*} AS hold
"""

"""Write the subject layer: collections (HELD_IN) and disclosures (DISCLOSED_TO), batched with UNWIND.

Rows carry keyed hashes only. Every row has a deterministic `id`, so writing the same row twice changes
nothing. A row's subject is the one its identifier hashes already point to, or a new one with `newId`.
A subject none of whose identifiers is known is created with its records (`CREATE_SUBJECTS`: no MERGE to check
them against); a known one is merged (`WRITE_SUBJECTS`). The same transaction keeps the record tallies
(`record_tallies.py`) of the records created: summed per tally over the batch, then applied in one statement in
key order (`APPLY_TALLIES`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from datamap.errors import NotFound
from datamap.graph.database import run
from datamap.graph.record_tallies import APPLY, SUBJECT_RECORDS, Tallies, month

MISSING_KEYS: LiteralString = """
RETURN [k IN $categories WHERE NOT EXISTS { MATCH (:DataCategory {key: k}) }] AS categories,
       [k IN $systems WHERE NOT EXISTS { MATCH (:System {key: k}) }] AS systems,
       [k IN $sources WHERE NOT EXISTS { MATCH (:Source {key: k}) }] AS sources,
       [k IN $recipients WHERE NOT EXISTS { MATCH (:Recipient {key: k}) }] AS recipients,
       [k IN $purposes WHERE NOT EXISTS { MATCH (:Purpose {key: k}) }] AS purposes,
       [k IN $subjectCategories WHERE NOT EXISTS { MATCH (:SubjectCategory {key: k}) }] AS subjectCategories
"""

# For each group of rows that share identifiers: the subjects those identifiers already point to, and whether
# any of them is on the suppression list (an erasure request covers it).
RESOLVE_SUBJECTS: LiteralString = """
UNWIND $groups AS g
OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject) WHERE i.hash IN g.hashes
WITH g, collect(DISTINCT s.id) AS subjects
RETURN g.group AS group, subjects,
       EXISTS { MATCH (sup:Suppression) WHERE sup.hash IN g.hashes } AS suppressed
"""

# One row per subject: its identifiers, memberships, collections and disclosures, written once per subject.
# A subject on the suppression list (an erasure request covers it) is never re-created. Times arrive as ISO 8601
# text (see `write_subjects`); a subject's records arrive once each (`_once`).
#
# The record tallies (`record_tallies.py`) count only the records this statement creates: MERGE marks a record
# it creates (`tallyNew`, removed at once), so writing the same rows again counts nothing. A subject whose
# country changes has its earlier records' per-country tallies moved to the new country, as the findings read
# the subject's country now. Every change is grouped per tally over the whole batch and returned as `tallies`
# (`write_subjects` adds those of the subjects it created and applies them all at once: `APPLY_TALLIES`).
WRITE_SUBJECTS: LiteralString = (
    """
UNWIND $subjects AS subject
WITH subject WHERE NOT EXISTS { MATCH (sup:Suppression) WHERE sup.hash IN subject.hashes }
WITH subject, datetime(subject.first) AS first
MERGE (s:Subject {id: subject.id})
  ON CREATE SET s.createdAt = first
WITH s, subject, first, s.country AS countryBefore
SET s.createdAt = CASE WHEN first < s.createdAt THEN first ELSE s.createdAt END,
    s.country = coalesce(subject.country, s.country),
    s.region = CASE  // a new country without a region ends an old region of another country
      WHEN subject.region IS NULL AND subject.country IS NOT NULL AND NOT s.region STARTS WITH subject.country + '-'
      THEN null ELSE coalesce(subject.region, s.region) END,
    s.relationship = coalesce(subject.relationship, s.relationship)
WITH s, subject, countryBefore
CALL (s, subject) {
  UNWIND subject.identifiers AS ident
  MERGE (i:Identifier {hash: ident.hash}) ON CREATE SET i.kind = ident.kind
  MERGE (i)-[:IDENTIFIES]->(s)
}
CALL (s, subject) {
  UNWIND subject.memberships AS membership
  MATCH (c:SubjectCategory {key: membership.key})
  WITH s, c, datetime(membership.since) AS since
  MERGE (s)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = since
  SET m.since = CASE WHEN since < m.since THEN since ELSE m.since END
}
CALL (s, countryBefore) {
  WITH s, countryBefore WHERE coalesce(countryBefore, '') <> coalesce(s.country, '')"""
    + SUBJECT_RECORDS
    + """  UNWIND [{country: countryBefore, delta: -1}, {country: s.country, delta: 1}] AS move
  RETURN collect({kind: kind, target: target, purpose: purpose, categories: [], country: move.country,
                  month: """
    + month("at")
    + """, id: id, delta: move.delta}) AS moved
}
CALL (s, subject) {
  UNWIND subject.collections AS row
  MATCH (sys:System {key: row.system})
  MERGE (s)-[h:HELD_IN {id: row.id}]->(sys)
    ON CREATE SET h.categories = row.categories, h.source = row.source, h.at = datetime(row.at),
                  h.tallyNew = true
  WITH s, sys, h WHERE h.tallyNew
  REMOVE h.tallyNew
  RETURN collect({kind: 'collection', target: sys.key, purpose: null, categories: h.categories,
                  country: s.country, month: """
    + month("h.at")
    + """, id: h.id, delta: 1}) AS held
}
CALL (s, subject) {
  UNWIND subject.disclosures AS row
  MATCH (r:Recipient {key: row.recipient})
  MERGE (s)-[d:DISCLOSED_TO {id: row.id}]->(r)
    ON CREATE SET d.categories = row.categories, d.purpose = row.purpose, d.at = datetime(row.at),
                  d.recipient = r.key, d.tallyNew = true
  WITH s, r, d WHERE d.tallyNew
  REMOVE d.tallyNew
  RETURN collect({kind: 'disclosure', target: r.key, purpose: d.purpose, categories: d.categories,
                  country: s.country, month: """
    + month("d.at")
    + """, id: d.id, delta: 1}) AS disclosed
}
WITH count(s) AS written, collect(moved + held + disclosed) AS changed
CALL (changed) {
  UNWIND changed AS changes
  UNWIND changes AS c
  UNWIND [null] + c.categories AS category
  WITH c.kind AS kind, c.target AS target, c.purpose AS purpose, category,
       CASE WHEN category IS NULL THEN c.country END AS country, c.month AS month, sum(c.delta) AS delta,
       min(CASE WHEN c.delta > 0 THEN c.id END) AS first, max(CASE WHEN c.delta > 0 THEN c.id END) AS last
  RETURN collect([kind, target, purpose, category, country, month, delta, first, last]) AS tallies
}
RETURN written, tallies
"""
)

# Subjects the resolve step found no subject for (`write_events`, same transaction): each created with its
# identifiers, memberships and records, none of which can exist yet (record ids are per subject). The subject is
# still MERGEd (one unique-index seek): one that exists all the same (a concurrent writer created it since, or an
# id taken otherwise) is left alone here, and its id returned in `existed` for the MERGE path (`WRITE_SUBJECTS`).
# `records`: the records created, which `write_subjects` checks against those it counted in the tallies.
CREATE_SUBJECTS: LiteralString = """
UNWIND $subjects AS subject
MERGE (s:Subject {id: subject.id})
  ON CREATE SET s.createdAt = datetime(subject.first), s.country = subject.country, s.region = subject.region,
                s.relationship = subject.relationship, s.createdNow = true
WITH s, subject, s.createdNow IS NOT NULL AS created
REMOVE s.createdNow
WITH s, created, subject.id AS id,
     CASE WHEN created THEN subject ELSE {identifiers: [], memberships: [], collections: [], disclosures: []}
     END AS subject
CALL (s, subject) {
  UNWIND subject.identifiers AS ident
  MERGE (i:Identifier {hash: ident.hash}) ON CREATE SET i.kind = ident.kind
  CREATE (i)-[:IDENTIFIES]->(s)
}
CALL (s, subject) {
  UNWIND subject.memberships AS membership
  MATCH (c:SubjectCategory {key: membership.key})
  CREATE (s)-[:MEMBER_OF {since: datetime(membership.since)}]->(c)
}
CALL (s, subject) {
  UNWIND subject.collections AS row
  MATCH (sys:System {key: row.system})
  CREATE (s)-[:HELD_IN {id: row.id, categories: row.categories, source: row.source, at: datetime(row.at)}]->(sys)
  RETURN count(*) AS held
}
CALL (s, subject) {
  UNWIND subject.disclosures AS row
  MATCH (r:Recipient {key: row.recipient})
  CREATE (s)-[:DISCLOSED_TO {id: row.id, categories: row.categories, purpose: row.purpose, at: datetime(row.at),
                             recipient: r.key}]->(r)
  RETURN count(*) AS disclosed
}
RETURN sum(held + disclosed) AS records, count(CASE WHEN created THEN 1 END) AS created,
       collect(CASE WHEN NOT created THEN id END) AS existed
"""

# The batch's tally changes, summed per tally (`[kind, target, purpose, category, country, month, delta, first,
# last]` each), applied in key order (`record_tallies.APPLY`).
APPLY_TALLIES: LiteralString = (
    """
UNWIND $tallies AS c
WITH c[0] AS kind, c[1] AS target, c[2] AS purpose, c[3] AS category, c[4] AS country, c[5] AS month,
     c[6] AS delta, c[7] AS first, c[8] AS last
"""
    + APPLY
)


async def missing_keys(tx: AsyncManagedTransaction, **keys: list[str]) -> dict[str, list[str]]:
    """For each kind of key given, those that name nothing in the map."""
    params: dict[str, list[str]] = {
        k: [] for k in ("categories", "systems", "sources", "recipients", "purposes", "subjectCategories")
    }
    params.update(keys)
    (row,) = await run(tx, MISSING_KEYS, **params)
    return {kind: values for kind, values in row.items() if values}


async def resolve_subjects(tx: AsyncManagedTransaction, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return await run(tx, RESOLVE_SUBJECTS, groups=groups)


async def write_subjects(
    tx: AsyncManagedTransaction, subjects: list[dict[str, Any]], new: Collection[str] = frozenset()
) -> int:
    """Write subject rows (from `recording.per_subject`); return how many were written (not suppressed).

    `new`: ids of subjects the caller's resolve step, in this transaction, found not to exist: they are created
    (`CREATE_SUBJECTS`) and their records counted here; the others are merged (`WRITE_SUBJECTS`). The tallies of
    both are then applied in one statement, in key order."""
    rows = [_once(s) for s in subjects]
    fresh = [r for r in rows if r["id"] in new]
    merged = [r for r in rows if r["id"] not in new]
    changes = Tallies()
    written = 0
    if fresh:
        (row,) = await run(tx, CREATE_SUBJECTS, subjects=[_as_text_times(r) for r in fresh])
        existed = set(row["existed"])
        created = [r for r in fresh if r["id"] not in existed]
        expected = sum(len(r["collections"]) + len(r["disclosures"]) for r in created)
        if row["records"] != expected:  # a system or recipient key the map does not hold: nothing is kept
            raise NotFound(f"{expected - row['records']} records name a system or recipient not in the map")
        for r in created:
            changes.add_subject(r)
        merged += [r for r in fresh if r["id"] in existed]
        written += int(row["created"])
    if merged:
        (row,) = await run(tx, WRITE_SUBJECTS, subjects=[_as_text_times(r) for r in merged])
        changes.add_rows(row["tallies"])
        written += int(row["written"])
    if changes:
        await run(tx, APPLY_TALLIES, tallies=changes.rows())
    return written


def _once(subject: dict[str, Any]) -> dict[str, Any]:
    """The subject row with each record once (the first of the rows with the same id and target): a record the
    statement met twice would be counted twice in the tallies."""
    return {
        **subject,
        "collections": _first_of_each(subject["collections"], "system"),
        "disclosures": _first_of_each(subject["disclosures"], "recipient"),
    }


def _first_of_each(records: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for r in records:
        if (r["id"], r[target]) not in seen:
            seen.add((r["id"], r[target]))
            out.append(r)
    return out


def _as_text_times(subject: dict[str, Any]) -> dict[str, Any]:
    """The subject row with its times as ISO 8601 text, which Cypher's datetime() reads back exactly.

    The driver packs each Python datetime through a Python hook (about 30 us each); a batch of 500 subjects
    carries some 8,000 of them, which made packing the parameters cost more than Neo4j's whole write."""
    return {
        **subject,
        "first": subject["first"].isoformat(),
        "memberships": [{**m, "since": m["since"].isoformat()} for m in subject["memberships"]],
        "collections": [{**c, "at": c["at"].isoformat()} for c in subject["collections"]],
        "disclosures": [{**d, "at": d["at"].isoformat()} for d in subject["disclosures"]],
    }

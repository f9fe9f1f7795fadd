"""Record tallies: the recorded collections (HELD_IN) and disclosures (DISCLOSED_TO) counted per month at write
time, so that the map findings (`findings_queries.MAP_FINDINGS`) read the tallies instead of every record: their
number is bounded by the map (its targets, purposes, categories, countries) and the months, not by the records
(some 70,000 for the benchmark's population over 84 months).

A `RecordTally` counts the records of one kind (`collection` | `disclosure`), target (system or recipient key),
purpose (null for collections) and UTC month of the record's `at` ('YYYY-MM'), in one of two shapes:
- per data category (`category` set, `country` null): the findings' collections and disclosures per category;
- per record (`category` null) and subject country (`country`, null when unknown): the flagged entries' recorded
  events per country, which count records, not (record, category) pairs.
Each has `records` (how many), `first` and `last` (the least and greatest record id counted: the findings' two
example ids), `group` (the parts but the month joined with '|', which no key, category or country code holds:
what the findings group by, one property read a tally) and `key` (the group and the month: unique,
`record_tally_key`). No tally holds a subject id.

Three writers keep them, each in the transaction that changes the records, each taking its tallies in `key` order
(so two concurrent transactions lock them in the same order) after grouping its changes: the subject writer
(`subject_writer.write_subjects`: only the records it created, counted in Python (`Tallies`) for the subjects it
created outright and by `WRITE_SUBJECTS` for those it merged, with the per-record tallies of a subject whose
country changed moved to the new country; one `APPLY_TALLIES` a batch), the erasure (`ERASE_TALLIES`, run by
`erasure_store.complete_request` before the subject layer is deleted) and the version 10 upgrade steps
(`DELETE_TALLIES`, `UPGRADE_TALLIES`, `graph/schema.py`). A tally that reaches 0 records is deleted. When
records leave a tally (erasure, a subject moving country) its `first`/`last` are not recomputed (that would read
every record of the tally): they may then name a record that is no longer counted there, still a valid example
of its kind where the records left for another country, an erased one after an erasure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString

from datamap.domain.record_tally_rows import tally_month, tally_parts


def month(at: LiteralString) -> LiteralString:
    """The UTC month ('YYYY-MM') of the datetime expression `at`: the tallies' `month`."""
    return "left(toString(date(datetime({datetime: " + at + ", timezone: 'UTC'}))), 7)"


def group(
    kind: LiteralString,
    target: LiteralString,
    purpose: LiteralString,
    category: LiteralString,
    country: LiteralString,
) -> LiteralString:
    """A tally's `group` from the expressions of its parts (null ones as '')."""
    return (
        kind
        + " + '|' + "
        + target
        + " + '|' + coalesce("
        + purpose
        + ", '') + '|' + coalesce("
        + category
        + ", '') + '|' + coalesce("
        + country
        + ", '')"
    )


def parts(p: LiteralString) -> LiteralString:
    """Map entries of the parts of a group split at '|' (`p`: `split(group, '|')`), those that were null, null
    again."""
    return (
        "kind: "
        + p
        + "[0], target: "
        + p
        + "[1], purpose: nullIf("
        + p
        + "[2], ''), category: nullIf("
        + p
        + "[3], ''), country: nullIf("
        + p
        + "[4], '')"
    )


# One subject's records, `s` in scope: `kind, target, purpose, categories, at, id` per record.
SUBJECT_RECORDS: LiteralString = """
CALL (s) {
  MATCH (s)-[h:HELD_IN]->(sys:System)
  RETURN 'collection' AS kind, sys.key AS target, null AS purpose, h.categories AS categories, h.at AS at,
         h.id AS id
  UNION ALL
  MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient)
  RETURN 'disclosure' AS kind, r.key AS target, d.purpose AS purpose, d.categories AS categories, d.at AS at,
         d.id AS id
}
"""

# Takes rows already grouped per tally: `kind, target, purpose, category, country, month` and `delta` (records
# added, negative for records removed), `first`, `last` (the least and greatest id added, null if none); adds
# them to the tallies in key order, creating those missing and deleting those left with no record.
APPLY: LiteralString = (
    """
WITH """
    + group("kind", "target", "purpose", "category", "country")
    + """ AS group, kind, target, purpose, category, country, month, delta, first, last
WITH group + '|' + month AS key, group, kind, target, purpose, category, country, month, delta, first, last
ORDER BY key
MERGE (t:RecordTally {key: key})
  ON CREATE SET t.group = group, t.kind = kind, t.target = target, t.purpose = purpose, t.category = category,
                t.country = country, t.month = month, t.records = 0
WITH t, t.records + delta AS records, first, last, t.first AS was, t.last AS wasLast
SET t.records = records,  // first and last written only when they change
    t += CASE WHEN first < was OR (was IS NULL AND first IS NOT NULL) THEN {first: first} ELSE {} END,
    t += CASE WHEN last > wasLast OR (wasLast IS NULL AND last IS NOT NULL) THEN {last: last} ELSE {} END
WITH t WHERE t.records <= 0
DELETE t
"""
)

# Every tally row of one record's rows (`kind, target, purpose, categories, at, id` and `country`, grouped with
# `s` in scope): one per category (no country) and one for the record (its subject's country).
_PER_TALLY: LiteralString = (
    """
UNWIND [null] + categories AS category
WITH kind, target, purpose, category, CASE WHEN category IS NULL THEN s.country END AS country, """
    + month("at")
    + """ AS month, id
"""
)

# The erasure of request `$id`'s subject (`erasure_queries.COMPLETE_REQUEST` deletes its records next, in the
# same transaction): each of its records taken off its tallies. The tallies' `first`/`last` are left as they are
# (see the module's note): they may then name an erased record.
ERASE_TALLIES: LiteralString = (
    """
MATCH (r:ErasureRequest {id: $id})
MATCH (s:Subject {id: r.subjectId})
"""
    + SUBJECT_RECORDS
    + _PER_TALLY
    + """WITH kind, target, purpose, category, country, month, 0 - count(*) AS delta, null AS first, null AS last
"""
    + APPLY
)

# Version 10's upgrade steps (graph/schema.py UPGRADES), run in this order on a graph written before the tallies,
# a page at a time (`$after`, `$page`; each returns null when done): any tally deleted first (so steps interrupted
# and run again from the start count no record twice), then the tallies counted from the records, a page of
# subjects at a time. Run them, as `apply_schema` does, before anything writes.
DELETE_TALLIES: LiteralString = """
MATCH (t:RecordTally)
WITH t LIMIT $page
DELETE t
RETURN CASE WHEN count(*) < $page THEN null ELSE $after END AS last
"""

UPGRADE_TALLIES: LiteralString = (
    """
MATCH (s:Subject) WHERE s.id > $after
WITH s ORDER BY s.id LIMIT $page
WITH collect(s) AS subjects
CALL (subjects) {
  UNWIND subjects AS s
"""
    + SUBJECT_RECORDS
    + _PER_TALLY
    + """  WITH kind, target, purpose, category, country, month, count(*) AS delta, min(id) AS first,
       max(id) AS last
"""
    + APPLY
    + """}
RETURN subjects[-1].id AS last
"""
)


class Tallies:
    """A batch's tally changes summed per tally, in Python, for `subject_writer.APPLY_TALLIES`: each as
    `[kind, target, purpose, category, country, month, delta, first, last]`, the rows `APPLY` takes."""

    def __init__(self) -> None:
        # (kind, target, purpose, category, country, month) -> [delta, first, last]
        self._by_tally: dict[tuple[str | None, ...], list[Any]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_tally)

    def _add(self, tally: tuple[str | None, ...], delta: int, first: str | None, last: str | None) -> None:
        got = self._by_tally.get(tally)
        if got is None:
            self._by_tally[tally] = [delta, first, last]
            return
        got[0] += delta
        if first is not None and (got[1] is None or first < got[1]):
            got[1] = first
        if last is not None and (got[2] is None or last > got[2]):
            got[2] = last

    def add_rows(self, changes: Iterable[Sequence[Any]]) -> None:
        """Changes as lists like those `rows` gives, each added to its tally's."""
        for c in changes:
            self._add(tuple(c[:6]), c[6], c[7], c[8])

    def add_subject(self, subject: dict[str, Any]) -> None:
        """Every record of a subject row (`recording.per_subject`, each record once) as one record more, as the
        subject writer counts a record it creates (`record_tally_rows.tally_parts`)."""
        country = subject["country"]
        for kind, records, target in (
            ("collection", subject["collections"], "system"),
            ("disclosure", subject["disclosures"], "recipient"),
        ):
            for r in records:
                month, id_ = tally_month(r["at"]), r["id"]
                for tally in tally_parts(kind, r[target], r.get("purpose"), r["categories"], country, month):
                    self._add(tally, 1, id_, id_)

    def rows(self) -> list[list[Any]]:
        """The changes, one per tally (`APPLY` takes them in key order)."""
        return [[*tally, *change] for tally, change in self._by_tally.items()]

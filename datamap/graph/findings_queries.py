"""The map findings' reads: the whole map as of a day in one statement, and the map as one recorded event meets it.

Both read the map as of `$asOf` (`graph/validity.py`: entries, their attributes then, the relationships that
held then). The whole-map statement also reads, up to `$asOfEnd`, the recorded collections and disclosures in
aggregate: one row per system and category, or per recipient, purpose and category, with a count and two record
ids (the least and the greatest: stable, and bounded however many records there are), never one row per record;
and, for each flagged entry whose flag names countries, the recorded events concerning it per subject country.
It reads them from the record tallies (`record_tallies.py`, kept at write time) of the whole months before
`$asOfEnd`'s (UTC), and from the records themselves (the `held_in_at` and `disclosed_to_at` indexes) for that
month up to `$asOfEnd`: tallies bounded by the map and the months, and one month's records.
The rules that judge them are the domain's (`domain/map_findings.py`, `domain/recorded_findings.py`). The
transfers are the transfer register's own statement (`report_queries.TRANSFER_REGISTER`), run inside this one,
and the retention rules the reports' fragment (`report_queries.RETENTION_IN_FORCE`).

The key filters (`$systems`, `$recipients`, `$purposes`, `$flagged`: `Label:key` of the entries whose flags are
read) are null for the whole map and name one event's entries for `read_event_facts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString, cast

from datamap.domain.finding_rows import EventFactsRow, MapFactsRow
from datamap.graph.database import Database, Transaction, run
from datamap.graph.record_tallies import group, month, parts
from datamap.graph.report_queries import RETENTION_IN_FORCE, TRANSFER_REGISTER, RegisterTransferRow
from datamap.graph.validity import as_of_version, organisation_of, valid

# Map entries that can carry a flag (every seed entry kind); flows are relationships, read apart.
_FLAGGABLE: LiteralString = (
    "Organisation|DataCategory|SubjectCategory|Source|System|Purpose|Recipient|Transfer|RetentionRule|Right|"
    "Deadline|ContactPoint"
)

_FLAGS: LiteralString = (
    """
CALL () {
  CALL () {
    MATCH (n:"""
    + _FLAGGABLE
    + ") WHERE "
    + valid("n")
    + """ AND ($flagged IS NULL OR labels(n)[0] + ':' + n.key IN $flagged)
    WITH n, """
    + as_of_version("n")
    + """ AS a
    WITH n, a WHERE a.flag IS NOT NULL
    RETURN labels(n)[0] AS kind, n.key AS key, a.name AS name, a.flag AS flag, a.flagSeverity AS severity,
           coalesce(a.flagCountries, []) AS countries
    UNION ALL
    MATCH (:Source|System)-[f:FLOWS_TO]->(:System|Recipient)
    WHERE """
    + valid("f")
    + """ AND f.flag IS NOT NULL AND ($flagged IS NULL OR 'Flow:' + f.key IN $flagged)
    RETURN 'Flow' AS kind, f.key AS key, null AS name, f.flag AS flag, f.flagSeverity AS severity,
           coalesce(f.flagCountries, []) AS countries
  }
  RETURN collect({kind: kind, key: key, name: name, flag: flag, severity: severity, countries: countries})
         AS flags
}
"""
)


def _with_categories(
    label: LiteralString,
    keys: LiteralString,
    fields: LiteralString,
    edge: LiteralString,
    column: LiteralString,
) -> LiteralString:
    """A `CALL` collecting, as `column`, the `label` entries in force (those `keys` names, when not null): `fields`
    of their attributes then, and the categories they reach over `edge` then."""
    return (
        "\nCALL () {\n  MATCH (n:"
        + label
        + ") WHERE "
        + valid("n")
        + " AND ("
        + keys
        + " IS NULL OR n.key IN "
        + keys
        + ")\n  WITH n, "
        + as_of_version("n")
        + " AS a\n  RETURN collect(a {"
        + fields
        + ", categories: [(n)-[e:"
        + edge
        + "]->(c:DataCategory) WHERE "
        + valid("e")
        + " | c.key]}) AS "
        + column
        + "\n}\n"
    )


_SYSTEMS = _with_categories("System", "$systems", ".key, .name", "STORES", "systems")
_PURPOSES = _with_categories(
    "Purpose", "$purposes", ".key, .name, .legalBasis, .legitimateInterest", "PROCESSES", "purposes"
)

_FLOWS: LiteralString = (
    """
CALL () {
  MATCH (:Source|System)-[f:FLOWS_TO]->(r:Recipient)
  WHERE """
    + valid("f")
    + " AND "
    + valid("r")
    + """ AND ($recipients IS NULL OR r.key IN $recipients)
  RETURN collect(f {.key, recipient: r.key, .categories, purposes: coalesce(f.purposes, []), .trigger}) AS flows
}
"""
)

_RECIPIENTS: LiteralString = (
    """
CALL () {
  MATCH (n:Recipient) WHERE """
    + valid("n")
    + """
  WITH n, """
    + as_of_version("n")
    + " AS a, "
    + organisation_of("n")
    + """ AS o
  RETURN collect(a {.key, .name, .role, .ownDirectMarketing, organisation: o {.key, .name, .address}})
         AS recipients
}
"""
)

_RETENTION: LiteralString = (
    """
CALL () {
  MATCH (r:RetentionRule) WHERE """
    + valid("r")
    + RETENTION_IN_FORCE
    + """
}
"""
)

_NOTICE: LiteralString = (
    """
CALL () {
  OPTIONAL MATCH (n:Notice)-[pub:PUBLISHED_BY]->(:Organisation) WHERE """
    + valid("pub")
    + """
  WITH n ORDER BY n.effective DESC LIMIT 1
  RETURN n {.title, transfersRelyOn: coalesce(n.transfersRelyOn, []), .transfersRef} AS notice
}
"""
)

# The recorded collections and disclosures up to `$asOfEnd`, one row per tally shape (`record_tallies.py`): per
# kind, target, purpose and category (`country` null), and per kind, target, purpose and subject country
# (`category` null); each with the count and the least and greatest record id. The whole months before
# `$asOfEnd`'s (UTC) come from the tallies; that month, up to `$asOfEnd`, from the records. The month's first
# instant is built at offset +00:00, as the records' instants are written: Neo4j does not find an instant in the
# named zone 'UTC' equal to (nor >=) the same instant at an offset.
_RECORDED: LiteralString = (
    """
CALL () {
  WITH datetime({datetime: $asOfEnd, timezone: '+00:00'}) AS asOfEnd
  WITH datetime({year: asOfEnd.year, month: asOfEnd.month, day: 1, timezone: '+00:00'}) AS monthStart
  CALL (monthStart) {
    MATCH (t:RecordTally) WHERE t.month < """
    + month("monthStart")
    + """
    RETURN t.group AS group, t.records AS records, t.first AS first, t.last AS last
    UNION ALL
    MATCH (s:Subject)-[h:HELD_IN]->(sys:System)
    WHERE h.at >= monthStart AND h.at <= $asOfEnd
    UNWIND [null] + h.categories AS category
    RETURN """
    + group("'collection'", "sys.key", "null", "category", "CASE WHEN category IS NULL THEN s.country END")
    + """ AS group,
           1 AS records, h.id AS first, h.id AS last
    UNION ALL
    MATCH (s:Subject)-[d:DISCLOSED_TO]->(r:Recipient)
    WHERE d.at >= monthStart AND d.at <= $asOfEnd
    UNWIND [null] + d.categories AS category
    RETURN """
    + group("'disclosure'", "r.key", "d.purpose", "category", "CASE WHEN category IS NULL THEN s.country END")
    + """ AS group,
           1 AS records, d.id AS first, d.id AS last
  }
  WITH group, sum(records) AS records, min(first) AS first, max(last) AS last
  WITH split(group, '|') AS p, records, first, last
  RETURN collect({"""
    + parts("p")
    + """, records: records, examples: [first, last]}) AS recorded
}
"""
)

# The recorded events concerning each flagged entry whose flag names countries, by the subject's country:
# disclosures for a purpose or to a recipient, collections into a system (records, not categories).
_FLAGGED_EVENTS: LiteralString = (
    """
CALL (recorded) {
  MATCH (n:Purpose|Recipient|System) WHERE """
    + valid("n")
    + """
  WITH n, """
    + as_of_version("n")
    + """ AS a
  WITH n, a WHERE a.flag IS NOT NULL AND size(coalesce(a.flagCountries, [])) > 0
  UNWIND recorded AS x
  WITH n, x WHERE x.category IS NULL AND CASE
    WHEN n:Purpose THEN x.kind = 'disclosure' AND x.purpose = n.key
    WHEN n:Recipient THEN x.kind = 'disclosure' AND x.target = n.key
    ELSE x.kind = 'collection' AND x.target = n.key
  END
  WITH n, x.country AS country, sum(x.records) AS records, min(x.examples[0]) AS first,
       max(x.examples[1]) AS last
  RETURN collect({kind: labels(n)[0], key: n.key, country: country, records: records, examples: [first, last]})
         AS flaggedEvents
}
"""
)

# Per system and category, and per recipient, purpose and category (a category's rows have no country).
_COLLECTIONS: LiteralString = """
WITH *, [x IN recorded WHERE x.kind = 'collection' AND x.category IS NOT NULL |
         {target: x.target, purpose: null, category: x.category, records: x.records, examples: x.examples}]
        AS collections,
        [x IN recorded WHERE x.kind = 'disclosure' AND x.category IS NOT NULL |
         {target: x.target, purpose: x.purpose, category: x.category, records: x.records, examples: x.examples}]
        AS disclosures
"""

_TRANSFERS: LiteralString = (
    """
CALL () {
  CALL () {"""
    + TRANSFER_REGISTER
    + """  }
  RETURN collect(transfer) AS transfers
}
"""
)

MAP_FINDINGS: LiteralString = (
    _FLAGS
    + _RECORDED
    + _FLAGGED_EVENTS
    + _SYSTEMS
    + _FLOWS
    + _RECIPIENTS
    + _PURPOSES
    + _RETENTION
    + _NOTICE
    + _COLLECTIONS
    + _TRANSFERS
    + """RETURN notice, systems, flows, recipients, purposes, retention, flags, flaggedEvents, collections,
       disclosures, transfers
"""
)

EVENT_FACTS: LiteralString = (
    _FLAGS
    + _SYSTEMS
    + _FLOWS
    + _PURPOSES
    + """OPTIONAL MATCH (s:Subject {id: $subject})
RETURN flags, systems, flows, purposes, s.country AS country
"""
)


class FindingsRow(MapFactsRow):
    """MAP_FINDINGS's one row: the map's facts and the transfers in force, as the transfer register reads them."""

    transfers: list[RegisterTransferRow]


def _unique(row: Mapping[str, Any]) -> dict[str, Any]:
    """Each aggregate's two example ids, once when they are the same record."""
    out = dict(row)
    for column in ("collections", "disclosures", "flaggedEvents"):
        if column in out:
            out[column] = [{**g, "examples": sorted(set(g["examples"]))} for g in out[column]]
    return out


async def read_map_findings(db: Database, as_of: Mapping[str, object]) -> FindingsRow:
    """The whole map on `$asOf` and the recorded events up to `$asOfEnd` (`as_of` holds both)."""
    (row,) = await db.read(MAP_FINDINGS, **as_of, systems=None, recipients=None, purposes=None, flagged=None)
    return cast("FindingsRow", _unique(row))


async def read_event_facts(
    tx: Transaction,
    as_of: Mapping[str, object],
    *,
    subject: str,
    system: str | None,
    recipient: str | None,
    purpose: str | None,
    flagged: list[str],
) -> EventFactsRow:
    """What the map says on `$asOf` of one event's system (or the flows to its recipient and its purpose), the
    flags of the entries it names (`Label:key`), and where its subject lives."""
    (row,) = await run(
        tx,
        EVENT_FACTS,
        **as_of,
        subject=subject,
        systems=[system] if system is not None else [],
        recipients=[recipient] if recipient is not None else [],
        purposes=[purpose] if purpose is not None else [],
        flagged=flagged,
    )
    return cast("EventFactsRow", row)

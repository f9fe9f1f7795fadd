"""Record tallies (graph/record_tallies.py): the map findings read the recorded events from tallies kept at write
time and give what a full scan of every record gives; a re-run import counts nothing twice; an erasure takes its
records off; the upgrade step counts them as the writer does."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, LiteralString

import orjson
import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.identifiers import parse_identifiers
from datamap.domain.subject_events import Collection, Disclosure
from datamap.graph import findings_queries, schema
from datamap.graph.database import Database
from datamap.graph.record_tallies import DELETE_TALLIES, UPGRADE_TALLIES
from datamap.graph.validity import as_of_version, valid
from datamap.services import map_findings, recording
from datamap.services.bulk_import import import_events, read_events
from datamap.services.lineage import as_of_params
from tests.conftest import NOW, SECRET, TODAY, GraphQLClient
from tests.helpers import client_of, open_request, settle_all

pytestmark = pytest.mark.neo4j

# The statement the findings read the records with before the tallies: every record up to `$asOfEnd`. The
# reference the tallies must equal.
FULL_SCAN: LiteralString = (
    """
CALL () {
  MATCH (n:Purpose|Recipient|System) WHERE """
    + valid("n")
    + """
  WITH n, """
    + as_of_version("n")
    + """ AS a
  WITH n, a WHERE a.flag IS NOT NULL AND size(coalesce(a.flagCountries, [])) > 0
  CALL (n) {
    WITH n WHERE n:Purpose
    MATCH (s:Subject)-[d:DISCLOSED_TO]->(:Recipient) WHERE d.purpose = n.key AND d.at <= $asOfEnd
    RETURN s.country AS country, d.id AS id
    UNION ALL
    WITH n WHERE n:Recipient
    MATCH (s:Subject)-[d:DISCLOSED_TO]->(n:Recipient) WHERE d.at <= $asOfEnd
    RETURN s.country AS country, d.id AS id
    UNION ALL
    WITH n WHERE n:System
    MATCH (s:Subject)-[h:HELD_IN]->(n:System) WHERE h.at <= $asOfEnd
    RETURN s.country AS country, h.id AS id
  }
  WITH n, country, count(*) AS records, min(id) AS first, max(id) AS last
  RETURN collect({kind: labels(n)[0], key: n.key, country: country, records: records, examples: [first, last]})
         AS flaggedEvents
}
CALL () {
  MATCH (:Subject)-[h:HELD_IN]->(sys:System) WHERE h.at <= $asOfEnd
  WITH sys.key AS target, h.categories AS categories, count(*) AS records, min(h.id) AS first, max(h.id) AS last
  UNWIND categories AS category
  WITH target, category, sum(records) AS records, min(first) AS first, max(last) AS last
  RETURN collect({target: target, purpose: null, category: category, records: records, examples: [first, last]})
         AS collections
}
CALL () {
  MATCH (:Subject)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.at <= $asOfEnd
  WITH r.key AS target, d.purpose AS purpose, d.categories AS categories, count(*) AS records,
       min(d.id) AS first, max(d.id) AS last
  UNWIND categories AS category
  WITH target, purpose, category, sum(records) AS records, min(first) AS first, max(last) AS last
  RETURN collect({target: target, purpose: purpose, category: category, records: records,
                  examples: [first, last]}) AS disclosures
}
RETURN flaggedEvents, collections, disclosures
"""
)
COLUMNS = ("collections", "disclosures", "flaggedEvents")

TALLIES = (
    "MATCH (t:RecordTally) RETURN t.key AS key, t.records AS records, t.first AS first, t.last AS last "
    "ORDER BY key"
)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def collect(
    email: str, at: str, system: str, source: str, categories: Sequence[str], **more: Any
) -> Collection:
    return Collection(
        parse_identifiers(email=email),
        system,
        source,
        categories,
        utc(at),
        subject_categories=["lead"],
        **more,
    )


def disclose(
    email: str, at: str, recipient: str, purpose: str, categories: Sequence[str], **more: Any
) -> Disclosure:
    return Disclosure(parse_identifiers(email=email), recipient, purpose, categories, utc(at), **more)


SHARED = ("marketing_partners", "marketing_partner_sharing", ["user.name", "user.contact.email"])
LISTS = ("sharpspring_platform", "forms_questionnaires_surveys")
CARD = "user.financial.credit_card"


def events() -> list[Collection | Disclosure]:
    """Recorded events over several months, some of them the map does not allow, of people of several countries."""
    this_month = NOW.replace(day=1, hour=9)
    return [
        collect("ana@example.com", "2024-01-05T10:00:00Z", *LISTS, ["user.contact.email"], country="ES"),
        collect("ana@example.com", "2024-02-10T10:00:00Z", *LISTS, ["user.name", "user.contact.email"]),
        # the first and last instants of months, written in other offsets (UTC decides the month): February's,
        # April's, March's
        collect("bo@example.com", "2024-03-01T00:30:00+01:00", *LISTS, ["user.name"], country="SE"),
        collect("cy@example.com", "2024-03-31T23:30:00-02:00", *LISTS, ["user.name"], country="US"),
        collect("bo@example.com", "2024-03-01T00:00:00Z", *LISTS, ["user.contact.email"]),
        collect("cy@example.com", "2024-03-15T12:00:00Z", "billing", "payment_entry", [CARD]),
        disclose("ana@example.com", "2024-01-20T10:00:00Z", *SHARED, country="ES"),
        disclose("bo@example.com", "2024-03-01T00:00:00Z", *SHARED, country="SE"),
        disclose("bo@example.com", "2024-03-15T08:00:00+00:00", *SHARED, country="SE"),
        disclose("cy@example.com", "2024-03-16T08:00:00Z", *SHARED, country="US"),
        disclose("dee@example.com", "2024-03-10T08:00:00Z", *SHARED),  # country unknown
        disclose(
            "dee@example.com", "2024-04-02T08:00:00Z", "marketing_partners", "billing", ["user.government_id"]
        ),
        disclose("eli@example.com", this_month.isoformat(), *SHARED, country="NL"),
        disclose("eli@example.com", NOW.isoformat(), *SHARED, country="NL"),
        disclose("eli@example.com", (NOW + dt.timedelta(days=1)).isoformat(), *SHARED, country="NL"),
    ]


AS_OF = (
    dt.date(2023, 12, 31),
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2024, 3, 15),  # the middle of a month
    dt.date(2024, 3, 31),
    dt.date(2024, 4, 1),
    TODAY,
)


def normal(row: Mapping[str, Any]) -> dict[str, list[str]]:
    return {c: sorted(json.dumps(g, sort_keys=True) for g in row[c]) for c in COLUMNS}


async def read_both(db: Database, day: dt.date) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The recorded aggregates the findings read with the tallies, and those of the full scan, as of `day`."""
    _, params = as_of_params(day, NOW)
    tallied = await findings_queries.read_map_findings(db, params)
    (scanned,) = await db.read(FULL_SCAN, **params)
    return normal(tallied), normal(findings_queries._unique(scanned))


async def tallies(db: Database) -> list[dict[str, Any]]:
    return await db.read(TALLIES)


async def counted(db: Database) -> dict[str, list[Any]]:
    """The tallies the records imply, counted here from every record: key -> [records, first, last]."""
    rows = await db.read(
        "MATCH (s:Subject)-[h:HELD_IN]->(sys:System) "
        "RETURN 'collection' AS kind, sys.key AS target, null AS purpose, h.categories AS categories, "
        "h.at AS at, h.id AS id, s.country AS country "
        "UNION ALL MATCH (s:Subject)-[d:DISCLOSED_TO]->(r:Recipient) "
        "RETURN 'disclosure' AS kind, r.key AS target, d.purpose AS purpose, d.categories AS categories, "
        "d.at AS at, d.id AS id, s.country AS country"
    )
    out: dict[str, list[Any]] = {}
    for r in rows:
        month = r["at"].astimezone(dt.UTC).strftime("%Y-%m")
        for category, country in [(None, r["country"]), *((c, None) for c in r["categories"])]:
            parts = (r["kind"], r["target"], r["purpose"], category, country, month)
            key = "|".join(p or "" for p in parts)
            got = out.setdefault(key, [0, r["id"], r["id"]])
            got[0] += 1
            got[1], got[2] = min(got[1], r["id"]), max(got[2], r["id"])
    return out


def as_counted(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {r["key"]: [r["records"], r["first"], r["last"]] for r in rows}


async def test_the_findings_as_of_each_day_equal_those_of_a_full_scan(seeded: Database) -> None:
    """The recorded aggregates the findings read, for the seed and the events, on days in the middle, at the start
    and at the end of a month, and today; and the findings over them."""
    await recording.record(seeded, events(), SECRET)
    for day in AS_OF:
        tallied, scanned = await read_both(seeded, day)
        assert tallied == scanned, day
    assert as_counted(await tallies(seeded)) == await counted(seeded)
    found = (await map_findings.map_findings(seeded, dt.date(2024, 3, 15), now=NOW)).findings
    codes = {f.code for f in found}
    assert {"collected_not_stored", "flagged_note"} <= codes and "disclosed_not_carried" not in codes
    after = {f.code for f in (await map_findings.map_findings(seeded, dt.date(2024, 4, 2), now=NOW)).findings}
    assert "disclosed_not_carried" in after


async def test_a_subject_moving_country_moves_its_records_per_country(seeded: Database) -> None:
    """The findings read where a subject lives now: its earlier records count there."""
    await recording.record(
        seeded, [disclose("fay@example.com", "2024-01-07T08:00:00Z", *SHARED, country="NL")], SECRET
    )
    await recording.record(
        seeded, [disclose("fay@example.com", "2024-05-07T08:00:00Z", *SHARED, country="US")], SECRET
    )
    await recording.record(seeded, [disclose("fay@example.com", "2024-06-07T08:00:00Z", *SHARED)], SECRET)
    for day in (dt.date(2024, 1, 31), dt.date(2024, 5, 7), TODAY):
        tallied, scanned = await read_both(seeded, day)
        assert tallied == scanned, day
    assert as_counted(await tallies(seeded)) == await counted(seeded)
    flagged = {f.entries[0]: f for f in (await map_findings.map_findings(seeded, now=NOW)).findings}
    assert "(NL)" in flagged["purpose:marketing_partner_sharing"].message, "the seed's Dutch lead only"


def _lines() -> list[dict[str, object]]:
    line = {
        "type": "disclosure",
        "subject": {"email": "bulk@example.com"},
        "categories": ["user.contact.email"],
        "recipient": "marketing_partners",
        "purpose": "marketing_partner_sharing",
        "country": "DE",
    }
    return [
        *(
            {**line, "subject": {"email": f"bulk{i}@example.com"}, "at": f"2023-0{1 + i % 3}-02T00:00:00Z"}
            for i in range(12)
        ),
        {**line, "at": "2023-05-01T00:00:00Z"},
        {**line, "at": "2023-05-01T00:00:00Z"},  # the same event twice in one batch: one record
    ]


async def test_a_rerun_of_the_same_bulk_import_changes_no_tally(seeded: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in _lines()) + b"\n")
    file = read_events(path, SECRET)
    assert (await import_events(seeded, file, batch_size=5)).written == 14
    once = await tallies(seeded)
    assert as_counted(once) == await counted(seeded)
    await import_events(seeded, file, batch_size=5)
    await import_events(seeded, file, batch_size=3)
    assert await tallies(seeded) == once
    (may,) = [
        t for t in once if t["key"] == "disclosure|marketing_partners|marketing_partner_sharing||DE|2023-05"
    ]
    assert may["records"] == 1


async def test_an_erasure_takes_its_records_off_the_tallies_and_its_finding_goes(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    email = "jordan.reyes@example.com"
    await recording.record(
        seeded,
        [collect(email, "2024-03-01T10:00:00Z", "billing", "payment_entry", ["user.financial.credit_card"])],
        SECRET,
    )
    before = {f.code for f in (await map_findings.map_findings(seeded, now=NOW)).findings}
    assert "collected_not_stored" in before, "its only record"
    request = await open_request(api, email)
    async with client_of(seeded, clock, Role.COMPLIANCE) as checker:
        await settle_all(api, request, checker)
    (left,) = await seeded.read("RETURN COUNT { MATCH (:Subject {id: $id}) } AS n", id=request["subjectId"])
    assert left["n"] == 0, "the erasure completed"
    after = {f.code for f in (await map_findings.map_findings(seeded, now=NOW)).findings}
    assert "collected_not_stored" not in after
    # every count as the remaining records imply (an example id may still name an erased record)
    assert {k: v[0] for k, v in as_counted(await tallies(seeded)).items()} == {
        k: v[0] for k, v in (await counted(seeded)).items()
    }
    assert not [
        t
        for t in await tallies(seeded)
        if t["key"].startswith("collection|billing||user.financial.credit_card")
    ]
    for day in (dt.date(2024, 3, 15), TODAY):
        tallied, scanned = await read_both(seeded, day)
        assert [len(tallied[c]) for c in COLUMNS] == [len(scanned[c]) for c in COLUMNS]


async def test_the_upgrade_step_counts_the_tallies_the_writer_keeps(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await recording.record(seeded, events(), SECRET)
    written = await tallies(seeded)
    # as if written before version 10, one tally left behind by an interrupted upgrade
    await seeded.write("MATCH (t:RecordTally) WHERE t.month <> '2024-03' DELETE t")
    await seeded.write("MATCH (t:RecordTally) SET t.records = t.records + 7")
    await seeded.write("MATCH (v:SchemaVersion {key: 'datamap'}) SET v.version = 9")
    monkeypatch.setattr(schema, "UPGRADE_PAGE", 2)  # every page boundary crossed
    assert await schema.apply_schema(seeded) == 10
    assert await tallies(seeded) == written
    # both steps are the version's, in order
    assert [step for version, step in schema.UPGRADES if version == 10] == [DELETE_TALLIES, UPGRADE_TALLIES]

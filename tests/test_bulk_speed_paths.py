"""The bulk path's two ways of writing a subject (created outright when none of its identifiers is known, merged
otherwise) and its tallies summed per batch: an interrupted import run again gives the graph of one run, a batch
mixing new and known subjects writes each once, and the tallies always equal what the records imply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from datamap.domain.identifiers import parse_identifiers
from datamap.errors import NotFound
from datamap.graph import subject_writer
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.services import recording
from datamap.services.bulk_import import import_batches, import_events, read_events
from datamap.services.seed import load_seed
from tests.conftest import SECRET
from tests.test_record_tallies import as_counted, collect, counted, disclose, tallies

pytestmark = pytest.mark.neo4j

LISTS = {"source": "forms_questionnaires_surveys", "system": "sharpspring_platform"}
TARGETS = (LISTS["system"], LISTS["source"])  # as `collect` takes them
SHARED = {"recipient": "marketing_partners", "purpose": "marketing_partner_sharing"}


def collection(subject: dict[str, str], at: str, categories: list[str], **more: Any) -> dict[str, Any]:
    return {"type": "collection", "subject": subject, "categories": categories, "at": at, **LISTS, **more}


def disclosure(subject: dict[str, str], at: str, **more: Any) -> dict[str, Any]:
    categories = ["user.name", "user.contact.email"]
    return {"type": "disclosure", "subject": subject, "categories": categories, "at": at, **SHARED, **more}


ANA, BO_PHONE, BO = {"email": "ana@example.com"}, {"phone": "+31 6 5555 0101"}, {"email": "bo@example.com"}
CY, DEE = {"email": "cy@example.com"}, {"email": "dee@example.com"}  # dee: on the suppression list


def lines() -> list[dict[str, Any]]:
    """Subjects whose lines fall in several batches: one known first by its phone, then by its email and phone
    together, moving country; the same event twice; a suppressed subject; subjects of one line each."""
    return [
        collection(
            ANA, "2024-01-05T10:00:00Z", ["user.contact.email"], country="ES", subjectCategories=["lead"]
        ),
        collection(BO_PHONE, "2024-02-01T00:30:00+01:00", ["user.name"], country="SE"),
        disclosure(CY, "2024-03-16T08:00:00Z", country="US"),
        disclosure(DEE, "2024-03-10T08:00:00Z"),
        disclosure(ANA, "2024-01-20T10:00:00Z"),
        *(
            collection({"email": f"one{i}@example.com"}, f"2023-0{1 + i % 3}-02T00:00:00Z", ["user.name"])
            for i in range(5)
        ),
        disclosure(CY, "2024-03-16T08:00:00Z", country="US"),  # the same event again, in another batch
        collection(
            {**BO, **BO_PHONE}, "2024-03-01T00:00:00Z", ["user.contact.email"], subjectCategories=["lead"]
        ),
        disclosure(BO, "2024-04-02T08:00:00Z", country="US"),  # bo moves: its earlier records count in the US
        collection(ANA, "2024-02-10T10:00:00Z", ["user.name", "user.contact.email"]),
        disclosure(DEE, "2024-05-10T08:00:00Z"),
    ]


class Interrupted(Exception):
    """The import stopped from outside (a crash, the operator's ^C)."""


def write_file(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(row) for row in rows) + b"\n")
    return path


async def suppress(db: Database, email: str) -> None:
    (identifier,) = parse_identifiers(email=email)
    await db.write("MERGE (:Suppression {hash: $hash})", hash=identifier.keyed_hash(SECRET))


async def snapshot(db: Database) -> dict[str, Any]:
    """The whole graph as far as the bulk path writes it: every node and relationship counted, the subject layer
    and the tallies in full."""
    return {
        "nodes": await db.read("MATCH (n) RETURN labels(n) AS labels, count(*) AS n ORDER BY labels"),
        "relationships": await db.read(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
        ),
        "subjects": await db.read(
            "MATCH (s:Subject) RETURN s {.*} AS subject, "
            "[(i:Identifier)-[:IDENTIFIES]->(s) | i.hash + ':' + i.kind] AS identifiers, "
            "[(s)-[m:MEMBER_OF]->(c:SubjectCategory) | [c.key, toString(m.since)]] AS memberships, "
            "[(s)-[h:HELD_IN]->(y:System) | [y.key, h.id, h.source, toString(h.at)] + h.categories] AS held, "
            "[(s)-[d:DISCLOSED_TO]->(r:Recipient) | [r.key, d.id, d.purpose, d.recipient, toString(d.at)] "
            "+ d.categories] AS disclosed ORDER BY s.id"
        ),
        "tallies": await tallies(db),
    }


def normal(graph: dict[str, Any]) -> dict[str, Any]:
    subjects = [
        {
            k: sorted(v) if isinstance(v, list) else {**v, "createdAt": str(v["createdAt"])}
            for k, v in s.items()
        }
        for s in graph["subjects"]
    ]
    return {**graph, "subjects": subjects}


async def test_an_interrupted_import_run_again_gives_the_graph_of_one_run(
    seeded: Database, tmp_path: Path
) -> None:
    file = read_events(write_file(tmp_path / "events.jsonl", lines()), SECRET)
    await suppress(seeded, DEE["email"])
    once = await import_events(seeded, file, batch_size=4)
    assert (once.written, len(once.suppressed_lines)) == (len(lines()) - 2, 2)
    whole = normal(await snapshot(seeded))
    assert as_counted(whole["tallies"]) == await counted(seeded)

    await seeded.write("MATCH (n) DETACH DELETE n")  # the same start again
    await apply_schema(seeded)
    await load_seed(seeded, SECRET)
    await suppress(seeded, DEE["email"])
    done: list[int] = []

    def stop_after_two(rows: int) -> None:
        done.append(rows)
        if len(done) == 2:
            raise Interrupted  # after the second batch committed

    with pytest.raises(Interrupted):
        await import_events(seeded, file, batch_size=4, progress=stop_after_two)
    partial = await snapshot(seeded)
    assert normal(partial) != whole and as_counted(partial["tallies"]) == await counted(seeded)
    again = await import_events(seeded, file, batch_size=5)  # other batch boundaries: still the same graph
    assert again.written == once.written
    assert normal(await snapshot(seeded)) == whole
    await import_events(seeded, file, batch_size=3)  # and a third run writes nothing new
    assert normal(await snapshot(seeded)) == whole


async def test_a_batch_of_new_and_known_subjects_writes_each_once(
    seeded: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await recording.record(
        seeded,
        [
            collect("ana@example.com", "2024-01-05T10:00:00Z", *TARGETS, ["user.name"], country="ES"),
            disclose("bo@example.com", "2024-01-07T08:00:00Z", *SHARED.values(), ["user.name"], country="NL"),
        ],
        SECRET,
    )
    before = await snapshot(seeded)
    ran: list[str] = []
    run = subject_writer.run

    async def spy(tx: Any, query: Any, **params: Any) -> Any:
        ran.extend(
            name for name in ("CREATE_SUBJECTS", "WRITE_SUBJECTS") if query is getattr(subject_writer, name)
        )
        return await run(tx, query, **params)

    monkeypatch.setattr(subject_writer, "run", spy)
    batch = [
        collection(ANA, "2024-01-05T10:00:00Z", ["user.name"], country="ES"),  # recorded already: nothing new
        collection(ANA, "2024-02-05T10:00:00Z", ["user.contact.email"]),
        collection({**ANA, "phone": "+34 600 000 001"}, "2024-02-06T10:00:00Z", ["user.name"]),  # a new phone
        disclosure(BO, "2024-03-07T08:00:00Z", country="US"),  # moves: its January record counts in the US
        disclosure(CY, "2024-03-16T08:00:00Z", country="US"),
        collection(
            {"email": "new@example.com", "phone": "+31 6 5555 0202"}, "2024-03-01T00:00:00Z", ["user.name"]
        ),
        disclosure({"phone": "+31 6 5555 0202"}, "2024-03-02T00:00:00Z", country="NL"),
    ]
    file = read_events(write_file(tmp_path / "mixed.jsonl", batch), SECRET)
    assert (await import_events(seeded, file)).written == len(batch)
    assert ran == ["CREATE_SUBJECTS", "WRITE_SUBJECTS"], "one batch, both ways"
    after = await snapshot(seeded)
    assert as_counted(after["tallies"]) == await counted(seeded)
    new_subjects = len(before["subjects"]) + 2  # cy, and new@ with its phone
    assert len(after["subjects"]) == new_subjects
    records = {r["type"]: r["n"] for r in after["relationships"]}
    was = {r["type"]: r["n"] for r in before["relationships"]}
    assert (records["HELD_IN"] - was["HELD_IN"], records["DISCLOSED_TO"] - was["DISCLOSED_TO"]) == (3, 3)
    assert records["IDENTIFIES"] - was["IDENTIFIES"] == 4  # ana's phone, cy, new@'s email and phone
    (bo,) = [s for s in after["subjects"] if any(d[4].startswith("2024-01-07") for d in s["disclosed"])]
    assert bo["subject"]["country"] == "US" and len(bo["disclosed"]) == 2
    ran.clear()
    await import_events(seeded, file)
    assert ran == ["WRITE_SUBJECTS"], "every subject known now"
    assert await snapshot(seeded) == after


async def test_a_subject_created_since_the_resolve_step_is_merged_not_created_again(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if a concurrent writer created the subject between this batch's resolve step and its write."""
    events = [
        collect("ana@example.com", "2024-01-05T10:00:00Z", *TARGETS, ["user.name"], country="ES"),
        collect("ana@example.com", "2024-02-05T10:00:00Z", *TARGETS, ["user.contact.email"], country="FR"),
    ]
    await recording.record(seeded, events[:1], SECRET)
    before = await snapshot(seeded)
    resolve = subject_writer.resolve_subjects

    async def unaware(tx: Any, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**found, "subjects": []} for found in await resolve(tx, groups)]

    monkeypatch.setattr(subject_writer, "resolve_subjects", unaware)
    await import_batches(seeded, [recording.rows_for(events, SECRET)])
    after = await snapshot(seeded)
    assert len(after["subjects"]) == len(before["subjects"])
    (ana,) = [s for s in after["subjects"] if s["subject"]["country"] == "FR"]
    assert len(ana["held"]) == 2 and len(ana["identifiers"]) == 1
    assert as_counted(after["tallies"]) == await counted(seeded)


async def test_a_new_subject_naming_a_system_not_in_the_map_writes_nothing(seeded: Database) -> None:
    before = await snapshot(seeded)
    event = collect("ana@example.com", "2024-01-05T10:00:00Z", "nowhere", LISTS["source"], ["user.name"])
    with pytest.raises(NotFound, match="not in the map"):
        await import_batches(seeded, [recording.rows_for([event], SECRET)])  # the keys not checked first
    assert await snapshot(seeded) == before


async def test_a_move_to_another_country_ends_the_region_whatever_the_batches(
    seeded: Database, tmp_path: Path
) -> None:
    """A Californian who moves to the Netherlands is no longer in California, whether the two lines fall in one
    batch or in two."""
    moving = [
        collection(ANA, "2024-01-05T10:00:00Z", ["user.name"], country="US", region="US-CA"),
        collection(ANA, "2024-06-05T10:00:00Z", ["user.name"], country="NL"),
    ]
    file = read_events(write_file(tmp_path / "moving.jsonl", moving), SECRET)
    answers = []
    for batch_size in (2, 1):
        await seeded.write("MATCH (s:Subject) DETACH DELETE s")
        await import_events(seeded, file, batch_size=batch_size)
        answers += await seeded.read("MATCH (s:Subject) RETURN s.country AS country, s.region AS region")
    assert answers == [{"country": "NL", "region": None}] * 2

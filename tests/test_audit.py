"""The audit trail: every lookup of a person and every recording leaves an event, chained so edits show."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from typing import Any

import pytest

from datamap.domain.access import Role
from datamap.domain.audit import AuditEntry, AuditEvent, chain, verify
from datamap.graph import audit_log
from datamap.graph.database import Database
from datamap.services import audit
from tests.conftest import SECRET, GraphQLClient, app_of, client_as, datamap_command, token_for
from tests.helpers import open_request

ANNA = "anna.jansen@example.com"
AT = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def _entries(n: int) -> list[AuditEntry]:
    return [
        AuditEntry(AT + dt.timedelta(seconds=i), "token:jane", "engineer", "subject", "found", f"s{i}")
        for i in range(n)
    ]


def test_a_whole_chain_verifies_and_every_kind_of_tampering_shows() -> None:
    events = chain(_entries(4), 0, "0" * 64)
    assert verify(events, 4, events[-1].digest) == []
    altered = [
        *events[:2],
        AuditEvent(
            3, AuditEntry(AT, "token:eve", "admin", "subject", "found"), events[2].previous, events[2].digest
        ),
        events[3],
    ]
    assert verify(altered, 4, events[-1].digest) == ["event 3: its content was changed after it was written"]
    assert "events 2 to 2 are missing" in verify([events[0], *events[2:]], 4, events[-1].digest)[0]
    assert verify(events[:3], 4, events[-1].digest) == ["the chain's head records 4 events, 3 are there"]
    continued = chain(_entries(2), 4, events[-1].digest)
    assert verify([*events, *continued], 6, continued[-1].digest) == []


async def _events(db: Database) -> list[dict[str, Any]]:
    return [r["e"] for r in await db.read("MATCH (e:AuditEvent) RETURN e {.*} AS e ORDER BY e.seq")]


@pytest.mark.neo4j
async def test_a_lookup_of_a_person_is_recorded_with_who_and_whom_never_the_identifier(
    seeded: Database, clock: Any
) -> None:
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.ENGINEER, name="jane")) as jane:
        found = await jane.query(f'{{ subjectLineage(subject: {{email: "{ANNA}"}}) {{ subjectId }} }}')
        await jane.query('{ subject(subject: {email: "nobody@example.com"}) { id } }')
        await jane.query("{ systems { key } }")  # the map names nobody: no event
    (lineage, unknown) = await _events(seeded)
    assert lineage["principal"] == "token:jane" and lineage["role"] == "engineer"
    assert lineage["operation"] == "subjectLineage" and lineage["outcome"] == "found"
    assert lineage["subjectId"] == found["subjectLineage"]["subjectId"]
    assert unknown["operation"] == "subject" and unknown["outcome"] == "not found"
    assert unknown.get("subjectId") is None  # no such subject: the event names none
    for event in (lineage, unknown):
        assert not any(isinstance(v, str) and "@" in v for v in event.values()), event


@pytest.mark.neo4j
async def test_a_recording_commits_its_event_with_it_and_an_auditor_reads_them(
    seeded: Database, clock: Any, api: GraphQLClient
) -> None:
    written = await api.query(f"""mutation {{ recordCollection(input: {{subject: {{email: "{ANNA}"}},
        categories: ["user.name"], source: "forms_questionnaires_surveys", system: "sharpspring_platform",
        at: "2026-01-01T10:00:00Z"}}) {{ subjectId }} }}""")
    subject_id = written["recordCollection"]["subjectId"]
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.AUDITOR)) as auditor:
        log = await auditor.query(
            "query($s: String) { auditLog(subjectId: $s) { seq operation principal subjectId digest previous } }",
            s=subject_id,
        )
    (event,) = log["auditLog"]
    assert event["operation"] == "recordCollection" and event["principal"] == "token:test-admin"
    assert event["previous"] == "0" * 64 and len(event["digest"]) == 64


@pytest.mark.neo4j
async def test_audit_verify_finds_an_edited_or_deleted_event(
    api: GraphQLClient, seeded: Database, neo4j_settings: Any
) -> None:
    for email in (ANNA, "jordan.reyes@example.com", ANNA):
        await api.query(f'{{ subject(subject: {{email: "{email}"}}) {{ id }} }}')
    env = {
        "DATAMAP_NEO4J_URI": neo4j_settings.uri,
        "DATAMAP_NEO4J_USER": neo4j_settings.user,
        "DATAMAP_NEO4J_PASSWORD": neo4j_settings.password,
        "DATAMAP_HASH_SECRET": SECRET.decode(),
    }
    env = {**os.environ, **env}
    whole = datamap_command("audit", "verify", env=env)
    assert whole.returncode == 0 and "3 events" in whole.stdout, whole.stderr
    await seeded.write("MATCH (e:AuditEvent {seq: 2}) SET e.principal = 'token:someone-else'")
    edited = datamap_command("audit", "verify", env=env)
    assert edited.returncode == 1 and "event 2: its content was changed" in edited.stdout
    await seeded.write("MATCH (e:AuditEvent {seq: 3}) DELETE e")
    deleted = datamap_command("audit", "verify", env=env)
    assert "records 3 events, 2 are there" in deleted.stdout


@pytest.mark.neo4j
async def test_reading_erasure_requests_and_a_shine_the_light_answer_names_each_person_and_the_http_request(
    seeded: Database, clock: Any, api: GraphQLClient
) -> None:
    request = await open_request(api, ANNA)
    await seeded.write("MATCH (e:AuditEvent) DETACH DELETE e")  # only the reads below
    headers = {"x-request-id": "ticket-4711.read"}
    await api.client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { erasureRequest(id: $id) { status } }",
            "variables": {"id": request["id"]},
        },
        headers=headers,
    )
    await api.query("{ erasureRequests { id } }")
    stl = await api.query(
        '{ shineTheLightReport(customer: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") '
        "{ subjectId } }"
    )
    one, listing, shine = await _events(seeded)
    assert (one["operation"], one["subjectId"], one["requestId"]) == (
        "erasureRequest",
        request["subjectId"],
        request["id"],
    )
    assert one["correlationId"] == "ticket-4711.read"
    assert (listing["operation"], listing["subjectId"]) == ("erasureRequests", request["subjectId"])
    assert len(listing["correlationId"]) == 32 and listing["correlationId"] != one["correlationId"]
    assert shine["operation"] == "shineTheLightReport"
    assert shine["subjectId"] == stl["shineTheLightReport"]["subjectId"] is not None


@pytest.mark.neo4j
async def test_every_answer_carries_its_request_id_and_a_malformed_one_is_replaced(
    api: GraphQLClient,
) -> None:
    given = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc-1"}
    )
    assert given.headers["x-request-id"] == "abc-1"
    forged = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "a\tb" + "x" * 80}
    )
    assert len(forged.headers["x-request-id"]) == 32 and "x" * 80 not in forged.headers["x-request-id"]


@pytest.mark.neo4j
async def test_concurrent_lookups_each_leave_their_event_in_one_whole_chain(
    api: GraphQLClient, seeded: Database
) -> None:
    """Lookups at the same time have their events committed in batches (one commit for many): every lookup still
    has its event, numbered without gaps, and the chain verifies."""
    emails = [ANNA, "jordan.reyes@example.com", "nobody@example.com"] * 8
    answers = await asyncio.gather(
        *(api.query(f'{{ subject(subject: {{email: "{e}"}}) {{ id }} }}') for e in emails)
    )
    assert len(answers) == 24
    events = await _events(seeded)
    assert [e["seq"] for e in events] == list(range(1, 25))
    assert sum(e["outcome"] == "not found" for e in events) == 8
    check = await audit.check_chain(seeded)
    assert check.whole and check.events == 24, check.problems


@pytest.mark.neo4j
async def test_an_auditor_reads_by_person_by_period_and_by_principal_each_through_an_index(
    api: GraphQLClient, seeded: Database
) -> None:
    """Events by subject, in a period, by principal, oldest first; each way of reading seeks an index instead of
    reading every event ever written."""
    for email in [ANNA, "jordan.reyes@example.com", ANNA]:
        await api.query(f'{{ subject(subject: {{email: "{email}"}}) {{ id }} }}')
    events = await _events(seeded)
    anna = next(e["subjectId"] for e in events if e["subjectId"])
    by_subject = await audit.events(seeded, subject_id=anna)
    assert [e.seq for e in by_subject] == [e["seq"] for e in events if e["subjectId"] == anna]
    assert len(by_subject) == 2
    middle = events[1]["at"]
    later = await audit.events(seeded, start=middle)
    assert [e.seq for e in later] == [e["seq"] for e in events if e["at"] >= middle]
    before = await audit.events(seeded, end=middle)
    assert [e.seq for e in before] == [e["seq"] for e in events if e["at"] < middle]
    assert [e.seq for e in await audit.events(seeded, limit=2)] == [1, 2]
    assert await audit.events(seeded, principal="token:someone-else") == []
    assert len(await audit.events(seeded, principal=events[0]["principal"], subject_id=anna)) == 2
    async with seeded.driver.session() as session:
        for statement in (audit_log.EVENTS_OF_SUBJECT, audit_log.EVENTS_IN_PERIOD, audit_log.EVENTS_IN_ORDER):
            params: dict[str, Any] = {"subjectId": anna, "principal": None, "limit": 10}
            params.update({"from": audit_log.EARLIEST, "to": audit_log.LATEST})
            result = await session.run("EXPLAIN " + statement, params)
            operators = _operators((await result.consume()).plan or {})
            assert any("IndexSeek" in o or "IndexScan" in o for o in operators), operators
            assert not any("LabelScan" in o or "AllNodesScan" in o for o in operators), operators


def _operators(plan: dict[str, Any]) -> list[str]:
    return [
        plan.get("operatorType", ""),
        *(o for child in plan.get("children", []) for o in _operators(child)),
    ]

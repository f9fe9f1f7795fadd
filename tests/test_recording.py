"""Recording the subject layer through GraphQL and the bulk path."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from datamap.errors import NotFound, ValidationError
from datamap.graph.database import Database
from datamap.services.bulk_import import import_events, read_events
from datamap.services.map_browser import counts
from tests.conftest import SECRET, GraphQLClient, assert_clear_error, datamap_command

COLLECT = """mutation($input: CollectionInput!) { recordCollection(input: $input) { id subjectId } }"""
DISCLOSE = """mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { id subjectId } }"""
SUBJECT = """query($s: SubjectInput!) { subject(subject: $s) {
  id country identifierKinds subjectCategories { key }
  records { system source categories at } disclosures { recipient role purpose categories at } } }"""
NEW_LEAD = {
    "subject": {"email": "Mia.Vos@example.net", "phone": "+31 6 5555 0199"},
    "categories": ["user.contact.email", "user.name"],
    "source": "forms_questionnaires_surveys",
    "system": "sharpspring_platform",
    "at": "2024-05-01T10:00:00+02:00",
    "subjectCategories": ["lead"],
    "country": "NL",
}


@pytest.mark.neo4j
async def test_a_recorded_collection_and_disclosure_show_up_as_observed(api: GraphQLClient) -> None:
    created = (await api.query(COLLECT, input=NEW_LEAD))["recordCollection"]
    disclosed = (
        await api.query(
            DISCLOSE,
            input={
                "subject": {"phone": "+31655550199"},
                "categories": ["user.contact.email"],
                "recipient": "interinbox",
                "purpose": "affiliate_sharing",
                "at": "2024-06-01T12:00:00Z",
            },
        )
    )["recordDisclosure"]
    assert disclosed["subjectId"] == created["subjectId"], "the phone number found the same subject"
    subject = (await api.query(SUBJECT, s={"email": "mia.vos@example.net"}))["subject"]
    assert subject["identifierKinds"] == ["email", "phone"] and subject["country"] == "NL"
    assert subject["records"] == [
        {
            "system": "sharpspring_platform",
            "source": "forms_questionnaires_surveys",
            "categories": ["user.contact.email", "user.name"],
            "at": "2024-05-01T08:00:00+00:00",
        }
    ]
    assert (
        subject["disclosures"][0]["recipient"] == "interinbox"
        and subject["disclosures"][0]["role"] == "AFFILIATE"
    )
    lineage = (
        await api.query(
            """query { subjectLineage(subject: {email: "mia.vos@example.net"}, category: "user.contact.email") {
             recipients { key observed } } }"""
        )
    )["subjectLineage"]
    observed = {r["key"] for r in lineage["recipients"] if r["observed"]}
    assert observed == {"interinbox"}


@pytest.mark.neo4j
async def test_recording_the_same_event_twice_changes_nothing(api: GraphQLClient, seeded: Database) -> None:
    first = (await api.query(COLLECT, input=NEW_LEAD))["recordCollection"]
    before = await counts(seeded)
    again = (await api.query(COLLECT, input=NEW_LEAD))["recordCollection"]
    assert again == first
    (audit,) = await seeded.read("RETURN COUNT { (:AuditEvent) } AS events")
    nodes, relationships = await counts(seeded)
    assert (nodes - 1, relationships) == before, (
        "the subject layer is unchanged; only the second call's event"
    )
    assert audit["events"] == 2, "each call is audited"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"system": "crm_that_does_not_exist"}, "systems: 'crm_that_does_not_exist'"),
        ({"categories": ["user.contact.emial"]}, "categories: 'user.contact.emial'"),
        ({"source": "carrier_pigeon"}, "sources: 'carrier_pigeon'"),
        ({"subjectCategories": ["robot"]}, "subjectCategories: 'robot'"),
        ({"subject": {"email": "mia.vos(at)example.net"}}, "input.subject.email"),
        ({"subject": {"phone": "06 5555 0199"}}, "country code"),
        ({"subject": {}}, "at least one identifier"),
        ({"at": "2024-05-01T10:00:00"}, "no time zone"),
        ({"categories": ["User Contact"]}, "dotted lower-case"),
    ],
)
@pytest.mark.neo4j
async def test_bad_input_is_rejected_naming_the_problem_and_nothing_is_written(
    api: GraphQLClient,
    seeded: Database,
    change: dict[str, object],
    message: str,
) -> None:
    before = await counts(seeded)
    errors = await api.errors(COLLECT, input={**NEW_LEAD, **change})
    assert message in errors[0]
    assert await counts(seeded) == before


def _write_lines(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    return path


def _lines(n: int) -> list[dict[str, object]]:
    return [
        {
            "type": "collection",
            "subject": {"email": f"bulk{i}@example.com"},
            "categories": ["user.contact.email"],
            "source": "forms_questionnaires_surveys",
            "system": "sharpspring_platform",
            "at": "2023-01-01T00:00:00Z",
            "subjectCategories": ["lead"],
        }
        for i in range(n)
    ] + [
        {
            "type": "disclosure",
            "subject": {"email": "bulk0@example.com"},
            "categories": ["user.contact.email"],
            "recipient": "marketing_partners",
            "purpose": "marketing_partner_sharing",
            "at": "2023-02-01T00:00:00Z",
        }
    ]


@pytest.mark.neo4j
async def test_bulk_import_writes_in_batches_and_a_rerun_duplicates_nothing(
    seeded: Database, tmp_path: Path
) -> None:
    file = read_events(_write_lines(tmp_path / "events.jsonl", _lines(25)), SECRET)
    seen: list[int] = []
    assert (await import_events(seeded, file, batch_size=10, progress=seen.append)).written == 26
    assert seen == [10, 10, 6]
    after = await counts(seeded)
    await import_events(seeded, file, batch_size=10)
    assert await counts(seeded) == after
    (row,) = await seeded.read(
        "MATCH (s:Subject)-[:HELD_IN]->(:System {key: 'sharpspring_platform'}) "
        "WHERE s.createdAt = datetime('2023-01-01T00:00:00Z') RETURN count(s) AS n"
    )
    assert row["n"] == 25


@pytest.mark.neo4j
async def test_bulk_import_rejects_a_bad_file_naming_the_line_and_writes_nothing(
    seeded: Database,
    tmp_path: Path,
) -> None:
    lines = _lines(3)
    lines[1]["at"] = "yesterday"
    with pytest.raises(ValidationError, match=r"events.jsonl:2: at:"):
        read_events(_write_lines(tmp_path / "events.jsonl", lines), SECRET)
    lines[1]["at"] = "2023-01-01T00:00:00"
    with pytest.raises(ValidationError, match=r"events.jsonl:2: time .* has no time zone"):
        read_events(_write_lines(tmp_path / "events.jsonl", lines), SECRET)
    lines[1]["at"] = "2023-01-01T00:00:00Z"
    lines[1]["country"] = "Netherlands"
    with pytest.raises(ValidationError, match=r"events.jsonl:2: country: 'Netherlands'"):
        read_events(_write_lines(tmp_path / "events.jsonl", lines), SECRET)
    del lines[1]["country"]
    lines[2]["system"] = "nowhere"
    file = read_events(_write_lines(tmp_path / "events.jsonl", lines), SECRET)
    before = await counts(seeded)
    with pytest.raises(NotFound, match="systems: 'nowhere'"):
        await import_events(seeded, file)
    assert await counts(seeded) == before


@pytest.mark.neo4j
async def test_rows_sharing_an_identifier_in_one_batch_are_one_subject(
    seeded: Database, tmp_path: Path
) -> None:
    base = {
        "type": "collection",
        "categories": ["user.contact.email"],
        "source": "forms_questionnaires_surveys",
        "system": "sharpspring_platform",
    }
    lines = [
        {**base, "subject": {"phone": "+31 6 5555 0001"}, "at": "2023-01-01T00:00:00Z"},
        {
            **base,
            "subject": {"email": "link@example.com", "phone": "+31 6 5555 0001"},
            "at": "2023-01-02T00:00:00Z",
        },
        {
            **base,
            "subject": {"email": "link@example.com", "externalId": "crm-9"},
            "at": "2023-01-03T00:00:00Z",
        },
    ]
    file = read_events(_write_lines(tmp_path / "linked.jsonl", lines), SECRET)
    await import_events(seeded, file)
    rows = await seeded.read(
        "MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject)-[h:HELD_IN]->(:System) "
        "WHERE s.createdAt = datetime('2023-01-01T00:00:00Z') RETURN count(DISTINCT s) AS subjects, "
        "count(DISTINCT i) AS identifiers, count(DISTINCT h) AS records"
    )
    assert rows == [{"subjects": 1, "identifiers": 3, "records": 3}]


def test_the_import_command_reports_a_bad_line_clearly(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "collection"}\nnot json\n')
    result = datamap_command("import", str(path))
    assert_clear_error(result, f"{path}:1:")
    for args, message in (
        (["/nonexistent.jsonl"], "no such file"),
        ([str(path), "--batch-size", "0"], "positive"),
    ):
        result = datamap_command("import", *args)
        assert_clear_error(result, message)


@pytest.mark.neo4j
async def test_residence_is_recorded_consistently(api: GraphQLClient, seeded: Database) -> None:
    """A region names its country; a later country without a region ends a region of another country; a bad
    region or relationship is refused naming the field."""
    moving = {**NEW_LEAD, "country": None, "region": "US-CA", "relationship": "PERSONAL"}
    subject_id = (await api.query(COLLECT, input=moving))["recordCollection"]["subjectId"]

    async def residence() -> dict[str, object]:
        (row,) = await seeded.read(
            "MATCH (s:Subject {id: $id}) RETURN s.country AS country, s.region AS region, "
            "s.relationship AS relationship",
            id=subject_id,
        )
        return row

    assert await residence() == {"country": "US", "region": "US-CA", "relationship": "personal"}
    await api.query(COLLECT, input={**NEW_LEAD, "at": "2025-01-01T10:00:00Z", "country": "NL"})
    assert await residence() == {"country": "NL", "region": None, "relationship": "personal"}
    errors = await api.errors(COLLECT, input={**NEW_LEAD, "country": "NL", "region": "US-CA"})
    assert "region: 'US-CA' is not in country 'NL'" in errors[0]
    errors = await api.errors(COLLECT, input={**NEW_LEAD, "region": "California"})
    assert "is not an ISO 3166-2 code" in errors[0]

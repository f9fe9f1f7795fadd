"""Browsing the map as of a date, and the graph schema it sits on."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from datamap.config import Neo4jSettings
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema, read_statements
from datamap.services import map_browser
from datamap.services.lineage import lineage_of_category
from datamap.services.seed import SEED_DIR, load_seed, read_seed
from tests.conftest import NOW, SECRET, GraphQLClient, assert_clear_error, datamap_command


@pytest.mark.neo4j
async def test_a_question_about_a_category_covers_its_children(api: GraphQLClient) -> None:
    data = await api.query(
        '{ dataCategories(under: "user.contact") { key parent children statutoryCategory } }'
    )
    keys = {c["key"] for c in data["dataCategories"]}
    assert "user.contact" in keys and "user.contact.email" in keys
    assert all(k == "user.contact" or k.startswith("user.contact.") for k in keys)
    email = next(c for c in data["dataCategories"] if c["key"] == "user.contact.email")
    assert email["parent"] == "user.contact" and email["statutoryCategory"] == "ii"  # §1798.83(e)(6)(A)(ii)


@pytest.mark.neo4j
async def test_recipients_by_role_with_country(api: GraphQLClient) -> None:
    data = await api.query(
        "{ recipients(role: AFFILIATE) { key role organisationName country ownDirectMarketing } }"
    )
    affiliates = {r["key"]: r for r in data["recipients"]}
    assert set(affiliates) == {"interinbox", "sharpspring_technologies"}
    assert affiliates["interinbox"]["organisationName"] == "Interinbox SA"
    processors = await api.query("{ recipients(role: PROCESSOR) { key role } }")
    assert {r["role"] for r in processors["recipients"]} == {"PROCESSOR"}
    assert "google_analytics" in {r["key"] for r in processors["recipients"]}


@pytest.mark.neo4j
async def test_one_company_can_play_several_roles(api: GraphQLClient) -> None:
    data = await api.query(
        "{ organisations { key legalEntity roles { recipient role } certifications { program } } }"
    )
    orgs = {o["key"]: o for o in data["organisations"]}
    interinbox = next(o for k, o in orgs.items() if k.startswith("interinbox"))
    assert {r["role"] for r in interinbox["roles"]} == {"AFFILIATE", "PROCESSOR"}
    controller = orgs["sharpspring_inc"]
    assert "EU_US_PRIVACY_SHIELD" in {c["program"] for c in controller["certifications"]}


@pytest.mark.neo4j
async def test_map_browsing_fields_answer_from_the_seed(api: GraphQLClient) -> None:
    data = await api.query("""{
      purposes { key legalBasis categories provenance { ref } }
      sources { key kind feeds }
      systems { key operator categories backups }
      subjectCategories { key child }
      retentionRules { key basis period categories }
    }""")
    purposes = {p["key"]: p for p in data["purposes"]}
    assert purposes["security"]["legalBasis"] == "LEGITIMATE_INTERESTS"
    assert purposes["security"]["provenance"]["ref"].startswith("§9")
    assert "user.device.ip_address" in purposes["security"]["categories"]
    assert {s["kind"] for s in data["sources"]} >= {
        "DEVICE",
        "DIRECT",
        "THIRD_PARTY",
        "PUBLIC",
        "SOCIAL_MEDIA",
    }
    assert {"visitor", "lead", "customer", "customer_representative"} <= {
        c["key"] for c in data["subjectCategories"]
    }
    assert any(c["child"] for c in data["subjectCategories"])
    tax = [r for r in data["retentionRules"] if r["basis"].startswith("legal_obligation")]
    assert tax and any("user.financial.transaction_id" in r["categories"] for r in tax)


@pytest.mark.neo4j
async def test_the_map_as_of_a_date_before_the_notice_is_empty(api: GraphQLClient) -> None:
    data = await api.query('{ purposes(asOf: "2018-04-26") { key } recipients(asOf: "2018-04-26") { key } }')
    assert data == {"purposes": [], "recipients": []}


@pytest.mark.neo4j
async def test_the_schema_is_applied_idempotently_and_its_version_recorded(db: Database) -> None:
    version, statements = read_statements()
    assert len(statements) >= 20
    assert await apply_schema(db) == version
    await apply_schema(db)
    (row,) = await db.read("MATCH (v:SchemaVersion) RETURN count(v) AS n, max(v.version) AS version")
    assert row == {"n": 1, "version": version}
    constraints = await db.read("SHOW CONSTRAINTS YIELD labelsOrTypes RETURN labelsOrTypes[0] AS label")
    assert {"Subject", "Identifier", "DataCategory", "Recipient", "Transfer"} <= {
        c["label"] for c in constraints
    }


@pytest.mark.neo4j
async def test_applying_the_schema_to_a_version_3_graph_drops_the_record_id_indexes(db: Database) -> None:
    await db.write("CREATE INDEX held_in_id IF NOT EXISTS FOR ()-[r:HELD_IN]-() ON (r.id)")
    await db.write("CREATE INDEX disclosed_to_id IF NOT EXISTS FOR ()-[r:DISCLOSED_TO]-() ON (r.id)")
    await db.write("MATCH (v:SchemaVersion) SET v.version = 3")
    assert await apply_schema(db) == read_statements()[0]  # the current version (5 since the access tables)
    names = {row["name"] for row in await db.read("SHOW INDEXES YIELD name RETURN name")}
    assert not names & {"held_in_id", "disclosed_to_id"}
    assert "disclosed_to_at" in names  # the Shine-the-Light window still has its index


@pytest.mark.neo4j
async def test_any_neo4j_5_by_uri_including_routing(neo4j_settings: Neo4jSettings) -> None:
    routed = Database(
        Neo4jSettings(
            uri=neo4j_settings.uri.replace("bolt://", "neo4j://"),
            user=neo4j_settings.user,
            password=neo4j_settings.password,
            database="neo4j",
            managed=False,
        )
    )
    await routed.verify()
    assert await routed.read("RETURN 1 AS one") == [{"one": 1}]
    await routed.close()


def test_an_unreachable_neo4j_is_a_clear_error() -> None:
    result = datamap_command(
        "seed",
        "load",
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DATAMAP_NEO4J_URI": "bolt://127.0.0.1:1"},
    )
    assert_clear_error(result, "not reachable at bolt://127.0.0.1:1")


@pytest.mark.neo4j
async def test_facts_that_ended_drop_out_of_answers_as_of_a_later_date(db: Database, tmp_path: Path) -> None:
    """A flow and a transfer with validTo: present before that date, gone on and after it."""
    folder = tmp_path / "seed"
    shutil.copytree(SEED_DIR, folder)
    flow_key = next(f.key for f in read_seed().flows if f.to.recipient == "google_analytics")
    _end(folder / "transfers.yaml", "eu_to_us_google_analytics", dt.date(2020, 7, 16))
    _end(folder / "flows.yaml", flow_key, dt.date(2020, 7, 16))
    others = [f for f in read_seed().flows if f.to.recipient == "google_analytics" and f.key != flow_key]
    await load_seed(db, SECRET, folder)
    transfers_then = {t.key for t in await map_browser.transfers(db, dt.date(2020, 7, 15), now=NOW)}
    transfers_now = {t.key for t in await map_browser.transfers(db, dt.date(2020, 7, 16), now=NOW)}
    assert "eu_to_us_google_analytics" in transfers_then - transfers_now
    category = next(iter(read_seed().flows[[f.key for f in read_seed().flows].index(flow_key)].categories))
    before = await lineage_of_category(db, category, dt.date(2020, 7, 15), now=NOW)
    after = await lineage_of_category(db, category, dt.date(2020, 7, 16), now=NOW)
    reached = lambda lin: {r.key for r in lin.recipients}  # noqa: E731
    assert "google_analytics" in reached(before)
    still = [f for f in others if any(c == category or category.startswith(c + ".") for c in f.categories)]
    assert ("google_analytics" in reached(after)) == bool(still)
    for node in after.recipients:
        for path in node.paths:
            assert flow_key not in {s.via for s in path.steps}


def _end(path: Path, key: str, day: dt.date) -> None:
    document = yaml.safe_load(path.read_text())
    (entry,) = [e for e in document[path.stem] if e["key"] == key]
    entry["validTo"] = day
    path.write_text(yaml.safe_dump(document, allow_unicode=True))


def test_the_flow_hop_bound_in_the_cypher_is_the_declared_one() -> None:
    from datamap.graph import lineage_queries as lq

    for query in (lq.SUBJECT_LINEAGE, lq.CATEGORY_LINEAGE):
        bounds = re.findall(r"FLOWS_TO\*1\.\.(\d+)", query)
        assert bounds and {int(b) for b in bounds} == {lq.MAX_FLOW_HOPS}

"""`datamap import --initial FILE`: Neo4j's offline importer gives the graph the online import gives.

Each test runs its own local Neo4j (a home in tmp_path, a free port): the importer needs a server it may stop.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datamap.config import state_dir
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.vocabulary import IdentifierKind
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.localdb import LocalNeo4j
from datamap.services import lineage
from datamap.services.bulk_import import import_events, read_events
from datamap.services.initial_import import settings_of
from tests.conftest import NOW, SECRET, assert_clear_error, datamap_command, free_port

PASSWORD = "initial-import-test"
JARS = state_dir() / "jars"  # the suite's jar cache, read before any test moves DATAMAP_HOME
BATCH = 40  # small batches: subjects, countries and tallies carried from one batch into the next

SYSTEMS = [
    ("sharpspring_platform", "industry_events", ["user.name", "user.contact.email"]),
    ("customer_accounts", "account_registration", ["user.name", "user.contact.address"]),
    ("support_desk", "support_request", ["user.contact.email", "user.contact.phone_number"]),
]
DISCLOSURES = [
    ("marketing_partners", "sales", ["user.name", "user.contact.email"]),
    ("hosting_providers", "customer_interaction", ["user.contact.email"]),
    ("data_aggregators", "lead_enrichment", ["user.name"]),
]
PLACES: list[dict[str, str]] = [
    {},
    {"country": "NL"},
    {"country": "US", "region": "US-CA"},
    {"region": "US-NY"},
    {"country": "DE"},
    {"country": "US"},
]


def _identifiers(rng: random.Random, person: int, seen: set[int]) -> dict[str, str]:
    """The person's first line names all their identifiers; later ones a part (joined through the first)."""
    every = {"email": f"person{person}@example.com"}
    if person % 5 == 0:
        every["phone"] = f"+3120555{person:04d}"
    if person % 7 == 0:
        every["externalId"] = f"crm-{person}"
    if person in seen:
        return dict(rng.sample(sorted(every.items()), k=rng.randint(1, len(every))))
    seen.add(person)
    return every


def _line(rng: random.Random, person: int, seen: set[int]) -> dict[str, Any]:
    subject = _identifiers(rng, person, seen)
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rng.randrange(5 * 365 * 24))
    line: dict[str, Any] = {
        "subject": subject,
        "at": at.isoformat().replace("+00:00", "Z"),
        **rng.choice(PLACES),
    }
    if rng.random() < 0.5:
        line["subjectCategories"] = rng.sample(["lead", "customer", "visitor"], k=rng.randint(1, 2))
    if rng.random() < 0.3:
        line["relationship"] = rng.choice(["personal", "business", "none"])
    if rng.random() < 0.5:
        system, source, categories = rng.choice(SYSTEMS)
        return {"type": "collection", "system": system, "source": source, "categories": categories, **line}
    recipient, purpose, categories = rng.choice(DISCLOSURES)
    return {
        "type": "disclosure",
        "recipient": recipient,
        "purpose": purpose,
        "categories": categories,
        **line,
    }


def lines(count: int, seed: int = 3) -> list[str]:
    """JSON lines about some 60 people: identifiers shared across lines, duplicates, countries that change, and
    one line about a seed example subject."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[int] = set()
    for _ in range(count):
        if out and rng.random() < 0.05:
            out.append(rng.choice(out))  # the same event again
            continue
        out.append(json.dumps(_line(rng, rng.randrange(60), seen)))
    anna = {"email": "anna.jansen@example.com"}
    about_anna = {k: v for k, v in json.loads(out[0]).items() if k != "region"}
    out.insert(count // 2, json.dumps({**about_anna, "subject": anna, "country": "BE"}))
    return out


def server_in(home: Path) -> LocalNeo4j:
    return LocalNeo4j(home, cache=JARS, port=free_port(), password=PASSWORD, heap="512m", pagecache="128m")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    """A local server that has not started yet, in a state folder `datamap` may be pointed at (`env_of`)."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "jars").symlink_to(JARS)  # no second download
    local = server_in(state / "neo4j")
    try:
        yield local
    finally:
        local.stop()


def env_of(server: LocalNeo4j) -> dict[str, str]:
    """The environment of a `datamap` command using `server` as its local Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAMAP_")}
    return {
        **env,
        "DATAMAP_HOME": str(server.home.parent),
        "DATAMAP_HASH_SECRET": SECRET.decode(),
        "DATAMAP_NEO4J_PASSWORD": PASSWORD,
        "DATAMAP_NEO4J_PORT": str(server.port),
        "DATAMAP_NEO4J_HEAP": server.heap,
        "DATAMAP_NEO4J_PAGECACHE": server.pagecache,
    }


def _value(value: Any) -> Any:
    """A property value, comparable across databases: instants with their zone or offset."""
    if isinstance(value, list):
        return [_value(v) for v in value]
    if hasattr(value, "iso_format"):
        return f"{value.iso_format()} {value.tzinfo!r}"
    return value


async def graph_dump(db: Database) -> dict[str, Any]:
    """Every node (labels, properties), every relationship (type, properties, ends), constraints and indexes."""
    nodes = await db.read("MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props")
    shown = {}
    for n in nodes:
        props = {k: _value(v) for k, v in n["props"].items()}
        for instant in (
            "appliedAt",
            "lockedAt",
        ):  # when the schema's version, the seed load's lock were written
            props.pop(instant, None)
        shown[n["id"]] = json.dumps([sorted(n["labels"]), props], sort_keys=True, default=str)
    relationships = await db.read(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b"
    )
    schema = await db.read(
        "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, owningConstraint "
        "RETURN name, type, entityType, labelsOrTypes, properties, owningConstraint ORDER BY name"
    )
    return {
        "nodes": sorted(shown.values()),
        "relationships": sorted(
            json.dumps(
                [shown[r["a"]], r["type"], {k: _value(v) for k, v in r["props"].items()}, shown[r["b"]]],
                sort_keys=True,
                default=str,
            )
            for r in relationships
        ),
        "schema": schema,
        "constraints": await db.read(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties ORDER BY name"
        ),
    }


def _differences(got: list[str], expected: list[str]) -> tuple[list[str], list[str]]:
    return sorted(set(got) - set(expected))[:5], sorted(set(expected) - set(got))[:5]


async def answers(db: Database) -> list[Any]:
    """Two subjects' lineage (what it reached, how often, the latest observation of each category: which paths it
    shows of a node's many follows storage order) and the map findings, which read the record tallies."""
    from datamap.services.map_findings import map_findings
    from datamap.services.subjects import lookup

    out: list[Any] = []
    for email in ("person5@example.com", "anna.jansen@example.com"):
        who = lookup([SubjectIdentifier(IdentifierKind.EMAIL, email)], SECRET)
        found = await lineage.lineage_of_subject(db, who, now=NOW)
        assert found is not None
        sections = (found.sources, found.systems, found.purposes, found.recipients, found.transfers)
        out.append(
            [found.subject_id]
            + [
                (r.kind, r.key, r.path_count, r.routine, sorted(r.conditions), sorted(r.latest.items()))
                for section in sections
                for r in section
            ]
        )
    out.append(repr(await map_findings(db, now=NOW)))
    return out


@pytest.mark.neo4j
async def test_the_initial_import_gives_the_graph_the_online_import_gives(
    seeded: Database, server: LocalNeo4j, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines(400)) + "\n\n")
    await import_events(seeded, read_events(path, SECRET), batch_size=BATCH)

    done = datamap_command(
        "import", "--initial", "--batch-size", str(BATCH), "--quiet", str(path), env=env_of(server)
    )
    assert done.returncode == 0, done.stderr
    assert "subjects" in done.stdout

    initial = Database(settings_of(server))
    try:
        await apply_schema(initial)  # what every command does first: changes nothing here
        expected, got = await graph_dump(seeded), await graph_dump(initial)
        for part in ("nodes", "relationships"):
            extra, lacking = _differences(got[part], expected[part])
            assert (extra, lacking) == ([], []), f"{part}: only --initial has {extra}; it lacks {lacking}"
            assert got[part] == expected[part]  # the same counts too
        assert got["schema"] == expected["schema"]
        assert got["constraints"] == expected["constraints"]
        assert await answers(initial) == await answers(seeded)

        # a second initial import is refused (the database holds the first), and changes nothing
        again = datamap_command("import", "--initial", "--quiet", str(path), env=env_of(server))
        assert_clear_error(again, "is not empty", "datamap import FILE")
        assert await graph_dump(initial) == got
    finally:
        await initial.close()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"type": "collection", "subject": {"email": "a@example.com"}', "not valid JSON"),
        (
            '{"type": "collection", "subject": {"email": "a@example.com"}, "categories": ["user.name"], '
            '"system": "no_such_system", "source": "app", "at": "2024-01-01T00:00:00Z"}',
            "unknown keys in the map: systems: 'no_such_system'",
        ),
    ],
)
def test_a_bad_line_is_named_and_no_database_is_created(tmp_path: Path, line: str, reason: str) -> None:
    server = server_in(tmp_path / "state" / "neo4j")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*lines(5), line, *lines(3, seed=4)]) + "\n")

    done = datamap_command("import", "--initial", "--quiet", str(path), env=env_of(server))

    assert_clear_error(done, f"{path}:7: {reason}")
    assert not (server.home / "data").exists()
    assert not server.status().running

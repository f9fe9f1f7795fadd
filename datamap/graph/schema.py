"""Apply `schema/constraints.cypher` idempotently and record the schema version in the graph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import LiteralString

from datamap import resources
from datamap.errors import ConfigError
from datamap.graph.database import Database, unbounded
from datamap.graph.record_tallies import DELETE_TALLIES, UPGRADE_TALLIES

SCHEMA_FILE = resources.constraints_file()  # the checkout's schema/constraints.cypher, or a wheel's copy

# Data steps that bring a graph written by an older version up to the version given, run once (when the graph's
# recorded version is lower). Each may touch every subject's records, so it pages through the subjects in id
# order, `UPGRADE_PAGE` at a time, each page its own transaction (a server's transaction timeout bounds one
# page, not the step): it takes `$after` and `$page`, and returns the last subject id it did (null when done).
UPGRADE_PAGE = 20000
UPGRADES: tuple[tuple[int, LiteralString], ...] = (
    # 9: a disclosure names its recipient's key (the disclosed_to_recipient_at index; impact_queries.py)
    (
        9,
        "MATCH (s:Subject) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page "
        "CALL (s) { MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.recipient IS NULL "
        "SET d.recipient = r.key } "
        "RETURN max(s.id) AS last",
    ),
    # 10: the record tallies the map findings read (graph/record_tallies.py): any left by an interrupted upgrade
    # deleted, then counted from the records
    (10, DELETE_TALLIES),
    (10, UPGRADE_TALLIES),
)


def read_statements(path: Path = SCHEMA_FILE) -> tuple[int, list[str]]:
    """The schema version and the DDL statements of the constraint file."""
    if not path.exists():
        raise ConfigError(
            f"schema file {path} is missing (a wheel ships it as datamap/resources/schema/; see setup.py)"
        )
    text = path.read_text()
    found = re.search(r"SCHEMA_VERSION\s+(\d+)", text)
    if found is None:
        raise ConfigError(f"{path}: no '// SCHEMA_VERSION n' line")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return int(found.group(1)), [s.strip() for s in body.split(";") if s.strip()]


async def apply_schema(db: Database) -> int:
    """Create every constraint and index that is missing, drop those the file retires; return the schema version
    now recorded."""
    version, statements = read_statements()
    with unbounded():  # creating an index on a large graph, and waiting for it, may outlast the query timeout
        rows = await db.read("MATCH (v:SchemaVersion {key: 'datamap'}) RETURN v.version AS version")
        recorded = int(rows[0]["version"]) if rows else 0
        for statement in statements:
            # DDL from our own file, not user input: Neo4j cannot parameterise schema commands.
            await db.write(statement)  # our own DDL file; schema commands take no parameters
        for step_version, step in UPGRADES:
            if recorded < step_version <= version:
                await _upgrade(db, step)
        await db.write(
            "MERGE (v:SchemaVersion {key: 'datamap'}) "
            "ON CREATE SET v.version = $version, v.appliedAt = datetime() "
            "WITH v WHERE v.version < $version "
            "SET v.version = $version, v.appliedAt = datetime()",
            version=version,
        )
        await db.write("CALL db.awaitIndexes(300)")
    return version


async def _upgrade(db: Database, step: LiteralString) -> None:
    """Run one data step (see UPGRADES) page by page until it has done every subject."""
    after: str | None = ""
    while after is not None:
        (row,) = await db.write(step, after=after, page=UPGRADE_PAGE)
        after = row["last"]

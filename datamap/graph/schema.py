"""Apply `schema/constraints.cypher` idempotently and record the schema version in the graph."""

from __future__ import annotations

import re
from pathlib import Path

from datamap import resources
from datamap.errors import ConfigError
from datamap.graph.database import Database, unbounded

SCHEMA_FILE = resources.constraints_file()  # the checkout's schema/constraints.cypher, or a wheel's copy


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
        for statement in statements:
            # DDL from our own file, not user input: Neo4j cannot parameterise schema commands.
            await db.write(statement)  # our own DDL file; schema commands take no parameters
        await db.write(
            "MERGE (v:SchemaVersion {key: 'datamap'}) "
            "ON CREATE SET v.version = $version, v.appliedAt = datetime() "
            "WITH v WHERE v.version < $version "
            "SET v.version = $version, v.appliedAt = datetime()",
            version=version,
        )
        await db.write("CALL db.awaitIndexes(300)")
    return version

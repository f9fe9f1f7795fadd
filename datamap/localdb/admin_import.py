"""Neo4j's offline importer (`neo4j-admin database import full`) run from the jars against a local server's home.

The importer creates a whole database from CSV files, far faster than transactions; it needs the server stopped
and the database absent or empty. `require_empty` checks that, `import_full` runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import neo4j

from datamap.errors import DatabaseUnavailable, ValidationError
from datamap.localdb.jars import ensure_jars, require_program
from datamap.localdb.server import PRIVATE_UMASK, LocalNeo4j, make_private

DATABASE = "neo4j"  # the local server's default database, the one the importer fills


@dataclass(frozen=True)
class CsvInput:
    """One CSV file (header on its first line) of nodes with `label` or relationships of type `label`."""

    label: str
    path: Path


def database_folder(server: LocalNeo4j) -> Path:
    return server.home / "data" / "databases" / DATABASE


def transactions_folder(server: LocalNeo4j) -> Path:
    return server.home / "data" / "transactions" / DATABASE


def node_count(server: LocalNeo4j) -> int:
    """How many nodes the running server's default database holds."""
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", server.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=DATABASE)
        return int(records[0]["n"])


def require_empty(server: LocalNeo4j) -> bool:
    """Refuse (`ValidationError`, nothing changed) a database that holds any node; return whether it exists.

    A database folder without a running server is opened (the server started, then stopped again) to count."""
    running = server.status().running
    if not running and not database_folder(server).exists():
        return False
    if not running:
        server.start()
    try:
        nodes = node_count(server)
    finally:
        if not running:
            server.stop()
    if nodes:
        raise ValidationError(
            f"the database in {server.home} is not empty ({nodes} nodes); an initial import creates the whole "
            "database and is only for an empty one. Use `datamap import FILE` to add to it, or give another home"
        )
    return True


def import_full(
    server: LocalNeo4j,
    nodes: Sequence[CsvInput],
    relationships: Sequence[CsvInput],
    *,
    overwrite: bool,
    memory: str = "1g",
) -> float:
    """Run the importer (the server must be stopped) over the CSV files; return its seconds.

    `overwrite`: the database exists (and was found empty): its files are replaced. A failed run leaves no
    partial database: its folders are removed (it was empty; the server creates it empty again on start)."""
    if server.status().running:
        raise DatabaseUnavailable(f"the local Neo4j in {server.home} runs; stop it before an offline import")
    java = require_program("java", "run Neo4j's importer (JDK 17)")
    lib = ensure_jars(server.cache, server.version)
    server.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    server._write_config()  # the importer reads the server's configuration (its folders) as the server does
    report = server.home / "logs" / "import.report"
    report.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    command = [
        java,
        "-Xmx512m",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        DATABASE,
        "--id-type=string",
        "--array-delimiter=;",
        "--bad-tolerance=0",
        "--strict=true",
        f"--max-off-heap-memory={memory}",
        f"--overwrite-destination={'true' if overwrite else 'false'}",
        f"--report-file={report}",
        *(f"--nodes={n.label}={n.path}" for n in nodes),
        *(f"--relationships={r.label}={r.path}" for r in relationships),
    ]
    env = {**os.environ, "NEO4J_HOME": str(server.home), "NEO4J_CONF": str(server.home / "conf")}
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, umask=PRIVATE_UMASK)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        for folder in (database_folder(server), transactions_folder(server)):
            shutil.rmtree(folder, ignore_errors=True)
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise DatabaseUnavailable(f"Neo4j's importer failed (see {report}):\n{tail}")
    make_private(server.home)
    return seconds

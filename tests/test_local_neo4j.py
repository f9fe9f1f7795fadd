"""The local Neo4j a developer or the benchmark runs: its own home, stopped cleanly, wiped without Cypher."""

from __future__ import annotations

import shutil
from pathlib import Path

import neo4j
import pytest

from datamap.config import state_dir
from datamap.errors import DatabaseUnavailable
from datamap.localdb import LocalNeo4j
from datamap.localdb.server import require_free_disk
from tests.conftest import free_port


def _count(server: LocalNeo4j) -> int:
    with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", server.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (n:Kept) RETURN count(n) AS n")
        return int(records[0]["n"])


@pytest.mark.neo4j
def test_a_server_keeps_its_data_across_restarts_and_wipe_empties_it(tmp_path: Path) -> None:
    server = LocalNeo4j(
        tmp_path / "neo4j",
        cache=state_dir() / "jars",
        port=free_port(),
        password="wipe-test",
        heap="512m",
        pagecache="128m",
    )
    try:
        server.start()
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", server.password)) as driver:
            driver.execute_query("UNWIND range(1, 50) AS i CREATE (:Kept {i: i})")
        assert server.stop() is True
        assert not server.status().running

        server.start()
        assert _count(server) == 50

        status = server.wipe()
        assert status.running
        assert _count(server) == 0  # empty, and the same password still opens it
    finally:
        server.stop()
    assert server.stop() is False  # already stopped: nothing to do


def test_a_nearly_full_disk_is_refused_before_neo4j_starts(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(DatabaseUnavailable, match=r"MiB free on the disk holding .*needs at least"):
        require_free_disk(tmp_path, needed=free + 2**30)
    require_free_disk(tmp_path, needed=1)  # room enough: no error

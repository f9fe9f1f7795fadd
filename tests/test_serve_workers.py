"""`datamap serve --workers 2`: two processes answer on one port, and their audit events make one whole chain."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from datamap.config import Neo4jSettings
from datamap.graph.database import Database
from datamap.services import audit
from tests.conftest import datamap_command
from tests.test_erasure_crash import Service

pytestmark = pytest.mark.neo4j

LOOKUP = '{ subject(subject: {email: "anna.jansen@example.com"}) { id } }'


async def test_two_workers_answer_and_their_lookups_are_audited_in_one_chain(
    seeded: Database, neo4j_settings: Neo4jSettings
) -> None:
    service = Service(neo4j_settings, workers=2)
    service.start()
    try:
        async with httpx.AsyncClient(base_url=service.url, headers=service.headers(), timeout=30) as client:
            answers = await asyncio.gather(
                *(client.post("/graphql", json={"query": LOOKUP}) for _ in range(40))
            )
            metrics = (await client.get("/metrics")).text
        log = service.log.read_text()
    finally:
        service.stop()
    assert all(a.status_code == 200 and a.json()["data"]["subject"]["id"] for a in answers)
    assert log.count("Started server process") == 2, log
    # /metrics, answered by either worker, counts the lookups both answered
    lookups = {
        sample.labels.get("outcome"): sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "datamap_requests_total" and sample.labels.get("operation") == "subject"
    }
    assert sum(lookups.values()) == 40, lookups
    check = await audit.check_chain(seeded)
    assert check.whole and check.events == 40, (
        check.problems
    )  # one event per lookup, whichever worker answered


def test_a_worker_count_out_of_range_is_refused() -> None:
    refused = datamap_command("serve", "--workers", "0")
    assert refused.returncode == 2 and "--workers 0: give 1 to 64" in refused.stderr

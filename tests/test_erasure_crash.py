"""Kill the service while outcomes stream in, restart it, and show none was lost or applied twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from datamap.clock import CLOCK_VARIABLE
from datamap.config import Neo4jSettings
from datamap.graph.database import Database
from tests.conftest import SECRET
from tests.helpers import RECORD, request_input

pytestmark = pytest.mark.neo4j

REQUEST = """mutation($input: ErasureRequestInput!) { requestErasure(input: $input) {
  id tasks { id key action stage status } } }"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """`datamap serve` as its own process, on the test Neo4j."""

    def __init__(
        self, settings: Neo4jSettings, extra_env: dict[str, str] | None = None, *, workers: int = 1
    ) -> None:
        self.home = tempfile.mkdtemp(prefix="datamap-serve-")
        self.workers = workers
        self.log = Path(self.home) / "serve.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATAMAP_NEO4J_URI": settings.uri,
            "DATAMAP_NEO4J_USER": settings.user,
            "DATAMAP_NEO4J_PASSWORD": settings.password,
            "DATAMAP_HASH_SECRET": SECRET.decode(),
            "DATAMAP_HOME": self.home,  # where serve keeps its local admin token (it listens on loopback)
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "datamap",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the service did not become ready")

    def headers(self) -> dict[str, str]:
        """The local admin token `datamap serve` made on loopback, as a developer's GraphiQL would send it."""
        token = (Path(self.home) / "local-admin-token").read_text().strip()
        return {"authorization": f"Bearer {token}"}

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture
def service(seeded: Database, neo4j_settings: Neo4jSettings) -> Iterator[Service]:
    svc = Service(neo4j_settings)
    svc.start()
    yield svc
    svc.stop()


def _received_just_now(email: str) -> dict[str, Any]:
    """`datamap serve` runs on the machine's clock: a request received a minute ago by that clock."""
    received = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    return request_input(email, receivedAt=received.isoformat())


async def _send(client: httpx.AsyncClient, task: dict[str, Any]) -> bool:
    outcome = "HELD" if task["action"] == "RESTRICT" else "DONE"
    response = await client.post(
        "/graphql",
        json={
            "query": RECORD,
            "variables": {
                "task": task["id"],
                "outcome": outcome,
                "evidence": f"deleted in {task['key']}",
                "key": f"once-{task['key']}",
            },
        },
    )
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return True


async def test_killing_the_service_mid_stream_loses_nothing_and_applies_nothing_twice(
    service: Service, seeded: Database
) -> None:
    async with httpx.AsyncClient(base_url=service.url, headers=service.headers(), timeout=10) as client:
        created = (
            await client.post(
                "/graphql",
                json={
                    "query": REQUEST,
                    "variables": {"input": _received_just_now("jordan.reyes@example.com")},
                },
            )
        ).json()
    request = created["data"]["requestErasure"]
    tasks = sorted(
        (t for t in request["tasks"] if t["status"] == "PENDING"), key=lambda t: (t["stage"], t["key"])
    )
    assert len(tasks) >= 20
    acknowledged: list[str] = []

    async def stream() -> None:
        async with httpx.AsyncClient(base_url=service.url, headers=service.headers(), timeout=10) as client:
            for task in tasks:
                try:
                    await _send(client, task)
                except httpx.TransportError:
                    return  # the service died under us: this one is unacknowledged
                acknowledged.append(task["key"])

    sender = asyncio.create_task(stream())
    while len(acknowledged) < len(tasks) // 3:
        await asyncio.sleep(0.005)
    service.kill()  # SIGKILL: no shutdown hook runs, requests in flight are cut
    await sender
    assert 0 < len(acknowledged) < len(tasks), "the kill did not land mid-stream"

    service.start()
    async with httpx.AsyncClient(base_url=service.url, headers=service.headers(), timeout=10) as client:
        for task in tasks:  # a client retries everything it is unsure of; here: everything
            await _send(client, task)

    rows = await seeded.read(
        "MATCH (t:ErasureTask)-[:PART_OF]->(:ErasureRequest {id: $id}) "
        "RETURN t.key AS key, t.status AS status, COUNT { (e:ErasureEvent)-[:OF]->(t) } AS events",
        id=request["id"],
    )
    by_key = {r["key"]: r for r in rows}
    for task in tasks:
        row = by_key[task["key"]]
        assert row["events"] == 1, f"{task['key']} has {row['events']} outcome events"
        assert row["status"] in ("done", "held"), f"{task['key']} lost its outcome: {row['status']}"


async def test_datamap_serve_runs_on_the_machines_clock(
    seeded: Database, neo4j_settings: Neo4jSettings
) -> None:
    """The suite pins its own clock (and one-off commands honour DATAMAP_CLOCK); a running service never does."""
    svc = Service(neo4j_settings, {CLOCK_VARIABLE: "2001-01-01T00:00:00Z"})
    svc.start()
    try:
        async with httpx.AsyncClient(base_url=svc.url, headers=svc.headers(), timeout=10) as client:
            body = (
                await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($input: ErasureRequestInput!) { requestErasure(input: $input) { id } }",
                        "variables": {"input": _received_just_now("anna.jansen@example.com")},
                    },
                )
            ).json()
    finally:
        svc.stop()
    assert not body.get("errors"), body  # on 2001-01-01 this request would be "in the future"
    (row,) = await seeded.read(
        "MATCH (r:ErasureRequest {id: $id}) RETURN r.createdAt AS at", id=body["data"]["requestErasure"]["id"]
    )
    assert abs(row["at"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)

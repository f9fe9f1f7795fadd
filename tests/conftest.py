"""Test fixtures: a real Neo4j 5.26 started for the session (its own home and port), wiped per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from datamap.api.app import create_app
from datamap.clock import CLOCK_VARIABLE, FixedClock
from datamap.config import Neo4jSettings, state_dir
from datamap.domain.access import Role
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.localdb import LocalNeo4j
from datamap.services import tokens
from datamap.services.authentication import Authenticator
from datamap.services.context import AppState
from datamap.services.seed import load_seed

SECRET = b"test-secret-0123456789abcdef"
PASSWORD = "datamap-test"

# The suite's one clock: the day it runs "on". DATAMAP_TEST_TODAY=YYYY-MM-DD runs it as if on that day (any day
# from FIXED_DAY on); without it, always FIXED_DAY, so the suite passes on any real calendar day.
FIXED_DAY = dt.date(2026, 11, 28)


def _test_today() -> dt.date:
    raw = os.environ.get("DATAMAP_TEST_TODAY")
    if not raw:
        return FIXED_DAY
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"DATAMAP_TEST_TODAY={raw!r}: give a date, YYYY-MM-DD") from None
    if day < FIXED_DAY:
        raise pytest.UsageError(f"DATAMAP_TEST_TODAY={raw}: give a day from {FIXED_DAY} on")
    return day


TODAY = _test_today()
NOW = dt.datetime.combine(
    TODAY, dt.time(12), dt.UTC
)  # noon UTC: the same calendar day in Europe and California


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    """DATAMAP_TEST_NEO4J_URI points the suite at a running Neo4j; otherwise one is started for it."""
    uri = os.environ.get("DATAMAP_TEST_NEO4J_URI")
    if uri:
        yield Neo4jSettings(
            uri=uri,
            user=os.environ.get("DATAMAP_TEST_NEO4J_USER", "neo4j"),
            password=os.environ.get("DATAMAP_TEST_NEO4J_PASSWORD", PASSWORD),
            database="neo4j",
            managed=False,
        )
        return
    home = Path(tempfile.mkdtemp(prefix="datamap-test-neo4j-"))
    server = LocalNeo4j(
        home, cache=state_dir() / "jars", port=free_port(), password=PASSWORD, heap="1g", pagecache="512m"
    )
    server.start()
    try:
        yield Neo4jSettings(uri=server.uri, user="neo4j", password=PASSWORD, database="neo4j", managed=False)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
async def db(neo4j_settings: Neo4jSettings) -> AsyncIterator[Database]:
    """An empty graph with the schema applied."""
    database = Database(neo4j_settings)
    await database.write("MATCH (n) DETACH DELETE n")
    await apply_schema(database)
    yield database
    await database.close()


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The graph with the repository's seed loaded."""
    await load_seed(db, SECRET)
    return db


class GraphQLClient:
    """Posts GraphQL to the real ASGI app; `query` fails the test on errors, `errors` expects them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def query(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.raw(query, **variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def errors(self, query: str, **variables: Any) -> list[str]:
        body = await self.raw(query, **variables)
        assert body.get("errors"), f"expected an error, got {body}"
        return [e["message"] for e in body["errors"]]


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock in this test: NOW, until the test moves it."""
    return FixedClock(NOW)


def app_of(db: Database, clock: FixedClock) -> Starlette:
    """The service as `datamap serve` builds it, on the test clock, with API tokens as the way in."""
    state = AppState(db=db, secret=SECRET, clock=clock)
    return create_app(state, authenticator=Authenticator(db, clock.now), close_db_on_shutdown=False)


async def token_for(db: Database, role: Role, name: str | None = None, recipient: str | None = None) -> str:
    """An API token of `role`, issued as `datamap token create` would."""
    token, _ = await tokens.create(
        db, name=name or f"test-{role.value}", role=role, now=NOW, recipient=recipient
    )
    return token


@asynccontextmanager
async def client_as(app: Starlette, token: str | None) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client of `app` sending `token` (none: no Authorization header)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://datamap.test", headers=headers
    ) as client:
        yield GraphQLClient(client)


@pytest.fixture
async def api(seeded: Database, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    """A client with an admin API token: what a test of the service's behaviour (not its access rules) uses."""
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.ADMIN)) as client:
        yield client


def datamap_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `datamap` command as a user would, on the suite's clock."""
    environment = {**(os.environ if env is None else env), CLOCK_VARIABLE: NOW.isoformat()}
    return subprocess.run(
        [sys.executable, "-m", "datamap", *args], capture_output=True, text=True, env=environment
    )


def assert_clear_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    """Exit code 2 and one message naming the problem: no traceback."""
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


# --- The `neo4j` marker cannot rot ----------------------------------------------------------------------------------
# `pytest -m "not neo4j"` is the fast lane: it must start no Neo4j. A test that uses a fixture needing one (directly or
# through another fixture) but lacks the marker would start it there, so collection fails, naming the test.

NEO4J_FIXTURES = frozenset({"neo4j_settings", "db", "seeded", "api"})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything: every collected test is checked
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        used = NEO4J_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if used and item.get_closest_marker("neo4j") is None:
            unmarked.append(f"{item.nodeid} (uses {', '.join(sorted(used))})")
    if unmarked:
        raise pytest.UsageError(
            "these tests talk to Neo4j but lack the `neo4j` marker; add `pytestmark = pytest.mark.neo4j` to the "
            "module or `@pytest.mark.neo4j` to the test:\n  " + "\n  ".join(unmarked)
        )

"""The service around the schema: GraphiQL offline, health, readiness, the SDL file, the command line."""

from __future__ import annotations

import re

import httpx
import pytest

from datamap.api.app import create_app
from datamap.api.sdl import SDL_FILE, current_sdl
from datamap.clock import SystemClock
from datamap.config import Neo4jSettings
from datamap.errors import DatabaseUnavailable
from datamap.graph.database import Database
from datamap.services.authentication import Authenticator
from datamap.services.context import AppState
from tests.conftest import SECRET, GraphQLClient, assert_clear_error, datamap_command


@pytest.mark.neo4j
async def test_graphiql_renders_from_the_service_with_no_outside_host(api: GraphQLClient) -> None:
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "GraphiQL" in page.text and "subjectLineage" in page.text
    assert not re.search(r"(src|href)=\"https?://", page.text), "the page loads something from outside"
    for asset in re.findall(r"(?:src|href)=\"(/graphiql-static/[^\"]+)\"", page.text):
        response = await api.client.get(asset)
        assert response.status_code == 200 and len(response.content) > 1000, asset


@pytest.mark.neo4j
async def test_healthz_and_readyz(api: GraphQLClient) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    assert (await api.client.get("/readyz")).json() == {"status": "ready"}


async def test_not_ready_while_neo4j_is_unreachable() -> None:
    dead = Database(
        Neo4jSettings(uri="bolt://127.0.0.1:1", user="neo4j", password="x", database="neo4j", managed=False)
    )
    app = create_app(AppState(db=dead, secret=SECRET), authenticator=Authenticator(dead, SystemClock().now))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert "not reachable" in response.json()["reason"]
        assert (await client.get("/healthz")).status_code == 200
    await dead.close()


@pytest.mark.neo4j
async def test_wrong_credentials_are_named(neo4j_settings: Neo4jSettings) -> None:
    wrong = Database(
        Neo4jSettings(
            uri=neo4j_settings.uri, user="neo4j", password="not-the-password", database="neo4j", managed=False
        )
    )
    with pytest.raises(DatabaseUnavailable, match="wrong credentials"):
        await wrong.verify()
    await wrong.close()


def test_the_exported_sdl_is_current() -> None:
    assert SDL_FILE.read_text() == current_sdl(), (
        "schema/schema.graphql is stale: run `datamap schema export`"
    )


@pytest.mark.parametrize("command", [[], ["neo4j"], ["serve"], ["seed"], ["schema"], ["import"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = datamap_command(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: datamap" in result.stdout


def test_a_bad_neo4j_uri_is_a_clear_error_not_a_traceback() -> None:
    result = datamap_command(
        "schema",
        "apply",
        env={"PATH": "/usr/bin:/bin", "DATAMAP_NEO4J_URI": "http://localhost:7474", "HOME": "/tmp"},
    )
    assert_clear_error(result, "not a Neo4j scheme")


def test_missing_java_is_a_clear_error(tmp_path: object) -> None:
    result = datamap_command(
        "neo4j",
        "start",
        env={"PATH": "/nonexistent", "DATAMAP_HOME": str(tmp_path), "DATAMAP_NEO4J_PORT": "7999"},
    )
    assert_clear_error(result, "java is not installed")


@pytest.mark.neo4j
def test_a_taken_port_is_a_clear_error(tmp_path: object, neo4j_settings: Neo4jSettings) -> None:
    port = neo4j_settings.uri.rsplit(":", 1)[1]  # the test server holds it
    result = datamap_command(
        "neo4j",
        "start",
        env={"PATH": "/usr/bin:/bin", "DATAMAP_HOME": str(tmp_path), "DATAMAP_NEO4J_PORT": port},
    )
    assert_clear_error(result, f"port {port}", "taken")

"""Errors that name the problem: no 500 for a plain input mistake, a code on every error, a database that is down
or slow answered fast and plainly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from datamap.api.app import create_app
from datamap.clock import FixedClock
from datamap.config import ApiSettings, Neo4jSettings
from datamap.domain.day_range import in_range, parse_day
from datamap.domain.identifiers import parse_identifiers
from datamap.errors import QueryTimeout, ValidationError
from datamap.graph.database import Database, deadline, run, unbounded
from datamap.services import map_browser
from datamap.services.authentication import Authenticator
from datamap.services.context import AppState
from tests.conftest import SECRET, GraphQLClient, free_port

LOCAL_TOKEN = "local-test-token-0123456789"
SLOW = "UNWIND range(1, 1000000000) AS x RETURN count(x) AS n"  # minutes of work for Neo4j


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def client_of(db: Database, settings: ApiSettings | None = None) -> httpx.AsyncClient:
    """A client of an app on `db`, let in by a local token (so that letting it in needs no database)."""
    state = AppState(db=db, secret=SECRET, clock=FixedClock(dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)))
    app = create_app(
        state,
        authenticator=Authenticator(db, state.clock.now, local_token=LOCAL_TOKEN),
        close_db_on_shutdown=False,
        settings=settings or ApiSettings(),
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://datamap.test",
        headers={"authorization": f"Bearer {LOCAL_TOKEN}"},
    )


@pytest.fixture
async def nowhere() -> AsyncIterator[Database]:
    """A database at a port where nothing listens."""
    db = Database(
        Neo4jSettings(
            uri=f"bolt://127.0.0.1:{free_port()}", user="neo4j", password="x", database="neo4j", managed=False
        )
    )
    yield db
    await db.close()


# --- without Neo4j ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["+1 415 555 0134 ext 5", "+1 415 555 0134abc", "+1 415 555 0134;ext=5", "+1 415 555 0134 #5"]
)
def test_phone_numbers_with_trailing_characters_or_extensions_are_refused(phone: str) -> None:
    with pytest.raises(ValidationError, match="phone: only digits") as raised:
        parse_identifiers(phone=phone)
    assert phone not in str(raised.value)  # the raw identifier stays out of messages


@pytest.mark.parametrize(
    "phone", ["+1 415 555 0134", "+1 (415) 555-0134", "+1.415.555.0134", " +14155550134 "]
)
def test_phone_numbers_as_people_write_them_still_normalise(phone: str) -> None:
    (identifier,) = parse_identifiers(phone=phone)
    assert identifier.value == "+14155550134"


def test_dates_out_of_range_are_refused_with_the_range() -> None:
    assert in_range(dt.date(2019, 6, 1)) and not in_range(dt.date(9999, 12, 31))
    aware = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    assert not in_range(aware)  # no UTC instant Python can hold
    assert parse_day("2019-06-01", "asOf") == dt.date(2019, 6, 1)
    with pytest.raises(
        ValidationError, match=r"asOf: 9999-12-31 is out of range; give a day from 1900-01-01"
    ):
        parse_day("9999-12-31", "asOf")
    with pytest.raises(ValidationError, match=r"asOf: 'June' is not a date"):
        parse_day("June", "asOf")


async def test_past_the_deadline_no_statement_starts(nowhere: Database) -> None:
    assert nowhere.time_limit() == nowhere.settings.query_timeout
    with deadline(3.0):
        assert 2.0 < nowhere.time_limit() <= 3.0
    with unbounded():  # schema changes: no query timeout, but a deadline still counts
        assert nowhere.time_limit() is None
        with deadline(3.0):
            assert nowhere.time_limit() is not None
    with deadline(0.0), pytest.raises(QueryTimeout, match="ran past its time limit"):
        await nowhere.read("RETURN 1")


async def test_an_unreachable_database_answers_503_with_retry_after_fast(nowhere: Database) -> None:
    async with await client_of(nowhere) as client:
        started = time.monotonic()
        response = await client.post("/graphql", json={"query": "{ systems { key } }"})
        elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed  # an upper bound on a failure path (measured: well under 2 s)
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert "bolt://" not in error["message"] and "127.0.0.1" not in error["message"]  # for the operator's log


async def test_readyz_answers_fast_with_a_generic_reason(nowhere: Database) -> None:
    async with await client_of(nowhere) as client:
        started = time.monotonic()
        response = await client.get("/readyz")
        elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "the database is not reachable"}


async def test_a_database_error_outside_graphql_is_answered_in_the_graphql_shape(nowhere: Database) -> None:
    async with await client_of(nowhere) as client:
        response = await client.get("/reports/ropa.json")
    assert response.status_code == 503 and "retry-after" in response.headers
    assert codes(response.json()) == ["DATABASE_UNAVAILABLE"]


# --- with Neo4j -------------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_slow_statement_stops_at_its_time_limit(neo4j_settings: Neo4jSettings) -> None:
    db = Database(dataclasses.replace(neo4j_settings, query_timeout=1.0))
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="longer than its time limit of 1 s"):
            await db.read(SLOW)
        with pytest.raises(QueryTimeout):

            async def work(tx: Any) -> Any:
                return await run(tx, SLOW)

            await db.transaction(work)
        assert time.monotonic() - started < 10  # two statements stopped after about a second each
        assert await db.read("RETURN 1 AS one") == [{"one": 1}]  # the driver is fine afterwards
    finally:
        await db.close()


@pytest.mark.neo4j
async def test_a_request_past_its_deadline_answers_timeout(seeded: Database) -> None:
    async with await client_of(seeded, ApiSettings(request_timeout=0.000001)) as client:
        response = await client.post("/graphql", json={"query": "{ systems { key } }"})
    assert response.status_code == 200
    assert codes(response.json()) == ["TIMEOUT"]
    assert "time limit" in response.json()["errors"][0]["message"]


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "body",
    [b'"a string"', b"null", b"42", b"\xff\xfe{\x00", b"[]"],
    ids=["string", "null", "number", "invalid-utf8", "list"],
)
async def test_a_body_that_is_not_a_json_object_is_a_400_that_says_so(
    api: GraphQLClient, body: bytes
) -> None:
    response = await api.client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "JSON" in error["message"] or "list of operations" in error["message"]


@pytest.mark.neo4j
async def test_the_ropa_download_refuses_a_date_out_of_range(api: GraphQLClient) -> None:
    response = await api.client.get("/reports/ropa.json?asOf=9999-12-31")
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_USER_INPUT"]
    assert "asOf: 9999-12-31 is out of range" in response.json()["errors"][0]["message"]
    assert (await api.client.get("/reports/ropa.pdf")).json()["errors"][0]["extensions"][
        "code"
    ] == "NOT_FOUND"
    assert (await api.client.get("/reports/ropa.json?asOf=2019-06-01")).status_code == 200


# (a mistake in a variable, the same mistake inline): the variable's error names it and reads like the inline one
MISTAKES = [
    ("query($v: Date) { transfers(asOf: $v) { key } }", "nope", '{ transfers(asOf: "nope") { key } }'),
    (
        "query($v: Date) { transfers(asOf: $v) { key } }",
        "9999-12-31",
        '{ transfers(asOf: "9999-12-31") { key } }',
    ),
    (
        "query($v: RecipientRole) { recipients(role: $v) { key } }",
        "NOPE",
        "{ recipients(role: NOPE) { key } }",
    ),
    (
        'query($v: Int) { subjectLineage(subject: {email: "a@example.com"}, maxHops: $v) { truncated } }',
        "x",
        '{ subjectLineage(subject: {email: "a@example.com"}, maxHops: "x") { truncated } }',
    ),
    (
        'mutation($v: DateTime!) { recordCollection(input: {subject: {email: "mia@example.net"}, '
        'categories: ["user.contact.email"], source: "forms_questionnaires_surveys", '
        'system: "sharpspring_platform", at: $v}) { id } }',
        "0001-01-01T00:00:00+14:00",
        '{ transfers(asOf: "0001-01-01") { key } }',
    ),
]


@pytest.mark.neo4j
@pytest.mark.parametrize(
    ("document", "value", "inline"), MISTAKES, ids=["date", "far-date", "enum", "int", "instant"]
)
async def test_a_mistake_in_a_variable_names_the_variable_and_reads_like_it_inline(
    api: GraphQLClient, document: str, value: str, inline: str
) -> None:
    body = await api.raw(document, v=value)
    assert body["data"] is None and codes(body) == ["BAD_USER_INPUT"]
    (message,) = [e["message"] for e in body["errors"]]
    assert message.startswith("Variable '$v' has invalid value: "), message
    inline_body = await api.raw(inline)
    (inline_message,) = [e["message"] for e in inline_body["errors"]]
    assert codes(inline_body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "locations" in inline_body["errors"][0]
    said = message.removeprefix("Variable '$v' has invalid value: ").replace('"', "'")
    if "0001-01-01" not in value:  # the instant's inline twin is a day: same range, other scalar
        assert said == inline_message.replace('"', "'")
    assert "Unexpected error" not in message + inline_message


@pytest.mark.neo4j
async def test_no_plain_input_mistake_is_an_unexpected_error(api: GraphQLClient) -> None:
    for field in ["transfers", "systems", "ropa", "transferRegister", "purposes"]:
        for day in ["9999-12-31", "0001-01-01"]:
            body = await api.raw(f"query($d: Date) {{ {field}(asOf: $d) {{ __typename }} }}", d=day)
            assert codes(body) == ["BAD_USER_INPUT"], body
    collect = (
        'mutation { recordCollection(input: {subject: {email: "mia@example.net"}, categories: ["user.contact.email"],'
        ' source: "forms_questionnaires_surveys", system: "sharpspring_platform", '
        'at: "9999-12-31T23:59:59-14:00"}) { id } }'
    )
    assert codes(await api.raw(collect)) == ["GRAPHQL_VALIDATION_FAILED"]
    unused = await api.raw("query($x: String) { systems { key } }")
    assert codes(unused) == ["GRAPHQL_VALIDATION_FAILED"]  # a document mistake, though it starts "Variable"


@pytest.mark.neo4j
async def test_an_unexpected_error_is_masked_and_logged_without_the_query(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in the service")

    monkeypatch.setattr(map_browser, "systems", broken)
    caplog.set_level(logging.INFO)
    marker = "query_text_marker"
    body = await api.raw(f"query Broken {{ {marker}: systems {{ key }} }}")
    assert body["errors"][0]["message"] == "Unexpected error."
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    (logged,) = [r for r in caplog.records if r.name == "datamap.errors"]
    assert "boom in the service" in caplog.text  # the traceback is the operator's
    assert f"at {marker}:" in logged.getMessage()  # where, by its path
    assert "systems { key }" not in caplog.text and "query Broken" not in caplog.text  # never the document
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "datamap.access"]
    assert line["errors"] == ["INTERNAL_SERVER_ERROR"] and line["operation"] == "Broken"

"""The limits of a request, each refused with an error that names it; the request log; the security headers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, get_introspection_query, parse

from datamap.api.auth import SCOPE_KEY
from datamap.api.body_limit import MAX_BODY, BodyLimit
from datamap.api.brake import AbuseBrake
from datamap.api.limits import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_NESTING,
    MAX_TOKENS,
    over_token_limit,
    shape_errors,
    token_count,
)
from datamap.api.request_log import record_of
from datamap.clock import FixedClock
from datamap.domain.access import Principal, Role
from datamap.graph.database import Database
from tests.conftest import GraphQLClient, app_of, client_as, token_for

SYSTEMS = "systems { key }"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: {SYSTEMS}" for i in range(count)) + " }"


def nested(depth: int) -> str:
    """A document `depth` fields deep (the fields need not exist: the limit comes before validation)."""
    return "{ " + "f { " * (depth - 1) + "g" + " }" * depth


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


# --- the shape of a document, without Neo4j ---------------------------------------------------------------------


def test_shape_limits_count_aliases_fields_and_depth() -> None:
    assert shape_errors(parse(aliased(MAX_ALIASES))) == []
    (too_many,) = shape_errors(parse(aliased(MAX_ALIASES + 1)))
    assert f"uses {MAX_ALIASES + 1} aliases; at most {MAX_ALIASES}" in too_many.message
    assert shape_errors(parse(nested(MAX_DEPTH))) == []
    (too_deep,) = shape_errors(parse(nested(MAX_DEPTH + 1)))
    assert f"{MAX_DEPTH + 1} levels deep; at most {MAX_DEPTH}" in too_deep.message
    (too_wide,) = shape_errors(parse("{ " + "__typename " * (MAX_FIELDS + 1) + "}"))
    assert f"selects {MAX_FIELDS + 1} fields; at most {MAX_FIELDS}" in too_wide.message
    assert all(e.extensions == {"code": "LIMIT_EXCEEDED"} for e in (too_many, too_deep, too_wide))


def test_a_fragment_counts_its_aliases_wherever_it_is_spread() -> None:
    fragment = "fragment F on System { a: key b: key }"
    spreads = " ".join(["...F"] * 16)  # 16 spreads of 2 aliases: 32
    (error,) = shape_errors(parse(f"{{ systems {{ {spreads} }} }} {fragment}"))
    assert "uses 32 aliases" in error.message


def test_a_fragment_bomb_is_counted_without_expanding_it() -> None:
    def chain(length: int) -> str:  # each fragment spreads the next twice: 2^length aliases once expanded
        fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(length))
        return f"{{ ...F0 }} {fragments} fragment F{length} on Query {{ x: __typename }}"

    started = time.monotonic()
    (error,) = shape_errors(parse(chain(30)))
    assert time.monotonic() - started < 1
    assert f"uses {2**30} aliases" in error.message
    (error,) = shape_errors(parse(chain(MAX_NESTING + 1)))
    assert f"more than {MAX_NESTING} levels deep" in error.message


def test_graphiqls_introspection_query_is_within_the_limits() -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    assert shape_errors(parse(query, max_tokens=MAX_TOKENS)) == []


# --- the body, without Neo4j ------------------------------------------------------------------------------------


async def test_a_streamed_body_over_the_limit_is_refused_before_it_is_read_whole() -> None:
    reached: list[bytes] = []

    async def endpoint(scope: Any, receive: Any, send: Any) -> None:
        reached.append(b"called")

    consumed = 0

    async def two_mib() -> AsyncIterator[bytes]:
        nonlocal consumed
        for _ in range(32):  # 32 chunks of 64 KiB
            consumed += 1
            yield b"x" * 65536

    transport = httpx.ASGITransport(app=BodyLimit(endpoint))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/graphql", content=two_mib())
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert consumed <= MAX_BODY // 65536 + 1 < 32, consumed  # stopped just past 1 MiB
    assert reached == []


async def test_a_body_trickling_in_is_answered_408_once_its_time_is_up() -> None:
    reached: list[bytes] = []

    async def endpoint(scope: Any, receive: Any, send: Any) -> None:
        reached.append(b"called")

    async def one_byte_a_tenth() -> AsyncIterator[bytes]:
        for _ in range(50):  # 5 s at this pace
            await asyncio.sleep(0.1)
            yield b" "

    transport = httpx.ASGITransport(app=BodyLimit(endpoint, seconds=0.5))
    started = time.monotonic()
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/graphql", content=one_byte_a_tenth())
    assert response.status_code == 408 and time.monotonic() - started < 2
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "took longer than 0.5 s to arrive" in response.json()["errors"][0]["message"]
    assert reached == []


# --- through the service ----------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_aliases_over_the_limit_are_refused_with_a_clear_error(api: GraphQLClient) -> None:
    data = await api.query(aliased(MAX_ALIASES))
    assert len(data) == MAX_ALIASES
    body = await api.raw(aliased(MAX_ALIASES + 1))
    assert body["data"] is None and codes(body) == ["LIMIT_EXCEEDED"]
    assert f"{MAX_ALIASES + 1} aliases; at most {MAX_ALIASES}" in body["errors"][0]["message"]


@pytest.mark.neo4j
async def test_an_alias_bomb_is_refused_at_once_and_runs_nothing(api: GraphQLClient) -> None:
    bomb = "{ " + " ".join(
        f'a{i}: subject(subject: {{email: "x{i}@example.com"}}) {{ id }}' for i in range(300)
    )
    started = time.monotonic()
    body = await api.raw(bomb + " }")
    assert time.monotonic() - started < 2
    assert body["data"] is None and set(codes(body)) == {"LIMIT_EXCEEDED"}
    assert "uses 300 aliases" in body["errors"][0]["message"]


@pytest.mark.neo4j
async def test_tokens_depth_and_fields_over_their_limits(api: GraphQLClient) -> None:
    many_tokens = "{ " + "__typename " * (MAX_TOKENS + 1) + "}"
    body = await api.raw(many_tokens)
    assert (
        codes(body) == ["LIMIT_EXCEEDED"] and f"more than {MAX_TOKENS} tokens" in body["errors"][0]["message"]
    )
    body = await api.raw(nested(MAX_DEPTH + 1))
    assert codes(body) == ["LIMIT_EXCEEDED"] and "levels deep" in body["errors"][0]["message"]
    body = await api.raw("{ " + f"{SYSTEMS} " * (MAX_FIELDS // 2 + 1) + "}")
    assert codes(body) == ["LIMIT_EXCEEDED"] and "fields; at most" in body["errors"][0]["message"]


@pytest.mark.neo4j
async def test_several_operations_need_an_operation_name(api: GraphQLClient) -> None:
    document = "query A { systems { key } } query B { sources { key } }"
    body = await api.raw(document)
    assert body["data"] is None and codes(body) == ["OPERATION_RESOLUTION_FAILURE"]
    assert "2 operations (A, B)" in body["errors"][0]["message"]
    response = await api.client.post("/graphql", json={"query": document, "operationName": "B"})
    assert set(response.json()["data"]) == {"sources"}


@pytest.mark.neo4j
async def test_string_and_list_arguments_are_bounded_before_validation(api: GraphQLClient) -> None:
    long_email = "a" * 250 + "@example.com"  # 262 characters: never reaches the email validator
    inline = await api.raw(f'{{ subject(subject: {{email: "{long_email}"}}) {{ id }} }}')
    assert codes(inline) == ["BAD_USER_INPUT"]
    assert inline["errors"][0]["message"] == (
        "Argument 'subject' of 'subject' has invalid value at .email: 262 characters; at most 254 are accepted."
    )
    variable = await api.raw(
        "query($s: SubjectInput!) { subject(subject: $s) { id } }", s={"email": long_email}
    )
    assert codes(variable) == ["BAD_USER_INPUT"]
    assert variable["errors"][0]["message"] == (
        "Variable '$s' has invalid value at .email: 262 characters; at most 254 are accepted."
    )
    scalar = await api.raw("query($e: String) { subject(subject: {email: $e}) { id } }", e=long_email)
    assert "Variable '$e' has invalid value: 262 characters; at most 254" in scalar["errors"][0]["message"]

    collect = (
        'mutation($c: [String!]!) { recordCollection(input: {subject: {email: "mia@example.net"}, categories: $c, '
        'source: "forms_questionnaires_surveys", system: "sharpspring_platform", at: "2024-05-01T10:00:00Z"}) { id } }'
    )
    body = await api.raw(collect, c=["user.contact.email"] * 101)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "Variable '$c' has invalid value: 101 items; at most 100" in body["errors"][0]["message"]


@pytest.mark.neo4j
async def test_a_body_over_one_mib_is_refused_with_413(api: GraphQLClient) -> None:
    payload = json.dumps({"query": "{ systems { key } }", "variables": {"pad": "x" * (10 * 1024 * 1024)}})
    started = time.monotonic()
    response = await api.client.post(
        "/graphql", content=payload, headers={"content-type": "application/json"}
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "larger than 1 MiB" in response.json()["errors"][0]["message"]

    consumed = 0

    async def two_mib() -> AsyncIterator[bytes]:  # no Content-Length: refused once past the limit
        nonlocal consumed
        for _ in range(32):
            consumed += 1
            yield b" " * 65536

    response = await api.client.post(
        "/graphql", content=two_mib(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert consumed <= MAX_BODY // 65536 + 1, consumed


@pytest.mark.neo4j
async def test_introspection_and_graphiql_can_be_switched_off(
    seeded: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAMAP_INTROSPECTION", "off")
    monkeypatch.setenv("DATAMAP_GRAPHIQL", "off")
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.ADMIN)) as api:
        body = await api.raw("{ __schema { queryType { name } } }")
        assert body["data"] is None and "Introspection is switched off" in body["errors"][0]["message"]
        assert (await api.raw('{ __type(name: "Query") { name } }'))["data"] is None
        assert await api.query("{ __typename systems { key } }")  # __typename is no introspection
        page = await api.client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404 and "GraphiQL is switched off" in page.json()["errors"][0]["message"]
        assert (await api.client.get("/graphiql-static/graphiql.min.js")).status_code == 404
    monkeypatch.delenv("DATAMAP_INTROSPECTION")
    monkeypatch.delenv("DATAMAP_GRAPHIQL")
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.ADMIN, name="on")) as api:
        assert (await api.query("{ __schema { queryType { name } } }"))["__schema"]["queryType"][
            "name"
        ] == "Query"


@pytest.mark.neo4j
async def test_pages_and_answers_carry_security_headers(api: GraphQLClient) -> None:
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    (script,) = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)  # the one inline script, by hash
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert (
        f"'sha256-{digest}'" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    for response in [await api.client.post("/graphql", json={"query": "{ __typename }"}), page]:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    answer = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.neo4j
async def test_one_log_line_per_request_without_query_text_or_personal_data(
    api: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    marker = "findme.secret@example.com"
    failing = "query Lookup($e: String) { " + " ".join(
        f'a{i}: subject(subject: {{email: "{marker}{i}"}}) {{ id }}' for i in range(300)
    )
    await api.raw(failing + " }", e=marker)
    await api.query("query Browse { systems { key } }")
    await api.raw('query Wrong { transfers(asOf: "nope") { key } }')

    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "datamap.access"]
    assert [(line["operation"], line["status"], line["errors"]) for line in lines] == [
        ("Lookup", 200, ["LIMIT_EXCEEDED"]),
        ("Browse", 200, []),
        ("Wrong", 200, ["GRAPHQL_VALIDATION_FAILED"]),
    ]
    assert all(line["path"] == "/graphql" and line["method"] == "POST" and line["ms"] >= 0 for line in lines)
    everything = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert marker not in everything and "subject(subject" not in everything
    assert len(everything) < 20_000  # 300 failing aliases once wrote 4 MB


def test_the_token_count_before_parsing_agrees_with_the_parser_at_the_limit() -> None:
    """A document over the token limit is refused by a count that does not parse it (graphql-core's lexer takes
    tens of milliseconds for 5,000 tokens, on the event loop); the count is the parser's own, comments included."""

    # a comment and `{ f0(s: "...") f1 ...}` of n fields: n + 8 tokens (the argument adds five, the comment one)
    def document(names: int) -> str:
        return (
            "# a comment ( ) {\n{ "
            + " ".join(f'f{i}(s: "a b \\" c")' if i == 0 else f"f{i}" for i in range(names))
            + " }"
        )

    at_limit, over = document(MAX_TOKENS - 8), document(MAX_TOKENS - 7)  # 5,000 and 5,001 tokens
    assert not over_token_limit(at_limit)
    parse(at_limit, max_tokens=MAX_TOKENS)  # the parser agrees: exactly at the limit
    assert over_token_limit(over)
    with pytest.raises(GraphQLError, match="more than 5000 tokens"):
        parse(over, max_tokens=MAX_TOKENS)
    comments = "#c\n" * (MAX_TOKENS + 1) + "{ a }"  # a body of comments counts as the parser counts it
    assert over_token_limit(comments)
    with pytest.raises(GraphQLError, match="more than 5000 tokens"):
        parse(comments, max_tokens=MAX_TOKENS)
    block = (
        '{ f(s: """p\\""" b c """) }'  # in a block string only \""" escapes: 8 tokens, as the parser reads it
    )
    assert token_count(block, 100) == 8


async def test_a_principal_that_keeps_sending_bombs_is_braked_and_others_are_not() -> None:
    """Past 20 refusals for a limit in 10 s a principal gets 429 RATE_LIMITED at once, its body unread; another
    principal, and the same one once the window has passed, are answered as usual."""
    now = [0.0]
    reached: list[str] = []

    async def endpoint(scope: Any, receive: Any, send: Any) -> None:
        body = (await receive())["body"]
        reached.append(scope[SCOPE_KEY].id)
        if body == b"bomb":
            record_of(scope).codes.append("LIMIT_EXCEEDED")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    brake = AbuseBrake(endpoint, clock=lambda: now[0])

    async def as_principal(scope: Any, receive: Any, send: Any) -> None:
        name = dict(scope["headers"])[b"x-who"].decode()
        scope[SCOPE_KEY] = Principal(name, Role.VIEWER)
        await brake(scope, receive, send)

    transport = httpx.ASGITransport(app=as_principal)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(21):
            assert (
                await client.post("/graphql", content=b"bomb", headers={"x-who": "eve"})
            ).status_code == 200
        braked = await client.post("/graphql", content=b"{}", headers={"x-who": "eve"})
        assert braked.status_code == 429 and int(braked.headers["retry-after"]) >= 1
        assert braked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert reached.count("eve") == 21  # the braked request never reached the service
        assert (await client.post("/graphql", content=b"{}", headers={"x-who": "ann"})).status_code == 200
        now[0] = 9.5  # braked for a window after the last refusal, whatever it sends meanwhile
        assert (await client.post("/graphql", content=b"{}", headers={"x-who": "eve"})).status_code == 429
        now[0] = 10.5  # the window has passed: counted afresh, one more bomb is answered as usual
        for body in (b"bomb", b"{}"):
            assert (await client.post("/graphql", content=body, headers={"x-who": "eve"})).status_code == 200

"""The measured operations: each a GraphQL request and the same Cypher the service runs for it."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    execute,
    parse,
)

from bench.population import email_of
from datamap.api.schema import schema
from datamap.clock import SystemClock
from datamap.domain.access import Principal, Role
from datamap.domain.audit import AuditEntry
from datamap.domain.identifiers import parse_identifiers
from datamap.domain.impact import DEFAULT_PAGE, Period
from datamap.domain.local_days import CALIFORNIA, day_window
from datamap.domain.map_changes import MapKind
from datamap.graph import audit_log
from datamap.graph import report_queries as rq
from datamap.graph import stl_queries as stlq
from datamap.graph.database import Database, StatementCounter
from datamap.graph.erasure_queries import ERASURE_PLAN
from datamap.graph.findings_queries import MAP_FINDINGS
from datamap.graph.impact_queries import PAGE_SCAN, RECIPIENT_IMPACT
from datamap.graph.lineage_queries import CATEGORY_LINEAGE, SUBJECT_LINEAGE
from datamap.services import audit, map_editing
from datamap.services.context import AppState
from datamap.services.impact import impact_params
from datamap.services.lineage import as_of_params, category_params

WARM_UP = 20
BENCH_PRINCIPAL = Principal("bench", Role.ADMIN)
AUTH: dict[str, str] = {}  # the bench's bearer token for the service over HTTP (set by `authorise`)


def authorise(token: str) -> None:
    AUTH["authorization"] = f"Bearer {token}"


CATEGORIES = [
    "user.contact.email",
    "user.device",
    "user.behavior.browsing_history",
    "user.financial",
    "user.name",
]


def _hash(index: int, secret: bytes) -> str:
    (identifier,) = parse_identifiers(email=email_of(index))
    return identifier.keyed_hash(secret)


def _subject_params(index: int, secret: bytes) -> dict[str, Any]:
    _, params = as_of_params(None, SystemClock().now())
    return {"hashes": [_hash(index, secret)], **params, **category_params(None)}


@dataclass(frozen=True)
class Operation:
    name: str
    query: str
    variables: Callable[[random.Random, int], dict[str, Any]]
    statements: Callable[[random.Random, int, bytes], list[tuple[str, dict[str, Any]]]]
    write: bool = False
    # Instead of `statements`, for an operation whose statements depend on what it reads first (a map edit): the
    # use case called in-process, without HTTP or GraphQL (its driver column then measures that; no db hits).
    in_process: Callable[[Database, random.Random], Awaitable[object]] | None = None


def _subject(rng: random.Random, subjects: int) -> dict[str, Any]:
    return {"s": {"email": email_of(rng.randrange(subjects))}}


def _stl_statements(rng: random.Random, subjects: int, secret: bytes) -> list[tuple[str, dict[str, Any]]]:
    index, received = rng.randrange(subjects), dt.date(rng.randint(2020, 2026), 3, 1)
    hashed = _hash(index, secret)
    params = {
        "hashes": [hashed],
        "fallbackId": "h_" + hashed[:32],
        "year": received.year,
        "asOf": received,  # the map as of the day the request was received, as the service reads it
        "yearEnd": dt.date(received.year - 1, 12, 31),  # and as of the reported year's end for the judgement
        **dict(
            zip(
                ("from", "to"),
                day_window(dt.date(received.year - 1, 1, 1), dt.date(received.year - 1, 12, 31), CALIFORNIA),
                strict=True,
            )
        ),
    }
    request = {
        "key": f"bench-{index}:{received.year}",
        "id": f"bench-{index}-{received.year}",
        "response": "{}",
    }
    return [(stlq.STL_CUSTOMER, params), (stlq.SAVE_STL_REQUEST, {"request": request})]


def _stl_variables(rng: random.Random, subjects: int) -> dict[str, Any]:
    return {**_subject(rng, subjects), "r": f"{rng.randint(2020, 2026)}-03-01"}


# recipients the population's disclosures reach, the most reached (hosting_providers) among them
IMPACT_RECIPIENTS = [
    "hosting_providers",
    "email_delivery_providers",
    "marketing_partners",
    "payment_processor",
]


def _impact_variables(rng: random.Random, subjects: int) -> dict[str, Any]:
    year = rng.randint(2019, 2025)  # a calendar year of the population's disclosures
    return {"r": rng.choice(IMPACT_RECIPIENTS), "from": f"{year}-01-01", "to": f"{year + 1}-01-01"}


def _impact_statements(rng: random.Random, subjects: int, secret: bytes) -> list[tuple[str, dict[str, Any]]]:
    given = _impact_variables(rng, subjects)
    period = Period(dt.date.fromisoformat(given["from"]), dt.date.fromisoformat(given["to"]))
    _, params = impact_params(
        given["r"], period, now=SystemClock().now(), as_of=None, limit=DEFAULT_PAGE, after=None
    )
    return [(RECIPIENT_IMPACT, {**params, "scan": PAGE_SCAN})]


def _audit_variables(rng: random.Random, subjects: int) -> dict[str, Any]:
    """The events of the last hour (the benchmark's own lookups among them)."""
    since = SystemClock().now() - dt.timedelta(hours=1)
    return {"from": since.isoformat(), "limit": 50}


def _audit_statements(rng: random.Random, subjects: int, secret: bytes) -> list[tuple[str, dict[str, Any]]]:
    given = _audit_variables(rng, subjects)
    since = dt.datetime.fromisoformat(given["from"])
    params = {"subjectId": None, "principal": None, "limit": 50, "from": since, "to": audit_log.LATEST}
    return [(audit_log.EVENTS_IN_PERIOD, params)]


def _organisation(rng: random.Random) -> dict[str, Any]:
    """A new organisation each time (a map edit that creates an entry: no version to have read first)."""
    return {
        "key": f"bench_org_{uuid.uuid4().hex[:12]}",
        "ref": "benchmark",
        "name": "Benchmark Organisation B.V.",
        "country": "NL",
        "address": "Keizersgracht 1, 1015 CJ Amsterdam",
    }


async def _edit_in_process(db: Database, rng: random.Random) -> object:
    return await map_editing.upsert(
        db,
        MapKind.ORGANISATION,
        _organisation(rng),
        expected_version=None,
        reason="benchmark",
        effective_from=None,
        principal=BENCH_PRINCIPAL,
        now=SystemClock().now(),
    )


OPERATIONS = [
    Operation(
        "subjectLineage",
        "query($s: SubjectInput!) { subjectLineage(subject: $s) { subjectId truncated sources { key } "
        "systems { key observed } purposes { key } recipients { key role country observed } "
        "transfers { key mechanism } } }",
        _subject,
        lambda rng, n, secret: [(SUBJECT_LINEAGE, _subject_params(rng.randrange(n), secret))],
    ),
    Operation(
        "categoryLineage",
        "query($c: String!) { categoryLineage(category: $c) { systems { key } purposes { key } "
        "recipients { key role country } transfers { key mechanism } } }",
        lambda rng, n: {"c": rng.choice(CATEGORIES)},
        lambda rng, n, secret: [
            (
                CATEGORY_LINEAGE,
                {**as_of_params(None, SystemClock().now())[1], **category_params(rng.choice(CATEGORIES))},
            )
        ],
    ),
    Operation(
        "erasurePlan",
        "query($s: SubjectInput!) { erasurePlan(subject: $s) { subjectId warnings "
        "tasks { key action target stage dependsOn restrictedUntil } recipients { key role } } }",
        _subject,
        lambda rng, n, secret: [(ERASURE_PLAN, _subject_params(rng.randrange(n), secret))],
    ),
    Operation(
        "shineTheLightReport",  # answered (recorded), as the statements through the driver do
        "mutation($s: SubjectInput!, $r: Date!) { answerShineTheLightRequest(customer: $s, receivedAt: $r) { "
        "year repeated eligible categories { item } thirdParties { name address } } }",
        _stl_variables,
        _stl_statements,
        write=True,
    ),
    Operation(
        "accessReport",
        "query($s: SubjectInput!) { accessReport(subject: $s) { subjectId purposes { key } categories "
        "recipients { key name role } retention { category } transfers { key valid } } }",
        _subject,
        lambda rng, n, secret: [(rq.ACCESS_REPORT, _subject_params(rng.randrange(n), secret))],
    ),
    Operation(
        "ropa",
        "{ ropa { controllerRecord { key activity recipients transfers erasureTimeLimits } "
        "processorRecord { key } } }",
        lambda rng, n: {},
        lambda rng, n, secret: [(rq.ROPA, as_of_params(None, SystemClock().now())[1])],
    ),
    Operation(
        "recipientImpact",
        "query($r: String!, $from: Date!, $to: Date!) { recipientImpact(recipient: $r, from: $from, to: $to) { "
        "key categories systems { key } paths { routine } subjectCount subjects { subjectId categories } next } }",
        _impact_variables,
        _impact_statements,
    ),
    Operation(
        "mapFindings",
        "{ mapFindings { asOf counts { severity count } findings { severity code entries } } }",
        lambda rng, n: {},
        lambda rng, n, secret: [
            (
                MAP_FINDINGS,
                {
                    **as_of_params(None, SystemClock().now())[1],
                    "systems": None,
                    "recipients": None,
                    "purposes": None,
                    "flagged": None,
                },
            )
        ],
    ),
    Operation(
        "auditLog",
        "query($from: DateTime, $limit: Int) { auditLog(from: $from, limit: $limit) { seq operation outcome } }",
        _audit_variables,
        _audit_statements,
    ),
    Operation(
        "mapEdit",  # upsertOrganisation creating an entry: validated, versioned, audited, one transaction
        'mutation($input: OrganisationInput!) { upsertOrganisation(input: $input, reason: "benchmark") '
        "{ key version } }",
        lambda rng, n: {"input": _organisation(rng)},
        lambda rng, n, secret: [],
        write=True,
        in_process=_edit_in_process,
    ),
    Operation(
        "transferRegister",
        "{ transferRegister { health { critical } transfers { key valid findings { code } } } }",
        lambda rng, n: {},
        lambda rng, n, secret: [(rq.TRANSFER_REGISTER, as_of_params(None, SystemClock().now())[1])],
    ),
]


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": round(statistics.mean(ordered) * 1000, 2),
        "n": len(ordered),
    }


async def _post(client: httpx.AsyncClient, op: Operation, variables: dict[str, Any]) -> bool:
    response = await client.post(
        "/graphql",
        content=orjson.dumps({"query": op.query, "variables": variables}),
        headers={"content-type": "application/json"},
    )
    return response.status_code == 200 and not orjson.loads(response.content).get("errors")


async def latencies(op: Operation, url: str, subjects: int, requests: int) -> dict[str, float]:
    rng = random.Random(11)
    samples = []
    async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=30) as client:
        for i in range(requests + WARM_UP):
            variables = op.variables(rng, subjects)
            started = time.perf_counter()
            ok = await _post(client, op, variables)
            if not ok:
                raise RuntimeError(f"{op.name} failed for {variables}")
            if i >= WARM_UP:
                samples.append(time.perf_counter() - started)
    return summary(samples)


async def raw_latencies(
    op: Operation, db: Database, subjects: int, requests: int, secret: bytes
) -> dict[str, float]:
    """The same statements, through the driver alone (one transaction per request, like the service)."""
    rng = random.Random(11)
    samples = []
    driver = db.driver
    for i in range(requests + WARM_UP):
        statements = op.statements(rng, subjects, secret)
        started = time.perf_counter()
        if op.in_process is not None:
            await op.in_process(db, rng)
            if i >= WARM_UP:
                samples.append(time.perf_counter() - started)
            continue
        async with driver.session(database="neo4j") as session:

            async def work(tx: Any, todo: list[tuple[str, dict[str, Any]]] = statements) -> None:
                for query, params in todo:
                    result = await tx.run(query, params)
                    await result.data()

            await (
                session.execute_write(work) if op.write or len(statements) > 1 else session.execute_read(work)
            )
        if i >= WARM_UP:
            samples.append(time.perf_counter() - started)
    return summary(samples)


async def throughput(
    op: Operation, url: str, subjects: int, concurrency: int, duration: float
) -> dict[str, Any]:
    done, errors = 0, 0
    deadline = time.perf_counter() + duration

    async def worker(seed: int) -> None:
        nonlocal done, errors
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=60) as client:
            while time.perf_counter() < deadline:
                try:
                    ok = await _post(client, op, op.variables(rng, subjects))
                except httpx.HTTPError:
                    ok = False
                done += ok
                errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker(100 + i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"rps": round(done / elapsed, 1), "requests": done, "errors": errors}


async def round_trips(op: Operation, db: Database, subjects: int, secret: bytes) -> int:
    """Cypher statements one request sends, counted in-process, in steady state: after a first request (not
    counted), as a worker that has appended to the audit chain before and knows its head (the first append of a
    process, or one after another process's, takes one statement more: `graph.audit_log.append`)."""
    state = AppState(db=db, secret=secret)
    counted = 0
    for seed in (4, 5):
        rng = random.Random(seed)
        before = StatementCounter.count
        result = await schema.execute(
            op.query,
            variable_values=op.variables(rng, subjects),
            context_value={"state": state, "principal": BENCH_PRINCIPAL},
        )
        if result.errors:
            raise RuntimeError(result.errors)
        counted = StatementCounter.count - before
    return counted


def _hits(plan: dict[str, Any]) -> int:
    return int(plan.get("dbHits", 0)) + sum(_hits(child) for child in plan.get("children", []))


async def db_hits(op: Operation, db: Database, subjects: int, secret: bytes) -> int:
    """Database hits by PROFILE of the operation's statements (independent of the machine's load)."""
    rng = random.Random(5)
    total = 0
    async with db.driver.session(database="neo4j") as session:
        for query, params in op.statements(rng, subjects, secret):
            result = await session.run("PROFILE " + query, params)  # type: ignore[arg-type]
            total += _hits((await result.consume()).profile or {})
    return total


# The operations whose HTTP p50 is compared with a floor (`floor_latencies`): lookups of a person, audited.
FLOOR_OPERATIONS = ("subjectLineage", "erasurePlan", "shineTheLightReport", "accessReport")


def _root_field(document: DocumentNode) -> str:
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    (field,) = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    return field.name.value


class _Prebuilt:
    """The service's schema with the operation's root field answering a value built beforehand: executing the
    document on it costs what GraphQL completing that answer costs, and no resolver work."""

    def __init__(self, op: Operation) -> None:
        self.document = parse(op.query)  # parsed once, as the service's cache does (and validated there)
        self.field = _root_field(self.document)
        base: GraphQLSchema = schema._schema
        root = base.mutation_type if op.write else base.query_type
        assert root is not None
        given = root.fields[self.field]
        self.answer: object = None
        answering = GraphQLObjectType(
            root.name,
            {self.field: GraphQLField(given.type, given.args, resolve=lambda *_, **__: self.answer)},
        )
        others = [
            t for n, t in base.type_map.items() if not n.startswith("__") and n not in ("Query", "Mutation")
        ]
        placeholder = GraphQLObjectType("Query", {"_": GraphQLField(GraphQLString)})
        self.schema = GraphQLSchema(
            query=placeholder if op.write else answering,
            mutation=answering if op.write else None,
            types=others,
        )

    async def capture(self, db: Database, variables: dict[str, Any], secret: bytes) -> None:
        """The answer of the real root resolver for `variables` (untimed), kept for `complete`."""
        captured: dict[str, object] = {}

        async def keep(next_: Any, root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            value = next_(root, info, **args)
            if inspect.isawaitable(value):
                value = await value
            if info.path.prev is None:
                captured[info.field_name] = value
            return value

        result = execute(
            schema._schema,
            self.document,
            variable_values=variables,
            context_value={"state": AppState(db=db, secret=secret), "principal": BENCH_PRINCIPAL},
            middleware=[keep],
        )
        done = await result if inspect.isawaitable(result) else result
        if done.errors:
            raise RuntimeError(done.errors)
        self.answer = captured[self.field]

    async def complete(self, variables: dict[str, Any]) -> None:
        result = execute(self.schema, self.document, variable_values=variables)
        done = await result if inspect.isawaitable(result) else result
        if done.errors:
            raise RuntimeError(done.errors)
        orjson.dumps(done.data)  # and encoded, as the service answers


async def floor_latencies(
    op: Operation, db: Database, subjects: int, requests: int, secret: bytes
) -> dict[str, float] | None:
    """What a request of `op` cannot cost less than: its statements through the driver (as `raw_latencies`), its
    audit event appended as the service appends it (a lookup: a transaction of its own after the read; an answer
    that writes: in its transaction), and GraphQL completing the answer (built beforehand, untimed) for the same
    document, encoded as JSON. None for an operation not in `FLOOR_OPERATIONS`."""
    if op.name not in FLOOR_OPERATIONS:
        return None
    prebuilt = _Prebuilt(op)
    seen = audit_log.SEEN  # the process's belief of the chain's head (`capture` appends with it too)
    rng, statements_rng = random.Random(11), random.Random(11)
    samples = []
    for i in range(requests + WARM_UP):
        variables = op.variables(rng, subjects)
        statements = op.statements(statements_rng, subjects, secret)
        await prebuilt.capture(db, variables, secret)
        now = SystemClock().now()
        subject_id = getattr(prebuilt.answer, "subject_id", None)
        events = [audit.entry(BENCH_PRINCIPAL, prebuilt.field, now, outcome="found", subject_id=subject_id)]
        started = time.perf_counter()
        async with db.driver.session(database="neo4j") as session:

            async def work(
                tx: Any,
                todo: list[tuple[str, dict[str, Any]]] = statements,
                events: list[AuditEntry] = events,
                now: dt.datetime = now,
            ) -> None:
                for query, params in todo:
                    result = await tx.run(query, params)
                    await result.data()
                if op.write:
                    await audit_log.append(tx, events, now, seen)

            await (session.execute_write(work) if op.write else session.execute_read(work))
        if not op.write:
            await audit.record_read(db, events, now, seen)
        await prebuilt.complete(variables)
        if i >= WARM_UP:
            samples.append(time.perf_counter() - started)
    return summary(samples)

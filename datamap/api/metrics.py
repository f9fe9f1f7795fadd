"""The service's metrics at `/metrics`, in Prometheus' text format, with the official client (`prometheus_client`).

- `datamap_requests_total{operation, outcome}` and `datamap_request_duration_seconds{operation}` (a histogram): every
  HTTP request, by operation. A GraphQL request's operation is the root field it asks for (`subjectLineage`), or
  `multiple` when it asks for several, or `unknown` when that cannot be told (not authenticated, not parsed, a
  field the schema does not have); never the operation name the client chose, which is free text. Any other
  request's is its route's pattern (`/reports/ropa.{format}`, `/metrics`), `unknown` when no route matched. The
  outcome is `ok`, `partial` (data and errors: a field the role may not use, say) or `error`.
- `datamap_graphql_errors_total{code}`: the errors answered, by `extensions.code` (GraphQL's and those the HTTP
  layer answers in the same shape: 401, 413, 429, ...).
- `datamap_neo4j_statement_duration_seconds{kind}` (`read`, `write`: one statement in its own transaction;
  `in_transaction`: one of a transaction's statements) and `datamap_neo4j_connections_in_use`, told by
  `graph.database.Observed`.
- `datamap_audit_events_written_total`: audit events appended (`graph.audit_log.append`, inside the transaction that
  commits them).
- Read from the graph when scraped, at most once every `BACKLOG_SECONDS` (one statement, `services/backlog.py`):
  `datamap_erasure_requests{status}`, `datamap_erasure_requests_overdue`, `datamap_documents_awaiting_approval`,
  and `datamap_backlog_up` (0 when that read failed: the rest is still served).

Labels are operation names, route patterns, codes, statuses and kinds only: never a subject id, an identifier or a
query's text. With `PROMETHEUS_MULTIPROC_DIR` set (before the process starts: the library reads it when it is
imported), the values are kept in files there, shared by every worker process, and a scrape of any worker answers
for all (`multiprocess.MultiProcessCollector`); the connections gauge sums the live processes'.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from datamap.api.auth import principal_of
from datamap.api.request_log import RECORD_KEY, RequestRecord, scope_of
from datamap.domain.access import may_read
from datamap.errors import DatabaseUnavailable, QueryTimeout
from datamap.graph.database import Observed, Observer
from datamap.services.backlog import Backlog, backlog
from datamap.services.context import AppState

log = logging.getLogger("datamap.metrics")

MULTIPLE = "multiple"
UNKNOWN = "unknown"
GRAPHQL_PATH = "/graphql"
BACKLOG_SECONDS = 5.0  # a scrape reads the graph at most this often; scrapes in between get the last reading
SCOPE_KEY = "datamap.metrics"

# seconds: the API answers in milliseconds; the request deadline is tens of seconds
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STATEMENT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

REQUESTS = Counter(
    "datamap_requests",
    "HTTP requests answered, by operation (the GraphQL root field, 'multiple', 'unknown', or the route) and outcome",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "datamap_request_duration_seconds",
    "Seconds from a request's arrival to its answer's end, by operation",
    ["operation"],
    buckets=REQUEST_BUCKETS,
)
ERRORS = Counter(
    "datamap_graphql_errors", "Errors answered, by extensions.code (GraphQL and HTTP-level)", ["code"]
)
STATEMENTS = Histogram(
    "datamap_neo4j_statement_duration_seconds",
    "Seconds a Cypher statement took, done or failed, by kind (read, write, in_transaction)",
    ["kind"],
    buckets=STATEMENT_BUCKETS,
)
CONNECTIONS = Gauge(
    "datamap_neo4j_connections_in_use",
    "Pooled Neo4j connections running a statement or a transaction now",
    multiprocess_mode="livesum",
)
AUDIT_EVENTS = Counter("datamap_audit_events_written", "Audit events appended to the chain")

_STATEMENT_KINDS = {kind: STATEMENTS.labels(kind) for kind in ("read", "write", "in_transaction")}
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")
# what an answer without a code in the request's record meant (the door's 401 answers before the record is read)
_CODE_OF_STATUS = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "BAD_REQUEST"}


class PrometheusObserver(Observer):
    """What the graph layer tells (`graph.database.Observed`), as metrics."""

    def connection(self) -> Any:
        return CONNECTIONS.track_inprogress()

    def statement(self, kind: str, seconds: float) -> None:
        child = _STATEMENT_KINDS.get(kind)
        if child is not None:
            child.observe(seconds)

    def audit_events(self, count: int) -> None:
        AUDIT_EVENTS.inc(count)


def install() -> None:
    """Let the graph layer tell this process's metrics what it does (idempotent)."""
    if not isinstance(Observed.observer, PrometheusObserver):
        Observed.observer = PrometheusObserver()


# --- which operation a GraphQL request was -------------------------------------------------------------------------


@dataclass(frozen=True)
class Executed:
    """What the GraphQL execution of a request leaves for its metrics (in the request's scope)."""

    operation: str
    has_data: bool


_root_fields: frozenset[str] | None = None


def _schema_root_fields(schema: Any) -> frozenset[str]:
    global _root_fields
    if _root_fields is None:
        graphql = schema._schema
        names = set(graphql.query_type.fields) if graphql.query_type else set()
        if graphql.mutation_type is not None:
            names |= set(graphql.mutation_type.fields)
        _root_fields = frozenset(names | {"__schema", "__type", "__typename"})
    return _root_fields


def operation_of(document: DocumentNode | None, operation_name: str | None, allowed: frozenset[str]) -> str:
    """The label of the operation that `operation_name` (or the document's only one) selects: its root field, or
    `multiple`, or `unknown` (no such operation; a field the schema does not have)."""
    if document is None:
        return UNKNOWN
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return UNKNOWN
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: set[str] = set()
    seen: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:  # a loop, not recursion: fragments can nest as deep as a document allows
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    pending.append(fragments[name].selection_set)
    if len(names) > 1:
        names.discard("__typename")  # asked beside a field, it says nothing of the operation
    if not names or not names <= allowed:
        return UNKNOWN
    return names.pop() if len(names) == 1 else MULTIPLE


class OperationMetrics(SchemaExtension):
    """Leaves in the request's scope which operation it executed and whether its answer has data."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        scope = scope_of(context)
        if scope is None:
            return
        label = operation_of(
            context.graphql_document, context.operation_name, _schema_root_fields(context.schema)
        )
        data = getattr(context.result, "data", None)
        has_data = isinstance(data, dict) and any(value is not None for value in data.values())
        scope[SCOPE_KEY] = Executed(label, has_data)


# --- every request -------------------------------------------------------------------------------------------------


def _operation(scope: Scope) -> str:
    executed = scope.get(SCOPE_KEY)
    if isinstance(executed, Executed):
        return executed.operation
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str) or path == GRAPHQL_PATH:
        return UNKNOWN  # no route, or a GraphQL request that executed nothing (GraphiQL's page too)
    return path


def _codes(scope: Scope, status: int) -> list[str]:
    record = scope.get(RECORD_KEY)
    codes = record.codes if isinstance(record, RequestRecord) else []
    if not codes and status >= 400:
        codes = [_CODE_OF_STATUS.get(status, "OTHER")]
    return [code if _CODE.fullmatch(code) else "OTHER" for code in codes]


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    """Count one answered request (the work `RequestMetrics` adds to each request)."""
    operation = _operation(scope)
    codes = _codes(scope, status)
    if status == 0 or status >= 400:
        outcome = "error"
    elif codes:
        executed = scope.get(SCOPE_KEY)
        outcome = "partial" if isinstance(executed, Executed) and executed.has_data else "error"
    else:
        outcome = "ok"
    REQUESTS.labels(operation, outcome).inc()
    LATENCY.labels(operation).observe(seconds)
    for code in codes:
        ERRORS.labels(code).inc()


class RequestMetrics:
    """ASGI middleware, the outermost: each request's operation, outcome, latency and error codes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            observe_request(scope, status, time.perf_counter() - started)


# --- the scrape ----------------------------------------------------------------------------------------------------


class BacklogReading:
    """The backlog read from the graph at most once every `seconds`; concurrent scrapes share one reading."""

    def __init__(self, state: AppState, seconds: float = BACKLOG_SECONDS) -> None:
        self.state = state
        self.seconds = seconds
        self.value: Backlog | None = None
        self.read_at = -math.inf
        self._lock = asyncio.Lock()

    async def get(self) -> Backlog | None:
        if time.monotonic() - self.read_at < self.seconds:
            return self.value
        async with self._lock:
            if time.monotonic() - self.read_at < self.seconds:
                return self.value
            try:
                self.value = await backlog(self.state.db, self.state.clock.now())
            except (DatabaseUnavailable, QueryTimeout) as exc:
                log.warning("metrics: the backlog could not be read: %s", exc)
                self.value = None
            self.read_at = time.monotonic()
            return self.value


class BacklogCollector(Collector):
    def __init__(self, found: Backlog | None) -> None:
        self.found = found

    def collect(self) -> Iterable[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "datamap_backlog_up", "1 when the backlog below was read from the graph, else 0"
        )
        up.add_metric([], 0 if self.found is None else 1)
        yield up
        if self.found is None:
            return
        requests = GaugeMetricFamily(
            "datamap_erasure_requests", "Erasure requests by status", labels=["status"]
        )
        for status, count in self.found.erasure_requests.items():
            requests.add_metric([status.value], count)
        yield requests
        yield GaugeMetricFamily(
            "datamap_erasure_requests_overdue",
            "Erasure requests not complete and past their deadline (extended or not)",
            value=self.found.erasure_overdue,
        )
        yield GaugeMetricFamily(
            "datamap_documents_awaiting_approval",
            "Documents drafted and not yet approved",
            value=self.found.documents_awaiting_approval,
        )


def exposition(found: Backlog | None) -> bytes:
    """The metrics in the text format: this process's (or, in multiprocess mode, every worker's), and the
    backlog."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ or "prometheus_multiproc_dir" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        process = generate_latest(registry)
    else:
        process = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=False)
    extra.register(BacklogCollector(found))
    return process + generate_latest(extra)


def metrics_endpoint(state: AppState) -> Any:
    """`/metrics`: for a role `ENDPOINT_RULES` lets read them (403 for the others; 401 without a token, at the
    door)."""
    reading = BacklogReading(state)

    async def endpoint(request: Request) -> Response:
        principal = principal_of(request.scope)
        if principal is None or not may_read(principal, "metrics"):
            message = "metrics: this role may not read them (a monitor or admin token may)"
            return JSONResponse({"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}, 403)
        return Response(exposition(await reading.get()), media_type=CONTENT_TYPE_LATEST)

    return endpoint

"""/metrics (issue 13, part 1): Prometheus' text format read back with the library's own parser; the request counter
and latency histogram by operation, error codes, Neo4j statements, audit events, the erasure backlog; no label value
that names a person; who may read them; the multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from datamap.api.metrics import MULTIPLE, UNKNOWN, BacklogReading, operation_of
from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.graph.database import Database, StatementCounter
from datamap.services.context import AppState
from tests.conftest import SECRET, app_of, client_as, token_for
from tests.helpers import REQUEST, request_input

ANNA_EMAIL = "anna.jansen@example.com"
ANNA_PHONE = "+31 20 555 0101"
LINEAGE = "query Where($email: String!) { subjectLineage(subject: {email: $email}) { subjectId truncated } }"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and labels, parsed by prometheus_client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(app: Any, token: str) -> str:
    async with client_as(app, token) as client:
        answer = await client.client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == CONTENT_TYPE_LATEST  # the text format generate_latest writes
    return answer.text


# --- which operation ------------------------------------------------------------------------------------------------

ROOT = frozenset({"subjectLineage", "systems", "requestErasure", "__typename", "__schema", "__type"})


@pytest.mark.parametrize(
    ("document", "name", "label"),
    [
        ("{ subjectLineage(subject: {email: $e}) { subjectId } }", None, "subjectLineage"),
        ("query AnythingTheClientLikes { a: systems { key } b: systems { name } }", None, "systems"),
        ("{ systems { key } subjectLineage { subjectId } }", None, MULTIPLE),
        ("{ __typename systems { key } }", None, "systems"),
        ("{ __typename }", None, "__typename"),
        ("{ ...F } fragment F on Query { ... on Query { systems { key } } }", None, "systems"),
        ("fragment F on Query { ...F systems { key } } { ...F }", None, "systems"),  # a cycle ends
        ("query A { systems { key } } mutation B { requestErasure { id } }", "B", "requestErasure"),
        ("query A { systems { key } } query B { systems { key } }", None, UNKNOWN),  # which one?
        ("query A { systems { key } }", "anna.jansen@example.com", UNKNOWN),  # no such operation
        ("{ notAField { x } }", None, UNKNOWN),
        ("{ systems { key } notAField }", None, UNKNOWN),
    ],
)
def test_the_operation_is_the_root_field_never_the_clients_name(
    document: str, name: str | None, label: str
) -> None:
    assert operation_of(parse(document), name, ROOT) == label


def test_no_document_is_unknown() -> None:
    assert operation_of(None, None, ROOT) == UNKNOWN


# --- the scrape -----------------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_scrape_counts_requests_by_root_field_with_latencies_codes_and_no_person(
    seeded: Database, clock: FixedClock
) -> None:
    app = app_of(seeded, clock)
    monitor = await token_for(seeded, Role.MONITOR)
    before = samples(await scrape(app, monitor))
    async with client_as(app, await token_for(seeded, Role.ADMIN)) as admin:
        for email in (ANNA_EMAIL, "jordan.reyes@example.com", "nobody@example.com"):
            await admin.query(LINEAGE, email=email)
        await admin.query('{ subject(subject: {phone: "+31 20 555 0101"}) { id } }')
        subject_id = (await admin.query(f'{{ subject(subject: {{email: "{ANNA_EMAIL}"}}) {{ id }} }}'))[
            "subject"
        ]["id"]
        await admin.query("{ systems { key } recipients { key } }")
        bad = await admin.raw("{ subjectLineage(subject: {email: 42}) { subjectId } }")
        assert bad["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert (await admin.client.get("/reports/ropa.json")).status_code == 200
    async with client_as(app, await token_for(seeded, Role.VIEWER)) as viewer:
        partial = await viewer.raw(
            f'{{ systems {{ key }} subjectLineage(subject: {{email: "{ANNA_EMAIL}"}}) {{ subjectId }} }}'
        )
        assert partial["data"]["systems"] and partial["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with client_as(app, None) as nobody:
        assert (
            await nobody.client.post("/graphql", json={"query": "{ systems { key } }"})
        ).status_code == 401
    text = await scrape(app, monitor)
    after = samples(text)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("datamap_requests_total", operation="subjectLineage", outcome="ok") == 3
    assert grew("datamap_requests_total", operation="subject", outcome="ok") == 2
    assert grew("datamap_requests_total", operation=MULTIPLE, outcome="ok") == 1
    assert grew("datamap_requests_total", operation=MULTIPLE, outcome="partial") == 1
    assert grew("datamap_requests_total", operation="subjectLineage", outcome="error") == 1  # not valid
    assert grew("datamap_requests_total", operation=UNKNOWN, outcome="error") == 1  # no token
    assert grew("datamap_requests_total", operation="/reports/ropa.{format}", outcome="ok") == 1
    assert grew("datamap_requests_total", operation="/metrics", outcome="ok") == 1
    assert grew("datamap_graphql_errors_total", code="FORBIDDEN") == 1
    assert grew("datamap_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew("datamap_graphql_errors_total", code="UNAUTHENTICATED") == 1

    # the latency histogram of subjectLineage: every bucket, cumulative, +Inf holding the count
    buckets = {
        labels: v
        for (name, labels), v in after.items()
        if name == "datamap_request_duration_seconds_bucket" and ("operation", "subjectLineage") in labels
    }
    bounds = sorted(float(dict(labels)["le"]) for labels in buckets)
    assert len(bounds) >= 10 and bounds[-1] == float("inf") and bounds[0] <= 0.005
    counts = [buckets[(("le", _le(b)), ("operation", "subjectLineage"))] for b in bounds]
    assert counts == sorted(counts), "cumulative"
    assert (
        counts[-1] == value(after, "datamap_request_duration_seconds_count", operation="subjectLineage") >= 3
    )
    assert value(after, "datamap_request_duration_seconds_sum", operation="subjectLineage") > 0

    # Neo4j and the audit trail: statements timed, connections given back, lookups audited
    assert grew("datamap_neo4j_statement_duration_seconds_count", kind="read") >= 6
    assert grew("datamap_neo4j_statement_duration_seconds_count", kind="in_transaction") >= 2
    assert value(after, "datamap_neo4j_connections_in_use") == 0
    assert grew("datamap_audit_events_written_total") >= 5  # each lookup of a person is an event

    # the backlog: no erasure request, no document awaiting approval in the seed
    assert value(after, "datamap_backlog_up") == 1
    for status in ("awaiting_approval", "open", "in_progress", "awaiting_verification", "complete"):
        assert value(after, "datamap_erasure_requests", status=status) == 0
    assert value(after, "datamap_erasure_requests_overdue") == 0
    assert value(after, "datamap_documents_awaiting_approval") == 0

    # no label value names a person: not an email, a phone number, nor any subject's id
    ids = {r["id"] for r in await seeded.read("MATCH (s:Subject) RETURN s.id AS id")}
    assert subject_id in ids and len(ids) >= 3
    values = {v for _, labels in after for _, v in labels}
    digits = ANNA_PHONE.replace(" ", "").lstrip("+")
    for label in values:
        assert "@" not in label and digits not in label.replace(" ", ""), label
        assert not any(i in label for i in ids), label
    assert ANNA_EMAIL not in text and subject_id not in text


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else str(bound)


@pytest.mark.neo4j
async def test_the_backlog_counts_requests_by_status_and_overdue_ones(
    seeded: Database, clock: FixedClock
) -> None:
    app = app_of(seeded, clock)
    async with client_as(app, await token_for(seeded, Role.ADMIN)) as admin:
        opened = (await admin.query(REQUEST, input=request_input("sam.devries@example.com")))[
            "requestErasure"
        ]
        assert opened["status"] == "OPEN"
        old = request_input(ANNA_EMAIL, receivedAt="2025-01-06T09:00:00Z")  # a month passed long ago
        late = (await admin.query(REQUEST, input=old))["requestErasure"]
        assert late["overdue"] is True
        waiting = request_input(
            "jordan.reyes@example.com", identityVerification={"method": "NOT_VERIFIED", "reference": ""}
        )
        assert (await admin.query(REQUEST, input=waiting))["requestErasure"]["status"] == "AWAITING_APPROVAL"
        await admin.query(
            f'mutation {{ draftDocument(input: {{kind: ACCESS_REPORT, subject: {{email: "{ANNA_EMAIL}"}}}}) {{ id }} }}'
        )
    found = samples(await scrape(app, await token_for(seeded, Role.MONITOR)))
    assert value(found, "datamap_erasure_requests", status="open") == 2
    assert value(found, "datamap_erasure_requests", status="awaiting_approval") == 1
    assert value(found, "datamap_erasure_requests_overdue") == 1
    assert value(found, "datamap_documents_awaiting_approval") == 1


@pytest.mark.neo4j
async def test_the_backlog_is_one_statement_read_at_most_once_in_its_period(
    seeded: Database, clock: FixedClock
) -> None:
    state = AppState(db=seeded, secret=SECRET, clock=clock)
    kept, fresh = BacklogReading(state, seconds=60), BacklogReading(state, seconds=0)
    start = StatementCounter.count
    for _ in range(3):
        assert await kept.get() is not None
    assert StatementCounter.count - start == 1
    for _ in range(2):
        await fresh.get()
    assert StatementCounter.count - start == 3


@pytest.mark.neo4j
async def test_metrics_need_a_monitor_or_admin_token(seeded: Database, clock: FixedClock) -> None:
    app = app_of(seeded, clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/metrics")
        assert answer.status_code == 401
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for role in Role:
        async with client_as(app, await token_for(seeded, role)) as client:
            answer = await client.client.get("/metrics")
        if role in (Role.MONITOR, Role.ADMIN):
            assert answer.status_code == 200 and "datamap_requests_total" in answer.text, role
        else:
            assert answer.status_code == 403, role
            assert answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with client_as(app, await token_for(seeded, Role.MONITOR, name="scraper")) as monitor:
        body = await monitor.raw("{ systems { key } }")
    assert body["data"]["systems"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- several worker processes ---------------------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys
    from datamap.api.metrics import PrometheusObserver, observe_request, exposition

    class Route:
        path = "/healthz"

    observe_request({"route": Route()}, 200, 0.002)
    PrometheusObserver().statement("read", 0.001)
    with PrometheusObserver().connection():
        sys.stdout.write(exposition(None).decode())
    """
)


def test_in_multiprocess_mode_a_scrape_sums_every_workers_values(tmp_path: Path) -> None:
    """Two worker processes count into PROMETHEUS_MULTIPROC_DIR; the scrape of either answers for both (the
    library's multiprocess mode), the connections gauge summing the live ones."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    outputs = [
        subprocess.run(
            [sys.executable, "-c", WORKER], capture_output=True, text=True, env=env, check=True
        ).stdout
        for _ in range(2)
    ]
    first, second = samples(outputs[0]), samples(outputs[1])
    assert value(first, "datamap_requests_total", operation="/healthz", outcome="ok") == 1
    assert value(second, "datamap_requests_total", operation="/healthz", outcome="ok") == 2
    assert value(second, "datamap_neo4j_statement_duration_seconds_count", kind="read") == 2
    assert value(second, "datamap_request_duration_seconds_bucket", operation="/healthz", le="0.0025") == 2
    assert value(second, "datamap_backlog_up") == 0
    assert any(f.name.startswith("datamap_") for f in text_string_to_metric_families(outputs[1]))
    assert list(tmp_path.glob("*.db")), "values kept in files"

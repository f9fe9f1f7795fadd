"""Helpers the tests share (fixtures live in conftest.py): the erasure GraphQL calls, an independent reading of the
seed's implied holders, and builders of the rows the lineage, erasure and report statements return."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.categories import narrow
from datamap.domain.seed_model import SeedMap
from datamap.graph.database import Database
from tests.conftest import NOW, GraphQLClient, app_of, client_as, token_for

# --- the erasure workflow over GraphQL ---------------------------------------------------------------------------

TASK_FIELDS = "id key action target stage dependsOn status verified categories restrictedUntil exception"
REQUEST = """mutation($input: ErasureRequestInput!) { requestErasure(input: $input) {
  id subjectId status deadline effectiveDeadline receiptConfirmationDue overdue warnings art19Recipients
  tasks { TASKS } } }""".replace("TASKS", TASK_FIELDS)
RECORD = """mutation($task: ID!, $outcome: ErasureOutcome!, $evidence: String!, $key: String!) {
  recordErasureOutcome(task: $task, outcome: $outcome, evidence: $evidence, idempotencyKey: $key) {
    id status verified attempts history { type outcome idempotencyKey } } }"""
VERIFY = """mutation($task: ID!, $evidence: String!, $confirmed: Boolean) {
  verifyErasureTask(task: $task, evidence: $evidence, confirmed: $confirmed) { id status verified } }"""
GET = """query($id: ID!) { erasureRequest(id: $id) { id status overdue completedAt tasks { TASKS } } }""".replace(
    "TASKS", TASK_FIELDS
)
APPROVE = """mutation($id: ID!, $reason: String!) { approveErasureRequest(request: $id, reason: $reason) {
  id status openedBy approvedBy approvedAt tasks { TASKS claimedBy verifiedBy } } }""".replace(
    "TASKS", TASK_FIELDS
)


def request_input(email: str, **overrides: Any) -> dict[str, Any]:
    return {
        "subject": {"email": email},
        "receivedAt": (NOW - dt.timedelta(days=8)).isoformat(),
        "jurisdiction": "GDPR",
        "channel": "EMAIL",
        "fromEmail": email,
        "identityVerification": {"method": "EMAIL_CONFIRMATION", "reference": "ticket 4711"},
        **overrides,
    }


async def open_request(api: GraphQLClient, email: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = (await api.query(REQUEST, input=request_input(email, **overrides)))[
        "requestErasure"
    ]
    return data


async def settle_all(
    api: GraphQLClient, request: dict[str, Any], verifier: GraphQLClient | None = None
) -> None:
    """Record DONE (HELD for restrictions) on every task in stage order with `api`, and with `verifier` (another
    principal: who records an outcome does not verify it) verify each; without one, leave them unverified."""
    for task in sorted(request["tasks"], key=lambda t: (t["stage"], t["key"])):
        if task["status"] != "PENDING":
            continue
        outcome = "HELD" if task["action"] == "RESTRICT" else "DONE"
        await api.query(
            RECORD,
            task=task["id"],
            outcome=outcome,
            evidence=f"confirmed by {task['target']}",
            key=f"k-{task['key']}",
        )
        if verifier is not None:
            await verifier.query(VERIFY, task=task["id"], evidence=f"checked {task['target']} by query")


@asynccontextmanager
async def client_of(
    db: Database, clock: FixedClock, role: Role, name: str | None = None, recipient: str | None = None
) -> AsyncIterator[GraphQLClient]:
    """A client of the service with a token of its own (`name`, default `test-<role>`): another principal."""
    async with client_as(app_of(db, clock), await token_for(db, role, name, recipient)) as client:
        yield client


# --- what a seed implies, read independently of the product --------------------------------------------------------


def implied_holders(seed: SeedMap, subject_key: str, max_flows: int = 6) -> set[str]:
    """Independently of the product: every system and recipient the subject's records, disclosures and the
    map's routine flows imply (breadth first, categories narrowing along each flow; a flow that carries data
    only on an event implies nothing until a disclosure is recorded)."""
    subject = next(s for s in seed.subjects if s.key == subject_key)
    flows = [f for f in seed.flows if f.trigger == "routine"]
    holders = {d.recipient for d in subject.disclosures} | {r.system for r in subject.records}
    queue: deque[tuple[str, str, tuple[str, ...], int]] = deque()
    for r in subject.records:
        queue.append(("system", r.system, tuple(r.categories), 0))
        queue.append(("source", r.source, tuple(r.categories), 0))
    seen = set()
    while queue:
        kind, key, cats, depth = queue.popleft()
        if (kind, key, cats) in seen or depth >= max_flows:
            continue
        seen.add((kind, key, cats))
        for f in flows:
            start = f.from_.system if kind == "system" else f.from_.source
            if start != key:
                continue
            carried = tuple(narrow(cats, f.categories))
            if not carried:
                continue
            target = f.to.system or f.to.recipient
            assert target is not None
            holders.add(target)
            if f.to.system:
                queue.append(("system", target, carried, depth + 1))
    return holders


# --- rows as the Cypher statements return them (datamap/graph/*_queries.py) ----------------------------------------
#
# Map nodes come as the statements' projections: a path node carries every projected property (None where the
# graph has none) and its label; a record's system, a disclosure's recipient and a purpose their own projections.

Row = dict[str, Any]
_NODE_FIELDS = (
    "key",
    "name",
    "role",
    "kind",
    "country",
    "operator",
    "backups",
    "organisation",
    "organisationName",
)


def _node(label: str, key: str, **props: Any) -> Row:
    node: Row = dict.fromkeys(_NODE_FIELDS)
    node.update(key=key, name=props.pop("name", None) or key.replace("_", " ").title(), label=label, **props)
    return node


def source(key: str, *, kind: str = "direct", **props: Any) -> Row:
    return _node("Source", key, kind=kind, **props)


def system(
    key: str, *, operator: str | None = "controller_org", backups: bool | None = None, **props: Any
) -> Row:
    return _node("System", key, operator=operator, backups=backups, **props)


def recipient(
    key: str,
    *,
    role: str = "processor",
    kind: str = "hosting",
    country: str | None = None,
    organisation: str | None = None,
    **props: Any,
) -> Row:
    return _node("Recipient", key, role=role, kind=kind, country=country, organisation=organisation, **props)


def purpose(
    key: str,
    *,
    legal_basis: str = "legitimate_interests",
    name: str | None = None,
    categories: Sequence[str] = ("user",),
    acting_as: str | None = None,
) -> Row:
    """A purpose as the lineage statements list it, with the categories it processes (default: all)."""
    return {
        "key": key,
        "name": name or key.replace("_", " ").capitalize(),
        "legalBasis": legal_basis,
        "categories": list(categories),
        "actingAs": acting_as,
    }


def flow(
    key: str, categories: Sequence[str], purposes: Sequence[str] = (), trigger: str | None = None
) -> Row:
    """A FLOWS_TO relationship on a path; `trigger` (None: routine) makes it contingent."""
    return {
        "key": key,
        "categories": list(categories),
        "purposes": list(purposes) or None,
        "trigger": trigger,
    }


def at(day: str, time: str = "09:00") -> dt.datetime:
    """An instant as the graph stores one (UTC)."""
    return dt.datetime.fromisoformat(f"{day}T{time}:00+00:00")


def record(
    id: str, held_in: Row, categories: Sequence[str], when: dt.datetime, came_from: Row | None = None
) -> Row:
    """A HELD_IN relationship (a recorded collection) as SUBJECT_LINEAGE's `records` lists it."""
    return {
        "id": id,
        "at": when,
        "categories": list(categories),
        "system": {k: held_in[k] for k in ("key", "name", "country", "operator", "backups")},
        "source": {k: came_from[k] for k in ("key", "name", "kind")} if came_from else None,
    }


def disclosure(
    id: str, to: Row, categories: Sequence[str], when: dt.datetime, purpose: Row | None = None
) -> Row:
    """A DISCLOSED_TO relationship as SUBJECT_LINEAGE's `disclosures` lists it."""
    fields = ("key", "name", "role", "kind", "country", "organisation", "organisationName")
    return {
        "id": id,
        "at": when,
        "categories": list(categories),
        "recipient": {**{k: to.get(k) for k in fields}, "ownDirectMarketing": None},
        "purpose": {**purpose, "thirdPartyDirectMarketing": None} if purpose else None,
    }


def walk(start: Row, *hops: tuple[Row, Row], from_record: str | None = None) -> list[Row]:
    """A chain of FLOWS_TO from `start`, given as (flow, node) hops, as the statements match it: every prefix of
    the chain is a path of its own. `from_record` names the record whose system or source the chain starts at."""
    paths = []
    for end in range(1, len(hops) + 1):
        path: Row = {"nodes": [start, *(n for _, n in hops[:end])], "flows": [f for f, _ in hops[:end]]}
        if from_record is not None:
            path["record"] = from_record
        paths.append(path)
    return paths


def _map_paths(walks: Iterable[Sequence[Row]]) -> Row:
    """`mapPaths` referring to nodes and flows by element id, with `pathNodes` and `pathFlows` sent once each."""
    nodes: dict[str, Row] = {}
    flows: dict[str, Row] = {}
    paths = []
    seen = set()
    for chain in walks:
        for p in chain:
            found = (
                p.get("record"),
                tuple(n["key"] for n in p["nodes"]),
                tuple(f["key"] for f in p["flows"]),
            )
            if found in seen:
                continue  # chains sharing a prefix: the statement matches that prefix once
            seen.add(found)
            node_ids = []
            for n in p["nodes"]:
                node_id = f"4:node:{n['label']}:{n['key']}"
                nodes[node_id] = {**n, "id": node_id}
                node_ids.append(node_id)
            flow_ids = []
            for f in p["flows"]:
                flow_id = f"5:flow:{f['key']}"
                flows[flow_id] = {**f, "id": flow_id}
                flow_ids.append(flow_id)
            paths.append(
                {**({"record": p["record"]} if "record" in p else {}), "nodes": node_ids, "flows": flow_ids}
            )
    return {"mapPaths": paths, "pathNodes": list(nodes.values()), "pathFlows": list(flows.values())}


def transfer(
    key: str,
    *,
    importer: str,
    categories: Sequence[str],
    mechanism: str = "scc_2021",
    from_countries: Sequence[str] = ("EU",),
    to_countries: Sequence[str] = ("US",),
    exporter: str = "controller_org",
    valid_from: dt.date = dt.date(2018, 4, 27),
    tia_review_date: dt.date | None = None,
) -> Row:
    def org(k: str) -> Row:
        return {"key": k, "name": k.replace("_", " ").title(), "country": None}

    return {
        "key": key,
        "mechanism": mechanism,
        "fromCountries": list(from_countries),
        "toCountries": list(to_countries),
        "validFrom": valid_from,
        "validTo": None,
        "tiaReviewDate": tia_review_date,
        "exporter": org(exporter),
        "importer": org(importer),
        "categories": list(categories),
    }


def subject_row(
    subject_id: str = "subject-1",
    *,
    country: str | None = None,
    records: Sequence[Row] = (),
    disclosures: Sequence[Row] = (),
    walks: Sequence[Sequence[Row]] = (),
    map_purposes: Sequence[Mapping[str, str]] = (),
    purposes: Sequence[Row] = (),
    transfers: Sequence[Row] = (),
) -> Row:
    """The SUBJECT_LINEAGE row. `map_purposes` are {record, purpose, category}; `purposes` every purpose."""
    return {
        "subjectId": subject_id,
        "country": country,
        "categoryKnown": True,
        "records": list(records),
        "disclosures": list(disclosures),
        **_map_paths(walks),
        "mapPurposes": [dict(m) for m in map_purposes],
        "purposes": list(purposes),
        "transfers": list(transfers),
    }


def category_row(
    categories: Sequence[str],
    *,
    stored: Sequence[tuple[Row, str]] = (),
    processed: Sequence[tuple[Row, str]] = (),
    walks: Sequence[Sequence[Row]] = (),
    purposes: Sequence[Row] = (),
    transfers: Sequence[Row] = (),
) -> Row:
    """The CATEGORY_LINEAGE row. `stored` and `processed` are (system or purpose, category key) pairs."""
    return {
        "categories": list(categories),
        "stored": [
            {"system": {k: s[k] for k in ("key", "name", "country", "operator")}, "category": c}
            for s, c in stored
        ],
        "processed": [{"purpose": p, "category": c} for p, c in processed],
        **_map_paths(walks),
        "purposes": list(purposes),
        "transfers": list(transfers),
    }


def retention_rule(
    key: str,
    categories: Sequence[str],
    *,
    basis: str = "legal_obligation_tax",
    period: str | None = "P7Y",
    systems: Sequence[str] = (),
    criteria: str = "as the law requires",
    name: str | None = None,
) -> Row:
    """A RetentionRule as ERASURE_PLAN's and ACCESS_REPORT's `retention` list it."""
    return {
        "key": key,
        "name": name or key.replace("_", " ").capitalize(),
        "basis": basis,
        "period": period,
        "criteria": criteria,
        "categories": list(categories),
        "systems": list(systems),
    }


def legal_hold(
    id: str,
    categories: Sequence[str],
    *,
    reason: str = "claim 2026-17",
    until: dt.date | None = None,
    systems: Sequence[str] = (),
) -> Row:
    """A LegalHold in force as ERASURE_PLAN's `holds` list it (`h {.*}`)."""
    hold: Row = {
        "id": id,
        "categories": list(categories),
        "systems": list(systems),
        "reason": reason,
        "placedAt": at("2026-01-05"),
        "subjectId": "subject-1",
    }
    if until is not None:
        hold["until"] = until
    return hold


def erasure_row(
    row: Row, *, retention: Sequence[Row] = (), holds: Sequence[Row] = (), hashes: Sequence[str] = ("h1",)
) -> Row:
    """The ERASURE_PLAN row: a SUBJECT_LINEAGE row with the retention rules, holds and identifier hashes."""
    return {**row, "retention": list(retention), "holds": list(holds), "identifierHashes": list(hashes)}


def access_report_row(
    row: Row,
    *,
    retention: Sequence[Row] = (),
    rights: Sequence[Row] = (),
    contacts: Sequence[Row] = (),
    certifications: Mapping[str, Sequence[Row]] | None = None,
    controller: Row | None = None,
    category_names: Mapping[str, str] | None = None,
) -> Row:
    """The ACCESS_REPORT row: a SUBJECT_LINEAGE row with the business facts. `certifications` maps a transfer key
    to its importer's certifications; `category_names` names categories (else none has a name: keys show)."""
    return {
        **row,
        "notice": {
            "shineTheLightRoute": None,
            "securityMeasures": None,
            "title": "Privacy notice",
            "effective": None,
        },
        "controller": controller
        or {"key": "controller_org", "name": "Controller Ltd", "address": "1 Main St", "country": "NL"},
        "retention": list(retention),
        "rights": list(rights),
        "contacts": list(contacts),
        "certifications": [{"key": k, "certifications": list(v)} for k, v in (certifications or {}).items()],
        "categoryNames": [{"key": k, "name": v} for k, v in (category_names or {}).items()],
    }


def right(key: str, law: str = "GDPR", article: str | None = None) -> Row:
    return {
        "key": key,
        "name": key.replace("_", " ").capitalize(),
        "law": law,
        "article": article,
        "description": "",
    }


def certification(program: str, valid_from: dt.date, valid_to: dt.date | None = None) -> Row:
    return {"program": program, "validFrom": valid_from, "validTo": valid_to}

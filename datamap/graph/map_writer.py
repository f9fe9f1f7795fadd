"""Write the map (the seed) into the graph inside one transaction.

Nodes are upserted by key with all their properties replaced; the relationships an entry owns are deleted
and recreated, so loading the same seed twice leaves the same graph. What is written is the map's first
version, in the shapes the API's changes write later versions in (`graph/map_versions.py`, which reuses
`entry_row`, `certification_row` and `add_flow`): each entry the API changes gets `version` 1 from `versionFrom`
(its validFrom) with `changedBy` "seed"; each relationship an entry owns holds from the entry's validFrom
(`validFrom`, `fromVersion` 1), so queries check it with `graph/validity.py` like any map fact. An entry holds
only its own seed fields: a recipient's organisation (name, address, country, legal entity) is read through
its `IS` relationship as of the day asked about, never copied onto it. A graph the API has changed is not
written over (`services/seed.py` refuses): its versions would be lost.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from datamap.domain import seed_model as sm
from datamap.domain.categories import ancestors
from datamap.domain.map_changes import KINDS, NODE_KINDS, SEED_PRINCIPAL, SEED_REASON
from datamap.domain.seed_entries import Certification, Flow
from datamap.graph.database import run

# Node labels the map owns, with the seed entries that become them. Labels come only from this table.
NODE_LABELS: tuple[str, ...] = (
    "Notice",
    "Organisation",
    "Certification",
    "DataCategory",
    "SubjectCategory",
    "Source",
    "System",
    "Purpose",
    "Recipient",
    "Transfer",
    "RetentionRule",
    "Right",
    "Deadline",
    "ContactPoint",
)

# (from label, relationship type, to label) that entries own; all are recreated on load.
EDGE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Notice", "PUBLISHED_BY", "Organisation"),
    ("Organisation", "HOLDS_CERTIFICATION", "Certification"),
    ("DataCategory", "SUBCATEGORY_OF", "DataCategory"),
    ("System", "OPERATED_BY", "Organisation"),
    ("System", "STORES", "DataCategory"),
    ("Purpose", "PROCESSES", "DataCategory"),
    ("Purpose", "CONCERNS", "SubjectCategory"),
    ("Purpose", "USES", "System"),
    ("Purpose", "ON_BEHALF_OF", "Organisation"),
    ("Recipient", "IS", "Organisation"),
    ("Transfer", "EXPORTER", "Organisation"),
    ("Transfer", "IMPORTER", "Organisation"),
    ("Transfer", "CARRIES", "DataCategory"),
    ("RetentionRule", "APPLIES_TO", "DataCategory"),
    ("RetentionRule", "APPLIES_IN", "System"),
)

FLOW_ENDS: tuple[tuple[str, str], ...] = (
    ("Source", "System"),
    ("Source", "Recipient"),
    ("System", "System"),
    ("System", "Recipient"),
)


def table_query(text: str) -> LiteralString:
    """Mark a statement built only from constant tables (labels and relationship types of the map, never input)
    as a query; every value it uses is a parameter."""
    return text  # no checker enforces LiteralString here (mypy reads it as str): the tables are the guard


_UPSERT = {
    label: table_query(f"UNWIND $rows AS row MERGE (n:{label} {{key: row.key}}) SET n = row")
    for label in NODE_LABELS
}
_VERSIONED = frozenset(KINDS[kind].label for kind in NODE_KINDS)  # the labels the API changes
# Labels and relationship types below come from the constant tables above, never from input.
_CLEAR_EDGES = {
    (from_label, rel_type, to_label): table_query(
        f"MATCH (a:{from_label})-[r:{rel_type}]->(:{to_label}) WHERE a.key IN $keys DELETE r"
    )
    for from_label, rel_type, to_label in EDGE_TYPES
}
_CREATE_EDGES = {
    (from_label, rel_type, to_label): table_query(
        f"UNWIND $rows AS row MATCH (a:{from_label} {{key: row.from}}) MATCH (b:{to_label} {{key: row.to}}) "
        f"MERGE (a)-[e:{rel_type}]->(b) SET e.validFrom = row.validFrom, e.fromVersion = 1"
    )
    for from_label, rel_type, to_label in EDGE_TYPES
}
_CREATE_FLOWS = {
    (from_label, to_label): table_query(
        f"UNWIND $rows AS row MATCH (a:{from_label} {{key: row.from}}) MATCH (b:{to_label} {{key: row.to}}) "
        "CREATE (a)-[f:FLOWS_TO]->(b) SET f = row.props"
    )
    for from_label, to_label in FLOW_ENDS
}
_CLEAR_FLOWS: LiteralString = (
    "MATCH (:Source|System)-[f:FLOWS_TO]->(:System|Recipient) WHERE f.key IN $keys DELETE f"
)


def props(entry: BaseModel, *, exclude: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """An entry's scalar fields as Neo4j properties (camelCase names, enums as values, no nulls)."""
    out: dict[str, Any] = {}
    for name, value in entry.model_dump(by_alias=True, exclude=exclude).items():
        if (
            value is None
            or isinstance(value, dict)
            or (isinstance(value, tuple | list) and value and isinstance(value[0], dict))
        ):
            continue
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = [v.value if isinstance(v, Enum) else v for v in value]
        out[name] = value
    return out


# List references kept as relationships only (scalar ones, like a system's operator, are properties too).
_LIST_REFERENCES = frozenset(
    {"categories", "subjectCategories", "systems", "purposes", "controllerOrganisations"}
)


def entry_row(entry: BaseModel) -> dict[str, Any]:
    """An entry's node properties: its scalar fields (an organisation's certifications are nodes of their own;
    list references are relationships)."""
    return {k: v for k, v in props(entry).items() if k not in _LIST_REFERENCES}


def first_version(row: dict[str, Any]) -> dict[str, Any]:
    """The bookkeeping of an entry's first version, as the seed writes it."""
    return {
        **row,
        "version": 1,
        "versionFrom": row["validFrom"],
        "changedBy": SEED_PRINCIPAL,
        "changeReason": SEED_REASON,
    }


def certification_row(organisation: str, c: Certification, key: str) -> dict[str, Any]:
    """A certification node: one per organisation, program and terms (a change of terms is a new node)."""
    return {
        "key": key,
        "program": c.program.value,
        "organisation": organisation,
        "validFrom": c.valid_from,
        **({"validTo": c.valid_to} if c.valid_to else {}),
        **({"note": c.note} if c.note else {}),
    }


def node_rows(seed: sm.SeedMap) -> dict[str, list[dict[str, Any]]]:
    notice = {"key": "notice", **props(seed.notice), "validFrom": seed.notice.effective}
    certifications = [
        certification_row(o.key, c, f"{o.key}:{c.program.value}")
        for o in seed.organisations
        for c in o.certifications
    ]
    entries: dict[str, tuple[BaseModel, ...]] = {
        "Organisation": seed.organisations,
        "DataCategory": seed.data_categories,
        "SubjectCategory": seed.subject_categories,
        "Source": seed.sources,
        "System": seed.systems,
        "Purpose": seed.purposes,
        "Recipient": seed.recipients,
        "Transfer": seed.transfers,
        "RetentionRule": seed.retention,
        "Right": seed.rights,
        "Deadline": seed.deadlines,
        "ContactPoint": seed.contact_points,
    }
    rows: dict[str, list[dict[str, Any]]] = {"Notice": [notice], "Certification": certifications}
    for label, of_label in entries.items():
        versioned = label in _VERSIONED
        rows[label] = [first_version(entry_row(e)) if versioned else entry_row(e) for e in of_label]
    return rows


def edge_rows(seed: sm.SeedMap) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Each relationship an entry owns, holding from the entry's validFrom."""

    def pairs(entries: Any, attr: str) -> list[dict[str, Any]]:
        rows = []
        for e in entries:
            value = getattr(e, attr)
            for target in (value,) if isinstance(value, str) else (value or ()):
                rows.append({"from": e.key, "to": target, "validFrom": e.valid_from})
        return rows

    notice = {"from": "notice", "to": seed.notice.controller, "validFrom": seed.notice.effective}
    return {
        ("Notice", "PUBLISHED_BY", "Organisation"): [notice],
        ("Organisation", "HOLDS_CERTIFICATION", "Certification"): [
            {"from": o.key, "to": f"{o.key}:{c.program.value}", "validFrom": o.valid_from}
            for o in seed.organisations
            for c in o.certifications
        ],
        ("DataCategory", "SUBCATEGORY_OF", "DataCategory"): [
            {"from": c.key, "to": ancestors(c.key)[-1], "validFrom": c.valid_from}
            for c in seed.data_categories
            if "." in c.key
        ],
        ("System", "OPERATED_BY", "Organisation"): pairs(seed.systems, "operator"),
        ("System", "STORES", "DataCategory"): pairs(seed.systems, "categories"),
        ("Purpose", "PROCESSES", "DataCategory"): pairs(seed.purposes, "categories"),
        ("Purpose", "CONCERNS", "SubjectCategory"): pairs(seed.purposes, "subject_categories"),
        ("Purpose", "USES", "System"): pairs(seed.purposes, "systems"),
        ("Purpose", "ON_BEHALF_OF", "Organisation"): pairs(seed.purposes, "controller_organisations"),
        ("Recipient", "IS", "Organisation"): pairs(seed.recipients, "organisation"),
        ("Transfer", "EXPORTER", "Organisation"): pairs(seed.transfers, "exporter"),
        ("Transfer", "IMPORTER", "Organisation"): pairs(seed.transfers, "importer"),
        ("Transfer", "CARRIES", "DataCategory"): pairs(seed.transfers, "categories"),
        ("RetentionRule", "APPLIES_TO", "DataCategory"): pairs(seed.retention, "categories"),
        ("RetentionRule", "APPLIES_IN", "System"): pairs(seed.retention, "systems"),
    }


def flow_row(f: Flow) -> dict[str, Any]:
    """A flow's relationship properties (its ends are the relationship's nodes)."""
    return props(f, exclude={"from_", "to"})


def flow_rows(seed: sm.SeedMap) -> dict[tuple[str, str], list[dict[str, Any]]]:
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {ends: [] for ends in FLOW_ENDS}
    for f in seed.flows:
        rows[(f.from_.label, f.to.label)].append(
            {"from": f.from_.key, "to": f.to.key, "props": _first_flow_version(flow_row(f))}
        )
    return rows


def _first_flow_version(row: dict[str, Any]) -> dict[str, Any]:
    """A flow's version is its relationship: it holds from its own validFrom, no `versionFrom`."""
    return {k: v for k, v in first_version(row).items() if k != "versionFrom"}


async def add_flow(tx: AsyncManagedTransaction, f: Flow, properties: dict[str, Any]) -> None:
    """Create one FLOWS_TO relationship between the flow's ends, with `properties`."""
    row = {"from": f.from_.key, "to": f.to.key, "props": properties}
    await run(tx, _CREATE_FLOWS[(f.from_.label, f.to.label)], rows=[row])


async def write_map(tx: AsyncManagedTransaction, seed: sm.SeedMap) -> None:
    """Upsert every map node, then replace the relationships the seed's entries own."""
    nodes = node_rows(seed)
    for label, rows in nodes.items():
        await run(tx, _UPSERT[label], rows=rows)
    for edge, rows in edge_rows(seed).items():
        owners = [r["key"] for r in nodes[edge[0]]]
        await run(tx, _CLEAR_EDGES[edge], keys=owners)
        await run(tx, _CREATE_EDGES[edge], rows=rows)
    await run(tx, _CLEAR_FLOWS, keys=[f.key for f in seed.flows])
    for ends, rows in flow_rows(seed).items():
        await run(tx, _CREATE_FLOWS[ends], rows=rows)

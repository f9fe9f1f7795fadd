"""Write the map (the seed) into the graph inside one transaction.

Nodes are upserted by key with all their properties replaced; the relationships an entry owns are deleted
and recreated, so loading the same seed twice leaves the same graph.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from datamap.domain import seed_model as sm
from datamap.domain.categories import ancestors
from datamap.domain.seed_entries import Organisation, Recipient
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


def _q(text: str) -> LiteralString:
    """Mark a statement built only from the constant tables above (never from input) as a query."""
    return (
        text  # no checker enforces LiteralString here (mypy reads it as str): the tables above are the guard
    )


_UPSERT = {
    label: _q(f"UNWIND $rows AS row MERGE (n:{label} {{key: row.key}}) SET n = row") for label in NODE_LABELS
}
# Labels and relationship types below come from the constant tables above, never from input.
_CLEAR_EDGES = {
    (from_label, rel_type, to_label): _q(
        f"MATCH (a:{from_label})-[r:{rel_type}]->(:{to_label}) WHERE a.key IN $keys DELETE r"
    )
    for from_label, rel_type, to_label in EDGE_TYPES
}
_CREATE_EDGES = {
    (from_label, rel_type, to_label): _q(
        f"UNWIND $rows AS row MATCH (a:{from_label} {{key: row.from}}) MATCH (b:{to_label} {{key: row.to}}) "
        f"MERGE (a)-[:{rel_type}]->(b)"
    )
    for from_label, rel_type, to_label in EDGE_TYPES
}
_CREATE_FLOWS = {
    (from_label, to_label): _q(
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


def node_rows(seed: sm.SeedMap) -> dict[str, list[dict[str, Any]]]:
    notice = {"key": "notice", **props(seed.notice), "validFrom": seed.notice.effective}
    certifications = [
        {
            "key": f"{o.key}:{c.program.value}",
            "program": c.program.value,
            "organisation": o.key,
            "validFrom": c.valid_from,
            **({"validTo": c.valid_to} if c.valid_to else {}),
            **({"note": c.note} if c.note else {}),
        }
        for o in seed.organisations
        for c in o.certifications
    ]
    refs = {"categories", "subjectCategories", "systems", "purposes", "controllerOrganisations"}
    organisations = {o.key: o for o in seed.organisations}
    return {
        "Notice": [notice],
        "Organisation": [props(o, exclude={"certifications"}) for o in seed.organisations],
        "Certification": certifications,
        "DataCategory": [props(c) for c in seed.data_categories],
        "SubjectCategory": [props(c) for c in seed.subject_categories],
        "Source": [props(s) for s in seed.sources],
        "System": [{k: v for k, v in props(s).items() if k not in refs} for s in seed.systems],
        "Purpose": [{k: v for k, v in props(p).items() if k not in refs} for p in seed.purposes],
        "Recipient": [_recipient(r, organisations) for r in seed.recipients],
        "Transfer": [{k: v for k, v in props(t).items() if k not in refs} for t in seed.transfers],
        "RetentionRule": [{k: v for k, v in props(r).items() if k not in refs} for r in seed.retention],
        "Right": [props(r) for r in seed.rights],
        "Deadline": [props(d) for d in seed.deadlines],
        "ContactPoint": [props(c) for c in seed.contact_points],
    }


def _recipient(r: Recipient, organisations: dict[str, Organisation]) -> dict[str, Any]:
    """A recipient with its organisation's name, country and address copied on, for one-hop answers."""
    row = props(r)
    org = organisations.get(r.organisation or "")
    if org is not None:
        row["organisationName"] = org.name
        row["legalEntity"] = org.legal_entity
        for field in ("country", "address"):
            value = getattr(org, field)
            if value is not None and field not in row:
                row[field] = value
    return row


def edge_rows(seed: sm.SeedMap) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    def pairs(entries: Any, attr: str) -> list[dict[str, str]]:
        rows = []
        for e in entries:
            value = getattr(e, attr)
            for target in (value,) if isinstance(value, str) else (value or ()):
                rows.append({"from": e.key, "to": target})
        return rows

    return {
        ("Notice", "PUBLISHED_BY", "Organisation"): [{"from": "notice", "to": seed.notice.controller}],
        ("Organisation", "HOLDS_CERTIFICATION", "Certification"): [
            {"from": o.key, "to": f"{o.key}:{c.program.value}"}
            for o in seed.organisations
            for c in o.certifications
        ],
        ("DataCategory", "SUBCATEGORY_OF", "DataCategory"): [
            {"from": c.key, "to": ancestors(c.key)[-1]} for c in seed.data_categories if "." in c.key
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


def flow_rows(seed: sm.SeedMap) -> dict[tuple[str, str], list[dict[str, Any]]]:
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {ends: [] for ends in FLOW_ENDS}
    for f in seed.flows:
        rows[(f.from_.label, f.to.label)].append(
            {"from": f.from_.key, "to": f.to.key, "props": props(f, exclude={"from_", "to"})}
        )
    return rows


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

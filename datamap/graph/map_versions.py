"""The map's versions in the graph: an entry read for a change, the change written, retirement, history.

How versions are kept (the names every reader of the map needs; `domain/map_changes.VERSION_PROPERTIES`):

- An entry (Organisation, DataCategory, Source, System, Purpose, Recipient, Transfer, RetentionRule) is one
  node per key, never replaced: the subject layer points at it. It holds its current version's seed fields as
  `map_writer.entry_row` writes them, its lifetime (`validFrom`; `validTo` once retired), and the bookkeeping
  `version` (1, 2, ...), `versionFrom` (the day the current version holds from), `changedBy` (the principal's
  label; `seed` for what `datamap seed load` wrote), `changeReason`, `changedAt` (the instant of the change;
  none for the seed's), and once retired `retiredBy`, `retiredAt`, `retireReason`.
- Each superseded version is a `MapVersion` node, `(entry)-[:PREVIOUS_VERSION]->(v)`: the entry's properties
  as they were (same names) and `versionTo`, the day the next version took over. `validity.as_of_version`
  reads the one that held on a day.
- The relationships an entry owns (`map_changes.KINDS`, and an organisation's `HOLDS_CERTIFICATION`) hold from
  `validFrom` and, once closed, until `validTo`; `fromVersion` and `toVersion` name the entry's versions they
  belong to (`fromVersion <= v < toVersion`). A changed reference closes its relationship and creates another;
  a certification whose terms change is a new `Certification` node (key `<organisation>:<program>@<version>`).
- A flow is one FLOWS_TO relationship per version, all with the flow's key: a change closes the current one
  (`validTo`) and creates the next (`validFrom` the change's day), each with `version`, `changedBy`,
  `changeReason`, `changedAt` (and `retiredBy`, `retiredAt`, `retireReason` once retired). The current one has
  the highest `version`; the one in force on a day is the one valid then.
- `(:MapEdit {key: 'map'})`: each change writes it first (`lockedAt`), so changes, and the checks they make
  against other entries, run one at a time; `changes` counts them, `changedAt` is the last. `datamap seed load`
  refuses a graph with changes (`read_map_edits`): loading would overwrite their versions.

Labels and relationship types come only from the domain's table (`map_changes.KINDS`), never from input. A
change is one transaction: `read_for_change` (the lock, the entry, and what the checks need, one round trip),
then one write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from datamap.domain.map_changes import KINDS, NODE_KINDS, Found, MapKind, Stored
from datamap.domain.seed_entries import Flow
from datamap.graph.database import Transaction, run
from datamap.graph.map_writer import add_flow, table_query

CERTIFIES = "HOLDS_CERTIFICATION"
_TARGETS = ("Organisation", "DataCategory", "SubjectCategory", "Source", "System", "Purpose", "Recipient")
FLOW_BY_KEY: LiteralString = "MATCH (a:Source|System)-[f:FLOWS_TO]->(b:System|Recipient) WHERE f.key = $key"


def edges_of(kind: MapKind) -> list[tuple[str, str, str]]:
    """(field, relationship type, target label) of each reference the entry owns as a relationship."""
    edges = [(r.field, r.edge, r.target) for r in KINDS[kind].references if r.edge is not None]
    return edges + ([("certifications", CERTIFIES, "Certification")] if kind is MapKind.ORGANISATION else [])


_LOCK = "MERGE (m:MapEdit {key: 'map'}) ON CREATE SET m.changes = 0\nSET m.lockedAt = $now\nWITH m\n"
_COUNT = "MATCH (m:MapEdit {key: 'map'}) SET m.changes = m.changes + 1, m.changedAt = $now\n"
_FOUND = "".join(
    f"CALL () {{ MATCH (x:{label}) WHERE x.key IN $wanted.{label} "
    f"RETURN collect(x {{.key, .validFrom, .validTo, label: '{label}'}}) AS found_{label} }}\n"
    for label in _TARGETS
)
_CHECKS = (
    " + ".join(f"found_{label}" for label in _TARGETS)
    + " AS found,\n"
    + "  COLLECT { MATCH (:System {key: $heldBy})-[e:STORES]->(c:DataCategory) WHERE e.validTo IS NULL "
    + "RETURN c.key } AS held,\n"
    + "  COLLECT { MATCH (:System {key: $flowsFrom})-[f:FLOWS_TO]->(:System|Recipient) WHERE f.validTo IS NULL "
    + "RETURN [f.key, f.categories] } AS outgoing"
)


def _open_references(kind: MapKind) -> str:
    parts = [
        f"{field}: [(n)-[e:{edge}]->(x:{target}) WHERE e.validTo IS NULL | x.key]"
        for field, edge, target in edges_of(kind)
        if edge != CERTIFIES
    ]
    return "{" + ", ".join(parts) + "}"


def _current(kind: MapKind) -> str:
    certifications = (
        f"[(n)-[e:{CERTIFIES}]->(c:Certification) WHERE e.validTo IS NULL | c {{.*}}]"
        if kind is MapKind.ORGANISATION
        else "[]"
    )
    return (
        f"OPTIONAL MATCH (n:{KINDS[kind].label} {{key: $key}})\n"
        f"RETURN n {{.*}} AS entry, CASE WHEN n IS NULL THEN {{}} ELSE {_open_references(kind)} END AS references,\n"
        f"  CASE WHEN n IS NULL THEN [] ELSE {certifications} END AS certifications,\n  "
    )


_CURRENT_FLOW = (
    "CALL () {\n  OPTIONAL " + FLOW_BY_KEY + "\n"
    "  RETURN f {.*, from: [head(labels(a)), a.key], to: [head(labels(b)), b.key]} AS entry\n"
    "  ORDER BY coalesce(f.version, 1) DESC LIMIT 1\n}\n"
    "RETURN entry, {} AS references, [] AS certifications,\n  "
)
_CONTROLLERS = "COLLECT { MATCH (o:Organisation) WHERE o.controller AND o.validTo IS NULL RETURN o.key }"
READ_FOR_CHANGE: dict[MapKind, LiteralString] = {
    kind: table_query(
        _LOCK
        + _FOUND
        + (_CURRENT_FLOW if kind is MapKind.FLOW else _current(kind))
        + _CHECKS
        + ",\n  "
        + (_CONTROLLERS if kind is MapKind.ORGANISATION else "[]")
        + " AS controllers"
    )
    for kind in MapKind
}


def _write_node(kind: MapKind) -> str:
    label = KINDS[kind].label
    text = (
        f"MERGE (n:{label} {{key: $key}})\n"
        "WITH n, properties(n) AS old\n"
        "CALL (n, old) {\n"
        "  UNWIND CASE WHEN $previous IS NULL THEN [] ELSE [$previous] END AS previous\n"
        "  CREATE (n)-[:PREVIOUS_VERSION]->(v:MapVersion)\n"
        "  SET v = old, v += previous\n"
        "}\n"
        "SET n = $properties\n"
        "WITH n\n"
    )
    for field, edge, target in edges_of(kind):
        if edge == CERTIFIES:
            continue
        text += (
            f"CALL (n) {{\n  MATCH (n)-[e:{edge}]->(x:{target}) WHERE e.validTo IS NULL "
            f"AND NOT x.key IN $targets.{field}\n  SET e.validTo = $day, e.toVersion = $version\n}}\n"
            f"CALL (n) {{\n  UNWIND $targets.{field} AS target\n  MATCH (x:{target} {{key: target}})\n"
            f"  WHERE NOT EXISTS {{ MATCH (n)-[e:{edge}]->(x) WHERE e.validTo IS NULL }}\n"
            f"  CREATE (n)-[:{edge} {{validFrom: $day, fromVersion: $version}}]->(x)\n}}\n"
        )
    if kind is MapKind.ORGANISATION:
        text += (
            "CALL (n) {\n  UNWIND $closeCertifications AS closed\n"
            f"  MATCH (n)-[e:{CERTIFIES}]->(:Certification {{key: closed}}) WHERE e.validTo IS NULL\n"
            "  SET e.validTo = $day, e.toVersion = $version\n}\n"
            "CALL (n) {\n  UNWIND $newCertifications AS certification\n"
            f"  CREATE (n)-[:{CERTIFIES} {{validFrom: $day, fromVersion: $version}}]->(c:Certification)\n"
            "  SET c = certification\n}\n"
        )
    return text + "WITH n\n" + _COUNT


WRITE_NODE: dict[MapKind, LiteralString] = {kind: table_query(_write_node(kind)) for kind in NODE_KINDS}
CLOSE_FLOW: LiteralString = (
    """
OPTIONAL MATCH (:Source|System)-[f:FLOWS_TO]->(:System|Recipient) WHERE f.key = $key AND f.validTo IS NULL
SET f.validTo = $day
WITH count(f) AS closed
"""
    + _COUNT
)


# --- retiring -------------------------------------------------------------------------------------------------
_LIVE = "(e.validTo IS NULL OR e.validTo > $day)"


def _incoming(label: str) -> list[tuple[str, str]]:
    """(from label, relationship type) of every relationship an entry owns towards an entry of `label`."""
    found = [
        (spec.label, ref.edge)
        for spec in KINDS.values()
        for ref in spec.references
        if ref.target == label and ref.edge is not None
    ]
    return found + ([("Notice", "PUBLISHED_BY")] if label == "Organisation" else [])


def _referrers(kind: MapKind) -> str:
    label = KINDS[kind].label
    parts = []
    incoming = _incoming(label)
    if incoming:
        froms = "|".join(sorted({f for f, _ in incoming}))
        types = "|".join(sorted({t for _, t in incoming}))
        parts.append(
            f"COLLECT {{ MATCH (x:{froms})-[e:{types}]->(n) WHERE {_LIVE} "
            "AND (x.validTo IS NULL OR x.validTo > $day) RETURN [head(labels(x)), x.key] }"
        )
    live_flow = "(f.validTo IS NULL OR f.validTo > $day)"
    if label in ("Source", "System", "Recipient"):
        parts.append(
            f"COLLECT {{ MATCH (n)-[f:FLOWS_TO]-(:Source|System|Recipient) WHERE {live_flow} "
            "RETURN ['flow', f.key] }"
        )
    for flow_field, of_label in (("categories", "DataCategory"), ("purposes", "Purpose")):
        if label == of_label:
            parts.append(
                "COLLECT { MATCH (:Source|System)-[f:FLOWS_TO]->(:System|Recipient) "
                f"WHERE $key IN f.{flow_field} AND {live_flow} RETURN ['flow', f.key] }}"
            )
    if label == "Organisation":
        parts.append(
            "COLLECT { MATCH (x:Transfer) WHERE $key IN x.onBehalfOf AND (x.validTo IS NULL OR x.validTo > $day) "
            "RETURN ['Transfer', x.key] }"
        )
    return " + ".join(parts) or "[]"


READ_FOR_RETIRE: dict[MapKind, LiteralString] = {
    kind: table_query(
        _LOCK
        + (
            _CURRENT_FLOW + "[] AS referrers"
            if kind is MapKind.FLOW
            else _current(kind) + "CASE WHEN n IS NULL THEN [] ELSE " + _referrers(kind) + " END AS referrers"
        )
    )
    for kind in MapKind
}


def _retire_node(kind: MapKind) -> str:
    text = (
        f"MATCH (n:{KINDS[kind].label} {{key: $key}})\n"
        "SET n.validTo = $day, n.retiredBy = $by, n.retiredAt = $now, n.retireReason = $reason\n"
        "WITH n\n"
    )
    edges = edges_of(kind)
    if edges:
        types = "|".join(sorted({edge for _, edge, _ in edges}))
        targets = "|".join(sorted({target for _, _, target in edges}))
        text += (
            f"CALL (n) {{\n  MATCH (n)-[e:{types}]->(:{targets}) WHERE e.validTo IS NULL\n"
            "  SET e.validTo = $day, e.toVersion = coalesce(n.version, 1) + 1\n}\n"
        )
    return text + "WITH n\n" + _COUNT


RETIRE: dict[MapKind, LiteralString] = {
    kind: table_query(
        """
MATCH (:Source|System)-[f:FLOWS_TO]->(:System|Recipient) WHERE f.key = $key AND f.validTo IS NULL
SET f.validTo = $day, f.retiredBy = $by, f.retiredAt = $now, f.retireReason = $reason
WITH count(f) AS retired
"""
        + _COUNT
        if kind is MapKind.FLOW
        else _retire_node(kind)
    )
    for kind in MapKind
}


MAP_EDITS: LiteralString = "OPTIONAL MATCH (m:MapEdit {key: 'map'}) RETURN m {.changes, .changedAt} AS edits"
# The same, holding the edits' lock until the transaction ends: a load that found none cannot overwrite an edit
# made while it writes (the edit waits for the lock, then sees the loaded map).
LOCKED_MAP_EDITS: LiteralString = (
    "MERGE (m:MapEdit {key: 'map'}) ON CREATE SET m.changes = 0\nSET m.lockedAt = datetime()\n"
    "RETURN m {.changes, .changedAt} AS edits"
)


# --- rows and calls -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeContext:
    """What a change is checked against, read under the map's lock: the entry now (None: a new key), the
    entries it references, what the flow's source system stores, the flows in force from the system, and (an
    organisation) the controllers."""

    stored: Stored | None
    found: tuple[Found, ...]
    held: tuple[str, ...]
    outgoing: tuple[tuple[str, tuple[str, ...]], ...]
    controllers: tuple[str, ...] = ()


def _stored(row: Mapping[str, Any]) -> Stored | None:
    entry = row["entry"]
    if entry is None:
        return None
    references = {k: tuple(v or ()) for k, v in (row["references"] or {}).items()}
    if "from" in entry:  # a flow: its ends are the relationship's nodes
        references = {"from": tuple(entry.pop("from")), "to": tuple(entry.pop("to"))}
    return Stored(entry, references, tuple(row["certifications"] or ()))


async def read_for_change(
    tx: Transaction,
    kind: MapKind,
    key: str,
    *,
    wanted: Mapping[str, list[str]],
    held_by: str | None,
    flows_from: str | None,
    now: dt.datetime,
) -> ChangeContext:
    """Take the map's lock and read the entry and what the change's checks need, in one statement."""
    params = {"key": key, "wanted": {label: wanted.get(label, []) for label in _TARGETS}, "now": now}
    (row,) = await run(tx, READ_FOR_CHANGE[kind], heldBy=held_by, flowsFrom=flows_from, **params)
    found = tuple(Found(f["label"], f["key"], f["validFrom"], f.get("validTo")) for f in row["found"])
    outgoing = tuple((k, tuple(c)) for k, c in row["outgoing"])
    return ChangeContext(_stored(row), found, tuple(row["held"]), outgoing, tuple(row["controllers"]))


@dataclass(frozen=True)
class Stamp:
    """Who made a version, why, when it was made, and from which day it holds."""

    version: int
    day: dt.date
    by: str
    reason: str
    at: dt.datetime

    def bookkeeping(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "changedBy": self.by,
            "changeReason": self.reason,
            "changedAt": self.at,
        }


async def write_node(
    tx: Transaction,
    kind: MapKind,
    key: str,
    properties: Mapping[str, Any],
    stored: Stored | None,
    stamp: Stamp,
    *,
    targets: Mapping[str, tuple[str, ...]],
    certifications: tuple[list[str], list[dict[str, Any]]] = ([], []),
) -> None:
    """The entry's new version: the current one kept as a MapVersion, the new attributes on the node, each
    changed reference closed and opened (`targets`: field -> keys), certifications closed and created."""
    previous = (
        None
        if stored is None
        else {"version": stored.version, "versionFrom": stored.version_from, "versionTo": stamp.day}
    )
    closed, created = certifications
    await run(
        tx,
        WRITE_NODE[kind],
        key=key,
        properties={**properties, **stamp.bookkeeping(), "versionFrom": stamp.day},
        previous=previous,
        targets={field: list(keys) for field, keys in targets.items()},
        closeCertifications=closed,
        newCertifications=created,
        day=stamp.day,
        version=stamp.version,
        now=stamp.at,
    )


async def write_flow(tx: Transaction, flow: Flow, properties: Mapping[str, Any], stamp: Stamp) -> None:
    """The flow's new version: the current relationship closed, the next one created from the change's day."""
    await run(tx, CLOSE_FLOW, key=flow.key, day=stamp.day, now=stamp.at)
    await add_flow(tx, flow, {**properties, **stamp.bookkeeping()})


async def read_for_retire(
    tx: Transaction, kind: MapKind, key: str, day: dt.date, now: dt.datetime
) -> tuple[Stored | None, list[tuple[str, str]]]:
    """Take the map's lock; the entry now, and (label or `flow`, key) of what references it from `day` on."""
    (row,) = await run(tx, READ_FOR_RETIRE[kind], key=key, day=day, now=now)
    return _stored(row), [(label, k) for label, k in row["referrers"]]


async def retire(tx: Transaction, kind: MapKind, key: str, stamp: Stamp) -> None:
    """The entry holds until `stamp.day`; so do the relationships it owns (nothing is deleted)."""
    await run(tx, RETIRE[kind], key=key, day=stamp.day, by=stamp.by, reason=stamp.reason, now=stamp.at)


async def read_map_edits(tx: Transaction, *, lock: bool = False) -> Mapping[str, Any] | None:
    """How many changes the API made to the map, and when the last one was; None when none. `lock`: in a write
    transaction, hold the edits' lock until it ends (`seed load`)."""
    (row,) = await run(tx, LOCKED_MAP_EDITS if lock else MAP_EDITS)
    edits: Mapping[str, Any] | None = row["edits"]
    return edits if edits and edits.get("changes") else None

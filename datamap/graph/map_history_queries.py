"""An entry's history read back: its node, its superseded versions and every relationship it ever owned (a
flow: its relationships, one per version), in one statement. How versions are kept: `map_versions.py`; the
history built from them: `domain/map_history.py`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from datamap.domain.map_changes import KINDS, NODE_KINDS, MapKind
from datamap.graph.database import Database
from datamap.graph.map_versions import FLOW_BY_KEY, edges_of
from datamap.graph.map_writer import table_query


def _history(kind: MapKind) -> str:
    edges = edges_of(kind)
    links = "[]"
    if edges:
        types = "|".join(sorted({edge for _, edge, _ in edges}))
        targets = "|".join(sorted({target for _, _, target in edges}))
        links = (
            f"COLLECT {{ MATCH (n)-[e:{types}]->(x:{targets}) RETURN {{type: type(e), key: x.key, "
            "fromVersion: coalesce(e.fromVersion, 1), toVersion: e.toVersion, certification: CASE WHEN "
            "x:Certification THEN x {.program, .validFrom, .validTo, .note} END} }"
        )
    return (
        f"MATCH (n:{KINDS[kind].label} {{key: $key}})\n"
        "RETURN n {.*} AS entry, COLLECT { MATCH (n)-[:PREVIOUS_VERSION]->(v:MapVersion) RETURN v {.*} } "
        f"AS previous, {links} AS links"
    )


HISTORY: dict[MapKind, LiteralString] = {kind: table_query(_history(kind)) for kind in NODE_KINDS}
FLOW_HISTORY: LiteralString = (
    FLOW_BY_KEY + "\nRETURN f {.*, from: [head(labels(a)), a.key], to: [head(labels(b)), b.key]} AS flow"
)


@dataclass(frozen=True)
class HistoryRows:
    """An entry's current node and its superseded versions, with every relationship it ever owned; or a
    flow's relationships, one per version."""

    entry: Mapping[str, Any] | None
    previous: tuple[Mapping[str, Any], ...] = ()
    links: tuple[Mapping[str, Any], ...] = ()
    flows: tuple[Mapping[str, Any], ...] = ()


async def read_history(db: Database, kind: MapKind, key: str) -> HistoryRows | None:
    """Everything kept about the entry; None when the map has no such entry."""
    if kind is MapKind.FLOW:
        flows = await db.read(FLOW_HISTORY, key=key)
        return HistoryRows(None, flows=tuple(r["flow"] for r in flows)) if flows else None
    rows = await db.read(HISTORY[kind], key=key)
    if not rows:
        return None
    (row,) = rows
    return HistoryRows(row["entry"], tuple(row["previous"]), tuple(row["links"]))

"""Lineage answers as value types, and the pure logic that builds them from what the graph returned.

A lineage answer lists what was reached (sources, systems, purposes, recipients, transfers); each with the
paths that led there, the data categories that travelled along them, and whether a path was observed (a
recorded collection or disclosure) or follows from the map (flows). Along a map path the categories narrow:
what leaves a hop is what entered it and what the flow carries (`categories.narrow`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from datamap.domain.categories import narrow
from datamap.domain.regions import exports_from

MAX_PATHS_PER_NODE = 20


class NodeKind(StrEnum):
    SUBJECT = "subject"
    SOURCE = "source"
    SYSTEM = "system"
    RECIPIENT = "recipient"
    PURPOSE = "purpose"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class Step:
    """One node on a path. `via` names what led to it: a flow key, `record:<id>` or `disclosure:<id>`."""

    kind: NodeKind
    key: str
    name: str
    via: str | None = None
    at: dt.datetime | None = None
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # paths are deduplicated by value, hashing their steps many times over: hash each step once
        object.__setattr__(self, "_hash", hash((self.kind, self.key, self.name, self.via, self.at)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True)
class LineagePath:
    steps: tuple[Step, ...]
    observed: bool
    categories: tuple[str, ...]


@dataclass
class Reached:
    """A source, system, purpose or recipient that data reached, with the paths that led there."""

    kind: NodeKind
    key: str
    name: str
    details: dict[str, Any] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)
    paths: list[LineagePath] = field(default_factory=list)
    path_count: int = 0
    _seen: set[LineagePath] = field(default_factory=set, repr=False, compare=False)

    @property
    def observed(self) -> bool:
        return any(p.observed for p in self.paths)

    @property
    def first_observed(self) -> dt.datetime | None:
        times = [s.at for p in self.paths if p.observed for s in p.steps if s.at is not None]
        return min(times) if times else None

    def add(self, path: LineagePath) -> None:
        self.categories.update(path.categories)
        if path in self._seen:
            return
        self._seen.add(path)
        self.path_count += 1
        if len(self.paths) < MAX_PATHS_PER_NODE:
            self.paths.append(path)
        elif path.observed and not self.observed:
            self.paths[-1] = path  # never let the cap hide that something was observed


@dataclass
class Lineage:
    as_of: dt.date
    sources: list[Reached]
    systems: list[Reached]
    purposes: list[Reached]
    recipients: list[Reached]
    transfers: list[Reached]
    truncated: bool
    subject_id: str | None = None
    erased_at: dt.datetime | None = None

    @classmethod
    def erased(cls, subject_id: str | None, as_of: dt.date, erased_at: dt.datetime) -> Lineage:
        """All that remains of an erased subject: that it was erased, and when."""
        return cls(as_of, [], [], [], [], [], False, subject_id, erased_at)


class _Collector:
    def __init__(self) -> None:
        self.reached: dict[tuple[NodeKind, str], Reached] = {}

    def add(
        self,
        step: Step,
        path: LineagePath,
        source: Mapping[str, Any] | None = None,
        describe: Callable[[Mapping[str, Any] | None], dict[str, Any]] | None = None,
    ) -> Reached:
        """Add a path to the node it reaches. The first time, the node's details come from `source` (the
        graph's node, through `describe`, by default `_details`): built once per node, not once per path."""
        node = self.reached.get((step.kind, step.key))
        if node is None:
            node = Reached(step.kind, step.key, step.name, (describe or _details)(source))
            self.reached[(step.kind, step.key)] = node
        node.add(path)
        return node

    def lineage(self, as_of: dt.date, truncated: bool, subject_id: str | None = None) -> Lineage:
        return Lineage(
            as_of=as_of,
            sources=self.of(NodeKind.SOURCE),
            systems=self.of(NodeKind.SYSTEM),
            purposes=self.of(NodeKind.PURPOSE),
            recipients=self.of(NodeKind.RECIPIENT),
            transfers=self.of(NodeKind.TRANSFER),
            truncated=truncated,
            subject_id=subject_id,
        )

    def of(self, kind: NodeKind) -> list[Reached]:
        """The nodes of one kind by key, each with its observed and shortest paths first."""
        nodes = sorted((r for (k, _), r in self.reached.items() if k is kind), key=lambda r: r.key)
        for node in nodes:
            node.paths.sort(key=lambda p: (not p.observed, len(p.steps), [s.key for s in p.steps]))
        return nodes


_KIND = {"Source": NodeKind.SOURCE, "System": NodeKind.SYSTEM, "Recipient": NodeKind.RECIPIENT}
_DETAIL_FIELDS = (
    "role",
    "kind",
    "country",
    "operator",
    "backups",
    "organisation",
    "organisationName",
    "legalBasis",
)


def _step(
    node: Mapping[str, Any],
    via: str | None = None,
    at: dt.datetime | None = None,
    kind: NodeKind | None = None,
) -> Step:
    return Step(kind or _KIND[node["label"]], node["key"], node.get("name") or node["key"], via, at)


def _details(node: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: node[k] for k in _DETAIL_FIELDS if node and node.get(k) is not None}


def _paths(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The row's map paths with their nodes and flows looked up (the statement sends each of those once)."""
    nodes = {n["id"]: n for n in row["pathNodes"]}
    flows = {f["id"]: f for f in row["pathFlows"]}
    return [
        {**p, "nodes": [nodes[n] for n in p["nodes"]], "flows": [flows[f] for f in p["flows"]]}
        for p in row["mapPaths"]
    ]


def _add_transfers(
    c: _Collector,
    transfers: Iterable[Mapping[str, Any]],
    subject_country: str | None,
) -> None:
    """A transfer is reached when its importer operates a reached system or is a reached recipient."""
    by_org: dict[str, list[Reached]] = {}
    for node in c.of(NodeKind.SYSTEM) + c.of(NodeKind.RECIPIENT):
        org = node.details.get("operator") or node.details.get("organisation")
        if org:
            by_org.setdefault(org, []).append(node)
    for t in transfers:
        if subject_country is not None and not exports_from(t["fromCountries"], subject_country):
            continue
        for node in by_org.get(t["importer"]["key"], []):
            for path in node.paths:
                cats = narrow(path.categories, t["categories"])
                if cats:
                    step = Step(
                        NodeKind.TRANSFER,
                        t["key"],
                        f"{t['exporter']['name']} → {t['importer']['name']}",
                        via=t["mechanism"],
                    )
                    c.add(
                        step,
                        LineagePath((*path.steps, step), path.observed, tuple(cats)),
                        t,
                        _transfer_details,
                    )


def _source_details(source: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"kind": source.get("kind")} if source else {}


def _transfer_details(t: Mapping[str, Any] | None) -> dict[str, Any]:
    if t is None:
        return {}
    return {
        k: t.get(k)
        for k in (
            "mechanism",
            "exporter",
            "importer",
            "fromCountries",
            "toCountries",
            "validFrom",
            "validTo",
            "tiaReviewDate",
        )
    }


def subject_lineage(
    row: Mapping[str, Any],
    *,
    as_of: dt.date,
    category: str | None,
    max_hops: int,
) -> Lineage:
    """Build a subject's lineage from the SUBJECT_LINEAGE row. `max_hops` counts the record or disclosure."""
    c = _Collector()
    subject = Step(NodeKind.SUBJECT, row["subjectId"], "data subject")
    purposes = {p["key"]: p for p in row["purposes"]}
    records = {r["id"]: r for r in row["records"]}
    beyond: set[tuple[NodeKind, str]] = set()

    def held_categories(cats: Sequence[str]) -> list[str]:
        return narrow(cats, [category]) if category else sorted(cats)

    for r in row["records"]:
        cats = tuple(held_categories(r["categories"]))
        sys_step = _step(r["system"], via=f"record:{r['id']}", at=r["at"], kind=NodeKind.SYSTEM)
        c.add(sys_step, LineagePath((subject, sys_step), True, cats), r["system"])
        if r["source"]:
            src = _step(r["source"], via=f"record:{r['id']}", at=r["at"], kind=NodeKind.SOURCE)
            c.add(src, LineagePath((subject, src), True, cats), r["source"], _source_details)
    for d in row["disclosures"]:
        cats = tuple(held_categories(d["categories"]))
        rec = _step(d["recipient"], via=f"disclosure:{d['id']}", at=d["at"], kind=NodeKind.RECIPIENT)
        c.add(rec, LineagePath((subject, rec), True, cats), d["recipient"])
        if d["purpose"]:
            p = Step(NodeKind.PURPOSE, d["purpose"]["key"], d["purpose"]["name"], via=f"disclosure:{d['id']}")
            c.add(p, LineagePath((subject, rec, p), True, cats), d["purpose"])
    held = {key: held_categories(r["categories"]) for key, r in records.items()}
    for mp in row["mapPurposes"]:
        r = records.get(mp["record"])
        purpose = purposes.get(mp["purpose"])
        cats = tuple(narrow(held[r["id"]], [mp["category"]])) if r and purpose else ()
        if cats and r and purpose:
            sys_step = _step(r["system"], via=f"record:{r['id']}", at=r["at"], kind=NodeKind.SYSTEM)
            p = Step(NodeKind.PURPOSE, purpose["key"], purpose["name"], via="map")
            c.add(p, LineagePath((subject, sys_step, p), False, cats), purpose)
    for raw in _paths(row):
        r = records.get(raw["record"])
        if r is None:
            continue
        first = _step(
            raw["nodes"][0], via=f"record:{r['id']}", at=r["at"]
        )  # the record's system, or its source
        _follow(c, (subject, first), held[r["id"]], raw, max_hops, purposes, beyond)
    _add_transfers(c, row["transfers"], row.get("country"))
    # cut off: something lies just beyond the bound that no path within it reaches
    return c.lineage(as_of, bool(beyond - c.reached.keys()), row["subjectId"])


def _follow(
    c: _Collector,
    start: tuple[Step, ...],
    held: Sequence[str],
    raw: Mapping[str, Any],
    max_hops: int,
    purposes: Mapping[str, Mapping[str, Any]],
    beyond: set[tuple[NodeKind, str]],
) -> None:
    """Add where one map path ends, with what still travels along it; note in `beyond` an end past the bound.

    The statement returns every prefix of a path as a path of its own, so only the end is added here."""
    steps, cats = start, list(held)
    for node, flow in zip(raw["nodes"][1:], raw["flows"], strict=True):
        cats = narrow(cats, flow["categories"])
        if not cats:
            return
        steps = (*steps, _step(node, via=flow["key"]))
    end = raw["nodes"][-1]
    if len(steps) - 1 > max_hops:
        beyond.add((_KIND[end["label"]], end["key"]))
        return
    carried = tuple(cats)
    c.add(steps[-1], LineagePath(steps, False, carried), end)
    _add_flow_purposes(c, steps, carried, raw["flows"][-1].get("purposes") or (), purposes)


def _add_flow_purposes(
    c: _Collector,
    steps: tuple[Step, ...],
    cats: tuple[str, ...],
    flow_purposes: Sequence[str],
    purposes: Mapping[str, Mapping[str, Any]],
) -> None:
    for key in flow_purposes:
        p = purposes.get(key)
        if p is not None:
            step = Step(NodeKind.PURPOSE, key, p["name"], via=steps[-1].via)
            c.add(step, LineagePath((*steps, step), False, cats), p)


def category_lineage(row: Mapping[str, Any], *, category: str, as_of: dt.date, max_hops: int) -> Lineage:
    """Build a category's lineage (the map only) from the CATEGORY_LINEAGE row."""
    c = _Collector()
    purposes = {p["key"]: p for p in row["purposes"]}
    beyond: set[tuple[NodeKind, str]] = set()
    for s in row["stored"]:
        step = _step(s["system"], via="stores", kind=NodeKind.SYSTEM)
        c.add(
            step,
            LineagePath((step,), False, tuple(narrow([category], [s["category"]]))),
            s["system"],
        )
    for p in row["processed"]:
        step = Step(NodeKind.PURPOSE, p["purpose"]["key"], p["purpose"]["name"], via="processes")
        c.add(
            step,
            LineagePath((step,), False, tuple(narrow([category], [p["category"]]))),
            p["purpose"],
        )
    for raw in _paths(row):
        start = raw["nodes"][0]
        first = _step(start)
        if first.kind is NodeKind.SOURCE:
            cats = tuple(narrow([category], raw["flows"][0]["categories"]))
            c.add(first, LineagePath((first,), False, cats), start)
        _follow(c, (first,), [category], raw, max_hops, purposes, beyond)
    for t in row["transfers"]:
        cats = tuple(narrow([category], t["categories"]))
        step = Step(
            NodeKind.TRANSFER,
            t["key"],
            f"{t['exporter']['name']} → {t['importer']['name']}",
            via=t["mechanism"],
        )
        c.add(step, LineagePath((step,), False, cats), t, _transfer_details)
    return c.lineage(as_of, bool(beyond - c.reached.keys()))

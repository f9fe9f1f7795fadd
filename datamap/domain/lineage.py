"""The pure logic that builds lineage answers (`datamap.domain.lineage_types`) from what the graph returned.

A lineage answer lists what was reached (sources, systems, purposes, recipients, transfers); each with the
paths that led there, the data categories that travelled along them, and whether a path was observed (a
recorded collection or disclosure) or follows from the map (flows). Along a map path the categories narrow:
what leaves a hop is what entered it and what the flow carries (`categories.narrow`); a flow's purposes apply to
the categories each purpose processes. A path through a contingent flow (one that carries data only on an event:
`FlowTrigger`) is contingent; what only contingent paths reach, and no observation shows, is listed apart
(`Lineage.contingent`: "may go there when ...").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict, TypeVar

from datamap.domain.categories import narrow
from datamap.domain.lineage_rows import (
    CategoryLineageRow,
    FlowPathsRow,
    PathFlowRow,
    PathNodeRow,
    PurposeRow,
    PurposeScopeRow,
    RecipientRow,
    RecordSystemRow,
    SourceRow,
    SubjectLineageRow,
    SystemRow,
    TransferRow,
    TriggeredPurposeRow,
)
from datamap.domain.lineage_types import (
    ContingentReach,
    Lineage,
    LineagePath,
    NodeKind,
    Reached,
    ReachedDetails,
    Step,
)
from datamap.domain.regions import exports_from
from datamap.domain.vocabulary import FlowTrigger

R = TypeVar("R")


class _Collector:
    def __init__(self) -> None:
        self.reached: dict[tuple[NodeKind, str], Reached] = {}

    def add(
        self, step: Step, path: LineagePath, source: R, describe: Callable[[R], ReachedDetails]
    ) -> Reached:
        """Add a path to the node it reaches. The first time, the node's details come from `source` (the
        row's node, through `describe`): built once per node, not once per path."""
        node = self.reached.get((step.kind, step.key))
        if node is None:
            node = Reached(step.kind, step.key, step.name, describe(source))
            self.reached[(step.kind, step.key)] = node
        node.add(path)
        return node

    def lineage(self, as_of: dt.date, truncated: bool, subject_id: str | None = None) -> Lineage:
        routine: dict[NodeKind, list[Reached]] = {kind: [] for kind in NodeKind}
        contingent: dict[NodeKind, list[Reached]] = {kind: [] for kind in NodeKind}
        for kind in NodeKind:
            for node in self.of(kind):  # sorted once, then split
                (routine if node.routine else contingent)[kind].append(node)
        return Lineage(
            as_of=as_of,
            sources=routine[NodeKind.SOURCE],
            systems=routine[NodeKind.SYSTEM],
            purposes=routine[NodeKind.PURPOSE],
            recipients=routine[NodeKind.RECIPIENT],
            transfers=routine[NodeKind.TRANSFER],
            truncated=truncated,
            subject_id=subject_id,
            contingent=ContingentReach(
                systems=contingent[NodeKind.SYSTEM],
                purposes=contingent[NodeKind.PURPOSE],
                recipients=contingent[NodeKind.RECIPIENT],
                transfers=contingent[NodeKind.TRANSFER],
            ),
        )

    def of(self, kind: NodeKind) -> list[Reached]:
        """The nodes of one kind by key, each with its observed and shortest paths first."""
        nodes = sorted((r for (k, _), r in self.reached.items() if k is kind), key=lambda r: r.key)
        for node in nodes:
            node.paths.sort(key=lambda p: (not p.observed, len(p.steps), [s.key for s in p.steps]))
        return nodes


_KIND = {"Source": NodeKind.SOURCE, "System": NodeKind.SYSTEM, "Recipient": NodeKind.RECIPIENT}


class _Named(TypedDict):
    """Any node of a row: each has its key and name."""

    key: str
    name: str


def _step(node: _Named, kind: NodeKind, via: str | None = None, at: dt.datetime | None = None) -> Step:
    return Step(kind, node["key"], node.get("name") or node["key"], via, at)


def _path_step(node: PathNodeRow, via: str | None = None, at: dt.datetime | None = None) -> Step:
    return _step(node, _KIND[node["label"]], via, at)


def _node_details(
    *,
    role: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    operator: str | None = None,
    backups: bool | None = None,
    organisation: str | None = None,
    organisation_name: str | None = None,
    legal_basis: str | None = None,
) -> ReachedDetails:
    """The details of a node: the properties it has (those not null)."""
    details = ReachedDetails()
    if role is not None:
        details["role"] = role
    if kind is not None:
        details["kind"] = kind
    if country is not None:
        details["country"] = country
    if operator is not None:
        details["operator"] = operator
    if backups is not None:
        details["backups"] = backups
    if organisation is not None:
        details["organisation"] = organisation
    if organisation_name is not None:
        details["organisationName"] = organisation_name
    if legal_basis is not None:
        details["legalBasis"] = legal_basis
    return details


def _path_node_details(n: PathNodeRow) -> ReachedDetails:
    return _node_details(
        role=n.get("role"),
        kind=n.get("kind"),
        country=n.get("country"),
        operator=n.get("operator"),
        backups=n.get("backups"),
        organisation=n.get("organisation"),
        organisation_name=n.get("organisationName"),
    )


def _system_details(s: SystemRow) -> ReachedDetails:
    return _node_details(country=s.get("country"), operator=s.get("operator"))


def _record_system_details(s: RecordSystemRow) -> ReachedDetails:
    return _node_details(country=s.get("country"), operator=s.get("operator"), backups=s.get("backups"))


def _recipient_details(r: RecipientRow) -> ReachedDetails:
    return _node_details(
        role=r.get("role"),
        kind=r.get("kind"),
        country=r.get("country"),
        organisation=r.get("organisation"),
        organisation_name=r.get("organisationName"),
    )


def _purpose_details(p: PurposeRow) -> ReachedDetails:
    return _node_details(legal_basis=p.get("legalBasis"))


@dataclass(frozen=True)
class _FlowPath:
    """A map path with its nodes and flows looked up; a subject's names the record it starts from."""

    record: str | None
    nodes: list[PathNodeRow]
    flows: list[PathFlowRow]


def _paths(row: FlowPathsRow) -> list[_FlowPath]:
    """The row's map paths with their nodes and flows looked up (the statement sends each of those once)."""
    nodes = {n["id"]: n for n in row["pathNodes"]}
    flows = {f["id"]: f for f in row["pathFlows"]}
    return [
        _FlowPath(p.get("record"), [nodes[n] for n in p["nodes"]], [flows[f] for f in p["flows"]])
        for p in row["mapPaths"]
    ]


def _add_transfers(
    c: _Collector,
    transfers: Iterable[TransferRow],
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
                        LineagePath((*path.steps, step), path.observed, tuple(cats), path.conditions),
                        t,
                        _transfer_details,
                    )


def _source_details(source: SourceRow) -> ReachedDetails:
    return {"kind": source["kind"]}


def _transfer_details(t: TransferRow) -> ReachedDetails:
    return {
        "mechanism": t["mechanism"],
        "exporter": t["exporter"],
        "importer": t["importer"],
        "fromCountries": t["fromCountries"],
        "toCountries": t["toCountries"],
        "validFrom": t["validFrom"],
        "validTo": t.get("validTo"),
        "tiaReviewDate": t.get("tiaReviewDate"),
    }


def subject_lineage(
    row: SubjectLineageRow,
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
        system = r["system"]
        sys_step = _step(system, NodeKind.SYSTEM, via=f"record:{r['id']}", at=r["at"])
        c.add(sys_step, LineagePath((subject, sys_step), True, cats), system, _record_system_details)
        source = r["source"]
        if source:
            src = _step(source, NodeKind.SOURCE, via=f"record:{r['id']}", at=r["at"])
            c.add(src, LineagePath((subject, src), True, cats), source, _source_details)
    for d in row["disclosures"]:
        cats = tuple(held_categories(d["categories"]))
        recipient = d["recipient"]
        rec = _step(recipient, NodeKind.RECIPIENT, via=f"disclosure:{d['id']}", at=d["at"])
        c.add(rec, LineagePath((subject, rec), True, cats), recipient, _recipient_details)
        disclosed_for = d["purpose"]
        if disclosed_for:
            p = Step(
                NodeKind.PURPOSE, disclosed_for["key"], disclosed_for["name"], via=f"disclosure:{d['id']}"
            )
            c.add(p, LineagePath((subject, rec, p), True, cats), disclosed_for, _purpose_details)
    held = {key: held_categories(r["categories"]) for key, r in records.items()}
    for mp in row["mapPurposes"]:
        record = records.get(mp["record"])
        purpose = purposes.get(mp["purpose"])
        cats = tuple(narrow(held[record["id"]], [mp["category"]])) if record and purpose else ()
        if cats and record and purpose:
            sys_step = _step(record["system"], NodeKind.SYSTEM, via=f"record:{record['id']}", at=record["at"])
            p = Step(NodeKind.PURPOSE, purpose["key"], purpose["name"], via="map")
            path = LineagePath((subject, sys_step, p), False, cats, _triggered(purpose))
            c.add(p, path, purpose, _purpose_details)
    for raw in _paths(row):
        record = records.get(raw.record) if raw.record is not None else None
        if record is None:
            continue
        # the record's system, or its source
        first = _path_step(raw.nodes[0], via=f"record:{record['id']}", at=record["at"])
        _follow(c, (subject, first), held[record["id"]], raw, max_hops, purposes, beyond)
    _add_transfers(c, row["transfers"], row.get("country"))
    # cut off: something lies just beyond the bound that no path within it reaches
    return c.lineage(as_of, bool(beyond - c.reached.keys()), row["subjectId"])


def _follow(
    c: _Collector,
    start: tuple[Step, ...],
    held: Sequence[str],
    raw: _FlowPath,
    max_hops: int,
    purposes: Mapping[str, PurposeScopeRow],
    beyond: set[tuple[NodeKind, str]],
) -> None:
    """Add where one map path ends, with what still travels along it; note in `beyond` an end past the bound.

    The statement returns every prefix of a path as a path of its own, so only the end is added here."""
    steps, cats = start, list(held)
    for node, flow in zip(raw.nodes[1:], raw.flows, strict=True):
        cats = narrow(cats, flow["categories"])
        if not cats:
            return
        steps = (*steps, _path_step(node, via=flow["key"]))
    end = raw.nodes[-1]
    if len(steps) - 1 > max_hops:
        beyond.add((_KIND[end["label"]], end["key"]))
        return
    path = LineagePath(steps, False, tuple(cats), _conditions(raw.flows))
    c.add(steps[-1], path, end, _path_node_details)
    _add_flow_purposes(c, path, raw.flows[-1].get("purposes") or (), purposes)


def _conditions(flows: Sequence[PathFlowRow]) -> tuple[FlowTrigger, ...]:
    """The events a map path's contingent flows need (a flow stored without a trigger is routine)."""
    return tuple(sorted({t for f in flows for t in _events(f.get("trigger"))}))


def _add_flow_purposes(
    c: _Collector,
    path: LineagePath,
    flow_purposes: Sequence[str],
    purposes: Mapping[str, PurposeScopeRow],
) -> None:
    """The purposes the path's last flow carries its data for: each only for the categories it processes."""
    for key in flow_purposes:
        p = purposes.get(key)
        cats = tuple(narrow(path.categories, p["categories"])) if p is not None else ()
        if p is not None and cats:
            step = Step(NodeKind.PURPOSE, key, p["name"], via=path.steps[-1].via)
            conditions = tuple(sorted({*path.conditions, *_triggered(p)}))
            c.add(step, LineagePath((*path.steps, step), False, cats, conditions), p, _purpose_details)


def _triggered(purpose: TriggeredPurposeRow) -> tuple[FlowTrigger, ...]:
    """The event a purpose's processing needs (none for a routine one)."""
    return _events(purpose.get("trigger"))


# by a stored trigger (a purpose's or a flow's): the events it needs, looked up instead of built along every path
_EVENTS: dict[str, tuple[FlowTrigger, ...]] = {
    t.value: (() if t is FlowTrigger.ROUTINE else (t,)) for t in FlowTrigger
}


def _events(trigger: str | None) -> tuple[FlowTrigger, ...]:
    """None (stored without a trigger) is routine; a value that is no trigger fails as `FlowTrigger` does."""
    stored = trigger or FlowTrigger.ROUTINE
    found = _EVENTS.get(stored)
    return found if found is not None else (FlowTrigger(stored),)


def category_lineage(row: CategoryLineageRow, *, category: str, as_of: dt.date, max_hops: int) -> Lineage:
    """Build a category's lineage (the map only) from the CATEGORY_LINEAGE row."""
    c = _Collector()
    purposes = {p["key"]: p for p in row["purposes"]}
    beyond: set[tuple[NodeKind, str]] = set()
    for s in row["stored"]:
        step = _step(s["system"], NodeKind.SYSTEM, via="stores")
        c.add(
            step,
            LineagePath((step,), False, tuple(narrow([category], [s["category"]]))),
            s["system"],
            _system_details,
        )
    for p in row["processed"]:
        step = Step(NodeKind.PURPOSE, p["purpose"]["key"], p["purpose"]["name"], via="processes")
        cats = tuple(narrow([category], [p["category"]]))
        c.add(
            step, LineagePath((step,), False, cats, _triggered(p["purpose"])), p["purpose"], _purpose_details
        )
    for raw in _paths(row):
        start = raw.nodes[0]
        first = _path_step(start)
        if first.kind is NodeKind.SOURCE:
            cats = tuple(narrow([category], raw.flows[0]["categories"]))
            c.add(first, LineagePath((first,), False, cats), start, _path_node_details)
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

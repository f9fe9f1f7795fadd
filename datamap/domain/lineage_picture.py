"""A lineage as a picture: which nodes and edges to draw, in which style, as Graphviz DOT text. Pure.

The picture reads left to right: the data subject (a subject's lineage), sources, systems, recipients. What is
drawn and how:

- an **observed** edge (a recorded collection or disclosure) is solid, bold and black; an edge the map implies
  (**inferred** from flows) is solid and grey; an edge only **contingent** flows make (data goes there only on an
  event, `FlowTrigger`) is dashed and says on which event; the strongest evidence of an edge wins (an edge that
  a record shows and a flow implies is observed). A node reached only on an event has a dashed border.
- a record's source and system are joined source -> system (the record says where the data came from and where
  it is held), so sources stand left of systems.
- nodes sit in a box per country (a system's hosting country, a recipient's country); an organisation that
  imports data through a **transfer across borders** (GDPR Chapter V, Art. 44-46) has a double border and a line
  per transfer ("transfer EU → US, scc_2021"); a transfer whose importer is not drawn gets a note of its own.
- a **truncated** lineage (cut off at its hop bound, something lies beyond) says so under the title, and a
  legend explains the styles.

`services/lineage_pictures.py` turns the DOT text into SVG (the `dot` program); nothing here does I/O.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from datamap.domain.impact import RecipientImpact
from datamap.domain.lineage_types import Lineage, LineagePath, NodeKind, Reached, Step, TransferTerms
from datamap.domain.vocabulary import FlowTrigger

DRAWN_KINDS = (NodeKind.SUBJECT, NodeKind.SOURCE, NodeKind.SYSTEM, NodeKind.RECIPIENT)
FONT = "DejaVu Sans"  # Debian's fonts-dejavu-core: the same metrics for the layout and the browser
TRUNCATED_NOTE = "Truncated: some paths were cut off at the hop bound; more lies beyond what is drawn."


class Evidence(IntEnum):
    """How an edge is known, weakest first: the strongest of the paths through it wins."""

    CONTINGENT = 0  # only flows that carry data on an event
    INFERRED = 1  # the map's routine flows
    OBSERVED = 2  # a recorded collection or disclosure


@dataclass
class DrawnNode:
    kind: NodeKind
    key: str
    name: str
    country: str | None = None
    observed: bool = False
    contingent: bool = False
    transfers: list[str] = field(default_factory=list)  # one line per transfer across borders it imports by
    focus: bool = False  # the recipient whose impact the picture shows

    @property
    def id(self) -> str:
        return node_id(self.kind, self.key)

    def label(self) -> str:
        return "\n".join([self.name, *self.transfers])  # the country is its box's ("in US")


@dataclass
class DrawnEdge:
    start: str
    end: str
    evidence: Evidence
    events: set[FlowTrigger] = field(default_factory=set)  # a contingent edge's events


@dataclass
class Picture:
    """What one picture shows, and its DOT text (`dot()`)."""

    title: str
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: NodeKind) -> list[DrawnNode]:
        return [n for n in self.nodes if n.kind is kind]

    def dot(self) -> str:
        return _dot(self)


# --- from a lineage ----------------------------------------------------------------------------------------------


def _reached(lineage: Lineage) -> list[Reached]:
    """The sources, systems and recipients the lineage reached, routinely or only on an event."""
    c = lineage.contingent
    return [*lineage.sources, *lineage.systems, *lineage.recipients, *c.systems, *c.recipients]


def _node_of(node: Reached) -> DrawnNode:
    facts = node.facts
    return DrawnNode(node.kind, node.key, node.name, facts.country, node.observed, node.contingent)


def _record_sources(lineage: Lineage) -> dict[str, Step]:
    """record id -> the source the record says the data came from."""
    found = {}
    for source in lineage.sources:
        for path in source.paths:
            step = path.steps[-1]
            if path.observed and step.via and step.via.startswith("record:"):
                found[step.via] = step
    return found


class _Edges:
    def __init__(self) -> None:
        self.edges: dict[tuple[str, str], DrawnEdge] = {}

    def add(self, start: Step, end: Step, evidence: Evidence, events: Iterable[FlowTrigger]) -> None:
        key = (_id(start), _id(end))
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = DrawnEdge(key[0], key[1], evidence)
        edge.evidence = max(edge.evidence, evidence)
        if evidence is Evidence.CONTINGENT:
            edge.events.update(events)

    def follow(self, path: LineagePath, record_sources: dict[str, Step]) -> None:
        evidence = _evidence(path)
        steps = [s for s in path.steps if s.kind in DRAWN_KINDS]
        for start, end in itertools.pairwise(steps):
            source = record_sources.get(end.via or "") if start.kind is NodeKind.SUBJECT else None
            if source is not None and end.kind is NodeKind.SYSTEM:
                # subject -> system by a record with a source: drawn source -> system (subject -> source too)
                self.add(start, source, Evidence.OBSERVED, ())
                self.add(source, end, Evidence.OBSERVED, ())
            else:
                self.add(start, end, Evidence.OBSERVED if end.at is not None else evidence, path.conditions)


def node_id(kind: NodeKind, key: str) -> str:
    """A node's id in the DOT text (and the SVG's titles): `system:crm`."""
    return f"{kind.value}:{key}"


def _id(step: Step) -> str:
    return node_id(step.kind, step.key)


def _evidence(path: LineagePath) -> Evidence:
    if path.observed:
        return Evidence.OBSERVED
    return Evidence.INFERRED if path.routine else Evidence.CONTINGENT


def _transfer_line(terms: TransferTerms) -> str:
    return f"transfer {', '.join(terms.from_countries)} → {', '.join(terms.to_countries)}, {terms.mechanism}"


def _mark_transfers(
    nodes: dict[str, DrawnNode], reached: Sequence[Reached], transfers: Sequence[Reached]
) -> None:
    """Each transfer on the nodes of its importer (a system it operates, or a recipient it is); a transfer whose
    importer is not drawn becomes a note node of its own."""
    by_org: dict[str, list[DrawnNode]] = {}
    for node in reached:
        org, drawn = node.facts.operator or node.facts.organisation, nodes.get(node_id(node.kind, node.key))
        if org and drawn is not None:
            by_org.setdefault(org, []).append(drawn)
    for transfer in transfers:
        terms = transfer.transfer
        if terms is None:
            continue
        line = _transfer_line(terms)
        importers = by_org.get(terms.importer.key)
        if not importers:
            note = DrawnNode(
                NodeKind.TRANSFER,
                transfer.key,
                f"{terms.exporter.name} → {terms.importer.name}",
                country=", ".join(terms.to_countries),
                contingent=transfer.contingent,
                transfers=[line],
            )
            nodes.setdefault(note.id, note)
            continue
        for importer in importers:
            if line not in importer.transfers:
                importer.transfers.append(line)


def lineage_picture(lineage: Lineage, title: str) -> Picture:
    """The picture of a subject's or a category's lineage."""
    reached = _reached(lineage)
    nodes: dict[str, DrawnNode] = {}
    if lineage.subject_id is not None:
        subject = DrawnNode(NodeKind.SUBJECT, lineage.subject_id, "data subject", observed=True)
        nodes[subject.id] = subject
    for node in reached:
        drawn = _node_of(node)
        nodes[drawn.id] = drawn
    edges = _Edges()
    record_sources = _record_sources(lineage)
    for node in reached:
        for path in node.paths:
            edges.follow(path, record_sources)
    _add_missing(nodes, reached)
    _mark_transfers(nodes, reached, [*lineage.transfers, *lineage.contingent.transfers])
    notes = []
    if lineage.erased_at is not None:
        notes.append(
            f"The subject was erased on {lineage.erased_at.date().isoformat()}: nothing remains to draw."
        )
    if lineage.truncated:
        notes.append(TRUNCATED_NOTE)
    return Picture(title, _ordered(nodes.values()), _edges_between(edges, nodes), notes)


def _add_missing(nodes: dict[str, DrawnNode], reached: Sequence[Reached]) -> None:
    """A node that a drawn path passes through but that is not reached itself (a path shown elsewhere)."""
    for node in reached:
        for path in node.paths:
            for step in path.steps:
                if step.kind in DRAWN_KINDS and _id(step) not in nodes:
                    nodes[_id(step)] = DrawnNode(step.kind, step.key, step.name)


def _edges_between(edges: _Edges, nodes: dict[str, DrawnNode]) -> list[DrawnEdge]:
    return sorted(
        (e for e in edges.edges.values() if e.start in nodes and e.end in nodes),
        key=lambda e: (e.start, e.end),
    )


_ORDER = {kind: index for index, kind in enumerate(NodeKind)}


def _ordered(nodes: Iterable[DrawnNode]) -> list[DrawnNode]:
    return sorted(nodes, key=lambda n: (_ORDER[n.kind], n.key))


# --- from a recipient's impact ---------------------------------------------------------------------------------


def impact_picture(impact: RecipientImpact, title: str) -> Picture:
    """The picture of what reaches one recipient by the map: every path of flows ending there (GDPR Art.
    33(3)(a): the categories concerned), and a note of how many people's data recorded disclosures brought there
    in the period (Art. 33(3)(a): "approximate number of data subjects concerned"; never who)."""
    recipient = impact.recipient
    target = DrawnNode(
        NodeKind.RECIPIENT, recipient["key"], recipient["name"], recipient.get("country"), focus=True
    )
    nodes = {target.id: target}
    for node in [*impact.sources, *impact.systems]:
        drawn = _node_of(node)
        nodes[drawn.id] = drawn
    edges = _Edges()
    for path in impact.paths:
        edges.follow(path, {})
    _add_missing(nodes, [*impact.sources, *impact.systems])
    notes = []
    if not impact.paths:
        notes.append("No flow of the map ends at this recipient on this day.")
    period = f"{impact.period.start.isoformat()} to {impact.period.last_day.isoformat()}"
    notes.append(
        f"Recorded disclosures brought the data of {impact.subject_count} people here from {period}."
    )
    return Picture(title, _ordered(nodes.values()), _edges_between(edges, nodes), notes)


# --- DOT ---------------------------------------------------------------------------------------------------------

_FILL = {
    NodeKind.SUBJECT: "#f1f5f9",
    NodeKind.SOURCE: "#dbeafe",
    NodeKind.SYSTEM: "#dcfce7",
    NodeKind.RECIPIENT: "#ffedd5",
    NodeKind.TRANSFER: "#fef9c3",
}
_SHAPE = {
    NodeKind.SUBJECT: "ellipse",
    NodeKind.SOURCE: "box",
    NodeKind.SYSTEM: "box",
    NodeKind.RECIPIENT: "box",
    NodeKind.TRANSFER: "note",
}
# the columns after the subject's: sources 1, systems 2, recipients 3 (an edge from the subject spans to its node)
_COLUMN = {NodeKind.SOURCE: 1, NodeKind.SYSTEM: 2, NodeKind.RECIPIENT: 3}
_EDGE_STYLE = {
    Evidence.OBSERVED: 'color="#111827", penwidth=2.2',
    Evidence.INFERRED: 'color="#6b7280", penwidth=1.2',
    Evidence.CONTINGENT: 'color="#6b7280", penwidth=1.2, style=dashed, fontcolor="#6b7280"',
}


def quoted(text: str) -> str:
    """A DOT string: backslashes and quotes escaped, line breaks as DOT's centred `\\n`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def _node_line(node: DrawnNode) -> str:
    styles = ["filled"] + (["rounded"] if node.kind in (NodeKind.SOURCE, NodeKind.RECIPIENT) else [])
    if node.contingent:
        styles.append("dashed")
    attributes = [
        f"label={quoted(node.label())}",
        f"shape={_SHAPE[node.kind]}",
        f"style={quoted(','.join(styles))}",
        f"fillcolor={quoted(_FILL[node.kind])}",
        f"class={quoted(f'{node.kind.value}')}",
    ]
    if node.observed or node.focus:
        attributes.append(f"penwidth={3 if node.focus else 2}")
    if node.transfers and node.kind is not NodeKind.TRANSFER:
        attributes.append("peripheries=2")
    return f"  {quoted(node.id)} [{', '.join(attributes)}];"


def _edge_line(edge: DrawnEdge, kinds: dict[str, NodeKind]) -> str:
    attributes = [_EDGE_STYLE[edge.evidence]]
    if edge.evidence is Evidence.CONTINGENT and edge.events:
        words = ", ".join(t.value.replace("_", " ") for t in sorted(edge.events))
        attributes.append(f"label={quoted(f'on {words}')}")
    if kinds[edge.start] is NodeKind.SUBJECT and kinds[edge.end] in _COLUMN:
        attributes.append(f"minlen={_COLUMN[kinds[edge.end]]}")
    return f"  {quoted(edge.start)} -> {quoted(edge.end)} [{', '.join(attributes)}];"


def _cell(text: str, **attributes: str) -> str:
    extra = "".join(f' {name.upper()}="{value}"' for name, value in attributes.items())
    return f"<TD{extra}>{text}</TD>"


def _legend() -> str:
    """The legend, one row of the graph's label: the kinds of node and the styles of edge."""
    kinds = [
        _cell(
            kind.value,
            bgcolor=_FILL[kind],
            border="1",
            **({} if kind is NodeKind.SYSTEM else {"style": "rounded"}),
        )
        for kind in (NodeKind.SOURCE, NodeKind.SYSTEM, NodeKind.RECIPIENT)
    ]
    transfer = (
        '<TD><TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="2"><TR><TD>imports by a transfer '
        "across borders</TD></TR></TABLE></TD>"
    )
    contingent = _cell("reached only on an event", border="1", style="dashed")
    lines = [
        _cell('<FONT COLOR="#111827"><B>━━━</B></FONT> observed (recorded)'),
        _cell('<FONT COLOR="#6b7280">───</FONT> by the map (inferred)'),
        _cell('<FONT COLOR="#6b7280">- - -</FONT> contingent: only on an event'),
    ]
    return "".join([*kinds, transfer, contingent, *lines])


def _label(picture: Picture) -> str:
    """The graph's label: the title, the notes (truncation), and the legend; an HTML-like label of DOT."""
    columns = 8
    rows = [
        f'<TR><TD ALIGN="LEFT" COLSPAN="{columns}"><FONT POINT-SIZE="15"><B>{_html(picture.title)}</B></FONT></TD></TR>'
    ]
    rows += [
        f'<TR><TD ALIGN="LEFT" COLSPAN="{columns}"><FONT COLOR="#b91c1c">{_html(n)}</FONT></TD></TR>'
        for n in picture.notes
    ]
    rows.append(f"<TR>{_legend()}</TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="3">' + "".join(rows) + "</TABLE>>"


def _html(text: str) -> str:
    """Text for an HTML-like label of DOT: its markup characters escaped."""
    return html.escape(text, quote=True)


def _dot(picture: Picture) -> str:
    lines = [
        "digraph lineage {",
        f"  graph [rankdir=LR, newrank=true, nodesep=0.2, ranksep=0.6, fontname={quoted(FONT)}, fontsize=11,"
        f" labelloc=t, labeljust=l, label={_label(picture)}];",
        f'  node [fontname={quoted(FONT)}, fontsize=10, margin="0.12,0.05"];',
        f"  edge [fontname={quoted(FONT)}, fontsize=9, arrowsize=0.7];",
    ]
    by_country: dict[str, list[DrawnNode]] = {}
    for node in picture.nodes:
        if node.country and node.kind is not NodeKind.SUBJECT:
            by_country.setdefault(node.country, []).append(node)
        else:
            lines.append(_node_line(node))
    for index, (country, members) in enumerate(sorted(by_country.items())):
        lines.append(f"  subgraph cluster_country_{index} {{")
        lines.append(f'    label={quoted(f"in {country}")}; style="rounded,dashed"; color="#94a3b8";')
        lines += ["  " + _node_line(n) for n in members]
        lines.append("  }")
    kinds = {n.id: n.kind for n in picture.nodes}
    lines += [_edge_line(e, kinds) for e in picture.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"

"""Impact: the map's flows one asks about, and what reaches one recipient, by the map and as observed.

A recipient's impact answers what a breach at the recipient, or the end of a contract with it, would touch: GDPR
Art. 33(3)(a) asks for "the categories and approximate number of data subjects concerned" and Art. 34(1) to
tell each of them; Cal. Civ. Code §1798.82(a) to notify each California resident concerned. So it gives

- by the map: the paths of flows in force on a day that end at the recipient, each with the categories that
  travel along all of it (narrowed at each hop, as in lineage: `categories.narrow`), routine or contingent
  (`FlowTrigger`), and the sources and systems upstream;
- observed: the people whose data a recorded disclosure (DISCLOSED_TO) brought to the recipient in a period,
  counted, and a page of them by subject id with the categories disclosed.

Rows are the statements' (`datamap.graph.impact_queries`), keys as the Cypher names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypedDict

from datamap.domain.categories import narrow
from datamap.domain.deadlines import add_months

# the lineage's map-path pieces: the same paths, steps and trigger rules, not a second reading of them
from datamap.domain.lineage import _KIND, _conditions, _path_step, _paths
from datamap.domain.lineage_rows import FlowPathsRow
from datamap.domain.lineage_types import LineagePath, NodeKind, Reached
from datamap.domain.vocabulary import FlowTrigger
from datamap.errors import ValidationError

MAX_PERIOD_MONTHS = 120  # a period of at most ten years
MAX_PAGE = 500
DEFAULT_PAGE = 50

# --- rows ----------------------------------------------------------------------------------------------------


class FlowEndRow(TypedDict):
    """A flow's source or system, or its system or recipient."""

    label: Literal["Source", "System", "Recipient"]
    key: str
    name: str


class FlowRow(TypedDict):
    """A FLOWS_TO relationship in force, with its ends."""

    key: str
    categories: list[str]
    purposes: list[str] | None
    trigger: str | None  # `FlowTrigger`; null (a flow written before triggers) is routine
    ref: str | None
    note: str | None
    validFrom: dt.date
    validTo: dt.date | None
    version: int | None  # the flow's version on the day (null: never changed since the seed, version 1)
    start: FlowEndRow
    end: FlowEndRow


class FlowsRow(TypedDict):
    """The one row of FLOWS: the flows, and whether each key asked about names something in the map."""

    flows: list[FlowRow]
    fromKnown: bool
    toKnown: bool
    categoryKnown: bool
    purposeKnown: bool


class ImpactRecipientRow(TypedDict):
    key: str
    name: str
    role: str
    kind: str
    country: str | None


class ImpactedSubjectRow(TypedDict):
    """A subject with a disclosure to the recipient in the period: what was disclosed, how often, when."""

    subjectId: str
    categories: list[str]
    disclosures: int
    first: dt.datetime
    last: dt.datetime


class RecipientImpactRow(FlowPathsRow):
    """The row of RECIPIENT_IMPACT (none when the map has no such recipient)."""

    recipient: ImpactRecipientRow
    subjectCount: int
    subjects: list[ImpactedSubjectRow]  # one more than the page asks for when there are more


# --- answers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days `start` .. `end` (exclusive): [from, to)."""

    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def check_period(start: dt.date, end: dt.date) -> Period:
    """[from, to): at least one day, at most ten years."""
    if end <= start:
        raise ValidationError(f"to: {end} is not after from ({start}); the period [from, to) needs a day")
    if end > add_months(start, MAX_PERIOD_MONTHS):
        raise ValidationError(
            f"to: the period {start} to {end} is longer than ten years; give a `to` up to "
            f"{add_months(start, MAX_PERIOD_MONTHS)}"
        )
    return Period(start, end)


def check_page(limit: int, after: str | None) -> tuple[int, str | None]:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit: {limit} is out of range; give 1 to {MAX_PAGE}")
    if after is not None and not 0 < len(after) <= 100:
        raise ValidationError("after: give the `next` of the page before (a subject id)")
    return limit, after


def map_day(period: Period, as_of: dt.date | None, today: dt.date) -> dt.date:
    """The day whose map the paths follow: `asOf`; else the period's last day, or today for a period not over."""
    return as_of or min(period.last_day, today)


@dataclass(frozen=True)
class FlowEnd:
    kind: NodeKind
    key: str
    name: str


@dataclass(frozen=True)
class Flow:
    """A flow of the map in force on a day."""

    key: str
    start: FlowEnd
    end: FlowEnd
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    trigger: FlowTrigger
    ref: str
    note: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    version: int

    @property
    def routine(self) -> bool:
        return self.trigger is FlowTrigger.ROUTINE

    @classmethod
    def of(cls, row: FlowRow) -> Flow:
        def end(e: FlowEndRow) -> FlowEnd:
            return FlowEnd(_KIND[e["label"]], e["key"], e.get("name") or e["key"])

        return cls(
            key=row["key"],
            start=end(row["start"]),
            end=end(row["end"]),
            categories=tuple(sorted(row["categories"])),
            purposes=tuple(row.get("purposes") or ()),
            trigger=FlowTrigger(row.get("trigger") or FlowTrigger.ROUTINE),
            ref=row.get("ref") or "",
            note=row.get("note"),
            valid_from=row["validFrom"],
            valid_to=row.get("validTo"),
            version=row.get("version") or 1,
        )


@dataclass(frozen=True)
class ImpactedSubject:
    subject_id: str
    categories: tuple[str, ...]
    disclosures: int
    first: dt.datetime
    last: dt.datetime


@dataclass(frozen=True)
class RecipientImpact:
    """What reaches a recipient: by the map on `as_of`, and as observed in `period`."""

    recipient: ImpactRecipientRow
    period: Period
    as_of: dt.date
    paths: list[LineagePath]  # routine first, then shortest
    sources: list[Reached]
    systems: list[Reached]
    subject_count: int
    subjects: list[ImpactedSubject]
    next: str | None  # the `after` of the next page; None on the last

    @property
    def categories(self) -> list[str]:
        """What the map's routine paths bring to the recipient."""
        return sorted({c for p in self.paths if p.routine for c in p.categories})

    @property
    def contingent_categories(self) -> list[str]:
        """What only contingent paths may bring (on an event), and no routine path does."""
        return sorted({c for p in self.paths if not p.routine for c in p.categories} - set(self.categories))


def _narrowed(row: FlowPathsRow) -> list[LineagePath]:
    """Each map path with what travels along all of it (what its first flow carries, narrowed at each hop);
    a path along which nothing travels is dropped."""
    out = []
    for raw in _paths(row):
        cats = sorted(set(raw.flows[0]["categories"]))
        steps = [_path_step(raw.nodes[0])]
        for node, flow in zip(raw.nodes[1:], raw.flows, strict=True):
            cats = narrow(cats, flow["categories"])
            steps.append(_path_step(node, via=flow["key"]))
        if cats:
            out.append(LineagePath(tuple(steps), False, tuple(cats), _conditions(raw.flows)))
    return sorted(out, key=lambda p: (not p.routine, len(p.steps), [s.key for s in p.steps]))


def _upstream(paths: list[LineagePath]) -> dict[tuple[NodeKind, str], Reached]:
    """The sources and systems the paths go through, each with every path through it."""
    nodes: dict[tuple[NodeKind, str], Reached] = {}
    for path in paths:
        for step in path.steps[:-1]:
            node = nodes.setdefault((step.kind, step.key), Reached(step.kind, step.key, step.name))
            node.add(path)
    return dict(sorted(nodes.items()))


def recipient_impact(
    row: RecipientImpactRow, *, period: Period, as_of: dt.date, limit: int
) -> RecipientImpact:
    paths = _narrowed(row)
    upstream = _upstream(paths)
    page = row["subjects"][:limit]
    return RecipientImpact(
        recipient=row["recipient"],
        period=period,
        as_of=as_of,
        paths=paths,
        sources=[n for (kind, _), n in upstream.items() if kind is NodeKind.SOURCE],
        systems=[n for (kind, _), n in upstream.items() if kind is NodeKind.SYSTEM],
        subject_count=row["subjectCount"],
        subjects=[
            ImpactedSubject(
                s["subjectId"], tuple(sorted(s["categories"])), s["disclosures"], s["first"], s["last"]
            )
            for s in page
        ],
        next=page[-1]["subjectId"] if len(row["subjects"]) > limit else None,
    )

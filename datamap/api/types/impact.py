"""GraphQL types of the impact queries: the map's flows, and what reaches one recipient."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.common import NodeKindEnum, Provenance, RecipientRoleEnum
from datamap.api.types.lineage import LineageStep
from datamap.domain import impact as di
from datamap.domain import lineage_types as dl
from datamap.domain.vocabulary import FlowTrigger, RecipientRole
from datamap.graph.map_rows import ProvenanceRow

FlowTriggerEnum = strawberry.enum(FlowTrigger, name="FlowTrigger")


@strawberry.type(description="A source, system or recipient at one end of a flow")
class FlowEnd:
    kind: NodeKindEnum  # type: ignore[valid-type]
    key: str
    name: str

    @classmethod
    def of(cls, e: di.FlowEnd) -> FlowEnd:
        return cls(kind=e.kind, key=e.key, name=e.name)


@strawberry.type(
    description="A flow of the map: data of some categories from a source or system to a system or "
    "recipient, for purposes"
)
class Flow:
    key: str
    start: FlowEnd = strawberry.field(name="from")
    end: FlowEnd = strawberry.field(name="to")
    categories: list[str]
    purposes: list[str]
    trigger: FlowTriggerEnum = strawberry.field(  # type: ignore[valid-type]
        description="ROUTINE, or the event on which alone the flow carries data (a contingent flow)"
    )
    when: str | None = strawberry.field(description="For a contingent flow: the event, in words")
    provenance: Provenance

    @classmethod
    def of(cls, f: di.Flow) -> Flow:
        return cls(
            key=f.key,
            start=FlowEnd.of(f.start),
            end=FlowEnd.of(f.end),
            categories=list(f.categories),
            purposes=list(f.purposes),
            trigger=f.trigger,
            when=None if f.routine else f.trigger.when,
            provenance=Provenance.of(ProvenanceRow(f.ref, f.note, f.valid_from, f.valid_to, f.version)),
        )


@strawberry.type(description="A path of the map's flows that ends at the recipient")
class ImpactPath:
    steps: list[LineageStep] = strawberry.field(
        description="From a source or system to the recipient; each step's `via` is the flow that led there"
    )
    categories: list[str] = strawberry.field(description="The data categories that travel along all of it")
    routine: bool = strawberry.field(description="False when a flow on it carries data only on an event")
    when: list[str] = strawberry.field(description="For a contingent path: the events its flows need")

    @classmethod
    def of(cls, p: dl.LineagePath) -> ImpactPath:
        return cls(
            steps=[LineageStep(kind=s.kind, key=s.key, name=s.name, via=s.via, at=s.at) for s in p.steps],
            categories=list(p.categories),
            routine=p.routine,
            when=[t.when for t in p.conditions],
        )


@strawberry.type(description="A source or system upstream of the recipient on the map's paths")
class Upstream:
    kind: NodeKindEnum  # type: ignore[valid-type]
    key: str
    name: str
    categories: list[str] = strawberry.field(description="What travels from or through it to the recipient")
    routine: bool = strawberry.field(description="True when a routine path goes through it")
    when: list[str] = strawberry.field(description="When only contingent paths do: their events")
    path_count: int

    @classmethod
    def of(cls, n: dl.Reached) -> Upstream:
        return cls(
            kind=n.kind,
            key=n.key,
            name=n.name,
            categories=sorted(n.categories),
            routine=n.routine,
            when=n.when,
            path_count=n.path_count,
        )


@strawberry.type(
    description="A person whose data a recorded disclosure brought to the recipient in the period"
)
class ImpactedSubject:
    subject_id: str = strawberry.field(
        description="The subject's pseudonymous id (derived from a keyed hash)"
    )
    categories: list[str] = strawberry.field(
        description="The data categories disclosed to the recipient then"
    )
    disclosures: int
    first_disclosed: dt.datetime
    last_disclosed: dt.datetime

    @classmethod
    def of(cls, s: di.ImpactedSubject) -> ImpactedSubject:
        return cls(
            subject_id=s.subject_id,
            categories=list(s.categories),
            disclosures=s.disclosures,
            first_disclosed=s.first,
            last_disclosed=s.last,
        )


@strawberry.type(
    description="What reaches a recipient: by the map's flows (paths, the sources and systems upstream, the "
    "categories) and as observed (the people whose data a recorded disclosure brought there in [from, to)); "
    "GDPR Art. 33(3)(a), Art. 34(1); Cal. Civ. Code §1798.82(a)"
)
class RecipientImpact:
    key: str
    name: str
    role: RecipientRoleEnum | None  # type: ignore[valid-type]
    kind: str | None
    country: str | None
    start: dt.date = strawberry.field(name="from")
    end: dt.date = strawberry.field(name="to", description="The first day after the period")
    as_of: dt.date = strawberry.field(description="The day whose map the paths follow")
    categories: list[str] = strawberry.field(
        description="What the map's routine paths bring to the recipient"
    )
    contingent_categories: list[str] = strawberry.field(
        description="What only contingent paths may bring, on an event"
    )
    paths: list[ImpactPath]
    sources: list[Upstream]
    systems: list[Upstream]
    subject_count: int = strawberry.field(
        description="The people with a recorded disclosure to the recipient in [from, to) (counted once each)"
    )
    subjects: list[ImpactedSubject] = strawberry.field(description="A page of them, by subject id")
    next: str | None = strawberry.field(description="Pass as `after` for the next page; null on the last")

    @classmethod
    def of(cls, i: di.RecipientImpact) -> RecipientImpact:
        r = i.recipient
        return cls(
            key=r["key"],
            name=r["name"],
            role=RecipientRole(r["role"]) if r.get("role") else None,
            kind=r.get("kind"),
            country=r.get("country"),
            start=i.period.start,
            end=i.period.end,
            as_of=i.as_of,
            categories=i.categories,
            contingent_categories=i.contingent_categories,
            paths=[ImpactPath.of(p) for p in i.paths],
            sources=[Upstream.of(n) for n in i.sources],
            systems=[Upstream.of(n) for n in i.systems],
            subject_count=i.subject_count,
            subjects=[ImpactedSubject.of(s) for s in i.subjects],
            next=i.next,
        )

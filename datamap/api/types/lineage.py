"""GraphQL types of lineage answers: what was reached, and the paths that led there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from datamap.api.types.common import LegalBasisEnum, MechanismEnum, NodeKindEnum, Party, RecipientRoleEnum
from datamap.domain import lineage_types as dl
from datamap.domain.vocabulary import LegalBasis, RecipientRole, TransferMechanism


@strawberry.type(description="One node on a lineage path")
class LineageStep:
    kind: NodeKindEnum  # type: ignore[valid-type]
    key: str
    name: str
    via: str | None = strawberry.field(
        description="What led here: a flow key, record:<id> or disclosure:<id>"
    )
    at: dt.datetime | None = strawberry.field(description="When it was observed, for recorded steps")


@strawberry.type
class LineagePath:
    steps: list[LineageStep]
    observed: bool = strawberry.field(
        description="True when recorded (collection or disclosure), false when "
        "it follows from the map's flows"
    )
    categories: list[str] = strawberry.field(description="The data categories that travelled along it")


def _paths(node: dl.Reached) -> list[LineagePath]:
    return [
        LineagePath(
            steps=[LineageStep(kind=s.kind, key=s.key, name=s.name, via=s.via, at=s.at) for s in p.steps],
            observed=p.observed,
            categories=list(p.categories),
        )
        for p in node.paths
    ]


@strawberry.type(description="A category that reaches a destination only on an event")
class CategoryOnEvent:
    category: str
    when: list[str] = strawberry.field(description="The events on which it may go there")


@strawberry.type(description="Something the data reached, with the paths that led there")
class Reached:
    key: str
    name: str
    categories: list[str]
    observed: bool
    first_observed: dt.datetime | None
    path_count: int = strawberry.field(description="All paths found; `paths` lists at most 20")
    when: list[str] = strawberry.field(
        description="For a contingent destination: the events on which the data may go there (empty otherwise)"
    )
    node: strawberry.Private[dl.Reached]

    @strawberry.field(
        description="For a destination reached as a matter of course: the categories that go there only on an "
        "event (not in `categories`)"
    )
    def on_event(self) -> list[CategoryOnEvent]:
        return [CategoryOnEvent(category=c, when=w) for c, w in self.node.on_event.items()]

    @strawberry.field(
        description="The paths that led here, observed and shortest first (built only when asked)"
    )
    def paths(self) -> list[LineagePath]:
        return _paths(self.node)

    @staticmethod
    def common(n: dl.Reached) -> dict[str, Any]:
        return {
            "key": n.key,
            "name": n.name,
            "categories": sorted(n.categories),
            "observed": n.observed,
            "first_observed": n.first_observed,
            "path_count": n.path_count,
            "when": n.when,
            "node": n,
        }


@strawberry.type
class ReachedSource(Reached):
    kind: str | None


@strawberry.type
class ReachedSystem(Reached):
    country: str | None
    operator: str | None


@strawberry.type
class ReachedPurpose(Reached):
    legal_basis: LegalBasisEnum | None  # type: ignore[valid-type]


@strawberry.type
class ReachedRecipient(Reached):
    role: RecipientRoleEnum | None  # type: ignore[valid-type]
    kind: str | None
    country: str | None
    organisation: str | None
    organisation_name: str | None


@strawberry.type
class ReachedTransfer(Reached):
    mechanism: MechanismEnum  # type: ignore[valid-type]
    exporter: Party
    importer: Party
    from_countries: list[str]
    to_countries: list[str]
    valid_from: dt.date | None
    valid_to: dt.date | None


def _opt(enum: Any, value: Any) -> Any:
    return enum(value) if value is not None else None


def _party(party: dl.Party) -> Party:
    return Party(key=party.key, name=party.name, country=party.country)


def _recipient(n: dl.Reached) -> ReachedRecipient:
    facts = n.facts
    return ReachedRecipient(
        **Reached.common(n),
        role=_opt(RecipientRole, facts.role),
        kind=facts.kind,
        country=facts.country,
        organisation=facts.organisation,
        organisation_name=facts.organisation_name,
    )


def _transfer(n: dl.Reached) -> ReachedTransfer:
    terms = n.transfer
    if terms is None:
        raise ValueError(f"transfer {n.key!r}: no terms")  # every reached transfer has them
    return ReachedTransfer(
        **Reached.common(n),
        mechanism=TransferMechanism(terms.mechanism),
        exporter=_party(terms.exporter),
        importer=_party(terms.importer),
        from_countries=list(terms.from_countries),
        to_countries=list(terms.to_countries),
        valid_from=terms.valid_from,
        valid_to=terms.valid_to,
    )


def _system(n: dl.Reached) -> ReachedSystem:
    return ReachedSystem(**Reached.common(n), country=n.facts.country, operator=n.facts.operator)


def _purpose(n: dl.Reached) -> ReachedPurpose:
    return ReachedPurpose(**Reached.common(n), legal_basis=_opt(LegalBasis, n.facts.legal_basis))


@strawberry.type(
    description="Where the data may go only on an event (a legal request, a corporate transaction, the person "
    "connecting an account or publishing, consent): the map's contingent flows, with no disclosure recorded. "
    "Each node's `when` names the events"
)
class ContingentReach:
    systems: list[ReachedSystem]
    purposes: list[ReachedPurpose]
    recipients: list[ReachedRecipient]
    transfers: list[ReachedTransfer]

    @classmethod
    def of(cls, c: dl.ContingentReach) -> ContingentReach:
        return cls(
            systems=[_system(n) for n in c.systems],
            purposes=[_purpose(n) for n in c.purposes],
            recipients=[_recipient(n) for n in c.recipients],
            transfers=[_transfer(n) for n in c.transfers],
        )


def reached_lists(lin: dl.Lineage) -> dict[str, Any]:
    return {
        "sources": [ReachedSource(**Reached.common(n), kind=n.facts.kind) for n in lin.sources],
        "systems": [_system(n) for n in lin.systems],
        "purposes": [_purpose(n) for n in lin.purposes],
        "recipients": [_recipient(n) for n in lin.recipients],
        "transfers": [_transfer(n) for n in lin.transfers],
        "contingent": ContingentReach.of(lin.contingent),
        "truncated": lin.truncated,
        "as_of": lin.as_of,
    }


@strawberry.type(description="Where data of a category (and its sub-categories) goes, by the map")
class CategoryLineage:
    category: str
    as_of: dt.date
    sources: list[ReachedSource]
    systems: list[ReachedSystem]
    purposes: list[ReachedPurpose]
    recipients: list[ReachedRecipient]
    transfers: list[ReachedTransfer]
    contingent: ContingentReach
    truncated: bool


@strawberry.type(description="Where one subject's data went: observed records and disclosures, and the map")
class SubjectLineage:
    subject_id: str = strawberry.field(
        description="The subject's pseudonymous id (derived from a keyed hash)"
    )
    as_of: dt.date
    sources: list[ReachedSource]
    systems: list[ReachedSystem]
    purposes: list[ReachedPurpose]
    recipients: list[ReachedRecipient]
    transfers: list[ReachedTransfer]
    contingent: ContingentReach
    truncated: bool = strawberry.field(description="True when maxHops cut off places the data reaches")
    erased_at: dt.datetime | None = strawberry.field(
        description="Set when an erasure request completed: nothing else of the subject remains"
    )

"""GraphQL types: the map, lineage answers and the subject layer. Translation only, no Cypher."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from datamap.domain import lineage as dl
from datamap.domain.vocabulary import LegalBasis, RecipientRole, SourceKind, TransferMechanism

RecipientRoleEnum = strawberry.enum(RecipientRole, name="RecipientRole")
LegalBasisEnum = strawberry.enum(LegalBasis, name="LegalBasis")
SourceKindEnum = strawberry.enum(SourceKind, name="SourceKind")
MechanismEnum = strawberry.enum(TransferMechanism, name="TransferMechanism")
NodeKindEnum = strawberry.enum(dl.NodeKind, name="NodeKind")


@strawberry.input(description="One data subject, by any identifier. Values are hashed on the server.")
class SubjectInput:
    email: str | None = None
    phone: str | None = strawberry.field(default=None, description="With country code, e.g. +31 20 555 0101")
    external_id: str | None = None


@strawberry.type(description="Where a map fact comes from, and when it holds.")
class Provenance:
    ref: str = strawberry.field(description="The section of the privacy notice that states it")
    note: str | None = strawberry.field(description="Set when the entry is a modelling assumption")
    valid_from: dt.date
    valid_to: dt.date | None


def _prov(row: dict[str, Any]) -> Provenance:
    return Provenance(
        ref=row.get("ref", ""), note=row.get("note"), valid_from=row["validFrom"], valid_to=row.get("validTo")
    )


@strawberry.type
class DataCategory:
    key: str
    name: str
    description: str | None
    statutory_category: str | None = strawberry.field(
        description="California Shine-the-Light category, Civ. Code §1798.83(e)(6)"
    )
    parent: str | None
    children: list[str]
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> DataCategory:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r.get("description"),
            statutory_category=r.get("statutoryCategory"),
            parent=r.get("parent"),
            children=sorted(r.get("children", [])),
            provenance=_prov(r),
        )


@strawberry.type
class Purpose:
    key: str
    name: str
    description: str | None
    legal_basis: LegalBasisEnum  # type: ignore[valid-type]
    legitimate_interest: str | None
    categories: list[str]
    subject_categories: list[str]
    systems: list[str]
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> Purpose:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r.get("description"),
            legal_basis=LegalBasis(r["legalBasis"]),
            legitimate_interest=r.get("legitimateInterest"),
            categories=sorted(r["categories"]),
            subject_categories=sorted(r["subjectCategories"]),
            systems=sorted(r["systems"]),
            provenance=_prov(r),
        )


@strawberry.type
class Source:
    key: str
    name: str
    kind: SourceKindEnum  # type: ignore[valid-type]
    description: str | None
    feeds: list[str] = strawberry.field(description="Systems and recipients this source feeds by the map")
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> Source:
        return cls(
            key=r["key"],
            name=r["name"],
            kind=SourceKind(r["kind"]),
            description=r.get("description"),
            feeds=sorted(set(r["feeds"])),
            provenance=_prov(r),
        )


@strawberry.type
class System:
    key: str
    name: str
    description: str | None
    operator: str
    operator_name: str | None
    country: str | None
    backups: bool
    categories: list[str]
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> System:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r.get("description"),
            operator=r["operator"],
            operator_name=r.get("operatorName"),
            country=r.get("country"),
            backups=r.get("backups", False),
            categories=sorted(r["categories"]),
            provenance=_prov(r),
        )


@strawberry.type(
    description="An organisation in one role towards the controller (or, unnamed, a kind of one)"
)
class Recipient:
    key: str
    name: str
    role: RecipientRoleEnum  # type: ignore[valid-type]
    kind: str
    organisation: str | None
    organisation_name: str | None
    country: str | None
    address: str | None
    legal_entity: bool | None
    own_direct_marketing: bool
    marketing_examples: str | None
    description: str | None
    categories: list[str] = strawberry.field(description="Data categories that reach it by the map's flows")
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> Recipient:
        return cls(
            key=r["key"],
            name=r["name"],
            role=RecipientRole(r["role"]),
            kind=r["kind"],
            organisation=r.get("organisation"),
            organisation_name=r.get("organisationName"),
            country=r.get("country"),
            address=r.get("address"),
            legal_entity=r.get("legalEntity"),
            own_direct_marketing=r.get("ownDirectMarketing", False),
            marketing_examples=r.get("marketingExamples"),
            description=r.get("description"),
            categories=sorted(r.get("categories", [])),
            provenance=_prov(r),
        )


@strawberry.type
class SubjectCategory:
    key: str
    name: str
    description: str | None
    child: bool = strawberry.field(description="Children: the notice says their data is deleted when found")
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> SubjectCategory:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r.get("description"),
            child=r.get("child", False),
            provenance=_prov(r),
        )


@strawberry.type
class RoleHeld:
    recipient: str
    role: RecipientRoleEnum  # type: ignore[valid-type]


@strawberry.type
class CertificationHeld:
    program: MechanismEnum  # type: ignore[valid-type]
    valid_from: dt.date
    valid_to: dt.date | None


@strawberry.type(description="A legal entity (or, with legalEntity false, a group standing for several)")
class Organisation:
    key: str
    name: str
    country: str | None
    address: str | None
    controller: bool
    legal_entity: bool
    roles: list[RoleHeld] = strawberry.field(
        description="The recipient roles it plays towards the controller"
    )
    certifications: list[CertificationHeld]
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> Organisation:
        return cls(
            key=r["key"],
            name=r["name"],
            country=r.get("country"),
            address=r.get("address"),
            controller=r.get("controller", False),
            legal_entity=r.get("legalEntity", True),
            roles=[
                RoleHeld(recipient=x["key"], role=RecipientRole(x["role"]))
                for x in sorted(r["roles"], key=lambda x: x["key"])
            ],
            certifications=[
                CertificationHeld(
                    program=TransferMechanism(c["program"]),
                    valid_from=c["validFrom"],
                    valid_to=c.get("validTo"),
                )
                for c in r["certifications"]
            ],
            provenance=_prov(r),
        )


@strawberry.type(description="How long data is kept, and on what basis")
class RetentionRule:
    key: str
    name: str
    categories: list[str]
    period: str | None = strawberry.field(description="ISO 8601 duration, when the rule states one")
    criteria: str
    basis: str
    description: str | None
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> RetentionRule:
        return cls(
            key=r["key"],
            name=r["name"],
            categories=sorted(r["categories"]),
            period=r.get("period"),
            criteria=r["criteria"],
            basis=r["basis"],
            description=r.get("description"),
            provenance=_prov(r),
        )


@strawberry.type
class Party:
    key: str
    name: str
    country: str | None


@strawberry.type
class Transfer:
    key: str
    exporter: Party
    importer: Party
    from_countries: list[str]
    to_countries: list[str]
    categories: list[str]
    mechanism: MechanismEnum  # type: ignore[valid-type]
    tia_review_date: dt.date | None
    provenance: Provenance

    @classmethod
    def of(cls, r: dict[str, Any]) -> Transfer:
        return cls(
            key=r["key"],
            exporter=Party(**r["exporter"]),
            importer=Party(**r["importer"]),
            from_countries=r["fromCountries"],
            to_countries=r["toCountries"],
            categories=sorted(r["categories"]),
            mechanism=TransferMechanism(r["mechanism"]),
            tia_review_date=r.get("tiaReviewDate"),
            provenance=_prov(r),
        )


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


@strawberry.type(description="Something the data reached, with the paths that led there")
class Reached:
    key: str
    name: str
    categories: list[str]
    observed: bool
    first_observed: dt.datetime | None
    path_count: int = strawberry.field(description="All paths found; `paths` lists at most 20")
    paths: list[LineagePath]

    @staticmethod
    def common(n: dl.Reached) -> dict[str, Any]:
        return {
            "key": n.key,
            "name": n.name,
            "categories": sorted(n.categories),
            "observed": n.observed,
            "first_observed": n.first_observed,
            "path_count": n.path_count,
            "paths": _paths(n),
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


def reached_lists(lin: dl.Lineage) -> dict[str, Any]:
    d = lambda n, k: n.details.get(k)  # noqa: E731
    return {
        "sources": [ReachedSource(**Reached.common(n), kind=d(n, "kind")) for n in lin.sources],
        "systems": [
            ReachedSystem(**Reached.common(n), country=d(n, "country"), operator=d(n, "operator"))
            for n in lin.systems
        ],
        "purposes": [
            ReachedPurpose(**Reached.common(n), legal_basis=_opt(LegalBasis, d(n, "legalBasis")))
            for n in lin.purposes
        ],
        "recipients": [
            ReachedRecipient(
                **Reached.common(n),
                role=_opt(RecipientRole, d(n, "role")),
                kind=d(n, "kind"),
                country=d(n, "country"),
                organisation=d(n, "organisation"),
                organisation_name=d(n, "organisationName"),
            )
            for n in lin.recipients
        ],
        "transfers": [
            ReachedTransfer(
                **Reached.common(n),
                mechanism=TransferMechanism(d(n, "mechanism")),
                exporter=Party(**d(n, "exporter")),
                importer=Party(**d(n, "importer")),
                from_countries=d(n, "fromCountries"),
                to_countries=d(n, "toCountries"),
                valid_from=d(n, "validFrom"),
                valid_to=d(n, "validTo"),
            )
            for n in lin.transfers
        ],
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
    truncated: bool = strawberry.field(description="True when maxHops cut off places the data reaches")


@strawberry.type
class SubjectCategoryMembership:
    key: str
    name: str
    since: dt.datetime


@strawberry.type(description="Data of some categories, collected from a source into a system")
class CollectionRecord:
    id: str
    system: str
    system_name: str
    source: str
    categories: list[str]
    at: dt.datetime


@strawberry.type(description="Data of some categories disclosed to a recipient for a purpose")
class DisclosureRecord:
    id: str
    recipient: str
    recipient_name: str
    role: RecipientRoleEnum  # type: ignore[valid-type]
    purpose: str
    categories: list[str]
    at: dt.datetime


@strawberry.type(description="What the graph holds about one subject (no raw identifier is ever stored)")
class Subject:
    id: str
    country: str | None
    first_recorded: dt.datetime
    identifier_kinds: list[str]
    subject_categories: list[SubjectCategoryMembership]
    records: list[CollectionRecord]
    disclosures: list[DisclosureRecord]

    @classmethod
    def of(cls, r: dict[str, Any]) -> Subject:
        return cls(
            id=r["id"],
            country=r.get("country"),
            first_recorded=r["createdAt"],
            identifier_kinds=sorted(set(r["identifierKinds"])),
            subject_categories=[
                SubjectCategoryMembership(**m)
                for m in sorted(r["subjectCategories"], key=lambda m: m["since"])
            ],
            records=[
                CollectionRecord(
                    id=x["id"],
                    system=x["system"],
                    system_name=x["systemName"],
                    source=x["source"],
                    categories=x["categories"],
                    at=x["at"],
                )
                for x in sorted(r["records"], key=lambda x: x["at"])
            ],
            disclosures=[
                DisclosureRecord(
                    id=x["id"],
                    recipient=x["recipient"],
                    recipient_name=x["recipientName"],
                    role=RecipientRole(x["role"]),
                    purpose=x["purpose"],
                    categories=x["categories"],
                    at=x["at"],
                )
                for x in sorted(r["disclosures"], key=lambda x: x["at"])
            ],
        )


@strawberry.input(description="Record that data about a subject was collected into a system")
class CollectionInput:
    subject: SubjectInput
    categories: list[str]
    source: str
    system: str
    at: dt.datetime = strawberry.field(description="When it was collected, with a time zone")
    subject_categories: list[str] = strawberry.field(default_factory=list)
    country: str | None = strawberry.field(default=None, description="Where the subject is, ISO alpha-2")


@strawberry.input(description="Record that data about a subject was disclosed to a recipient")
class DisclosureInput:
    subject: SubjectInput
    categories: list[str]
    recipient: str
    purpose: str
    at: dt.datetime = strawberry.field(description="When it was disclosed, with a time zone")


@strawberry.type
class RecordResult:
    id: str = strawberry.field(description="The record's id; the same input gives the same id")
    subject_id: str

"""GraphQL types of the map: categories, purposes, sources, systems, recipients, organisations."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.common import (
    LegalBasisEnum,
    MechanismEnum,
    Party,
    Provenance,
    RecipientRoleEnum,
    SourceKindEnum,
)
from datamap.graph import map_rows as rows


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
    def of(cls, r: rows.DataCategoryRow) -> DataCategory:
        return cls(
            key=r.key,
            name=r.name,
            description=r.description,
            statutory_category=r.statutory_category,
            parent=r.parent,
            children=sorted(r.children),
            provenance=Provenance.of(r.provenance),
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
    def of(cls, r: rows.PurposeRow) -> Purpose:
        return cls(
            key=r.key,
            name=r.name,
            description=r.description,
            legal_basis=r.legal_basis,
            legitimate_interest=r.legitimate_interest,
            categories=sorted(r.categories),
            subject_categories=sorted(r.subject_categories),
            systems=sorted(r.systems),
            provenance=Provenance.of(r.provenance),
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
    def of(cls, r: rows.SourceRow) -> Source:
        return cls(
            key=r.key,
            name=r.name,
            kind=r.kind,
            description=r.description,
            feeds=sorted(set(r.feeds)),
            provenance=Provenance.of(r.provenance),
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
    def of(cls, r: rows.SystemRow) -> System:
        return cls(
            key=r.key,
            name=r.name,
            description=r.description,
            operator=r.operator,
            operator_name=r.operator_name,
            country=r.country,
            backups=r.backups,
            categories=sorted(r.categories),
            provenance=Provenance.of(r.provenance),
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
    def of(cls, r: rows.RecipientRow) -> Recipient:
        return cls(
            key=r.key,
            name=r.name,
            role=r.role,
            kind=r.kind,
            organisation=r.organisation,
            organisation_name=r.organisation_name,
            country=r.country,
            address=r.address,
            legal_entity=r.legal_entity,
            own_direct_marketing=r.own_direct_marketing,
            marketing_examples=r.marketing_examples,
            description=r.description,
            categories=sorted(r.categories),
            provenance=Provenance.of(r.provenance),
        )


@strawberry.type
class SubjectCategory:
    key: str
    name: str
    description: str | None
    child: bool = strawberry.field(description="Children: the notice says their data is deleted when found")
    provenance: Provenance

    @classmethod
    def of(cls, r: rows.SubjectCategoryRow) -> SubjectCategory:
        return cls(
            key=r.key,
            name=r.name,
            description=r.description,
            child=r.child,
            provenance=Provenance.of(r.provenance),
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
    def of(cls, r: rows.OrganisationRow) -> Organisation:
        return cls(
            key=r.key,
            name=r.name,
            country=r.country,
            address=r.address,
            controller=r.controller,
            legal_entity=r.legal_entity,
            roles=[
                RoleHeld(recipient=x.recipient, role=x.role)
                for x in sorted(r.roles, key=lambda x: x.recipient)
            ],
            certifications=[
                CertificationHeld(program=c.program, valid_from=c.valid_from, valid_to=c.valid_to)
                for c in r.certifications
            ],
            provenance=Provenance.of(r.provenance),
        )


@strawberry.type(description="How long data is kept, and on what basis")
class RetentionRule:
    key: str
    name: str
    categories: list[str]
    systems: list[str] = strawberry.field(description="Where the retained records live (empty: everywhere)")
    period: str | None = strawberry.field(description="ISO 8601 duration, when the rule states one")
    criteria: str
    basis: str
    description: str | None
    provenance: Provenance

    @classmethod
    def of(cls, r: rows.RetentionRuleRow) -> RetentionRule:
        return cls(
            key=r.key,
            name=r.name,
            categories=sorted(r.categories),
            systems=sorted(r.systems),
            period=r.period,
            criteria=r.criteria,
            basis=r.basis,
            description=r.description,
            provenance=Provenance.of(r.provenance),
        )


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
    def of(cls, r: rows.TransferRow) -> Transfer:
        return cls(
            key=r.key,
            exporter=Party.of(r.exporter),
            importer=Party.of(r.importer),
            from_countries=list(r.from_countries),
            to_countries=list(r.to_countries),
            categories=sorted(r.categories),
            mechanism=r.mechanism,
            tia_review_date=r.tia_review_date,
            provenance=Provenance.of(r.provenance),
        )

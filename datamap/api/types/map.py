"""GraphQL types of the map: categories, purposes, sources, systems, recipients, organisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from datamap.api.types.common import (
    LegalBasisEnum,
    MechanismEnum,
    Party,
    Provenance,
    RecipientRoleEnum,
    SourceKindEnum,
    provenance_of,
)
from datamap.domain.vocabulary import LegalBasis, RecipientRole, SourceKind, TransferMechanism


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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
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
    def of(cls, r: dict[str, Any]) -> RetentionRule:
        return cls(
            key=r["key"],
            name=r["name"],
            categories=sorted(r["categories"]),
            systems=sorted(r["systems"]),
            period=r.get("period"),
            criteria=r["criteria"],
            basis=r["basis"],
            description=r.get("description"),
            provenance=provenance_of(r),
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
            provenance=provenance_of(r),
        )

"""The rows of the map's entries as `map_queries` reads them: each reads exactly the columns its statement
returns, so a renamed property or field shows up here and, through the rows' attributes, in mypy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datamap.domain.vocabulary import LegalBasis, RecipientRole, SourceKind, TransferMechanism

Record = Mapping[str, Any]


@dataclass(frozen=True)
class ProvenanceRow:
    """Where a map fact comes from (the notice section, an assumption note) and when it holds."""

    ref: str
    note: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    version: int = 1  # the entry's version that held on the day asked about

    @classmethod
    def from_record(cls, r: Record) -> ProvenanceRow:
        return cls(
            ref=r["ref"] or "",
            note=r["note"],
            valid_from=r["validFrom"],
            valid_to=r["validTo"],
            version=r.get("version") or 1,
        )


@dataclass(frozen=True)
class DataCategoryRow:
    key: str
    name: str
    description: str | None
    statutory_category: str | None
    parent: str | None
    children: tuple[str, ...]
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> DataCategoryRow:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r["description"],
            statutory_category=r["statutoryCategory"],
            parent=r["parent"],
            children=tuple(r["children"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class PurposeRow:
    key: str
    name: str
    description: str | None
    legal_basis: LegalBasis
    legitimate_interest: str | None
    categories: tuple[str, ...]
    subject_categories: tuple[str, ...]
    systems: tuple[str, ...]
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> PurposeRow:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r["description"],
            legal_basis=LegalBasis(r["legalBasis"]),
            legitimate_interest=r["legitimateInterest"],
            categories=tuple(r["categories"]),
            subject_categories=tuple(r["subjectCategories"]),
            systems=tuple(r["systems"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class SourceRow:
    key: str
    name: str
    kind: SourceKind
    description: str | None
    feeds: tuple[str, ...]  # systems and recipients its flows in force reach (may repeat)
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> SourceRow:
        return cls(
            key=r["key"],
            name=r["name"],
            kind=SourceKind(r["kind"]),
            description=r["description"],
            feeds=tuple(r["feeds"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class SystemRow:
    key: str
    name: str
    description: str | None
    operator: str
    operator_name: str | None
    country: str | None
    backups: bool
    categories: tuple[str, ...]
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> SystemRow:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r["description"],
            operator=r["operator"],
            operator_name=r["operatorName"],
            country=r["country"],
            backups=bool(r["backups"]),
            categories=tuple(r["categories"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class RecipientRow:
    key: str
    name: str
    role: RecipientRole
    kind: str
    organisation: str | None
    organisation_name: str | None
    country: str | None
    address: str | None
    legal_entity: bool | None
    own_direct_marketing: bool
    marketing_examples: str | None
    description: str | None
    categories: tuple[str, ...]  # data categories its flows in force carry to it
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> RecipientRow:
        return cls(
            key=r["key"],
            name=r["name"],
            role=RecipientRole(r["role"]),
            kind=r["kind"],
            organisation=r["organisation"],
            organisation_name=r["organisationName"],
            country=r["country"],
            address=r["address"],
            legal_entity=r["legalEntity"],
            own_direct_marketing=bool(r["ownDirectMarketing"]),
            marketing_examples=r["marketingExamples"],
            description=r["description"],
            categories=tuple(r["categories"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class PartyRow:
    """An organisation on one end of a transfer."""

    key: str
    name: str
    country: str | None

    @classmethod
    def from_record(cls, r: Record) -> PartyRow:
        return cls(key=r["key"], name=r["name"], country=r["country"])


@dataclass(frozen=True)
class CertificationRow:
    """A transfer certification an organisation holds (e.g. the EU-US Data Privacy Framework)."""

    program: TransferMechanism
    valid_from: dt.date
    valid_to: dt.date | None

    @classmethod
    def from_record(cls, r: Record) -> CertificationRow:
        return cls(program=TransferMechanism(r["program"]), valid_from=r["validFrom"], valid_to=r["validTo"])


@dataclass(frozen=True)
class TransferRow:
    key: str
    exporter: PartyRow
    importer: PartyRow
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    categories: tuple[str, ...]
    mechanism: TransferMechanism
    tia_review_date: dt.date | None
    importer_certifications: tuple[CertificationRow, ...]
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> TransferRow:
        return cls(
            key=r["key"],
            exporter=PartyRow.from_record(r["exporter"]),
            importer=PartyRow.from_record(r["importer"]),
            from_countries=tuple(r["fromCountries"]),
            to_countries=tuple(r["toCountries"]),
            categories=tuple(r["categories"]),
            mechanism=TransferMechanism(r["mechanism"]),
            tia_review_date=r["tiaReviewDate"],
            importer_certifications=tuple(
                CertificationRow.from_record(c) for c in r["importerCertifications"]
            ),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class SubjectCategoryRow:
    key: str
    name: str
    description: str | None
    child: bool
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> SubjectCategoryRow:
        return cls(
            key=r["key"],
            name=r["name"],
            description=r["description"],
            child=bool(r["child"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class RoleRow:
    """A recipient role an organisation plays towards the controller."""

    recipient: str
    role: RecipientRole

    @classmethod
    def from_record(cls, r: Record) -> RoleRow:
        return cls(recipient=r["key"], role=RecipientRole(r["role"]))


@dataclass(frozen=True)
class OrganisationRow:
    key: str
    name: str
    country: str | None
    address: str | None
    controller: bool
    legal_entity: bool
    roles: tuple[RoleRow, ...]
    certifications: tuple[CertificationRow, ...]
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> OrganisationRow:
        return cls(
            key=r["key"],
            name=r["name"],
            country=r["country"],
            address=r["address"],
            controller=bool(r["controller"]),
            legal_entity=r["legalEntity"] is not False,  # an organisation is a legal entity unless stated
            roles=tuple(RoleRow.from_record(x) for x in r["roles"]),
            certifications=tuple(CertificationRow.from_record(c) for c in r["certifications"]),
            provenance=ProvenanceRow.from_record(r),
        )


@dataclass(frozen=True)
class RetentionRuleRow:
    key: str
    name: str
    categories: tuple[str, ...]
    systems: tuple[str, ...]
    period: str | None
    criteria: str
    basis: str
    description: str | None
    provenance: ProvenanceRow

    @classmethod
    def from_record(cls, r: Record) -> RetentionRuleRow:
        return cls(
            key=r["key"],
            name=r["name"],
            categories=tuple(r["categories"]),
            systems=tuple(r["systems"]),
            period=r["period"],
            criteria=r["criteria"],
            basis=r["basis"],
            description=r["description"],
            provenance=ProvenanceRow.from_record(r),
        )

"""Browsing the map: one statement per GraphQL root field, each returning complete, typed rows.

Every statement names the properties it returns (never `n {.*}`), and each row type reads exactly those
columns, so a renamed property or field shows up here and, through the rows' attributes, in mypy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from datamap.domain.vocabulary import LegalBasis, RecipientRole, SourceKind, TransferMechanism
from datamap.graph.database import Database
from datamap.graph.subject_lookup import SUBJECT_BY_HASHES
from datamap.graph.validity import as_of_version, organisation_of, valid

Record = Mapping[str, Any]

# Each statement reads an entry's attributes as of the day (`a`: `validity.as_of_version`) and its lifetime
# from the node (`n`); the relationships it follows must hold that day too.
_AS_OF: LiteralString = "WITH n, " + as_of_version("n") + " AS a\n"
# The provenance every map fact carries, as map-projection entries of `a` (read by `ProvenanceRow.from_record`).
_PROVENANCE: LiteralString = (
    ".ref, .note, validFrom: n.validFrom, validTo: n.validTo, version: coalesce(a.version, 1)"
)


def _valid_entries(label: LiteralString, condition: LiteralString = "") -> LiteralString:
    """`MATCH (n:<label>)` holding on `$asOf` (and `condition`), with its attributes then as `a`."""
    return "MATCH (n:" + label + ") WHERE " + valid("n") + condition + "\n" + _AS_OF


def _keys(relationship: LiteralString, end: LiteralString) -> LiteralString:
    """The keys `n` reaches over a relationship that holds on `$asOf`: `_keys("STORES", "DataCategory")`."""
    return "[(n)-[e:" + relationship + "]->(x:" + end + ") WHERE " + valid("e") + " | x.key]"


DATA_CATEGORIES: LiteralString = (
    _valid_entries(
        "DataCategory", " AND ($under IS NULL OR n.key = $under OR n.key STARTS WITH $under + '.')"
    )
    + """RETURN a {.key, .name, .description, .statutoryCategory, """
    + _PROVENANCE
    + """,
          parent: """
    + _keys("SUBCATEGORY_OF", "DataCategory")
    + """[0],
          children: [(c:DataCategory)-[e:SUBCATEGORY_OF]->(n) WHERE """
    + valid("e")
    + " AND "
    + valid("c")
    + """ | c.key]} AS row
ORDER BY n.key
"""
)

PURPOSES: LiteralString = (
    _valid_entries("Purpose")
    + """RETURN a {.key, .name, .description, .legalBasis, .legitimateInterest, """
    + _PROVENANCE
    + """,
          categories: """
    + _keys("PROCESSES", "DataCategory")
    + """,
          subjectCategories: """
    + _keys("CONCERNS", "SubjectCategory")
    + """,
          systems: """
    + _keys("USES", "System")
    + """} AS row
ORDER BY n.key
"""
)

SOURCES: LiteralString = (
    _valid_entries("Source")
    + """RETURN a {.key, .name, .kind, .description, """
    + _PROVENANCE
    + """,
          feeds: [(n)-[f:FLOWS_TO]->(t:System|Recipient) WHERE """
    + valid("f")
    + """ | t.key]} AS row
ORDER BY n.key
"""
)

SYSTEMS: LiteralString = (
    _valid_entries("System")
    + """RETURN a {.key, .name, .description, .operator, .country, .backups, """
    + _PROVENANCE
    + """,
          categories: """
    + _keys("STORES", "DataCategory")
    + """,
          operatorName: [(n)-[e:OPERATED_BY]->(o:Organisation) WHERE """
    + valid("e")
    + " | ("
    + as_of_version("o")
    + """).name][0]} AS row
ORDER BY n.key
"""
)

# A recipient's organisation (name, address, legal entity; its country when the recipient has none) is read
# through its `IS` relationship as of the day (`validity.organisation_of`).
RECIPIENTS: LiteralString = (
    _valid_entries("Recipient")
    + "WITH n, a WHERE $role IS NULL OR a.role = $role\n"  # the role as of the day (a later change may move it)
    + "WITH n, a, "
    + organisation_of("n")
    + """ AS o
RETURN a {.key, .name, .role, .kind, .organisation, organisationName: o.name,
          country: coalesce(a.country, o.country), address: o.address, legalEntity: o.legalEntity,
          .ownDirectMarketing, .marketingExamples, .description, """
    + _PROVENANCE
    + """,
          categories: reduce(acc = [], f IN [(n)<-[f:FLOWS_TO]-(:Source|System) WHERE """
    + valid("f")
    + """ | f] |
          acc + [c IN f.categories WHERE NOT c IN acc])} AS row
ORDER BY n.key
"""
)

_CERTIFICATIONS: LiteralString = (
    "[(imp)-[e:HOLDS_CERTIFICATION]->(c:Certification) WHERE "
    + valid("e")
    + " | c {.program, .validFrom, .validTo}]"
)

TRANSFERS: LiteralString = (
    _valid_entries("Transfer")
    + """MATCH (n)-[ex:EXPORTER]->(exp:Organisation) WHERE """
    + valid("ex")
    + """
MATCH (n)-[im:IMPORTER]->(imp:Organisation) WHERE """
    + valid("im")
    + """
WITH n, a, imp, """
    + as_of_version("exp")
    + " AS ea, "
    + as_of_version("imp")
    + """ AS ia
RETURN a {.key, .fromCountries, .toCountries, .mechanism, .tiaReviewDate, """
    + _PROVENANCE
    + """,
          exporter: ea {.key, .name, .country}, importer: ia {.key, .name, .country},
          categories: """
    + _keys("CARRIES", "DataCategory")
    + """,
          importerCertifications: """
    + _CERTIFICATIONS
    + """} AS row
ORDER BY n.key
"""
)

SUBJECT_CATEGORIES: LiteralString = (
    _valid_entries("SubjectCategory")
    + """RETURN a {.key, .name, .description, .child, """
    + _PROVENANCE
    + """} AS row
ORDER BY n.key
"""
)

ORGANISATIONS: LiteralString = (
    _valid_entries("Organisation")
    + """RETURN a {.key, .name, .country, .address, .controller, .legalEntity, """
    + _PROVENANCE
    + """,
          roles: [(r:Recipient)-[e:IS]->(n) WHERE """
    + valid("e")
    + " AND "
    + valid("r")
    + """ | r {.key, .role}],
          certifications: [(n)-[e:HOLDS_CERTIFICATION]->(c:Certification) WHERE """
    + valid("e")
    + """ | c {.program, .validFrom, .validTo}]
         } AS row
ORDER BY n.key
"""
)

RETENTION_RULES: LiteralString = (
    _valid_entries("RetentionRule")
    + """RETURN a {.key, .name, .period, .criteria, .basis, .description, """
    + _PROVENANCE
    + """,
          categories: """
    + _keys("APPLIES_TO", "DataCategory")
    + """,
          systems: """
    + _keys("APPLIES_IN", "System")
    + """} AS row
ORDER BY n.key
"""
)

SUBJECT: LiteralString = (
    SUBJECT_BY_HASHES
    + """
RETURN s {.id, .country, .createdAt, .erasedAt,
  identifierKinds: [(j:Identifier)-[:IDENTIFIES]->(s) | j.kind],
  subjectCategories: [(s)-[m:MEMBER_OF]->(c:SubjectCategory) | {key: c.key, name: c.name, since: m.since}],
  records: [(s)-[h:HELD_IN]->(sys:System) | {id: h.id, system: sys.key, systemName: sys.name,
            source: h.source, categories: h.categories, at: h.at}],
  disclosures: [(s)-[d:DISCLOSED_TO]->(r:Recipient) | {id: d.id, recipient: r.key, recipientName: r.name,
                role: r.role, purpose: d.purpose, categories: d.categories, at: d.at}]
} AS row
"""
)

COUNTS: LiteralString = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
"""


# --- rows ---------------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class MembershipRow:
    """A subject's membership of a subject category, since its first recorded event in it."""

    key: str
    name: str
    since: dt.datetime

    @classmethod
    def from_record(cls, r: Record) -> MembershipRow:
        return cls(key=r["key"], name=r["name"], since=r["since"])


@dataclass(frozen=True)
class CollectionRow:
    """A HELD_IN record: data of some categories collected from a source into a system."""

    id: str
    system: str
    system_name: str
    source: str
    categories: tuple[str, ...]
    at: dt.datetime

    @classmethod
    def from_record(cls, r: Record) -> CollectionRow:
        return cls(
            id=r["id"],
            system=r["system"],
            system_name=r["systemName"],
            source=r["source"],
            categories=tuple(r["categories"]),
            at=r["at"],
        )


@dataclass(frozen=True)
class DisclosureRow:
    """A DISCLOSED_TO record: data of some categories disclosed to a recipient for a purpose."""

    id: str
    recipient: str
    recipient_name: str
    role: RecipientRole
    purpose: str
    categories: tuple[str, ...]
    at: dt.datetime

    @classmethod
    def from_record(cls, r: Record) -> DisclosureRow:
        return cls(
            id=r["id"],
            recipient=r["recipient"],
            recipient_name=r["recipientName"],
            role=RecipientRole(r["role"]),
            purpose=r["purpose"],
            categories=tuple(r["categories"]),
            at=r["at"],
        )


@dataclass(frozen=True)
class SubjectRow:
    """What the graph holds about one subject: never a raw identifier, only the kinds of them."""

    id: str
    country: str | None
    created_at: dt.datetime
    erased_at: dt.datetime | None
    identifier_kinds: tuple[str, ...]
    memberships: tuple[MembershipRow, ...]
    records: tuple[CollectionRow, ...]
    disclosures: tuple[DisclosureRow, ...]

    @classmethod
    def from_record(cls, r: Record) -> SubjectRow:
        return cls(
            id=r["id"],
            country=r["country"],
            created_at=r["createdAt"],
            erased_at=r["erasedAt"],
            identifier_kinds=tuple(r["identifierKinds"]),
            memberships=tuple(MembershipRow.from_record(m) for m in r["subjectCategories"]),
            records=tuple(CollectionRow.from_record(x) for x in r["records"]),
            disclosures=tuple(DisclosureRow.from_record(x) for x in r["disclosures"]),
        )


@dataclass(frozen=True)
class CountsRow:
    nodes: int
    relationships: int


# --- reads --------------------------------------------------------------------------------------------------
# `as_of` holds `$asOf` (and `$asOfEnd`), as `services.lineage.as_of_params` gives them.


async def read_data_categories(
    db: Database, as_of: Mapping[str, object], under: str | None
) -> list[DataCategoryRow]:
    records = await db.read(DATA_CATEGORIES, **as_of, under=under)
    return [DataCategoryRow.from_record(r["row"]) for r in records]


async def read_purposes(db: Database, as_of: Mapping[str, object]) -> list[PurposeRow]:
    return [PurposeRow.from_record(r["row"]) for r in await db.read(PURPOSES, **as_of)]


async def read_sources(db: Database, as_of: Mapping[str, object]) -> list[SourceRow]:
    return [SourceRow.from_record(r["row"]) for r in await db.read(SOURCES, **as_of)]


async def read_systems(db: Database, as_of: Mapping[str, object]) -> list[SystemRow]:
    return [SystemRow.from_record(r["row"]) for r in await db.read(SYSTEMS, **as_of)]


async def read_recipients(
    db: Database, as_of: Mapping[str, object], role: RecipientRole | None
) -> list[RecipientRow]:
    records = await db.read(RECIPIENTS, **as_of, role=role.value if role else None)
    return [RecipientRow.from_record(r["row"]) for r in records]


async def read_transfers(db: Database, as_of: Mapping[str, object]) -> list[TransferRow]:
    return [TransferRow.from_record(r["row"]) for r in await db.read(TRANSFERS, **as_of)]


async def read_subject_categories(db: Database, as_of: Mapping[str, object]) -> list[SubjectCategoryRow]:
    return [SubjectCategoryRow.from_record(r["row"]) for r in await db.read(SUBJECT_CATEGORIES, **as_of)]


async def read_organisations(db: Database, as_of: Mapping[str, object]) -> list[OrganisationRow]:
    return [OrganisationRow.from_record(r["row"]) for r in await db.read(ORGANISATIONS, **as_of)]


async def read_retention_rules(db: Database, as_of: Mapping[str, object]) -> list[RetentionRuleRow]:
    return [RetentionRuleRow.from_record(r["row"]) for r in await db.read(RETENTION_RULES, **as_of)]


async def read_subjects(db: Database, hashes: list[str]) -> list[SubjectRow]:
    """One row per subject the keyed hashes point to (the caller applies the one-subject rule)."""
    return [SubjectRow.from_record(r["row"]) for r in await db.read(SUBJECT, hashes=hashes)]


async def read_counts(db: Database) -> CountsRow:
    (row,) = await db.read(COUNTS)
    return CountsRow(nodes=row["nodes"], relationships=row["relationships"])

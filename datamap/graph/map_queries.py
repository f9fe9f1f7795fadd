"""Browsing the map: one statement per GraphQL root field, each returning complete, typed rows.

Every statement names the properties it returns (never `n {.*}`), and each row type (`map_rows`) reads exactly
those columns. One subject as the graph holds it is `subject_records`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import LiteralString

from datamap.domain.vocabulary import RecipientRole
from datamap.graph.database import Database
from datamap.graph.map_rows import (
    DataCategoryRow,
    OrganisationRow,
    PurposeRow,
    RecipientRow,
    RetentionRuleRow,
    SourceRow,
    SubjectCategoryRow,
    SystemRow,
    TransferRow,
)
from datamap.graph.validity import as_of_version, organisation_of, valid

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

COUNTS: LiteralString = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
"""


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


async def read_counts(db: Database) -> CountsRow:
    (row,) = await db.read(COUNTS)
    return CountsRow(nodes=row["nodes"], relationships=row["relationships"])

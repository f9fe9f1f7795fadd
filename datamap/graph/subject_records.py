"""One subject as the graph holds it (`subject(...)`): its categories, records and disclosures, never a raw
identifier; one statement for the subjects the keyed hashes point to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from datamap.domain.vocabulary import RecipientRole
from datamap.graph.database import Database
from datamap.graph.subject_lookup import SUBJECT_BY_HASHES

Record = Mapping[str, Any]

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


async def read_subjects(db: Database, hashes: list[str]) -> list[SubjectRow]:
    """One row per subject the keyed hashes point to (the caller applies the one-subject rule)."""
    return [SubjectRow.from_record(r["row"]) for r in await db.read(SUBJECT, hashes=hashes)]

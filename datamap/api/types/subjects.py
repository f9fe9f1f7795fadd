"""GraphQL types of the subject layer: what is held about a subject, and recording it."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.common import RecipientRoleEnum, RelationshipEnum, SubjectInput
from datamap.api.types.reports import Finding
from datamap.graph.subject_records import SubjectRow


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
    def of(cls, r: SubjectRow) -> Subject:
        return cls(
            id=r.id,
            country=r.country,
            first_recorded=r.created_at,
            identifier_kinds=sorted(set(r.identifier_kinds)),
            subject_categories=[
                SubjectCategoryMembership(key=m.key, name=m.name, since=m.since)
                for m in sorted(r.memberships, key=lambda m: m.since)
            ],
            records=[
                CollectionRecord(
                    id=x.id,
                    system=x.system,
                    system_name=x.system_name,
                    source=x.source,
                    categories=list(x.categories),
                    at=x.at,
                )
                for x in sorted(r.records, key=lambda x: x.at)
            ],
            disclosures=[
                DisclosureRecord(
                    id=x.id,
                    recipient=x.recipient,
                    recipient_name=x.recipient_name,
                    role=x.role,
                    purpose=x.purpose,
                    categories=list(x.categories),
                    at=x.at,
                )
                for x in sorted(r.disclosures, key=lambda x: x.at)
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
    region: str | None = strawberry.field(
        default=None, description="Where the subject lives, ISO 3166-2 (US-CA): Shine-the-Light needs it"
    )
    relationship: RelationshipEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="PERSONAL (personal, family or household purposes), BUSINESS (for a business), NONE "
        "(Civ. Code §1798.83(e)(1))",
    )


@strawberry.input(description="Record that data about a subject was disclosed to a recipient")
class DisclosureInput:
    subject: SubjectInput
    categories: list[str]
    recipient: str
    purpose: str
    at: dt.datetime = strawberry.field(description="When it was disclosed, with a time zone")
    country: str | None = strawberry.field(default=None, description="Where the subject is, ISO alpha-2")
    region: str | None = strawberry.field(
        default=None, description="Where the subject lives, ISO 3166-2 (US-CA)"
    )
    relationship: RelationshipEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The subject's relationship with the business (Civ. Code §1798.83(e)(1))"
    )


@strawberry.type
class RecordResult:
    id: str = strawberry.field(description="The record's id; the same input gives the same id")
    subject_id: str
    findings: list[Finding] = strawberry.field(
        default_factory=list,
        description="What this event raises against the map as of its day (as mapFindings judges it): recorded "
        "all the same, since it happened",
    )

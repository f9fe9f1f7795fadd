"""Shared GraphQL pieces: enums, the subject input, provenance of map facts."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.domain import lineage_types as dl
from datamap.domain.vocabulary import LegalBasis, RecipientRole, Relationship, SourceKind, TransferMechanism
from datamap.graph.map_rows import PartyRow, ProvenanceRow

RecipientRoleEnum = strawberry.enum(RecipientRole, name="RecipientRole")
LegalBasisEnum = strawberry.enum(LegalBasis, name="LegalBasis")
SourceKindEnum = strawberry.enum(SourceKind, name="SourceKind")
MechanismEnum = strawberry.enum(TransferMechanism, name="TransferMechanism")
NodeKindEnum = strawberry.enum(dl.NodeKind, name="NodeKind")
RelationshipEnum = strawberry.enum(Relationship, name="Relationship")


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
    version: int = strawberry.field(
        description="The entry's version on the day asked about; to change the entry, send the current one as "
        "expectedVersion (mapHistory lists them all)"
    )

    @classmethod
    def of(cls, p: ProvenanceRow) -> Provenance:
        return cls(ref=p.ref, note=p.note, valid_from=p.valid_from, valid_to=p.valid_to, version=p.version)


@strawberry.type
class Party:
    key: str
    name: str
    country: str | None

    @classmethod
    def of(cls, p: PartyRow) -> Party:
        return cls(key=p.key, name=p.name, country=p.country)

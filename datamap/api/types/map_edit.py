"""GraphQL types of map editing: one input per kind of entry, mirroring the seed's entries (the fields of the
seed's YAML files, camelCase, validated by the seed's own models), what a change did, and an entry's history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum
from typing import Any

import strawberry

from datamap.api.types.common import LegalBasisEnum, MechanismEnum, RecipientRoleEnum, SourceKindEnum
from datamap.api.types.reports import SeverityEnum
from datamap.domain.map_changes import MapKind
from datamap.domain.map_history import History
from datamap.domain.map_history import Version as HistoryVersion
from datamap.services.map_editing import MapChange as Change

MapEntryKindEnum = strawberry.enum(MapKind, name="MapEntryKind")

_WHOLE = (
    "; an upsert gives the whole entry, as in the seed file: a field left out takes the seed's default (a list: "
    "empty)"
)


@strawberry.input(description="What every map entry has (not in the schema on its own)")
class EntryInput:
    key: str = strawberry.field(
        description="Lower snake_case (a data category: dotted, its parent the prefix)"
    )
    ref: str = strawberry.field(description="Where the privacy notice states it")
    note: str | None = strawberry.field(default=None, description="What is assumed, when anything is")
    flag: str | None = strawberry.field(
        default=None, description="What staff must look at (mapFindings raises it); with flagSeverity"
    )
    flag_severity: SeverityEnum | None = None  # type: ignore[valid-type]
    flag_countries: list[str] | None = strawberry.field(
        default=None,
        description="A system, purpose or recipient: the flag concerns recorded events of people in these "
        "countries (ISO codes, or EEA)",
    )


@strawberry.input(description="A map entry with a name (not in the schema on its own)")
class NamedInput(EntryInput):
    name: str


@strawberry.input(description="A transfer certification an organisation holds; both days included")
class CertificationInput:
    program: MechanismEnum  # type: ignore[valid-type]
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str | None = None


@strawberry.input(description="An organisation (seed/organisations.yaml)" + _WHOLE)
class OrganisationInput(NamedInput):
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2, e.g. US")
    address: str | None = strawberry.field(default=None, description="Postal address")
    controller: bool | None = None
    legal_entity: bool | None = None
    certifications: list[CertificationInput] | None = None


@strawberry.input(
    description="A data category (seed/data_categories.yaml); its parent is its key's prefix" + _WHOLE
)
class DataCategoryInput(NamedInput):
    description: str | None = None
    statutory_category: str | None = strawberry.field(
        default=None, description="The item of Civ. Code §1798.83(e)(6)(A): i to xxvii"
    )
    ccpa_category: str | None = strawberry.field(
        default=None, description="The letter of Civ. Code §1798.140(v)(1): A to L"
    )


@strawberry.input(description="Where data is collected from (seed/sources.yaml)" + _WHOLE)
class SourceInput(NamedInput):
    kind: SourceKindEnum  # type: ignore[valid-type]
    description: str | None = None


@strawberry.input(description="A system where data is stored (seed/systems.yaml)" + _WHOLE)
class SystemInput(NamedInput):
    operator: str = strawberry.field(description="The operating organisation's key")
    description: str | None = None
    country: str | None = None
    categories: list[str] | None = strawberry.field(default=None, description="Data categories it stores")
    backups: bool | None = None


@strawberry.input(description="A purpose of processing (seed/purposes.yaml)" + _WHOLE)
class PurposeInput(NamedInput):
    legal_basis: LegalBasisEnum  # type: ignore[valid-type]
    description: str | None = None
    acting_as: str | None = strawberry.field(default=None, description="controller (default) or processor")
    trigger: str | None = strawberry.field(
        default=None, description="routine (default), or the event: legal_request, corporate_transaction, ..."
    )
    controllers: str | None = None
    controller_organisations: list[str] | None = None
    third_party_direct_marketing: bool | None = None
    legitimate_interest: str | None = None
    categories: list[str] | None = None
    subject_categories: list[str] | None = None
    systems: list[str] | None = None


@strawberry.input(
    description="An organisation, or a kind of one, in one role (seed/recipients.yaml)" + _WHOLE
)
class RecipientInput(NamedInput):
    role: RecipientRoleEnum  # type: ignore[valid-type]
    kind: str = strawberry.field(description="A free word: hosting, marketing_partner, ...")
    organisation: str | None = strawberry.field(default=None, description="The organisation's key")
    country: str | None = None
    own_direct_marketing: bool | None = None
    marketing_examples: str | None = None
    description: str | None = None


@strawberry.input(description="One end of a flow: exactly one of source, system, recipient (by key)")
class FlowEndInput:
    source: str | None = None
    system: str | None = None
    recipient: str | None = None


@strawberry.input(
    description="A flow from a source or system to a system or recipient (seed/flows.yaml)" + _WHOLE
)
class FlowInput(EntryInput):
    from_: FlowEndInput = strawberry.field(name="from")
    to: FlowEndInput
    categories: list[str]
    purposes: list[str] | None = None
    trigger: str | None = strawberry.field(default=None, description="routine (default), or the event")


@strawberry.input(description="A transfer across borders (seed/transfers.yaml)" + _WHOLE)
class TransferInput(EntryInput):
    exporter: str
    importer: str
    from_countries: list[str]
    to_countries: list[str]
    categories: list[str]
    mechanism: MechanismEnum  # type: ignore[valid-type]
    tia_review_date: dt.date | None = None
    contract_date: dt.date | None = None
    on_behalf_of: list[str] | None = None


@strawberry.input(description="How long data is kept, and on what basis (seed/retention.yaml)" + _WHOLE)
class RetentionRuleInput(NamedInput):
    categories: list[str]
    criteria: str
    basis: str = strawberry.field(description="business_need, contract, legal_obligation_tax, ...")
    systems: list[str] | None = None
    period: str | None = strawberry.field(default=None, description="An ISO 8601 duration, e.g. P7Y")
    description: str | None = None


def fields_of(value: Any) -> Any:
    """An input as the seed entry's fields (Python names; the seed's models accept them): unset fields left out
    (the seed's default applies), enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: fields_of(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, list):
        return [fields_of(v) for v in value]
    return value.value if isinstance(value, Enum) else value


@strawberry.type(description="What a change did: the entry's version now, from which day, by whom and why")
class MapChange:
    kind: MapEntryKindEnum  # type: ignore[valid-type]
    key: str
    version: int = strawberry.field(description="Send it as expectedVersion with the next change")
    version_from: dt.date = strawberry.field(description="The day this version holds from")
    valid_to: dt.date | None = strawberry.field(
        description="Retired: the first day the entry no longer holds"
    )
    changed: bool = strawberry.field(description="False when the entry already was as given: nothing written")
    changed_by: str
    changed_at: dt.datetime | None
    reason: str

    @classmethod
    def of(cls, c: Change) -> MapChange:
        return cls(
            kind=c.kind,
            key=c.key,
            version=c.version,
            version_from=c.version_from,
            valid_to=c.valid_to,
            changed=c.changed,
            changed_by=c.changed_by,
            changed_at=c.changed_at,
            reason=c.reason,
        )


def _json(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


@strawberry.type(description="One version of a map entry")
class MapEntryVersion:
    version: int
    valid_from: dt.date = strawberry.field(description="The day it holds from")
    valid_to: dt.date | None = strawberry.field(
        description="The first day it no longer holds; null: it holds"
    )
    principal: str = strawberry.field(description="Who made it (`seed`: datamap seed load)")
    reason: str
    changed_at: dt.datetime | None = strawberry.field(description="When it was made; null for the seed's")
    attributes: str = strawberry.field(description="The entry in this version as JSON, named as in the seed")

    @classmethod
    def of(cls, v: HistoryVersion) -> MapEntryVersion:
        return cls(
            version=v.version,
            valid_from=v.valid_from,
            valid_to=v.valid_to,
            principal=v.principal,
            reason=v.reason,
            changed_at=v.changed_at,
            attributes=json.dumps(v.attributes, sort_keys=True, default=_json),
        )


@strawberry.type(description="When, by whom and why an entry was retired")
class MapRetirement:
    on: dt.date = strawberry.field(description="The first day the entry no longer holds")
    principal: str
    reason: str
    at: dt.datetime


@strawberry.type(description="A map entry's versions, oldest first")
class MapHistory:
    kind: MapEntryKindEnum  # type: ignore[valid-type]
    key: str
    versions: list[MapEntryVersion]
    retired: MapRetirement | None

    @classmethod
    def of(cls, h: History) -> MapHistory:
        r = h.retired
        return cls(
            kind=h.kind,
            key=h.key,
            versions=[MapEntryVersion.of(v) for v in h.versions],
            retired=MapRetirement(on=r.on, principal=r.principal, reason=r.reason, at=r.at) if r else None,
        )

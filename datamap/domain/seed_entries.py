"""The seed's entries as validated value types: one class per kind of map fact."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from datamap.domain.categories import check_category_key
from datamap.domain.ccpa_categories import CCPA_CATEGORIES
from datamap.domain.regions import REGIONS
from datamap.domain.shine_the_light import STATUTORY_CATEGORIES
from datamap.domain.transfer_findings import Severity
from datamap.domain.vocabulary import (
    FlowTrigger,
    LegalBasis,
    RecipientRole,
    Relationship,
    RetentionBasis,
    SourceKind,
    TransferMechanism,
)
from datamap.errors import ValidationError

NOTICE_DATE = dt.date(2018, 4, 27)
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_COUNTRY = re.compile(r"^([A-Z]{2})$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")


class Entry(BaseModel):
    """Fields every map entry has."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    key: str
    ref: str = Field(min_length=1)
    note: str | None = None
    valid_from: dt.date = Field(default=NOTICE_DATE, alias="validFrom")
    valid_to: dt.date | None = Field(default=None, alias="validTo")
    # A note that needs someone's attention, with its severity: a map finding until it is settled and removed
    # (`recorded_findings.flagged_notes`). On a system, purpose or recipient, `flagCountries` (ISO codes, or
    # `EU`/`EEA`) makes it concern the recorded events of the people living there, and the finding names them.
    flag: str | None = Field(default=None, min_length=1)
    flag_severity: Severity | None = Field(default=None, alias="flagSeverity")
    flag_countries: tuple[str, ...] = Field(default=(), alias="flagCountries")
    EVENT_FLAGS: ClassVar[bool] = False  # whether recorded events concern the entry (flagCountries allowed)

    @field_validator("key")
    @classmethod
    def _snake_key(cls, v: str) -> str:
        if not _SNAKE.match(v):
            raise ValueError(f"key {v!r} must be lower snake_case")
        return v

    @model_validator(mode="after")
    def _interval(self) -> Entry:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(f"validTo {self.valid_to} is not after validFrom {self.valid_from}")
        return self

    @model_validator(mode="after")
    def _flagged(self) -> Entry:
        if (self.flag is None) != (self.flag_severity is None):
            raise ValueError("flag and flagSeverity go together: give both or neither")
        if self.flag_countries and self.flag is None:
            raise ValueError("flagCountries needs a flag")
        if self.flag_countries and not self.EVENT_FLAGS:
            raise ValueError(
                "flagCountries is for systems, purposes and recipients, which recorded events name"
            )
        for code in self.flag_countries:
            if code not in REGIONS:
                _country(code)
        return self


def _country(v: str | None) -> str | None:
    if v is not None and not _COUNTRY.match(v):
        raise ValueError(f"country {v!r} must be an ISO 3166-1 alpha-2 code such as 'US' (or 'EU')")
    return v


class Certification(BaseModel):
    """An importer's certification (Privacy Shield, the DPF and its UK Extension), both end days included."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    program: TransferMechanism
    valid_from: dt.date = Field(alias="validFrom")
    valid_to: dt.date | None = Field(default=None, alias="validTo")
    note: str | None = None  # where the certification is stated (the notice's section), or why it is assumed

    @model_validator(mode="after")
    def _interval(self) -> Certification:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"validTo {self.valid_to} is before validFrom {self.valid_from}")
        return self


class Organisation(Entry):
    name: str
    country: str | None = None
    address: str | None = None
    controller: bool = False
    legal_entity: bool = Field(default=True, alias="legalEntity")
    certifications: tuple[Certification, ...] = ()
    _c = field_validator("country")(_country)


class DataCategory(Entry):
    name: str
    description: str | None = None
    statutory_category: str | None = Field(default=None, alias="statutoryCategory")
    # The CCPA category of personal information, a letter of Civ. Code §1798.140(v)(1)(A)-(L)
    ccpa_category: str | None = Field(default=None, alias="ccpaCategory")

    @field_validator("key")
    @classmethod
    def _snake_key(cls, v: str) -> str:
        try:
            return check_category_key(v)
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("statutory_category")
    @classmethod
    def _item(cls, v: str | None) -> str | None:
        if v is not None and v not in STATUTORY_CATEGORIES:
            raise ValueError(f"statutoryCategory {v!r} must be an item of §1798.83(e)(6)(A): i to xxvii")
        return v

    @field_validator("ccpa_category")
    @classmethod
    def _ccpa_letter(cls, v: str | None) -> str | None:
        if v is not None and v not in CCPA_CATEGORIES:
            raise ValueError(f"ccpaCategory {v!r} must be a letter of Civ. Code §1798.140(v)(1): A to L")
        return v


class SubjectCategory(Entry):
    name: str
    description: str | None = None
    child: bool = False


class Source(Entry):
    name: str
    kind: SourceKind
    description: str | None = None


class System(Entry):
    EVENT_FLAGS: ClassVar[bool] = True
    name: str
    description: str | None = None
    operator: str
    country: str | None = None
    categories: tuple[str, ...] = ()
    backups: bool = False
    _c = field_validator("country")(_country)


class Purpose(Entry):
    EVENT_FLAGS: ClassVar[bool] = True
    name: str
    description: str | None = None
    acting_as: Literal["controller", "processor"] = Field(default="controller", alias="actingAs")
    trigger: FlowTrigger = FlowTrigger.ROUTINE  # processing for it happens only on that event
    controllers: str | None = None  # when acting as processor: on whose behalf (Art. 30(2)(a)), in words
    # ... and as organisations, by key: Art. 30(2)(a) wants "the name and contact details of ... each controller"
    controller_organisations: tuple[str, ...] = Field(default=(), alias="controllerOrganisations")
    third_party_direct_marketing: bool = Field(default=False, alias="thirdPartyDirectMarketing")
    legal_basis: LegalBasis = Field(alias="legalBasis")
    legitimate_interest: str | None = Field(default=None, alias="legitimateInterest")
    categories: tuple[str, ...] = ()
    subject_categories: tuple[str, ...] = Field(default=(), alias="subjectCategories")
    systems: tuple[str, ...] = ()


class Recipient(Entry):
    EVENT_FLAGS: ClassVar[bool] = True
    name: str
    role: RecipientRole
    kind: str
    organisation: str | None = None
    country: str | None = None
    own_direct_marketing: bool = Field(default=False, alias="ownDirectMarketing")
    marketing_examples: str | None = Field(default=None, alias="marketingExamples")
    description: str | None = None
    _c = field_validator("country")(_country)


class Endpoint(BaseModel):
    """One end of a flow: exactly one of source, system, recipient."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str | None = None
    system: str | None = None
    recipient: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Endpoint:
        given = [k for k in ("source", "system", "recipient") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of source, system, recipient")
        return self

    @property
    def label(self) -> Literal["Source", "System", "Recipient"]:
        if self.source is not None:
            return "Source"
        return "System" if self.system is not None else "Recipient"

    @property
    def key(self) -> str:
        return self.source or self.system or self.recipient or ""


class Flow(Entry):
    from_: Endpoint = Field(alias="from")
    to: Endpoint
    categories: tuple[str, ...] = Field(min_length=1)
    purposes: tuple[str, ...] = ()
    trigger: FlowTrigger = FlowTrigger.ROUTINE  # a contingent flow carries data only on that event

    @model_validator(mode="after")
    def _direction(self) -> Flow:
        if self.from_.recipient is not None:
            raise ValueError("from: a flow starts at a source or a system")
        if self.to.source is not None:
            raise ValueError("to: a flow ends at a system or a recipient")
        return self


class Transfer(Entry):
    exporter: str
    importer: str
    from_countries: tuple[str, ...] = Field(alias="fromCountries", min_length=1)
    to_countries: tuple[str, ...] = Field(alias="toCountries", min_length=1)
    categories: tuple[str, ...] = Field(min_length=1)
    mechanism: TransferMechanism
    tia_review_date: dt.date | None = Field(default=None, alias="tiaReviewDate")
    # when the contract (SCCs, IDTA, Addendum) was concluded; the old SCCs' validity depends on it (Decision
    # 2021/914 Art. 4; the UK transitional provisions). Unset: the transfer's validFrom stands for it.
    contract_date: dt.date | None = Field(default=None, alias="contractDate")
    # the controllers (organisation keys) a processor makes this transfer for (Art. 30(2)(c)); empty: its own
    on_behalf_of: tuple[str, ...] = Field(default=(), alias="onBehalfOf")

    @field_validator("from_countries", "to_countries")
    @classmethod
    def _countries(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for c in v:
            _country(c)
        return v


class RetentionRule(Entry):
    name: str
    categories: tuple[str, ...] = Field(min_length=1)
    systems: tuple[str, ...] = ()  # where the retained records live; empty: wherever the categories are
    period: str | None = None
    criteria: str
    basis: RetentionBasis
    description: str | None = None

    @field_validator("period")
    @classmethod
    def _iso_duration(cls, v: str | None) -> str | None:
        if v is not None and not _DURATION.match(v):
            raise ValueError(f"period {v!r} must be an ISO 8601 duration such as 'P7Y' or 'P30D'")
        return v


class Right(Entry):
    name: str
    law: Literal["GDPR", "CCPA", "CalCivCode1798.83", "notice"]
    article: str | None = None
    description: str | None = None


class Deadline(Entry):
    name: str
    amount: int = Field(gt=0)
    unit: Literal["days", "business_days", "months"]
    applies_to: str = Field(alias="appliesTo")
    extension: str | None = None


class ContactPoint(Entry):
    kind: Literal["email", "phone", "postal"]
    value: str
    scope: str | None = None
    purpose: str | None = None


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    title: str
    controller: str
    effective: dt.date
    language: str
    document: str
    shine_the_light_route: Literal["disclosure_report", "opt_in_policy", "opt_out_policy"] = Field(
        default="disclosure_report", alias="shineTheLightRoute"
    )
    security_measures: str | None = Field(default=None, alias="securityMeasures")
    # The transfer mechanisms the notice says transfers rely on, and where it says so: a map finding when the
    # map's transfers contradict it on a day (`map_findings.notice_contradicted`; GDPR Art. 13(1)(f))
    transfers_rely_on: tuple[TransferMechanism, ...] = Field(default=(), alias="transfersRelyOn")
    transfers_ref: str | None = Field(default=None, alias="transfersRef")


class Identifiers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    email: str | None = None
    phone: str | None = None
    external_id: str | None = Field(default=None, alias="externalId")


class ExampleRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    system: str
    source: str
    categories: tuple[str, ...] = Field(min_length=1)
    at: dt.datetime


class ExampleDisclosure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    recipient: str
    categories: tuple[str, ...] = Field(min_length=1)
    purpose: str
    at: dt.datetime


class ExampleSubject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    key: str
    ref: str | None = None
    note: str | None = None
    identifiers: Identifiers
    subject_categories: tuple[str, ...] = Field(default=(), alias="subjectCategories")
    country: str | None = None
    region: str | None = None  # ISO 3166-2 (US-CA)
    relationship: Relationship | None = None  # Cal. Civ. Code §1798.83(e)(1)
    records: tuple[ExampleRecord, ...] = ()
    disclosures: tuple[ExampleDisclosure, ...] = ()
    _c = field_validator("country")(_country)

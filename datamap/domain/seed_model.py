"""The seed's entries as validated value types, and the check that every reference resolves.

`parse_seed` takes the already-read YAML documents (file name -> document) and returns a `SeedMap`, or raises
`ValidationError` naming the file, the entry and the reason. No I/O here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from datamap.domain.categories import ancestors, check_category_key
from datamap.domain.vocabulary import (
    LegalBasis,
    RecipientRole,
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


def _country(v: str | None) -> str | None:
    if v is not None and not _COUNTRY.match(v):
        raise ValueError(f"country {v!r} must be an ISO 3166-1 alpha-2 code such as 'US' (or 'EU')")
    return v


class Certification(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    program: TransferMechanism
    valid_from: dt.date = Field(alias="validFrom")
    valid_to: dt.date | None = Field(default=None, alias="validTo")


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

    @field_validator("key")
    @classmethod
    def _snake_key(cls, v: str) -> str:
        try:
            return check_category_key(v)
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("statutory_category")
    @classmethod
    def _letter(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]|AA", v):
            raise ValueError(f"statutoryCategory {v!r} must be a §1798.83(e)(6) letter A..Z or AA")
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
    name: str
    description: str | None = None
    operator: str
    country: str | None = None
    categories: tuple[str, ...] = ()
    backups: bool = False
    _c = field_validator("country")(_country)


class Purpose(Entry):
    name: str
    description: str | None = None
    legal_basis: LegalBasis = Field(alias="legalBasis")
    legitimate_interest: str | None = Field(default=None, alias="legitimateInterest")
    categories: tuple[str, ...] = ()
    subject_categories: tuple[str, ...] = Field(default=(), alias="subjectCategories")
    systems: tuple[str, ...] = ()


class Recipient(Entry):
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

    @field_validator("from_countries", "to_countries")
    @classmethod
    def _countries(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for c in v:
            _country(c)
        return v


class RetentionRule(Entry):
    name: str
    categories: tuple[str, ...] = Field(min_length=1)
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
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    controller: str
    effective: dt.date
    language: str
    document: str


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
    records: tuple[ExampleRecord, ...] = ()
    disclosures: tuple[ExampleDisclosure, ...] = ()
    _c = field_validator("country")(_country)


class SeedMap(BaseModel):
    """The whole seed, every reference checked."""

    model_config = ConfigDict(frozen=True)
    notice: Notice
    organisations: tuple[Organisation, ...]
    data_categories: tuple[DataCategory, ...]
    subject_categories: tuple[SubjectCategory, ...]
    sources: tuple[Source, ...]
    systems: tuple[System, ...]
    purposes: tuple[Purpose, ...]
    recipients: tuple[Recipient, ...]
    flows: tuple[Flow, ...]
    transfers: tuple[Transfer, ...]
    retention: tuple[RetentionRule, ...]
    rights: tuple[Right, ...]
    deadlines: tuple[Deadline, ...]
    contact_points: tuple[ContactPoint, ...]
    subjects: tuple[ExampleSubject, ...]


LIST_FILES: dict[str, type[BaseModel]] = {
    "organisations": Organisation,
    "data_categories": DataCategory,
    "subject_categories": SubjectCategory,
    "sources": Source,
    "systems": System,
    "purposes": Purpose,
    "recipients": Recipient,
    "flows": Flow,
    "transfers": Transfer,
    "retention": RetentionRule,
    "rights": Right,
    "deadlines": Deadline,
    "contact_points": ContactPoint,
    "subjects": ExampleSubject,
}

M = TypeVar("M", bound=BaseModel)


def _entry_name(index: int, raw: Any) -> str:
    key = raw.get("key") if isinstance(raw, dict) else None
    return f"entry {index + 1}" + (f" (key {key!r})" if key else "")


def _describe(exc: PydanticError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        parts.append(f"field {where!r}: {err['msg']}")
    return "; ".join(parts)


def _parse_list(file: str, document: Any, model: type[M]) -> tuple[M, ...]:
    name = file.removesuffix(".yaml")
    if not isinstance(document, dict) or name not in document:
        raise ValidationError(f"seed/{file}: expected a top-level key {name!r} holding a list of entries")
    extra = set(document) - {name}
    if extra:
        raise ValidationError(f"seed/{file}: unexpected top-level keys {sorted(extra)}")
    raw_entries = document[name] or []
    if not isinstance(raw_entries, list):
        raise ValidationError(f"seed/{file}: {name!r} must be a list of entries")
    out: list[M] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_entries):
        try:
            entry = model.model_validate(raw)
        except PydanticError as exc:
            raise ValidationError(f"seed/{file}: {_entry_name(i, raw)}: {_describe(exc)}") from None
        key = getattr(entry, "key", None)
        if key is not None:
            if key in seen:
                raise ValidationError(
                    f"seed/{file}: {_entry_name(i, raw)}: duplicate key, first used by entry {seen[key] + 1}"
                )
            seen[key] = i
        out.append(entry)
    return tuple(out)


def parse_seed(documents: Mapping[str, Any]) -> SeedMap:
    """Validate every seed document and every cross-reference. `documents` maps file name to YAML data."""
    expected = {f"{name}.yaml" for name in LIST_FILES} | {"notice.yaml"}
    missing = sorted(expected - set(documents))
    if missing:
        raise ValidationError(f"seed: missing files {missing}")
    unknown = sorted(set(documents) - expected)
    if unknown:
        raise ValidationError(f"seed: unknown files {unknown} (expected {sorted(expected)})")
    notice_doc = documents["notice.yaml"]
    if not isinstance(notice_doc, dict) or "notice" not in notice_doc:
        raise ValidationError("seed/notice.yaml: expected a top-level key 'notice'")
    try:
        notice = Notice.model_validate(notice_doc["notice"])
    except PydanticError as exc:
        raise ValidationError(f"seed/notice.yaml: {_describe(exc)}") from None
    parsed = {
        name: _parse_list(f"{name}.yaml", documents[f"{name}.yaml"], model)
        for name, model in LIST_FILES.items()
    }
    seed = SeedMap(notice=notice, **parsed)
    check_references(seed)
    return seed


def check_references(seed: SeedMap) -> None:
    """Every key an entry names must exist; data category parents must exist; one controller."""
    keys = {
        "organisation": {o.key for o in seed.organisations},
        "data category": {c.key for c in seed.data_categories},
        "subject category": {c.key for c in seed.subject_categories},
        "source": {s.key for s in seed.sources},
        "system": {s.key for s in seed.systems},
        "purpose": {p.key for p in seed.purposes},
        "recipient": {r.key for r in seed.recipients},
    }

    def need(file: str, index: int, key: str, kind: str, refs: tuple[str, ...] | str | None) -> None:
        values = (refs,) if isinstance(refs, str) else (refs or ())
        for value in values:
            if value not in keys[kind]:
                raise ValidationError(
                    f"seed/{file}: entry {index + 1} (key {key!r}): unknown {kind} {value!r}"
                )

    for i, c in enumerate(seed.data_categories):
        for parent in ancestors(c.key):
            if parent not in keys["data category"]:
                raise ValidationError(
                    f"seed/data_categories.yaml: entry {i + 1} (key {c.key!r}): parent category {parent!r} "
                    "is not an entry"
                )
    controllers = [o.key for o in seed.organisations if o.controller]
    if len(controllers) != 1:
        raise ValidationError(
            f"seed/organisations.yaml: exactly one controller expected, found {controllers}"
        )
    need("notice.yaml", 0, "notice", "organisation", seed.notice.controller)
    for i, s in enumerate(seed.systems):
        need("systems.yaml", i, s.key, "organisation", s.operator)
        need("systems.yaml", i, s.key, "data category", s.categories)
    for i, p in enumerate(seed.purposes):
        need("purposes.yaml", i, p.key, "data category", p.categories)
        need("purposes.yaml", i, p.key, "subject category", p.subject_categories)
        need("purposes.yaml", i, p.key, "system", p.systems)
    for i, r in enumerate(seed.recipients):
        need("recipients.yaml", i, r.key, "organisation", r.organisation)
    for i, f in enumerate(seed.flows):
        for end in (f.from_, f.to):
            need("flows.yaml", i, f.key, end.label.lower(), end.key)
        need("flows.yaml", i, f.key, "data category", f.categories)
        need("flows.yaml", i, f.key, "purpose", f.purposes)
    for i, t in enumerate(seed.transfers):
        need("transfers.yaml", i, t.key, "organisation", (t.exporter, t.importer))
        need("transfers.yaml", i, t.key, "data category", t.categories)
    for i, rule in enumerate(seed.retention):
        need("retention.yaml", i, rule.key, "data category", rule.categories)
    for i, subject in enumerate(seed.subjects):
        need("subjects.yaml", i, subject.key, "subject category", subject.subject_categories)
        for rec in subject.records:
            need("subjects.yaml", i, subject.key, "system", rec.system)
            need("subjects.yaml", i, subject.key, "source", rec.source)
            need("subjects.yaml", i, subject.key, "data category", rec.categories)
        for d in subject.disclosures:
            need("subjects.yaml", i, subject.key, "recipient", d.recipient)
            need("subjects.yaml", i, subject.key, "purpose", d.purpose)
            need("subjects.yaml", i, subject.key, "data category", d.categories)

"""The whole seed, validated: every file parsed into entries, every reference resolved.

`parse_seed` takes the already-read YAML documents (file name -> document) and returns a `SeedMap`, or raises
`ValidationError` naming the file, the entry and the reason. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from datamap.domain.categories import ancestors, unheld
from datamap.domain.seed_entries import (
    ContactPoint,
    DataCategory,
    Deadline,
    ExampleSubject,
    Flow,
    Notice,
    Organisation,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Source,
    SubjectCategory,
    System,
    Transfer,
)
from datamap.errors import ValidationError


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
    """Every key an entry names must exist; data category parents must exist; one controller; a flow from a
    system carries only categories the system stores (`categories.unheld`)."""
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
        need("purposes.yaml", i, p.key, "organisation", p.controller_organisations)
    for i, r in enumerate(seed.recipients):
        need("recipients.yaml", i, r.key, "organisation", r.organisation)
    systems = {s.key: s for s in seed.systems}
    for i, f in enumerate(seed.flows):
        for end in (f.from_, f.to):
            need("flows.yaml", i, f.key, end.label.lower(), end.key)
        need("flows.yaml", i, f.key, "data category", f.categories)
        need("flows.yaml", i, f.key, "purpose", f.purposes)
        if f.from_.system is not None:
            missing = unheld(systems[f.from_.system].categories, f.categories)
            if missing:
                raise ValidationError(
                    f"seed/flows.yaml: entry {i + 1} (key {f.key!r}): carries {missing}, which its source system "
                    f"{f.from_.system!r} does not store"
                )
    for i, t in enumerate(seed.transfers):
        need("transfers.yaml", i, t.key, "organisation", (t.exporter, t.importer, *t.on_behalf_of))
        need("transfers.yaml", i, t.key, "data category", t.categories)
    for i, rule in enumerate(seed.retention):
        need("retention.yaml", i, rule.key, "data category", rule.categories)
        need("retention.yaml", i, rule.key, "system", rule.systems)
    owners: dict[str, str] = {}
    for i, subject in enumerate(seed.subjects):
        for value in (subject.identifiers.email, subject.identifiers.phone, subject.identifiers.external_id):
            if value is None:
                continue
            normal = value.strip().lower()
            if normal in owners:
                raise ValidationError(
                    f"seed/subjects.yaml: entry {i + 1} (key {subject.key!r}): identifier also given for "
                    f"subject {owners[normal]!r}; two example subjects would merge into one"
                )
            owners[normal] = subject.key
        need("subjects.yaml", i, subject.key, "subject category", subject.subject_categories)
        for rec in subject.records:
            need("subjects.yaml", i, subject.key, "system", rec.system)
            need("subjects.yaml", i, subject.key, "source", rec.source)
            need("subjects.yaml", i, subject.key, "data category", rec.categories)
        for d in subject.disclosures:
            need("subjects.yaml", i, subject.key, "recipient", d.recipient)
            need("subjects.yaml", i, subject.key, "purpose", d.purpose)
            need("subjects.yaml", i, subject.key, "data category", d.categories)

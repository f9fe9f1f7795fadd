"""Changes to the map through the API (issue 11): the kinds of entry, and the rules a change passes before
anything is written. Pure: no I/O.

An entry keeps its identity (one node per kind and key: the subject layer points at it) and changes in
versions. A version holds the entry's attributes and references from the day it takes effect
(`effectiveFrom`) until the next version's; nothing is deleted, so an answer as of a day stays what it was
whatever is changed later (`graph/map_versions.py` says how versions and relationships are stored). A change:

- is validated by the seed's own entry model (`seed_entries.py`, `parse_entry`): the API accepts exactly what
  the seed accepts, vocabularies (`vocabulary.py`) included. The entry's lifetime (`validFrom`, `validTo`) is
  not an input: it starts on the day the entry is created and ends when it is retired (`retireMapEntry`);
- carries its principal and a reason (`check_reason`);
- names the version it was read at (`check_version`): optimistic concurrency, a stale version is refused with
  who changed the entry since; creating a key takes no version (or 0);
- takes effect on a day not before today (`check_not_backdated`: today is the UTC day of the service's clock,
  as `asOf` defaults to it) and not before the current version began (`check_effective`): a change cannot
  rewrite an answer already given about an earlier day, nor an earlier version. (`datamap seed load` writes the
  map as its files declare it, and is refused once the API has changed the map.)
- references only entries that hold on that day and are not retired (`check_references`). A data category's
  parent is the prefix of its dotted key (fideslang: `user.contact` for `user.contact.email`), so a parent is
  always a strictly shorter key: parents form a tree and no change can make a cycle; what is checked is that
  the parent holds;
- keeps exactly one organisation the controller, as the seed does (`check_controller`);
- keeps each flow within what its source system stores (`categories.unheld`, the seed's rule as well):
  checked for a changed flow, and for every flow in force from a changed system (`check_flow_source`,
  `check_system_flows`). A source (a device, a form) stores nothing, so a flow from a source is not limited.

Retiring ends an entry's validity on a day; it is refused while a flow or an entry in force references it
(`check_retirable`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError as PydanticError

from datamap.domain import seed_entries as se
from datamap.domain.categories import ancestors, unheld
from datamap.domain.seed_model import _describe
from datamap.errors import Conflict, NotFound, ValidationError

MAX_REASON = 2000  # characters of a change's reason

# Bookkeeping of versions, kept beside an entry's seed fields (`graph/map_versions.py` describes each).
VERSION_PROPERTIES = frozenset(
    {
        "version",
        "versionFrom",
        "versionTo",
        "changedBy",
        "changeReason",
        "changedAt",
        "retiredBy",
        "retiredAt",
        "retireReason",
    }
)
# ... and on the relationships an entry owns: when each holds, and the entry's versions it belongs to.
LINK_PROPERTIES = ("validFrom", "validTo", "fromVersion", "toVersion")
SEED_PRINCIPAL = "seed"  # the principal of the versions `datamap seed load` writes
SEED_REASON = "loaded from the seed"


class MapKind(StrEnum):
    """The kinds of map entry the API changes."""

    ORGANISATION = "organisation"
    DATA_CATEGORY = "data_category"
    SOURCE = "source"
    SYSTEM = "system"
    PURPOSE = "purpose"
    RECIPIENT = "recipient"
    FLOW = "flow"
    TRANSFER = "transfer"
    RETENTION_RULE = "retention_rule"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")

    def name_of(self, key: str) -> str:
        """The entry in words: `recipient 'marketing_partners'`."""
        return f"{self.words} {key!r}"


@dataclass(frozen=True)
class Reference:
    """A field of an entry that names other entries by key."""

    field: str  # the seed's field (camelCase)
    target: str  # the label of the entries it names
    edge: str | None = None  # the relationship type the entry owns for it (None: a property only)
    in_properties: bool = False  # also kept as a property of the entry (as the seed writer keeps it)


@dataclass(frozen=True)
class KindSpec:
    label: str
    model: type[se.Entry]
    references: tuple[Reference, ...] = ()


_ORG, _CAT = "Organisation", "DataCategory"
PARENT = "parent"  # a data category's parent: derived from its key, not a seed field

KINDS: dict[MapKind, KindSpec] = {
    MapKind.ORGANISATION: KindSpec(_ORG, se.Organisation),
    MapKind.DATA_CATEGORY: KindSpec(_CAT, se.DataCategory, (Reference(PARENT, _CAT, "SUBCATEGORY_OF"),)),
    MapKind.SOURCE: KindSpec("Source", se.Source),
    MapKind.SYSTEM: KindSpec(
        "System",
        se.System,
        (Reference("operator", _ORG, "OPERATED_BY", True), Reference("categories", _CAT, "STORES")),
    ),
    MapKind.PURPOSE: KindSpec(
        "Purpose",
        se.Purpose,
        (
            Reference("categories", _CAT, "PROCESSES"),
            Reference("subjectCategories", "SubjectCategory", "CONCERNS"),
            Reference("systems", "System", "USES"),
            Reference("controllerOrganisations", _ORG, "ON_BEHALF_OF"),
        ),
    ),
    MapKind.RECIPIENT: KindSpec("Recipient", se.Recipient, (Reference("organisation", _ORG, "IS", True),)),
    MapKind.FLOW: KindSpec(
        "FLOWS_TO",  # a flow is a relationship between its ends, not a node
        se.Flow,
        (Reference("categories", _CAT, None, True), Reference("purposes", "Purpose", None, True)),
    ),
    MapKind.TRANSFER: KindSpec(
        "Transfer",
        se.Transfer,
        (
            Reference("exporter", _ORG, "EXPORTER", True),
            Reference("importer", _ORG, "IMPORTER", True),
            Reference("onBehalfOf", _ORG, None, True),
            Reference("categories", _CAT, "CARRIES"),
        ),
    ),
    MapKind.RETENTION_RULE: KindSpec(
        "RetentionRule",
        se.RetentionRule,
        (Reference("categories", _CAT, "APPLIES_TO"), Reference("systems", "System", "APPLIES_IN")),
    ),
}
NODE_KINDS = tuple(k for k in MapKind if k is not MapKind.FLOW)
LABEL_WORDS = {
    _ORG: "organisation",
    _CAT: "data category",
    "SubjectCategory": "subject category",
    "Source": "source",
    "System": "system",
    "Purpose": "purpose",
    "Recipient": "recipient",
    "Transfer": "transfer",
    "RetentionRule": "retention rule",
    "Notice": "notice",
}
_FIELD_OF = {"source": "Source", "system": "System", "recipient": "Recipient"}


def parse_entry(kind: MapKind, fields: Mapping[str, Any]) -> se.Entry:
    """The entry the fields describe, validated by the seed's model; errors name the entry and the field."""
    try:
        return KINDS[kind].model.model_validate(dict(fields))
    except PydanticError as exc:
        raise ValidationError(f"input: {kind.name_of(str(fields.get('key')))}: {_describe(exc)}") from None


def references_of(kind: MapKind, entry: se.Entry) -> dict[str, tuple[str, ...]]:
    """Each reference field of the entry with the keys it names (a data category: its parent)."""
    named = entry.model_dump(by_alias=True)
    out: dict[str, tuple[str, ...]] = {}
    for ref in KINDS[kind].references:
        if ref.field == PARENT:
            out[PARENT] = tuple(ancestors(entry.key)[-1:])
            continue
        value = named.get(ref.field)
        out[ref.field] = (value,) if isinstance(value, str) else tuple(value or ())
    return out


def ends_of(flow: se.Flow) -> tuple[tuple[str, str], tuple[str, str]]:
    """A flow's ends as (label, key)."""
    return (flow.from_.label, flow.from_.key), (flow.to.label, flow.to.key)


def wanted(kind: MapKind, entry: se.Entry) -> dict[str, list[str]]:
    """The keys to look up, by label: every entry the change references."""
    out: dict[str, set[str]] = {}
    for ref in KINDS[kind].references:
        out.setdefault(ref.target, set()).update(references_of(kind, entry)[ref.field])
    if isinstance(entry, se.Flow):
        for label, key in ends_of(entry):
            out.setdefault(label, set()).add(key)
    return {label: sorted(keys) for label, keys in out.items()}


def check_reason(reason: str) -> str:
    """A change says why (kept with the version: write about the map, not about a person)."""
    text = reason.strip()
    if not text:
        raise ValidationError("reason: say why the map changes")
    if len(text) > MAX_REASON:
        raise ValidationError(f"reason: {len(text)} characters; give at most {MAX_REASON}")
    return text


@dataclass(frozen=True)
class Stored:
    """An entry as the graph holds it now: its current version's properties (bookkeeping included), the keys
    its relationships in force name, and (an organisation) its certifications in force."""

    properties: Mapping[str, Any]
    references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    certifications: tuple[Mapping[str, Any], ...] = ()

    @property
    def version(self) -> int:
        return int(self.properties.get("version") or 1)

    @property
    def valid_from(self) -> dt.date:
        value: dt.date = self.properties["validFrom"]
        return value

    @property
    def version_from(self) -> dt.date:
        value: dt.date = self.properties.get("versionFrom") or self.valid_from
        return value

    @property
    def valid_to(self) -> dt.date | None:
        value: dt.date | None = self.properties.get("validTo")
        return value

    @property
    def changed_by(self) -> str:
        return str(self.properties.get("changedBy") or SEED_PRINCIPAL)

    def attributes(self) -> dict[str, Any]:
        """The properties without the version bookkeeping."""
        return {k: v for k, v in self.properties.items() if k not in VERSION_PROPERTIES}


def check_version(kind: MapKind, key: str, stored: Stored | None, expected: int | None) -> int:
    """The number the change's version gets; refuses a change not based on the current version."""
    if stored is None:
        if expected:
            raise NotFound(
                f"expectedVersion: there is no {kind.name_of(key)} at version {expected}; "
                "to create it, send no expectedVersion (or 0)"
            )
        return 1
    if expected is None or expected == 0:
        raise ValidationError(
            f"expectedVersion: {kind.name_of(key)} exists at version {stored.version}; send the version you read"
        )
    if expected != stored.version:
        when = stored.properties.get("changedAt") or stored.version_from
        raise Conflict(
            f"{kind.name_of(key)}: version {expected} is stale; it is at version {stored.version}, changed by "
            f"{stored.changed_by} ({when}); read it again and repeat the change"
        )
    if stored.valid_to is not None:
        raise ValidationError(
            f"{kind.name_of(key)} is retired from {stored.valid_to}; a retired entry is kept as it was"
        )
    return stored.version + 1


def check_not_backdated(kind: MapKind, key: str, day: dt.date, today: dt.date) -> None:
    """A change (an upsert or a retirement) takes effect today or later: an answer already given `asOf` an
    earlier day (the default `asOf` is today) must stay reproducible, so no change reaches back before today."""
    if day < today:
        raise ValidationError(
            f"effectiveFrom: {day} is before today ({today}); {kind.name_of(key)} can change from today on, so "
            "that every answer already given about an earlier day stays as it was"
        )


def check_effective(kind: MapKind, key: str, stored: Stored | None, day: dt.date) -> None:
    """A change takes effect on a day not before the current version began."""
    if stored is not None and day < stored.version_from:
        raise ValidationError(
            f"effectiveFrom: {day} is before version {stored.version} of {kind.name_of(key)} began "
            f"({stored.version_from}); a change cannot rewrite an earlier version"
        )


@dataclass(frozen=True)
class Found:
    """A referenced entry as the graph holds it: its lifetime."""

    label: str
    key: str
    valid_from: dt.date
    valid_to: dt.date | None


def check_references(kind: MapKind, entry: se.Entry, found: Iterable[Found], day: dt.date) -> None:
    """Every entry the change references exists, holds on `day` and is not retired; else one error naming the
    entry and each key."""
    held = {(f.label, f.key): f for f in found}
    problems: list[str] = []
    for label, keys in wanted(kind, entry).items():
        for key in keys:
            what = f"{LABEL_WORDS[label]} {key!r}"
            f = held.get((label, key))
            if f is None:
                problems.append(f"unknown {what}")
            elif f.valid_from > day:
                problems.append(f"{what} holds only from {f.valid_from}")
            elif f.valid_to is not None:
                problems.append(f"{what} is retired from {f.valid_to}")
    if problems:
        raise NotFound(f"{kind.name_of(entry.key)}: {'; '.join(problems)} (on {day})")


def check_flow_source(flow: se.Flow, held: Iterable[str]) -> None:
    """A flow from a system carries only categories the system stores."""
    if flow.from_.system is None:
        return
    missing = unheld(held, flow.categories)
    if missing:
        raise ValidationError(
            f"{MapKind.FLOW.name_of(flow.key)}: carries {missing}, which its source system "
            f"{flow.from_.system!r} does not store"
        )


def check_system_flows(system: se.System, outgoing: Iterable[tuple[str, Iterable[str]]]) -> None:
    """A system keeps storing what every flow in force from it carries: (flow key, its categories)."""
    problems = [
        f"flow {key!r} carries {missing}"
        for key, carried in outgoing
        if (missing := unheld(system.categories, carried))
    ]
    if problems:
        raise ValidationError(
            f"{MapKind.SYSTEM.name_of(system.key)}: {'; '.join(problems)}, which the system would no longer "
            "store; change those flows first"
        )


def check_certifications(organisation: se.Organisation) -> None:
    programs = [c.program for c in organisation.certifications]
    twice = sorted({p.value for p in programs if programs.count(p) > 1})
    if twice:
        raise ValidationError(
            f"input: {MapKind.ORGANISATION.name_of(organisation.key)}: certifications: {twice} given twice"
        )


def check_controller(organisation: se.Organisation, controllers: Iterable[str]) -> None:
    """Exactly one organisation is the controller, as in the seed (`controllers`: those now, not retired)."""
    after = {c for c in controllers if c != organisation.key} | (
        {organisation.key} if organisation.controller else set()
    )
    if len(after) != 1:
        raise ValidationError(
            f"input: {MapKind.ORGANISATION.name_of(organisation.key)}: exactly one organisation is the controller; "
            f"this change would leave {sorted(after) or 'none'}"
        )


def check_retirable(kind: MapKind, key: str, referrers: Iterable[tuple[str, str]], day: dt.date) -> None:
    """Refused while entries or flows in force on or after `day` reference it: (label or `flow`, key)."""
    named = sorted(f"{LABEL_WORDS.get(label, label)} {k!r}" for label, k in referrers)
    if named:
        raise ValidationError(
            f"{kind.name_of(key)} is still referenced from {day} on by {', '.join(named)}; change or retire "
            "them first"
        )


def check_retire_day(kind: MapKind, key: str, stored: Stored, day: dt.date) -> None:
    if stored.valid_to is not None:
        raise ValidationError(f"{kind.name_of(key)} is already retired from {stored.valid_to}")
    check_effective(kind, key, stored, day)
    if day <= stored.valid_from:
        raise ValidationError(
            f"effectiveFrom: {day} is not after {kind.name_of(key)} began ({stored.valid_from}); "
            "retire it from a later day"
        )

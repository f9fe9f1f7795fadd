"""Collections and disclosures as rows for the graph: identifiers hashed, ids deterministic."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from datamap.domain.categories import check_category_key
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.regions import country_of
from datamap.domain.vocabulary import Relationship
from datamap.errors import ValidationError


@dataclass(frozen=True)
class Collection:
    """Data of `categories` about a subject, collected from `source` into `system` at `at`."""

    identifiers: Sequence[SubjectIdentifier]
    system: str
    source: str
    categories: Sequence[str]
    at: dt.datetime
    subject_categories: Sequence[str] = ()
    country: str | None = None
    region: str | None = None  # ISO 3166-2, e.g. US-CA: where the subject lives
    relationship: str | None = None  # `vocabulary.Relationship`


@dataclass(frozen=True)
class Disclosure:
    """Data of `categories` about a subject, disclosed to `recipient` for `purpose` at `at`."""

    identifiers: Sequence[SubjectIdentifier]
    recipient: str
    purpose: str
    categories: Sequence[str]
    at: dt.datetime
    subject_categories: Sequence[str] = ()
    country: str | None = None
    region: str | None = None
    relationship: str | None = None


@dataclass
class KeyRefs:
    """Every map key a batch of events names, to be checked against the graph in one query."""

    categories: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)
    purposes: set[str] = field(default_factory=set)
    subjectCategories: set[str] = field(default_factory=set)

    def add(self, event: Collection | Disclosure) -> None:
        self.categories.update(event.categories)
        self.subjectCategories.update(event.subject_categories)
        if isinstance(event, Collection):
            self.systems.add(event.system)
            self.sources.add(event.source)
        else:
            self.recipients.add(event.recipient)
            self.purposes.add(event.purpose)

    def as_params(self) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in vars(self).items()}


def utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValidationError(f"time {at.isoformat()} has no time zone; give one, e.g. 2024-05-01T10:00:00Z")
    return at.astimezone(dt.UTC)


def _digest(payload: dict[str, Any]) -> str:
    """The first 32 hex digits of the SHA-256 of `json.dumps(payload, sort_keys=True, default=str)`: record ids
    the graph already holds are made so, and must stay the same (`_canonical_json` builds that text faster)."""
    text = _canonical_json(payload)
    if text is None:
        text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _canonical_json(payload: dict[str, Any]) -> str | None:
    """Exactly what `json.dumps(payload, sort_keys=True, default=str)` returns, for the payloads record ids are
    made of: keys and strings of printable ASCII without quotes or backslashes (written as they are), values
    strings, None, datetimes (`str()`) or lists of strings. None for any other payload (`json.dumps` then)."""
    try:
        keys = sorted(payload)
    except TypeError:  # keys json.dumps cannot sort either
        return None
    parts = []
    quotes = 0  # the quotes the text has if no key or string holds one
    for key in keys:
        value = payload[key]
        kind = type(value)
        if type(key) is not str:
            return None
        if kind is str:
            parts.append(f'"{key}": "{value}"')
            quotes += 4
        elif value is None:
            parts.append(f'"{key}": null')
            quotes += 2
        elif kind is dt.datetime:
            parts.append(f'"{key}": "{value.isoformat(" ")}"')  # str() of a datetime, faster
            quotes += 4
        elif kind is list:
            if not value:
                parts.append(f'"{key}": []')
            elif str in set(map(type, value)) and len(set(map(type, value))) == 1:
                parts.append(f'"{key}": ["' + '", "'.join(value) + '"]')
            else:
                return None
            quotes += 2 + 2 * len(value)
        else:
            return None
    text = "{" + ", ".join(parts) + "}"
    plain = text.isascii() and text.isprintable() and "\\" not in text and text.count('"') == quotes
    return text if plain else None


def to_row(event: Collection | Disclosure, secret: bytes, line: int = 0) -> dict[str, Any]:
    """The graph row of one event, before its subject is resolved (see `assign_subjects`)."""
    if not event.categories:
        raise ValidationError("categories: give at least one data category")
    for c in event.categories:
        check_category_key(c)
    if event.country is not None and not re.fullmatch(r"[A-Z]{2}", event.country):
        raise ValidationError(f"country: {event.country!r} is not an ISO 3166-1 alpha-2 code such as 'NL'")
    _check_residence(event.country, event.region, event.relationship)
    at = utc(event.at)
    identifiers = [{"hash": i.keyed_hash(secret), "kind": i.kind.value} for i in event.identifiers]
    if isinstance(event, Collection):
        target = {"system": event.system, "source": event.source}
    else:
        target = {"recipient": event.recipient, "purpose": event.purpose}
    return {
        "line": line,
        "identifiers": identifiers,
        "hashes": sorted(i["hash"] for i in identifiers),
        "subjectCategories": sorted(set(event.subject_categories)),
        "country": event.country or (country_of(event.region) if event.region else None),
        "region": event.region,
        "relationship": event.relationship,
        "categories": sorted(set(event.categories)),
        "at": at,
        **target,
    }


def _check_residence(country: str | None, region: str | None, relationship: str | None) -> None:
    """A region is an ISO 3166-2 code of the subject's country; a relationship one of `Relationship`."""
    if region is not None:
        if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", region):
            raise ValidationError(f"region: {region!r} is not an ISO 3166-2 code such as 'US-CA'")
        if country is not None and country_of(region) != country:
            raise ValidationError(f"region: {region!r} is not in country {country!r}")
    if relationship is not None and relationship not in {r.value for r in Relationship}:
        choices = ", ".join(r.value for r in Relationship)
        raise ValidationError(f"relationship: {relationship!r} is not one of {choices}")


def identifier_groups(rows: Sequence[dict[str, Any]]) -> list[list[int]]:
    """Rows that share an identifier, directly or through other rows, are one subject: their indexes, grouped."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_row: dict[str, int] = {}
    for index, row in enumerate(rows):
        for h in row["hashes"]:
            if h in first_row:
                parent[root(index)] = root(first_row[h])
            else:
                first_row[h] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(rows)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def assign_subject(row: dict[str, Any], subject_id: str) -> None:
    """Fix the row's subject and its id: the same event about the same subject always gets the same id."""
    row["subjectId"] = subject_id
    payload = {k: row.get(k) for k in ("system", "source", "recipient", "purpose", "categories", "at")}
    row["id"] = _digest({"subject": subject_id, **payload})


def new_subject_id(hashes: Iterable[str]) -> str:
    return "s_" + min(hashes)[:32]


def key_refs(events: Iterable[Collection | Disclosure]) -> KeyRefs:
    refs = KeyRefs()
    for e in events:
        refs.add(e)
    return refs

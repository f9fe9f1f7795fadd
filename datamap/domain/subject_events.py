"""Collections and disclosures as rows for the graph: identifiers hashed, ids deterministic."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from datamap.domain.categories import check_category_key
from datamap.domain.identifiers import SubjectIdentifier
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
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


def to_row(event: Collection | Disclosure, secret: bytes, line: int = 0) -> dict[str, Any]:
    """The graph row of one event. Equal events give equal ids, so re-recording changes nothing."""
    if not event.categories:
        raise ValidationError("categories: give at least one data category")
    for c in event.categories:
        check_category_key(c)
    at = utc(event.at)
    identifiers = [{"hash": i.keyed_hash(secret), "kind": i.kind.value} for i in event.identifiers]
    hashes = sorted(i["hash"] for i in identifiers)
    categories = sorted(set(event.categories))
    common = {
        "line": line,
        "identifiers": identifiers,
        "hashes": hashes,
        "newId": "s_" + identifiers[0]["hash"][:32],
        "subjectCategories": sorted(set(event.subject_categories)),
        "country": event.country,
        "categories": categories,
        "at": at,
    }
    if isinstance(event, Collection):
        target = {"system": event.system, "source": event.source}
    else:
        target = {"recipient": event.recipient, "purpose": event.purpose}
    return {
        **common,
        **target,
        "id": _digest({"hashes": hashes, "categories": categories, "at": at, **target}),
    }


def key_refs(events: Iterable[Collection | Disclosure]) -> KeyRefs:
    refs = KeyRefs()
    for e in events:
        refs.add(e)
    return refs

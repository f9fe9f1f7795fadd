"""An entry's history: its versions, oldest first, each with when it held, who made it and why, and the entry
as the seed would write it then. Pure: built from what `graph/map_versions.py` reads (its docstring says how
versions are kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datamap.domain.map_changes import (
    KINDS,
    PARENT,
    SEED_PRINCIPAL,
    SEED_REASON,
    VERSION_PROPERTIES,
    MapKind,
)

CERTIFIES = "HOLDS_CERTIFICATION"


@dataclass(frozen=True)
class Version:
    """One version: it holds from `valid_from` until `valid_to` (None: still holds)."""

    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    principal: str
    reason: str
    changed_at: dt.datetime | None  # None: written by `datamap seed load`
    attributes: Mapping[str, Any]  # the entry in the seed's shape (camelCase fields)


@dataclass(frozen=True)
class Retirement:
    on: dt.date  # the first day the entry no longer holds
    principal: str
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class History:
    kind: MapKind
    key: str
    versions: tuple[Version, ...]
    retired: Retirement | None

    @property
    def current(self) -> Version:
        return self.versions[-1]


def _retirement(p: Mapping[str, Any]) -> Retirement | None:
    if p.get("retiredBy") is None:
        return None
    return Retirement(p["validTo"], p["retiredBy"], p.get("retireReason") or "", p["retiredAt"])


def _version(
    p: Mapping[str, Any], start: dt.date, end: dt.date | None, attributes: Mapping[str, Any]
) -> Version:
    return Version(
        int(p.get("version") or 1),
        start,
        end,
        p.get("changedBy") or SEED_PRINCIPAL,
        p.get("changeReason") or SEED_REASON,
        p.get("changedAt"),
        attributes,
    )


def _in_version(link: Mapping[str, Any], version: int) -> bool:
    return bool(link["fromVersion"] <= version and (link["toVersion"] is None or version < link["toVersion"]))


def _attributes(kind: MapKind, p: Mapping[str, Any], links: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The version's properties with the list references it owned then, as the seed names them."""
    version = int(p.get("version") or 1)
    out = {k: v for k, v in p.items() if k not in VERSION_PROPERTIES}
    held = [link for link in links if _in_version(link, version)]
    for ref in KINDS[kind].references:
        if ref.edge is not None and not ref.in_properties and ref.field != PARENT:
            out[ref.field] = sorted(link["key"] for link in held if link["type"] == ref.edge)
    if kind is MapKind.ORGANISATION:
        certifications = [dict(link["certification"]) for link in held if link["type"] == CERTIFIES]
        out["certifications"] = sorted(certifications, key=lambda c: (str(c["validFrom"]), c["program"]))
    return out


def node_history(
    kind: MapKind,
    key: str,
    entry: Mapping[str, Any],
    previous: Sequence[Mapping[str, Any]],
    links: Sequence[Mapping[str, Any]],
) -> History:
    """An entry's versions from its node (the current one) and its MapVersion nodes."""
    versions = [
        _version(v, v.get("versionFrom") or v["validFrom"], v["versionTo"], _attributes(kind, v, links))
        for v in sorted(previous, key=lambda v: int(v.get("version") or 1))
    ]
    start = entry.get("versionFrom") or entry["validFrom"]
    versions.append(_version(entry, start, entry.get("validTo"), _attributes(kind, entry, links)))
    return History(kind, key, tuple(versions), _retirement(entry))


def _end(end: Sequence[str]) -> dict[str, str]:
    label, key = end
    return {label.lower(): key}


def flow_history(key: str, flows: Sequence[Mapping[str, Any]]) -> History:
    """A flow's versions: one relationship each, holding from its own validFrom."""
    ordered = sorted(flows, key=lambda f: int(f.get("version") or 1))
    versions = []
    for f in ordered:
        attributes = {k: v for k, v in f.items() if k not in VERSION_PROPERTIES | {"from", "to"}}
        attributes |= {"from": _end(f["from"]), "to": _end(f["to"])}
        versions.append(_version(f, f["validFrom"], f.get("validTo"), attributes))
    return History(MapKind.FLOW, key, tuple(versions), _retirement(ordered[-1]))

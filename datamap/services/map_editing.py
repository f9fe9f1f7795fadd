"""Editing the map through the API: upsert an entry, retire one, read an entry's history.

Each change is one write transaction: the map's lock and everything the checks need read in one statement
(`graph/map_versions.read_for_change`), the rules of `domain/map_changes.py` applied, the new version written,
and the change's audit event recorded in the same transaction (`erasure/trail.py`: a refused change is
recorded in a transaction of its own, with its error code). The event names the root field, the principal and
the outcome (`ok: recipient marketing_partners version 2`); the version itself keeps the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datamap.domain import map_changes as mc
from datamap.domain import seed_entries as se
from datamap.domain.access import Principal
from datamap.domain.map_changes import MapKind, Stored
from datamap.domain.map_history import History, flow_history, node_history
from datamap.errors import NotFound
from datamap.graph import map_versions as mv
from datamap.graph.database import Database, Transaction
from datamap.graph.map_history_queries import read_history
from datamap.graph.map_writer import certification_row, entry_row, flow_row
from datamap.services.erasure.trail import Trail, refusals

RETIRE = "retireMapEntry"
# The root field of each kind's upsert: the operation its audit events name.
UPSERTS: dict[MapKind, str] = {
    kind: "upsert" + "".join(part.title() for part in kind.value.split("_")) for kind in MapKind
}


@dataclass(frozen=True)
class MapChange:
    """What a change did: the entry's version now, from which day, by whom and why; `changed` false when the
    entry already was as given (no version written)."""

    kind: MapKind
    key: str
    version: int
    version_from: dt.date
    valid_to: dt.date | None
    changed: bool
    changed_by: str
    changed_at: dt.datetime | None
    reason: str


def _today(now: dt.datetime) -> dt.date:
    """Today: the UTC day of the service's clock, as `asOf` defaults."""
    return now.astimezone(dt.UTC).date()


def _day(effective_from: dt.date | None, now: dt.datetime) -> dt.date:
    """The day a change takes effect: the one given, or today."""
    return effective_from or _today(now)


def _terms(c: Mapping[str, Any]) -> tuple[Any, ...]:
    return c["program"], c["validFrom"], c.get("validTo"), c.get("note")


def _certifications(
    org: se.Organisation, stored: Stored | None, version: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """The certifications to close (keys) and to create (rows): a change of terms is a new node."""
    suffix = "" if version == 1 else f"@{version}"
    wanted = [
        certification_row(org.key, c, f"{org.key}:{c.program.value}{suffix}") for c in org.certifications
    ]
    held = list(stored.certifications) if stored else []
    held_terms = {_terms(c) for c in held}
    wanted_terms = {_terms(c) for c in wanted}
    closed = [c["key"] for c in held if _terms(c) not in wanted_terms]
    return closed, [c for c in wanted if _terms(c) not in held_terms]


def _edge_targets(kind: MapKind, entry: se.Entry) -> dict[str, tuple[str, ...]]:
    named = mc.references_of(kind, entry)
    return {r.field: named[r.field] for r in mc.KINDS[kind].references if r.edge is not None}


def _check_kind(kind: MapKind, entry: se.Entry, context: mv.ChangeContext) -> None:
    """The rules of one kind: a flow within what its source system stores; a system still storing what its
    flows carry; an organisation's certifications one per program, and one controller."""
    if isinstance(entry, se.Flow):
        mc.check_flow_source(entry, context.held)
    elif isinstance(entry, se.System):
        mc.check_system_flows(entry, context.outgoing)
    elif isinstance(entry, se.Organisation):
        mc.check_certifications(entry)
        mc.check_controller(entry, context.controllers)


def _same(kind: MapKind, entry: se.Entry, stored: Stored | None) -> bool:
    """Whether the entry is already as given (attributes, references and certifications)."""
    if stored is None:
        return False
    if isinstance(entry, se.Flow):
        ends = {"from": mc.ends_of(entry)[0], "to": mc.ends_of(entry)[1]}
        mine = {k: v for k, v in flow_row(entry).items() if k != "validFrom"}
        theirs = {k: v for k, v in stored.attributes().items() if k != "validFrom"}
        return mine == theirs and all(tuple(stored.references[e]) == ends[e] for e in ends)
    targets = _edge_targets(kind, entry)
    same_references = all(sorted(stored.references.get(f, ())) == sorted(keys) for f, keys in targets.items())
    same_certifications = not isinstance(entry, se.Organisation) or _certifications(entry, stored, 0) == (
        [],
        [],
    )
    return stored.attributes() == entry_row(entry) and same_references and same_certifications


async def _write(
    tx: Transaction, kind: MapKind, entry: se.Entry, stored: Stored | None, stamp: mv.Stamp
) -> None:
    if isinstance(entry, se.Flow):
        await mv.write_flow(tx, entry, flow_row(entry), stamp)
        return
    certifications = (
        _certifications(entry, stored, stamp.version) if isinstance(entry, se.Organisation) else ([], [])
    )
    await mv.write_node(
        tx,
        kind,
        entry.key,
        entry_row(entry),
        stored,
        stamp,
        targets=_edge_targets(kind, entry),
        certifications=certifications,
    )


async def upsert(
    db: Database,
    kind: MapKind,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None,
    reason: str,
    effective_from: dt.date | None,
    principal: Principal,
    now: dt.datetime,
) -> MapChange:
    """Create the entry, or change it from `effective_from` (default today; not before today, nor before the
    current version began) as a new version; `fields` are the seed entry's (without its lifetime)."""
    trail = Trail(principal, UPSERTS[kind], now)
    async with refusals(db, trail):
        why = mc.check_reason(reason)
        day = _day(effective_from, now)
        given = mc.parse_entry(kind, {**fields, "validFrom": day})
        mc.check_not_backdated(kind, given.key, day, _today(now))

        async def work(tx: Transaction) -> MapChange:
            context = await mv.read_for_change(
                tx,
                kind,
                given.key,
                wanted=mc.wanted(kind, given),
                held_by=given.from_.system if isinstance(given, se.Flow) else None,
                flows_from=given.key if kind is MapKind.SYSTEM else None,
                now=now,
            )
            stored = context.stored
            version = mc.check_version(kind, given.key, stored, expected_version)
            mc.check_effective(kind, given.key, stored, day)
            entry = given
            if stored is not None and kind is not MapKind.FLOW:  # an entry's lifetime is not a version's
                entry = given.model_copy(update={"valid_from": stored.valid_from})
            mc.check_references(kind, entry, context.found, day)
            _check_kind(kind, entry, context)
            if stored is not None and _same(kind, entry, stored):
                await trail.write(tx, f"ok: {kind.words} {entry.key} unchanged at version {stored.version}")
                return _unchanged(kind, entry.key, stored)
            stamp = mv.Stamp(version, day, principal.label, why, now)
            await _write(tx, kind, entry, stored, stamp)
            await trail.write(tx, f"ok: {kind.words} {entry.key} version {version}")
            return MapChange(kind, entry.key, version, day, None, True, stamp.by, now, why)

        return await db.transaction(work)


def _unchanged(kind: MapKind, key: str, stored: Stored) -> MapChange:
    p = stored.properties
    return MapChange(
        kind,
        key,
        stored.version,
        stored.version_from,
        stored.valid_to,
        False,
        stored.changed_by,
        p.get("changedAt"),
        p.get("changeReason") or mc.SEED_REASON,
    )


async def retire(
    db: Database,
    kind: MapKind,
    key: str,
    *,
    expected_version: int | None,
    reason: str,
    effective_from: dt.date | None,
    principal: Principal,
    now: dt.datetime,
) -> MapChange:
    """End the entry's validity on `effective_from` (default today; not before today): nothing is deleted;
    refused while a flow or an entry in force references it."""
    trail = Trail(principal, RETIRE, now)
    async with refusals(db, trail):
        why = mc.check_reason(reason)
        day = _day(effective_from, now)
        mc.check_not_backdated(kind, key, day, _today(now))

        async def work(tx: Transaction) -> MapChange:
            stored, referrers = await mv.read_for_retire(tx, kind, key, day, now)
            if stored is None:
                raise NotFound(f"key: there is no {kind.name_of(key)} in the map")
            mc.check_version(kind, key, stored, expected_version)
            mc.check_retire_day(kind, key, stored, day)
            mc.check_retirable(kind, key, referrers, day)
            await mv.retire(tx, kind, key, mv.Stamp(stored.version, day, principal.label, why, now))
            await trail.write(tx, f"ok: {kind.words} {key} retired from {day}")
            return MapChange(
                kind, key, stored.version, stored.version_from, day, True, principal.label, now, why
            )

        return await db.transaction(work)


async def history(db: Database, kind: MapKind, key: str) -> History:
    """The entry's versions, oldest first; NotFound when the map has no such entry."""
    rows = await read_history(db, kind, key)
    if rows is None:
        raise NotFound(f"key: there is no {kind.name_of(key)} in the map")
    if kind is MapKind.FLOW:
        return flow_history(key, rows.flows)
    assert rows.entry is not None
    return node_history(kind, key, rows.entry, rows.previous, rows.links)

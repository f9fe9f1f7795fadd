"""The erasure plan of one subject: every place their data is or went, as ordered tasks. Pure.

The holders come from the subject's lineage (records, disclosures, and the map's routine flows from them; a
destination the map's contingent flows reach only on an event is a holder only once a disclosure there is
observed). For each:
- an internal system: erase (or anonymise) what it holds, except the categories a retention rule with an
  overriding legal ground (tax, accounting: GDPR Art. 17(3)(b)) or a legal hold (Art. 17(3)(e)) covers, which
  are restricted until a date instead; a system with backups also gets its backup put beyond use (for what is
  not restricted: the same obligation keeps the restricted categories in the backups). The restriction also holds
  wherever the data reaches from that system on the controller's behalf: its own systems (a backup archive) and
  its processors (GDPR Art. 28(3)(g): a processor deletes at the end "unless Union or Member State law requires
  storage"), which are told to restrict, not to delete, those categories;
- a processor: instruct deletion; any other recipient: notify (Art. 19); a recipient that publishes: inform the
  controllers processing the published data (Art. 17(2)).
A suppression entry comes first. A task waits for the tasks of every holder upstream of it along the flows, so
that no sync brings erased data back; holders on a cycle are ordered by key. `stage` groups tasks that may run in
parallel.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from datamap.domain.lineage_types import Lineage, NodeKind, Reached
from datamap.domain.retention_exceptions import (
    HOLD_GROUND,
    Restriction,
    RetentionException,
    not_restricted,
    restrictions,
)

__all__ = ["HOLD_GROUND", "SUPPRESSION_KEY", "Action", "ErasurePlan", "PlannedTask", "plan_erasure"]

SUPPRESSION_KEY = "suppress:subject"


class Action(StrEnum):
    SUPPRESS = "suppress"
    ERASE = "erase"
    RESTRICT = "restrict"
    BACKUP_BEYOND_USE = "put_backup_beyond_use"
    INSTRUCT_PROCESSOR = "instruct_processor"
    NOTIFY_RECIPIENT = "notify_recipient"
    INFORM_PUBLIC = "inform_controllers_of_publication"


GROUNDS = {
    Action.SUPPRESS: "GDPR Art. 17(1) and 19: keep a keyed-hash suppression entry so no import re-creates the subject",
    Action.ERASE: "GDPR Art. 17(1): erase without undue delay (or anonymise)",
    Action.BACKUP_BEYOND_USE: "GDPR Art. 17(1): put backups beyond use; re-apply the erasure after any restore",
    Action.INSTRUCT_PROCESSOR: "GDPR Art. 17(1) and 28(3)(g): instruct the processor to delete",
    Action.NOTIFY_RECIPIENT: "GDPR Art. 19: communicate the erasure to each recipient",
    Action.INFORM_PUBLIC: "GDPR Art. 17(2): inform controllers processing the published data",
}


@dataclass
class PlannedTask:
    key: str
    action: Action
    target_kind: NodeKind
    target: str
    target_name: str
    categories: tuple[str, ...]
    legal_ground: str
    observed: bool
    role: str | None = None
    restricted_until: dt.date | None = None
    exception: str | None = None
    depends_on: list[str] = field(default_factory=list)
    stage: int = 0


@dataclass(frozen=True)
class Art19Recipient:
    """A recipient to tell of the erasure (GDPR Art. 19): one the data was disclosed to (observed), or one the
    map's routine flows from a system holding the data reach; `why` says which."""

    key: str
    name: str
    role: str | None
    country: str | None
    categories: tuple[str, ...]
    observed: bool
    why: str


@dataclass
class ErasurePlan:
    subject_id: str
    as_of: dt.date
    tasks: list[PlannedTask]
    recipients: list[Art19Recipient]
    warnings: list[str]

    def task(self, key: str) -> PlannedTask:
        return next(t for t in self.tasks if t.key == key)


def _restrict_task(node: Reached, r: Restriction) -> PlannedTask:
    return PlannedTask(
        key=f"restrict:{node.key}:{r.exception.key}",
        action=Action.RESTRICT,
        target_kind=node.kind,
        target=node.key,
        target_name=node.name,
        categories=r.categories,
        legal_ground=r.ground_at(processor=node.details.get("role") == "processor"),
        observed=node.observed,
        role=node.details.get("role"),
        restricted_until=r.until,
        exception=r.exception.key,
    )


def _system_tasks(node: Reached, restrictions: Sequence[Restriction]) -> list[PlannedTask]:
    tasks = [_restrict_task(node, r) for r in restrictions]
    erase = not_restricted(node.categories, restrictions)
    if erase:
        tasks.insert(
            0,
            PlannedTask(
                key=f"erase:{node.key}",
                action=Action.ERASE,
                target_kind=NodeKind.SYSTEM,
                target=node.key,
                target_name=node.name,
                categories=tuple(erase),
                legal_ground=GROUNDS[Action.ERASE],
                observed=node.observed,
            ),
        )
    if node.details.get("backups") and erase:  # the restricted categories stay restricted in the backups too
        tasks.append(
            PlannedTask(
                key=f"backup:{node.key}",
                action=Action.BACKUP_BEYOND_USE,
                target_kind=NodeKind.SYSTEM,
                target=node.key,
                target_name=f"{node.name} (backups)",
                categories=tuple(erase),
                legal_ground=GROUNDS[Action.BACKUP_BEYOND_USE],
                observed=node.observed,
            )
        )
    return tasks


def _recipient_tasks(node: Reached, restrictions: Sequence[Restriction]) -> list[PlannedTask]:
    role = node.details.get("role")
    if node.details.get("kind") == "public":
        action = Action.INFORM_PUBLIC
    elif role == "processor":
        action = Action.INSTRUCT_PROCESSOR
    else:
        action = Action.NOTIFY_RECIPIENT
    tasks = [_restrict_task(node, r) for r in restrictions]
    erase = not_restricted(node.categories, restrictions)
    if erase:
        tasks.insert(
            0,
            PlannedTask(
                key=f"{action.value}:{node.key}",
                action=action,
                target_kind=NodeKind.RECIPIENT,
                target=node.key,
                target_name=node.name,
                categories=tuple(erase),
                legal_ground=GROUNDS[action],
                observed=node.observed,
                role=role,
            ),
        )
    return tasks


def _why(node: Reached) -> str:
    """Why a recipient is told of the erasure: it was disclosed the data, or a routine flow brings it there."""
    first = node.first_observed
    if first is not None:
        return f"disclosed to it on {first.date().isoformat()} (recorded)"
    path = next((p for p in node.paths if p.routine), None)
    if path is None or len(path.steps) < 2:
        return "the map's flows bring the data there"
    return f"the routine flow {path.steps[-1].via} brings it the data from {path.steps[-2].name}"


def _flow_edges(lineage: Lineage, targets: set[str]) -> set[tuple[str, str]]:
    """(upstream, downstream) pairs of holders that a routine path of the lineage joins directly (every path,
    not only the shown ones)."""
    edges: set[tuple[str, str]] = set()
    for node in lineage.systems + lineage.recipients:
        for keys in node.routes:
            for a, b in itertools.pairwise(keys):
                if a in targets and b in targets and a != b:
                    edges.add((a, b))
    return edges


def _components(nodes: Iterable[str], edges: set[tuple[str, str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan), as node -> component number."""
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comp: dict[str, int] = {}
    count = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp[w] = count[0]
                if w == v:
                    break
            count[0] += 1

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comp


def _order(tasks: list[PlannedTask], edges: set[tuple[str, str]]) -> None:
    """Set `depends_on` and `stage`: upstream holders first; on a cycle, by key."""
    by_target: dict[str, list[PlannedTask]] = {}
    for t in tasks:
        if t.action is not Action.SUPPRESS:
            by_target.setdefault(t.target, []).append(t)
    comp = _components(by_target, edges)
    for a, b in sorted(edges):
        if comp[a] == comp[b] and a > b:
            continue  # inside a cycle, the smaller key goes first
        upstream = [t.key for t in by_target[a] if t.action is not Action.BACKUP_BEYOND_USE]
        for t in by_target[b]:
            t.depends_on.extend(k for k in upstream if k not in t.depends_on)
    for group in by_target.values():
        primary = [t.key for t in group if t.action is not Action.BACKUP_BEYOND_USE]
        for t in group:
            if t.action is Action.BACKUP_BEYOND_USE:
                t.depends_on.extend(primary)
    for t in tasks:
        if t.action is not Action.SUPPRESS and not t.depends_on:
            t.depends_on.append(SUPPRESSION_KEY)
        t.depends_on.sort()
    stages: dict[str, int] = {}
    index = {t.key: t for t in tasks}

    def stage(key: str, seen: frozenset[str] = frozenset()) -> int:
        if key not in stages:
            if key in seen:
                raise ValueError(
                    f"dependency cycle through {key}"
                )  # cannot happen: edges respect the key order
            deps = index[key].depends_on
            stages[key] = 1 + max((stage(d, seen | {key}) for d in deps), default=-1)
        return stages[key]

    for t in tasks:
        t.stage = stage(t.key)


def plan_erasure(
    lineage: Lineage,
    exceptions: Sequence[RetentionException],
    *,
    as_of: dt.date,
    max_hops: int,
) -> ErasurePlan:
    """Every task erasing the subject's data, ordered; `lineage` must be taken at the widest hop bound."""
    tasks = [
        PlannedTask(
            key=SUPPRESSION_KEY,
            action=Action.SUPPRESS,
            target_kind=NodeKind.SUBJECT,
            target=lineage.subject_id or "",
            target_name="suppression list (keyed hashes only)",
            categories=(),
            legal_ground=GROUNDS[Action.SUPPRESS],
            observed=True,
        )
    ]
    kept = restrictions(lineage, exceptions, as_of)
    for node in lineage.systems:
        tasks += _system_tasks(node, kept.get(node.key, []))
    for node in lineage.recipients:
        tasks += _recipient_tasks(node, kept.get(node.key, []))
    targets = {n.key for n in lineage.systems + lineage.recipients}
    _order(tasks, _flow_edges(lineage, targets))
    tasks.sort(key=lambda t: (t.stage, t.key))
    warnings = []
    if lineage.truncated:
        warnings.append(f"the map has paths longer than {max_hops} hops: places beyond them are not planned")
    warnings += [
        f"{n.name} ({n.key}) is not planned: the data goes there only when {' or '.join(n.when)}; if that "
        "happened, record the disclosure and plan again"
        for n in lineage.contingent.recipients
    ]
    recipients = [
        Art19Recipient(
            n.key,
            n.name,
            n.details.get("role"),
            n.details.get("country"),
            tuple(sorted(n.categories)),
            n.observed,
            _why(n),
        )
        for n in lineage.recipients
    ]
    return ErasurePlan(lineage.subject_id or "", as_of, tasks, recipients, warnings)

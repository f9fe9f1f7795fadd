"""The erasure plan of one subject: every place their data is or went, as ordered tasks. Pure.

The holders come from the subject's lineage (records, disclosures, and the map's flows from them). For each:
- an internal system: erase (or anonymise) what it holds, except the categories a retention rule with an
  overriding legal ground (tax, accounting: GDPR Art. 17(3)(b)) or a legal hold (Art. 17(3)(e)) covers, which
  are restricted until a date instead; a system with backups also gets its backup put beyond use;
- a processor: instruct deletion; any other recipient: notify (Art. 19); a recipient that publishes: inform the
  controllers processing the published data (Art. 17(2)).
A suppression entry comes first. A task waits for the tasks of every holder upstream of it along the flows, so
that no sync brings erased data back; holders on a cycle are ordered by key. `stage` groups tasks that may run in
parallel.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from datamap.domain.categories import covers, narrow
from datamap.domain.deadlines import add_months
from datamap.domain.lineage import Lineage, NodeKind, Reached

OVERRIDING_BASES = frozenset({"legal_obligation_tax", "legal_obligation_accounting"})
SUPPRESSION_KEY = "suppress:subject"
HOLD_GROUND = "GDPR Art. 17(3)(e): legal hold"  # followed by the hold's reason in parentheses


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


@dataclass(frozen=True)
class RetentionException:
    """A reason to keep some categories restricted instead of erased, until a date (None: until lifted)."""

    key: str
    name: str
    ground: str
    categories: tuple[str, ...]
    systems: tuple[str, ...] = ()  # empty: every system
    period_years: int = 0
    period_months: int = 0
    period_days: int = 0
    until: dt.date | None = None  # for holds: a fixed date
    hold: bool = False

    def applies_to(self, system: str) -> bool:
        return not self.systems or system in self.systems

    def ends(self, last_collected: dt.date | None) -> dt.date | None:
        if self.hold:
            return self.until
        start = last_collected or dt.date.min
        months = self.period_years * 12 + self.period_months
        return add_months(start, months) + dt.timedelta(days=self.period_days)


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def exception_from_rule(rule: Mapping[str, Any]) -> RetentionException | None:
    """A retention rule overrides erasure when its basis is a legal obligation and it states a period."""
    period = rule.get("period")
    if rule.get("basis") not in OVERRIDING_BASES or not period:
        return None
    found = _DURATION.match(period)
    if found is None:
        return None
    years, months, weeks, days = (int(x) if x else 0 for x in found.groups())
    return RetentionException(
        key=rule["key"],
        name=rule.get("name") or rule["key"],
        ground=f"GDPR Art. 17(3)(b): {rule.get('name') or rule['key']} ({rule['basis']}, {period})",
        categories=tuple(rule["categories"]),
        systems=tuple(rule.get("systems") or ()),
        period_years=years,
        period_months=months,
        period_days=weeks * 7 + days,
    )


def exception_from_hold(hold: Mapping[str, Any]) -> RetentionException:
    return RetentionException(
        key=f"hold:{hold['id']}",
        name=hold["reason"],
        ground=f"{HOLD_GROUND} ({hold['reason']})",
        categories=tuple(hold["categories"]),
        systems=tuple(hold.get("systems") or ()),
        until=hold.get("until"),
        hold=True,
    )


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
    key: str
    name: str
    role: str | None
    country: str | None
    categories: tuple[str, ...]
    observed: bool


@dataclass
class ErasurePlan:
    subject_id: str
    as_of: dt.date
    tasks: list[PlannedTask]
    recipients: list[Art19Recipient]
    warnings: list[str]

    def task(self, key: str) -> PlannedTask:
        return next(t for t in self.tasks if t.key == key)


def _last_collected(node: Reached, categories: Iterable[str]) -> dt.date | None:
    """The latest time a path bringing any of `categories` to `node` was observed."""
    wanted = list(categories)
    times = [s.at for p in node.paths if narrow(p.categories, wanted) for s in p.steps if s.at is not None]
    return max(times).date() if times else None


def _system_tasks(
    node: Reached, exceptions: Sequence[RetentionException], as_of: dt.date
) -> list[PlannedTask]:
    held = sorted(node.categories)
    tasks: list[PlannedTask] = []
    restricted: set[str] = set()
    for exc in exceptions:
        if not exc.applies_to(node.key):
            continue
        covered = narrow(held, exc.categories)
        if not covered:
            continue
        until = exc.ends(_last_collected(node, covered))
        if until is not None and until <= as_of:
            continue  # the restriction has run out: erase
        restricted.update(covered)
        tasks.append(
            PlannedTask(
                key=f"restrict:{node.key}:{exc.key}",
                action=Action.RESTRICT,
                target_kind=NodeKind.SYSTEM,
                target=node.key,
                target_name=node.name,
                categories=tuple(covered),
                legal_ground=exc.ground,
                observed=node.observed,
                restricted_until=until,
                exception=exc.key,
            )
        )
    erase = [c for c in held if not any(covers(r, c) for r in restricted)]
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
    if node.details.get("backups"):
        tasks.append(
            PlannedTask(
                key=f"backup:{node.key}",
                action=Action.BACKUP_BEYOND_USE,
                target_kind=NodeKind.SYSTEM,
                target=node.key,
                target_name=f"{node.name} (backups)",
                categories=tuple(held),
                legal_ground=GROUNDS[Action.BACKUP_BEYOND_USE],
                observed=node.observed,
            )
        )
    return tasks


def _recipient_task(node: Reached) -> PlannedTask:
    role = node.details.get("role")
    if node.details.get("kind") == "public":
        action = Action.INFORM_PUBLIC
    elif role == "processor":
        action = Action.INSTRUCT_PROCESSOR
    else:
        action = Action.NOTIFY_RECIPIENT
    return PlannedTask(
        key=f"{action.value}:{node.key}",
        action=action,
        target_kind=NodeKind.RECIPIENT,
        target=node.key,
        target_name=node.name,
        categories=tuple(sorted(node.categories)),
        legal_ground=GROUNDS[action],
        observed=node.observed,
        role=role,
    )


def _flow_edges(lineage: Lineage, targets: set[str]) -> set[tuple[str, str]]:
    """(upstream, downstream) pairs of holders that a path of the lineage joins directly."""
    edges: set[tuple[str, str]] = set()
    for node in lineage.systems + lineage.recipients:
        for path in node.paths:
            keys = [s.key for s in path.steps if s.kind in (NodeKind.SYSTEM, NodeKind.RECIPIENT)]
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
    for node in lineage.systems:
        tasks += _system_tasks(node, exceptions, as_of)
    tasks += [_recipient_task(node) for node in lineage.recipients]
    targets = {n.key for n in lineage.systems + lineage.recipients}
    _order(tasks, _flow_edges(lineage, targets))
    tasks.sort(key=lambda t: (t.stage, t.key))
    warnings = []
    if lineage.truncated:
        warnings.append(f"the map has paths longer than {max_hops} hops: places beyond them are not planned")
    recipients = [
        Art19Recipient(
            n.key,
            n.name,
            n.details.get("role"),
            n.details.get("country"),
            tuple(sorted(n.categories)),
            n.observed,
        )
        for n in lineage.recipients
    ]
    return ErasurePlan(lineage.subject_id or "", as_of, tasks, recipients, warnings)

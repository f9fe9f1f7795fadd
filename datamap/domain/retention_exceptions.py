"""Retention exceptions to erasure, and where each keeps data restricted instead. Pure.

A retention rule with an overriding legal ground (tax, accounting: GDPR Art. 17(3)(b)) and a stated period, or a
legal hold (Art. 17(3)(e)), keeps the categories it covers restricted until a date instead of erased: in the
systems it names (every system, if it names none), in their backups, and wherever the data goes from there on the
controller's behalf by routine flows: its own systems (a backup archive) and its processors (GDPR Art. 28(3)(g):
a processor deletes at the end "unless Union or Member State law requires storage"). A hold placed on named
systems holds there only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datamap.domain.categories import covers, narrow
from datamap.domain.deadlines import add_months
from datamap.domain.lineage_types import Lineage, NodeKind, Reached

OVERRIDING_BASES = frozenset({"legal_obligation_tax", "legal_obligation_accounting"})
HOLD_GROUND = "GDPR Art. 17(3)(e): legal hold"  # followed by the hold's reason in parentheses


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


def _last_collected(node: Reached, categories: Iterable[str]) -> dt.date | None:
    """The latest time any of `categories` was observed reaching `node` (from every path, not the shown ones)."""
    wanted = list(categories)
    times = [at for category, at in node.latest.items() if narrow([category], wanted)]
    return max(times).date() if times else None


@dataclass(frozen=True)
class Restriction:
    """Categories a holder keeps, restricted, under one retention exception, until a date (None: until lifted)."""

    exception: RetentionException
    categories: tuple[str, ...]
    until: dt.date | None
    on_behalf: bool = False  # kept for the controller by its own system or processor downstream

    def ground_at(self, *, processor: bool) -> str:
        """The legal ground, as it applies at a holder downstream: the controller's own system, or its processor
        (who deletes at the end "unless Union or Member State law requires storage", GDPR Art. 28(3)(g))."""
        if not self.on_behalf:
            return self.exception.ground
        return self.exception.ground + (_AT_PROCESSOR if processor else _DOWNSTREAM)


_DOWNSTREAM = "; kept in the controller's own system downstream of the system the rule names"
_AT_PROCESSOR = "; kept by the processor on the controller's behalf (GDPR Art. 28(3)(g))"


def restrictions(
    lineage: Lineage, exceptions: Sequence[RetentionException], as_of: dt.date
) -> dict[str, list[Restriction]]:
    """By holder: what each exception keeps restricted there. Where the exception applies, and wherever the data
    goes from there by routine flows through the controller's own systems and its processors (a legal hold
    placed on named systems: there only)."""
    holders = {n.key: n for n in lineage.systems + lineage.recipients}
    found: dict[str, list[Restriction]] = {}
    for exc in exceptions:
        for origin in lineage.systems:
            if not exc.applies_to(origin.key):
                continue
            covered = narrow(sorted(origin.categories), exc.categories)
            until = exc.ends(_last_collected(origin, covered)) if covered else None
            if not covered or (until is not None and until <= as_of):
                continue  # nothing covered, or the restriction has run out: erase
            _keep(found, origin.key, Restriction(exc, tuple(covered), until))
            if exc.hold and exc.systems:
                continue  # a hold placed on named systems holds there only
            for key, kept in _kept_downstream(origin.key, covered, holders).items():
                if not exc.applies_to(key) or key not in {s.key for s in lineage.systems}:
                    _keep(found, key, Restriction(exc, kept, until, on_behalf=True))
    return found


def _keep(found: dict[str, list[Restriction]], holder: str, new: Restriction) -> None:
    """Add a restriction; one exception reaching a holder from two systems is one restriction (the later end)."""
    kept = found.setdefault(holder, [])
    for i, old in enumerate(kept):
        if old.exception.key == new.exception.key:
            ends = [d for d in (old.until, new.until) if d is not None]
            until = None if len(ends) < 2 else max(ends)
            categories = tuple(sorted({*old.categories, *new.categories}))
            kept[i] = Restriction(old.exception, categories, until, old.on_behalf and new.on_behalf)
            return
    kept.append(new)


def _kept_downstream(
    origin: str, covered: Sequence[str], holders: Mapping[str, Reached]
) -> dict[str, tuple[str, ...]]:
    """The holders the covered categories reach from `origin` by routine flows through the controller's systems
    and its processors only, with the covered categories that arrive there."""
    kept: dict[str, set[str]] = {}
    for key, node in holders.items():
        if key == origin or not _on_behalf(node):
            continue
        for route, categories in node.routes.items():  # every routine path, not only the shown ones
            if origin not in route[:-1]:
                continue
            between = route[route.index(origin) + 1 : -1]
            if all(k in holders and _on_behalf(holders[k]) for k in between):
                kept.setdefault(key, set()).update(narrow(sorted(categories), covered))
    return {k: tuple(sorted(v)) for k, v in kept.items() if v}


def _on_behalf(node: Reached) -> bool:
    """The controller's own system, or its processor (GDPR Art. 28)."""
    return node.kind is NodeKind.SYSTEM or node.details.get("role") == "processor"


def not_restricted(held: Iterable[str], restrictions: Sequence[Restriction]) -> list[str]:
    kept = {c for r in restrictions for c in r.categories}
    return [c for c in sorted(held) if not any(covers(k, c) for k in kept)]

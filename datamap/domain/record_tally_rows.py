"""Record tallies computed in memory, as `graph/record_tallies.py` keeps them in the graph (see its note).

Used by the initial import (`services/initial_graph.py`) and the online writer's count of the subjects it creates
(`graph/record_tallies.Tallies`): the same shapes, keys and rules as the writer's Cypher (`record_tallies.group`,
`month`, `APPLY`):
- a tally's `group` is kind, target, purpose, category and country joined with `SEPARATOR` (nulls as ''), its
  `key` the group and the month joined the same way; the month is the UTC 'YYYY-MM' of the record's instant;
- each record gives one change per data category (no country) and one for the record (its subject's country);
- one write's changes are summed per tally (`first`/`last`: the least and greatest id added), then applied:
  `records` plus the sum, `first`/`last` only ever lowered/raised, a tally left with no record deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEPARATOR = "|"  # no key, category or country code holds it

# (kind, target, purpose, category, country, month)
TallyParts = tuple[str, str, str | None, str | None, str | None, str]


def tally_group(
    kind: str, target: str, purpose: str | None, category: str | None, country: str | None
) -> str:
    return SEPARATOR.join((kind, target, purpose or "", category or "", country or ""))


def tally_key(parts: TallyParts) -> str:
    return tally_group(*parts[:5]) + SEPARATOR + parts[5]


def tally_parts(
    kind: str, target: str, purpose: str | None, categories: Sequence[str], country: str | None, month: str
) -> list[TallyParts]:
    """The tallies one record counts in: its subject's country's, and one per data category (no country)."""
    return [(kind, target, purpose, None, country, month)] + [
        (kind, target, purpose, category, None, month) for category in categories
    ]


def tally_month(at: dt.datetime) -> str:
    """The UTC month of an instant, 'YYYY-MM' (what Cypher's `toString(date(...))` starts with)."""
    utc = at.astimezone(dt.UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


@dataclass(slots=True)
class Tally:
    parts: TallyParts
    records: int = 0
    first: str | None = None
    last: str | None = None

    @property
    def key(self) -> str:
        return tally_key(self.parts)

    @property
    def group(self) -> str:
        return tally_group(*self.parts[:5])


class TallyLedger:
    """Every tally, kept as one write after another changes them (`add`, then `commit` at the end of each).

    A write's changes are summed before they are applied; as only records leaving (a subject's country changed)
    can empty a tally, records entering are applied at once (their sum and least/greatest id are the same either
    way) and those leaving are held until `commit`, which deletes the tallies they leave with no record."""

    def __init__(self) -> None:
        self.tallies: dict[TallyParts, Tally] = {}
        self._leaving: dict[TallyParts, int] = {}

    def add(
        self,
        kind: str,
        target: str,
        purpose: str | None,
        categories: Sequence[str],
        country: str | None,
        month: str,
        record_id: str,
        delta: int,
    ) -> None:
        """One record entering (`delta` 1) or leaving (-1) the tallies of its categories and of its country."""
        if delta < 0:
            for parts in tally_parts(kind, target, purpose, categories, country, month):
                self._leaving[parts] = self._leaving.get(parts, 0) + delta
            return
        tallies = self.tallies
        for parts in tally_parts(kind, target, purpose, categories, country, month):
            tally = tallies.get(parts)
            if tally is None:
                tallies[parts] = Tally(parts, delta, record_id, record_id)
                continue
            tally.records += delta
            if tally.first is None or record_id < tally.first:
                tally.first = record_id
            if tally.last is None or record_id > tally.last:
                tally.last = record_id

    def commit(self) -> None:
        """The end of a write: the records that left taken off, tallies left with none deleted."""
        for parts, delta in self._leaving.items():
            tally = self.tallies.get(parts)
            if tally is None:
                tally = self.tallies[parts] = Tally(parts)
            tally.records += delta
            if tally.records <= 0:
                del self.tallies[parts]
        self._leaving = {}

    def all(self) -> Iterable[Tally]:
        return self.tallies.values()

"""Lineage answers as value types: what was reached (sources, systems, purposes, recipients, transfers), each with
the paths that led there and whether a path was observed or follows from the map; `datamap.domain.lineage`
builds them from what the graph returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict

from datamap.domain.lineage_rows import PartyRow
from datamap.domain.vocabulary import FlowTrigger

MAX_PATHS_PER_NODE = 20


class NodeKind(StrEnum):
    SUBJECT = "subject"
    SOURCE = "source"
    SYSTEM = "system"
    RECIPIENT = "recipient"
    PURPOSE = "purpose"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class Step:
    """One node on a path. `via` names what led to it: a flow key, `record:<id>` or `disclosure:<id>`."""

    kind: NodeKind
    key: str
    name: str
    via: str | None = None
    at: dt.datetime | None = None
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # paths are deduplicated by value, hashing their steps many times over: hash each step once
        object.__setattr__(self, "_hash", hash((self.kind, self.key, self.name, self.via, self.at)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True)
class LineagePath:
    steps: tuple[Step, ...]
    observed: bool
    categories: tuple[str, ...]
    conditions: tuple[
        FlowTrigger, ...
    ] = ()  # the events its contingent flows need; empty: routine or observed
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a reached node keeps the paths it saw in a set, each path looked up and added: hashed once
        object.__setattr__(self, "_hash", hash((self.steps, self.observed, self.categories, self.conditions)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def routine(self) -> bool:
        """Observed, or following only routine flows: data that went, or goes, there as a matter of course."""
        return self.observed or not self.conditions


class ReachedDetails(TypedDict, total=False):
    """What the statement's row says about a reached node, by the row's names: a node's properties where it has
    them; a transfer's terms, all of them. Prefer `Reached.facts` and `Reached.transfer`."""

    role: str
    kind: str
    country: str
    operator: str
    backups: bool
    organisation: str
    organisationName: str
    legalBasis: str
    mechanism: str
    exporter: PartyRow
    importer: PartyRow
    fromCountries: list[str]
    toCountries: list[str]
    validFrom: dt.date
    validTo: dt.date | None
    tiaReviewDate: dt.date | None


@dataclass(frozen=True)
class NodeFacts:
    """What the map says about a reached source, system, purpose or recipient (None where it says nothing)."""

    role: str | None = None
    kind: str | None = None  # a source's or a recipient's kind
    country: str | None = None
    operator: str | None = None
    backups: bool | None = None
    organisation: str | None = None
    organisation_name: str | None = None
    legal_basis: str | None = None


@dataclass(frozen=True)
class Party:
    """An organisation at one end of a transfer."""

    key: str
    name: str
    country: str | None


@dataclass(frozen=True)
class TransferTerms:
    """A reached transfer: who exports to whom, from and to which countries, by which mechanism, when."""

    mechanism: str
    exporter: Party
    importer: Party
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    tia_review_date: dt.date | None


def party_of(row: PartyRow) -> Party:
    return Party(row["key"], row["name"], row.get("country"))


@dataclass
class Reached:
    """A source, system, purpose or recipient that data reached, with the paths that led there."""

    kind: NodeKind
    key: str
    name: str
    details: ReachedDetails = field(default_factory=ReachedDetails)
    paths: list[LineagePath] = field(default_factory=list)
    path_count: int = 0
    routine: bool = False  # reached by an observed or routine path (else only on an event: contingent)
    conditions: set[FlowTrigger] = field(default_factory=set)  # the events of the contingent paths here
    # Kept from every path, not only the `paths` shown (at most MAX_PATHS_PER_NODE): the systems and recipients
    # each routine path went through, with the categories it brought; the latest observation of each category.
    routes: dict[tuple[str, ...], set[str]] = field(default_factory=dict, repr=False, compare=False)
    latest: dict[str, dt.datetime] = field(default_factory=dict, repr=False, compare=False)
    _seen: set[LineagePath] = field(default_factory=set, repr=False, compare=False)
    # The categories observed or routine paths bring, and those contingent paths bring, with their events.
    _routine_categories: set[str] = field(default_factory=set, repr=False, compare=False)
    _event_categories: dict[str, set[FlowTrigger]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def categories(self) -> set[str]:
        """What reaches here as a matter of course (observed or routine); for a contingent node, what may reach
        it on an event. A category that reaches a routine node only on an event is in `on_event` instead."""
        return set(self._routine_categories) if self.routine else set(self._event_categories)

    @property
    def on_event(self) -> dict[str, list[str]]:
        """For a routine node: the categories that reach it only through contingent flows, each with the events
        on which they may (empty for a contingent node: all of its categories are such)."""
        if not self.routine:
            return {}
        return {
            category: [t.when for t in sorted(triggers)]
            for category, triggers in sorted(self._event_categories.items())
            if category not in self._routine_categories
        }

    @property
    def observed(self) -> bool:
        return any(p.observed for p in self.paths)

    @property
    def contingent(self) -> bool:
        """Reached only through flows that carry data on an event, and never observed."""
        return not self.routine

    @property
    def when(self) -> list[str]:
        """For a contingent node: the events on which data may go there."""
        return [t.when for t in sorted(self.conditions)] if self.contingent else []

    @property
    def facts(self) -> NodeFacts:
        d = self.details
        return NodeFacts(
            role=d.get("role"),
            kind=d.get("kind"),
            country=d.get("country"),
            operator=d.get("operator"),
            backups=d.get("backups"),
            organisation=d.get("organisation"),
            organisation_name=d.get("organisationName"),
            legal_basis=d.get("legalBasis"),
        )

    @property
    def transfer(self) -> TransferTerms | None:
        """A reached transfer's terms; None for any other node."""
        d = self.details
        if self.kind is not NodeKind.TRANSFER or "mechanism" not in d:
            return None
        return TransferTerms(
            mechanism=d["mechanism"],
            exporter=party_of(d["exporter"]),
            importer=party_of(d["importer"]),
            from_countries=tuple(d["fromCountries"]),
            to_countries=tuple(d["toCountries"]),
            valid_from=d.get("validFrom"),
            valid_to=d.get("validTo"),
            tia_review_date=d.get("tiaReviewDate"),
        )

    def _remember(self, path: LineagePath) -> None:
        if path.routine:
            route = tuple(s.key for s in path.steps if s.kind in (NodeKind.SYSTEM, NodeKind.RECIPIENT))
            self.routes.setdefault(route, set()).update(path.categories)
        if path.observed:
            times = [s.at for s in path.steps if s.at is not None]
            if times:
                for category in path.categories:
                    self.latest[category] = max(self.latest.get(category, times[0]), *times)

    @property
    def first_observed(self) -> dt.datetime | None:
        times = [s.at for p in self.paths if p.observed for s in p.steps if s.at is not None]
        return min(times) if times else None

    def add(self, path: LineagePath) -> None:
        if path.routine:
            self._routine_categories.update(path.categories)
        else:
            for category in path.categories:
                self._event_categories.setdefault(category, set()).update(path.conditions)
        self.conditions.update(path.conditions)
        if path in self._seen:
            return
        self._remember(path)
        self._seen.add(path)
        self.path_count += 1
        if len(self.paths) < MAX_PATHS_PER_NODE:
            self.paths.append(path)
        elif (path.observed and not self.observed) or (path.routine and not self.routine):
            self.paths[-1] = path  # never let the cap hide that something was observed, or routine
        self.routine = self.routine or path.routine


@dataclass
class ContingentReach:
    """What data may reach only on an event (the map's contingent flows), and no observation shows it did."""

    systems: list[Reached] = field(default_factory=list)
    purposes: list[Reached] = field(default_factory=list)
    recipients: list[Reached] = field(default_factory=list)
    transfers: list[Reached] = field(default_factory=list)


@dataclass
class Lineage:
    """Where data went or goes as a matter of course; `contingent`: where it may go on an event."""

    as_of: dt.date
    sources: list[Reached]
    systems: list[Reached]
    purposes: list[Reached]
    recipients: list[Reached]
    transfers: list[Reached]
    truncated: bool
    subject_id: str | None = None
    erased_at: dt.datetime | None = None
    contingent: ContingentReach = field(default_factory=ContingentReach)

    @classmethod
    def erased(cls, subject_id: str | None, as_of: dt.date, erased_at: dt.datetime) -> Lineage:
        """All that remains of an erased subject: that it was erased, and when."""
        return cls(as_of, [], [], [], [], [], False, subject_id, erased_at)

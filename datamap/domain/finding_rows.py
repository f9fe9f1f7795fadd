"""The rows the map findings read (`graph/findings_queries.py` returns them): the map as of a day, the notes its
entries flag, and the recorded events in aggregate. Types only; the rules are in `map_findings.py`."""

from __future__ import annotations

from typing import TypedDict

from datamap.domain.report_rows import RetentionRow


class FindingSystemRow(TypedDict):
    """A system in force and the categories it stores then."""

    key: str
    name: str
    categories: list[str]


class FindingFlowRow(TypedDict):
    """A flow in force to a recipient: what it carries, for which purposes, routinely or on an event."""

    key: str
    recipient: str
    categories: list[str]
    purposes: list[str]
    trigger: str | None  # `vocabulary.FlowTrigger`; null: routine


class NamedOrganisationRow(TypedDict):
    key: str
    name: str | None
    address: str | None


class FindingRecipientRow(TypedDict):
    """A recipient in force, with the organisation it is then (null: known only by its category)."""

    key: str
    name: str
    role: str
    ownDirectMarketing: bool | None
    organisation: NamedOrganisationRow | None


class FindingPurposeRow(TypedDict):
    """A purpose in force and the categories it processes then."""

    key: str
    name: str
    legalBasis: str
    legitimateInterest: str | None
    categories: list[str]


class FlagRow(TypedDict):
    """A map entry's flag in force: its kind (the node label, or `Flow`), text, severity and countries."""

    kind: str
    key: str
    name: str | None
    flag: str
    severity: str  # a `Severity` value
    countries: list[str]  # ISO codes or `EU`/`EEA`: the flag concerns recorded events of people living there


class FlaggedEventsRow(TypedDict):
    """The recorded events that concern a flagged entry, of people living in one country (null: unknown)."""

    kind: str
    key: str
    country: str | None
    records: int
    examples: list[str]  # a few record ids


class RecordedRow(TypedDict):
    """Recorded collections into one system (`purpose` null), or disclosures to one recipient for one purpose,
    holding one category: how many, and a few of their ids."""

    target: str
    purpose: str | None
    category: str
    records: int
    examples: list[str]


class NoticeStatementRow(TypedDict):
    """What the notice in force says transfers rely on, and where it says it."""

    title: str
    transfersRelyOn: list[str]  # `TransferMechanism` values
    transfersRef: str | None


class EventFactsRow(TypedDict):
    """The map as it concerns one recorded event, on its day: its system, or the flows to its recipient and its
    purpose; the flags of the entries it names, and where its subject lives."""

    systems: list[FindingSystemRow]
    flows: list[FindingFlowRow]
    purposes: list[FindingPurposeRow]
    flags: list[FlagRow]
    country: str | None


class MapFactsRow(TypedDict):
    """The whole map on a day, with the recorded events up to its end (the transfers are read with it, as the
    transfer register reads them)."""

    notice: NoticeStatementRow | None
    systems: list[FindingSystemRow]
    flows: list[FindingFlowRow]
    recipients: list[FindingRecipientRow]
    purposes: list[FindingPurposeRow]
    retention: list[RetentionRow]
    flags: list[FlagRow]
    flaggedEvents: list[FlaggedEventsRow]
    collections: list[RecordedRow]
    disclosures: list[RecordedRow]

"""The rows the lineage statements return: the input contract of the pure lineage logic.

`SUBJECT_LINEAGE` and `CATEGORY_LINEAGE` (`datamap.graph.lineage_queries`) each return one row of nested maps;
these TypedDicts describe them, keys exactly as the Cypher names the columns and map-projection entries
(camelCase: they are the statements' names, not the domain's). A map projection `n {.prop}` always has the key,
null where the node lacks the property: such values are `| None`. Keys only some rows carry are `NotRequired`.
Properties the seed requires (`datamap.domain.seed_entries`) are not optional here.

Statements built on `SUBJECT_LINEAGE_BODY` extend `SubjectLineageRow` by subclassing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NotRequired, TypedDict

# --- map nodes, as the statements project them ---------------------------------------------------------------


class PartyRow(TypedDict):
    """An organisation: a transfer's exporter or importer (`{.key, .name, .country}`)."""

    key: str
    name: str
    country: str | None


class SourceRow(TypedDict):
    """The source a record came from (`{.key, .name, .kind}`)."""

    key: str
    name: str
    kind: str


class SystemRow(TypedDict):
    """A system that stores a category (`{.key, .name, .country, .operator}`)."""

    key: str
    name: str
    country: str | None
    operator: str


class RecordSystemRow(SystemRow):
    """The system a record is held in: with whether it keeps backups."""

    backups: bool


class RecipientRow(TypedDict):
    """The recipient of a disclosure; `organisationName` (and `country`, when it has none) are its organisation's
    on the day asked about (`graph/validity.organisation_of`)."""

    key: str
    name: str
    role: str
    kind: str
    country: str | None
    organisation: str | None
    organisationName: str | None
    ownDirectMarketing: bool


class PurposeRow(TypedDict):
    """A purpose (`{.key, .name, .legalBasis}`)."""

    key: str
    name: str
    legalBasis: str


class TriggeredPurposeRow(PurposeRow):
    """A purpose with its `trigger` (`FlowTrigger`): its processing happens only on that event; null: routine."""

    trigger: str | None


class PurposeScopeRow(TriggeredPurposeRow):
    """A purpose with the data categories it processes: a flow carries a category for a purpose only where the
    purpose processes it. The lineage statements list only the categories lineage can narrow to (those related
    to what the subject holds, or to the category asked about): `narrow` keeps no other."""

    categories: list[str]
    actingAs: str | None  # "processor": the controller acts for its customers (Art. 30(2)); else controller


class DisclosurePurposeRow(PurposeRow):
    """The purpose of a disclosure: with whether it serves the recipient's own direct marketing."""

    thirdPartyDirectMarketing: bool


class TransferRow(TypedDict):
    """A transfer in force, with its exporter, importer and the categories it carries (in a lineage row, those
    lineage can narrow to, as `PurposeScopeRow`)."""

    key: str
    mechanism: str
    fromCountries: list[str]
    toCountries: list[str]
    validFrom: dt.date
    validTo: dt.date | None
    tiaReviewDate: dt.date | None
    exporter: PartyRow
    importer: PartyRow
    categories: list[str]


# --- flow paths: each node and flow sent once, paths refer to them by element id --------------------------------


class PathNodeRow(TypedDict):
    """A source, system or recipient on a flow path: every projected property, null where it has none."""

    id: str
    label: Literal["Source", "System", "Recipient"]
    key: str
    name: str
    role: str | None
    kind: str | None
    country: str | None
    operator: str | None
    backups: bool | None
    organisation: str | None
    organisationName: str | None


class PathFlowRow(TypedDict):
    """A FLOWS_TO relationship on a flow path."""

    id: str
    key: str
    categories: list[str]
    purposes: list[str] | None
    trigger: str | None  # `FlowTrigger`; null (a flow written before triggers) is routine


class MapPathRow(TypedDict):
    """One flow path, by element ids (`PathNodeRow.id`, `PathFlowRow.id`). A subject's paths name the record
    whose system or source they start at."""

    record: NotRequired[str]
    nodes: list[str]
    flows: list[str]


class FlowPathsRow(TypedDict):
    """The flow paths of a lineage row, and the nodes and flows they go through."""

    mapPaths: list[MapPathRow]
    pathNodes: list[PathNodeRow]
    pathFlows: list[PathFlowRow]


# --- SUBJECT_LINEAGE ---------------------------------------------------------------------------------------------


class HeldRecordRow(TypedDict):
    """A recorded collection (HELD_IN): where the subject's data is held, and where it came from."""

    id: str
    at: dt.datetime
    categories: list[str]
    system: RecordSystemRow
    source: SourceRow | None


class DisclosureRow(TypedDict):
    """A recorded disclosure (DISCLOSED_TO) of the subject's data."""

    id: str
    at: dt.datetime
    categories: list[str]
    recipient: RecipientRow
    purpose: DisclosurePurposeRow | None


class MapPurposeRow(TypedDict):
    """A purpose that uses a system a record is held in and processes a category of that record."""

    record: str
    purpose: str
    category: str


class SubjectLineageRow(FlowPathsRow):
    """The row of SUBJECT_LINEAGE (one per subject the hashes point to)."""

    subjectId: str
    country: str | None
    region: NotRequired[str | None]  # ISO 3166-2 (US-CA), where the subject lives
    categoryKnown: bool
    records: list[HeldRecordRow]
    disclosures: list[DisclosureRow]
    mapPurposes: list[MapPurposeRow]
    purposes: list[PurposeScopeRow]
    transfers: list[TransferRow]


# --- CATEGORY_LINEAGE --------------------------------------------------------------------------------------------


class StoredRow(TypedDict):
    """A system that stores one of the categories."""

    system: SystemRow
    category: str


class ProcessedRow(TypedDict):
    """A purpose that processes one of the categories (with its `trigger`, as `PurposeScopeRow`)."""

    purpose: TriggeredPurposeRow
    category: str


class CategoryLineageRow(FlowPathsRow):
    """The one row of CATEGORY_LINEAGE. `categories`: the category's own key, its sub-categories' and its
    ancestors' that hold that day (without its own when the map does not know it then)."""

    categories: list[str]
    stored: list[StoredRow]
    processed: list[ProcessedRow]
    purposes: list[PurposeScopeRow]
    transfers: list[TransferRow]

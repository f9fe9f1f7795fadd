"""Reports: one statement each, computed from the graph as of a date, and the typed rows they return.

Disclosure windows are half-open: `$from <= d.at < $to` (instants: the caller decides whose calendar days they
bound), served by the index on DISCLOSED_TO.at for the business-wide report.

The rows the pure report builders read are described in `datamap.domain.report_rows`; the others here. Each
`read_...`/`save_...` function runs its statement once (one round trip) and is where the driver's dicts become
those rows (`_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import LiteralString, NotRequired, TypedDict, TypeVar, cast

from datamap.domain.lineage_rows import PartyRow
from datamap.domain.report_rows import (
    AccessReportRow,
    BusinessRow,
    DatedStlDisclosure,
    RopaRow,
    StatutoryRow,
    StlDisclosure,
    TransferTermsRow,
)
from datamap.graph.database import Database, Records, Transaction, run
from datamap.graph.lineage_queries import SUBJECT_LINEAGE_BODY, SUBJECT_LINEAGE_RETURN
from datamap.graph.subject_lookup import IDENTIFIED_SUBJECT
from datamap.graph.validity import valid

_RECIPIENT: LiteralString = (
    "r {.key, .name, .role, .kind, .legalEntity, .organisation, .organisationName, .address, .country, "
    ".marketingExamples, .ownDirectMarketing}"
)
_BUSINESS: LiteralString = """
CALL () {
  OPTIONAL MATCH (n:Notice)-[:PUBLISHED_BY]->(c:Organisation)
  RETURN n {.shineTheLightRoute, .securityMeasures, .title, .effective} AS notice,
         c {.key, .name, .address, .country} AS controller
  ORDER BY n.effective DESC
  LIMIT 1
}
CALL () {
  MATCH (c:DataCategory) WHERE c.statutoryCategory IS NOT NULL
  RETURN collect(c {.key, .statutoryCategory}) AS statutory
}
"""

STL_CUSTOMER: LiteralString = (
    _BUSINESS
    + """
CALL () {
  OPTIONAL MATCH """
    + IDENTIFIED_SUBJECT
    + """
  WITH DISTINCT s
  OPTIONAL MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.at >= $from AND d.at < $to
  OPTIONAL MATCH (p:Purpose {key: d.purpose})
  RETURN collect(DISTINCT s.id) AS subjects,
         collect(DISTINCT s {.id, .region, .relationship}) AS profiles,
         collect(CASE WHEN d IS NULL THEN null ELSE {at: d.at, categories: d.categories,
           purpose: p {.key, .thirdPartyDirectMarketing}, recipient: """
    + _RECIPIENT
    + """} END) AS disclosures
}
CALL (subjects) {
  OPTIONAL MATCH (q:ShineTheLightRequest {key: coalesce(head(subjects), $fallbackId) + ':' + toString($year)})
  RETURN q {.*} AS previous
}
RETURN notice, controller, statutory, subjects, profiles, disclosures, previous
"""
)

STL_STANDARD: LiteralString = (
    _BUSINESS
    + """
CALL () {
  MATCH (s:Subject)-[d:DISCLOSED_TO]->(r:Recipient)
  WHERE d.at >= $from AND d.at < $to AND s.region = $california AND s.relationship = $personal
  OPTIONAL MATCH (p:Purpose {key: d.purpose})
  WITH r, p, d WHERE coalesce(r.ownDirectMarketing, p.thirdPartyDirectMarketing, false)
  WITH r, p, collect(d.categories) AS lists
  RETURN collect({categories: reduce(acc = [], l IN lists | acc + [c IN l WHERE NOT c IN acc]),
                  purpose: p {.key, .thirdPartyDirectMarketing}, recipient: """
    + _RECIPIENT
    + """}) AS disclosures
}
CALL () {
  OPTIONAL MATCH (i:ShineTheLightStandardReport {year: $year})
  RETURN i {.*} AS issued
}
RETURN notice, controller, statutory, disclosures, issued
"""
)

SAVE_STL_ISSUED: LiteralString = """
MERGE (r:ShineTheLightStandardReport {year: $report.year})
ON CREATE SET r = $report
RETURN r {.*} AS report
"""

SAVE_STL_REQUEST: LiteralString = """
MERGE (q:ShineTheLightRequest {key: $request.key})
ON CREATE SET q = $request
RETURN q {.*} AS request
"""

ACCESS_REPORT: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + _BUSINESS
    + """
CALL () {
  MATCH (r:RetentionRule) WHERE """
    + valid("r")
    + """
  RETURN collect(r {.key, .name, .basis, .period, .criteria,
                    categories: [(r)-[:APPLIES_TO]->(c:DataCategory) | c.key]}) AS retention
}
CALL () {
  MATCH (x:Right) WHERE """
    + valid("x")
    + """
  RETURN collect(x {.key, .name, .law, .article, .description}) AS rights
}
CALL () {
  MATCH (cp:ContactPoint) RETURN collect(cp {.kind, .value, .scope}) AS contacts
}
CALL () {
  MATCH (dc:DataCategory) RETURN collect(dc {.key, .name}) AS categoryNames
}
CALL () {
  MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
  RETURN collect({key: t.key, certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]})
         AS certifications
}
"""
    + SUBJECT_LINEAGE_RETURN
    + ", notice, controller, retention, rights, contacts, certifications, categoryNames"
)

ROPA: LiteralString = (
    _BUSINESS
    + """
CALL () {
  MATCH (p:Purpose) WHERE """
    + valid("p")
    + """
  RETURN collect(p {.*,
    categories: [(p)-[:PROCESSES]->(c:DataCategory) | c.key],
    subjectCategories: [(p)-[:CONCERNS]->(sc:SubjectCategory) | sc.name],
    systems: [(p)-[:USES]->(s:System) | s.key],
    controllerOrganisations: [(p)-[:ON_BEHALF_OF]->(o:Organisation) | o {.key, .name, .address, .country}],
    recipients: [(:Source|System)-[f:FLOWS_TO]->(r:Recipient)
                 WHERE p.key IN f.purposes AND """
    + valid("f")
    + """
                 | r {.key, .name, .role, .kind, .country}]
  }) AS purposes
}
CALL () {
  MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
  WHERE """
    + valid("t")
    + """
  MATCH (t)-[:EXPORTER]->(exp:Organisation)
  RETURN collect(t {.*, exporter: exp.name, importer: imp.name,
                    categories: [(t)-[:CARRIES]->(c:DataCategory) | c.key],
                    certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]}) AS transfers
}
CALL () {
  MATCH (r:RetentionRule) WHERE """
    + valid("r")
    + """
  RETURN collect(r {.key, .name, .basis, .period, .criteria,
                    categories: [(r)-[:APPLIES_TO]->(c:DataCategory) | c.key]}) AS retention
}
CALL () {
  MATCH (cp:ContactPoint) RETURN collect(cp {.kind, .value, .scope}) AS contacts
}
RETURN notice, controller, purposes, transfers, retention, contacts
"""
)

TRANSFER_REGISTER: LiteralString = (
    """
MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
WHERE """
    + valid("t")
    + """
MATCH (t)-[:EXPORTER]->(exp:Organisation)
RETURN t {.*, exporter: exp {.key, .name, .country}, importer: imp {.key, .name, .country},
          categories: [(t)-[:CARRIES]->(c:DataCategory) | c.key],
          certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]} AS transfer
ORDER BY t.key
"""
)


# --- rows -----------------------------------------------------------------------------------------------------


class StlBusinessRow(BusinessRow):
    """`_BUSINESS` as the Shine-the-Light statements return it: with the categories' statutory letters."""

    statutory: list[StatutoryRow]


class StlRequestRow(TypedDict):
    """A recorded Shine-the-Light request (`q {.*}` of a ShineTheLightRequest, as SAVE_STL_REQUEST writes it):
    one per customer and calendar year of receipt, `key` being `<subject id>:<year>`."""

    key: str
    id: str
    subjectId: str
    received: dt.date
    year: int
    atDesignatedAddress: bool
    due: dt.date
    response: str  # the response as JSON (`ShineTheLightResponse.to_json`)
    responseDigest: str
    createdAt: dt.datetime


class SubjectProfileRow(TypedDict):
    """Where a subject lives and the kind of relationship it has (`s {.id, .region, .relationship}`)."""

    id: str
    region: str | None
    relationship: str | None


class StlCustomerRow(StlBusinessRow):
    """STL_CUSTOMER's row: the subjects the hashes point to, their disclosures in the window, and the request
    already recorded for the year (null when none)."""

    subjects: list[str]
    profiles: list[SubjectProfileRow]
    disclosures: list[DatedStlDisclosure]
    previous: StlRequestRow | None


class StlIssuedReport(TypedDict):
    """The business-wide report of a year as issued (`r {.*}` of a ShineTheLightStandardReport)."""

    year: int
    response: str  # `ShineTheLightResponse.to_json`
    responseDigest: str
    issuedAt: dt.datetime
    issuedBy: str


class StlStandardRow(StlBusinessRow):
    """STL_STANDARD's row: per recipient and purpose, the categories disclosed in the window, and the report of
    the year as issued (null before it is)."""

    disclosures: list[StlDisclosure]
    issued: StlIssuedReport | None


class RegisterTransferRow(TransferTermsRow):
    """A TRANSFER_REGISTER row's transfer: `t {.*}` with its exporter, importer, categories and the importer's
    certifications."""

    validTo: NotRequired[dt.date]
    exporter: PartyRow
    importer: PartyRow
    categories: list[str]


# --- reads and writes -----------------------------------------------------------------------------------------
# `as_of` holds `$asOf` (and `$asOfEnd`), as `services.lineage.as_of_params` gives them.

R = TypeVar("R")


def _rows(kind: type[R], records: Records, column: str | None = None) -> list[R]:
    """The driver's records, or one column of each, as the rows their statement returns: the one place the
    driver's dicts are taken for them."""
    return cast("list[R]", records if column is None else [r[column] for r in records])


async def read_stl_customer(
    tx: Transaction, hashes: list[str], fallback_id: str, year: int, start: dt.datetime, end: dt.datetime
) -> StlCustomerRow:
    """The customer's disclosures in `start <= at < end`, and the request recorded under the key of the
    customer's subject (or of `fallback_id` when the hashes point to none) and `year`."""
    window = {"from": start, "to": end}
    records = await run(tx, STL_CUSTOMER, hashes=hashes, fallbackId=fallback_id, year=year, **window)
    (row,) = _rows(StlCustomerRow, records)
    return row


async def save_stl_request(tx: Transaction, request: StlRequestRow) -> StlRequestRow:
    """Record the request unless one with its key exists; the one recorded under the key."""
    (row,) = _rows(StlRequestRow, await run(tx, SAVE_STL_REQUEST, request=request), "request")
    return row


async def save_stl_issued(tx: Transaction, report: StlIssuedReport) -> StlIssuedReport:
    """Keep the report of its year unless one was issued; the one kept."""
    (row,) = _rows(StlIssuedReport, await run(tx, SAVE_STL_ISSUED, report=report), "report")
    return row


async def read_stl_standard(
    tx: Transaction, year: int, start: dt.datetime, end: dt.datetime
) -> StlStandardRow:
    """Every disclosure to California customers (§1798.83(e)(1)) for third parties' own direct marketing in
    `start <= at < end`, and the report of `year` if it was issued."""
    window = {"from": start, "to": end, "california": "US-CA", "personal": "personal", "year": year}
    (row,) = _rows(StlStandardRow, await run(tx, STL_STANDARD, **window))
    return row


async def read_access_report(
    db: Database, hashes: list[str], as_of: Mapping[str, object]
) -> list[AccessReportRow]:
    """One row per subject the keyed hashes point to (the caller applies the one-subject rule)."""
    records = await db.read(ACCESS_REPORT, hashes=hashes, category=None, ancestors=[], **as_of)
    return _rows(AccessReportRow, records)


async def read_ropa(db: Database, as_of: Mapping[str, object]) -> RopaRow:
    (row,) = _rows(RopaRow, await db.read(ROPA, **as_of))
    return row


async def read_transfer_register(db: Database, as_of: Mapping[str, object]) -> list[RegisterTransferRow]:
    """Every transfer in force, by key."""
    return _rows(RegisterTransferRow, await db.read(TRANSFER_REGISTER, **as_of), "transfer")

"""Shine-the-Light (Cal. Civ. Code §1798.83): a customer's disclosures of a year and the request recorded for it,
and the business-wide report of a year, one statement each; the typed rows they return; the requests and
issued reports kept.

The map is read as of the day the request was received (a customer's) or the day the report is made (the
business-wide one): a recipient's name and address are its organisation's then, read through its `IS`
relationship. Whether a disclosure was for the recipient's own direct marketing is judged by the map as it stood at
the end of the calendar year reported on (`$yearEnd`, §1798.83(a): the disclosures of "the immediately preceding
calendar year"): a later edit does not rewrite that year (a correction of it is an edit effective within it).
Disclosure windows are half-open: `$from <= d.at < $to`.
"""

from __future__ import annotations

import datetime as dt
from typing import LiteralString, TypedDict

from datamap.domain import shine_the_light as stl
from datamap.domain.local_days import CALIFORNIA
from datamap.domain.report_rows import BusinessRow, DatedStlDisclosure, StatutoryRow, StlDisclosure
from datamap.domain.vocabulary import Relationship
from datamap.graph.database import Transaction, run
from datamap.graph.lineage_queries import RELATED_CATEGORIES
from datamap.graph.report_queries import BUSINESS, NOTICE, rows_of
from datamap.graph.subject_lookup import IDENTIFIED_SUBJECT
from datamap.graph.validity import as_of_version, organisation_of

# Binds `ra` (the recipient as of `$asOf`), `o` (its organisation then), `rj` and `pj` (recipient and purpose
# `p` at `$yearEnd`).
_RECIPIENT_AS_OF: LiteralString = (
    as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + " AS o, "
    + as_of_version("r", "$yearEnd")
    + " AS rj, "
    + as_of_version("p", "$yearEnd")
    + " AS pj"
)
_RECIPIENT: LiteralString = (
    "ra {.key, .name, .role, .kind, .organisation, .marketingExamples, ownDirectMarketing: rj.ownDirectMarketing, "
    "legalEntity: o.legalEntity, organisationName: o.name, address: o.address, "
    "country: coalesce(ra.country, o.country)}"
)
STL_CUSTOMER: LiteralString = (
    NOTICE
    + """
CALL () {
  OPTIONAL MATCH """
    + IDENTIFIED_SUBJECT
    + """
  WITH DISTINCT s
  OPTIONAL MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.at >= $from AND d.at < $to
  WITH collect(DISTINCT s.id) AS subjects,
       collect(DISTINCT s {.id, .region, .relationship}) AS profiles,
       collect(CASE WHEN d IS NULL THEN null ELSE
         {r: r, at: d.at, categories: d.categories, purpose: d.purpose} END) AS found
  CALL (found) {
    UNWIND found AS x
    WITH DISTINCT x.r AS r
    WITH r, """
    + as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + " AS o, "
    + as_of_version("r", "$yearEnd")
    + """ AS rj
    RETURN collect({r: r, recipient: """
    + _RECIPIENT
    + """}) AS recipients
  }
  CALL (found) {
    UNWIND found AS x
    WITH DISTINCT x.purpose AS key
    MATCH (p:Purpose {key: key})
    WITH key, """
    + as_of_version("p", "$yearEnd")
    + """ AS pj
    RETURN collect({key: key, purpose: pj {.key, .thirdPartyDirectMarketing}}) AS purposes
  }
  RETURN subjects, profiles, [x IN found | {at: x.at, categories: x.categories,
           purpose: head([y IN purposes WHERE y.key = x.purpose | y.purpose]),
           recipient: head([y IN recipients WHERE y.r = x.r | y.recipient])}] AS disclosures
}
CALL (disclosures) {
  UNWIND disclosures AS x UNWIND x.categories AS disclosed
  WITH collect(DISTINCT disclosed) AS keys
  """
    + RELATED_CATEGORIES
    + """  WITH """
    + as_of_version("c")
    + """ AS ca WHERE ca.statutoryCategory IS NOT NULL
  RETURN collect(ca {.key, .statutoryCategory}) AS statutory
}
CALL (subjects) {
  OPTIONAL MATCH (q:ShineTheLightRequest {key: coalesce(head(subjects), $fallbackId) + ':' + toString($year)})
  RETURN q {.*} AS previous
}
RETURN notice, controller, statutory, subjects, profiles, disclosures, previous
"""
)

# The customers of Civ. Code §1798.83(e)(1): California residents whose relationship is for personal, family or
# household purposes; as parameters of the statements that select them.
STL_CUSTOMERS = {
    "california": stl.CALIFORNIA,
    "personal": Relationship.PERSONAL.value,
    "californiaZone": CALIFORNIA.key,
}

# Live disclosures of the window, and those of erased customers kept (anonymous) for the year at their erasure.
STL_STANDARD: LiteralString = (
    BUSINESS
    + """
CALL () {
  CALL () {
    MATCH (s:Subject)-[d:DISCLOSED_TO]->(r:Recipient)
    WHERE d.at >= $from AND d.at < $to AND s.region = $california AND s.relationship = $personal
    RETURN r, d.purpose AS purpose, d.categories AS categories
    UNION ALL
    MATCH (k:StlDisclosuresKept {year: $year})
    MATCH (r:Recipient {key: k.recipient})
    RETURN r, nullIf(k.purpose, '') AS purpose, k.categories AS categories
  }
  OPTIONAL MATCH (p:Purpose {key: purpose})
  WITH categories, """
    + _RECIPIENT_AS_OF
    + """
  WITH ra, o, rj, pj, categories WHERE coalesce(rj.ownDirectMarketing, pj.thirdPartyDirectMarketing, false)
  WITH ra, o, rj, pj, collect(categories) AS lists
  RETURN collect({categories: reduce(acc = [], l IN lists | acc + [c IN l WHERE NOT c IN acc]),
                  purpose: pj {.key, .thirdPartyDirectMarketing}, recipient: """
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

# The report lists, for each category the subject's records hold, the rules that apply to a related category:
# the rules are found from the categories related to what the records hold (`related`, SUBJECT_LINEAGE_BODY),
# each with those of its categories.

# --- rows ----------------------------------------------------------------------------------------------------


class StlBusinessRow(BusinessRow):
    """`BUSINESS` as the Shine-the-Light statements return it: with the categories' statutory letters."""

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


# --- reads and writes ------------------------------------------------------------------------------------------


def _last_day(end: dt.datetime) -> dt.date:
    """The last day (in California) of a window that ends, exclusive, at `end`."""
    return (end.astimezone(CALIFORNIA) - dt.timedelta(days=1)).date()


async def read_stl_customer(
    tx: Transaction,
    hashes: list[str],
    fallback_id: str,
    year: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    as_of: dt.date,
) -> StlCustomerRow:
    """The customer's disclosures in `start <= at < end`, and the request recorded under the key of the
    customer's subject (or of `fallback_id` when the hashes point to none) and `year`; the map as of `as_of`."""
    window = {"from": start, "to": end, "asOf": as_of, "yearEnd": _last_day(end)}
    records = await run(tx, STL_CUSTOMER, hashes=hashes, fallbackId=fallback_id, year=year, **window)
    (row,) = rows_of(StlCustomerRow, records)
    return row


async def save_stl_request(tx: Transaction, request: StlRequestRow) -> StlRequestRow:
    """Record the request unless one with its key exists; the one recorded under the key."""
    (row,) = rows_of(StlRequestRow, await run(tx, SAVE_STL_REQUEST, request=request), "request")
    return row


async def save_stl_issued(tx: Transaction, report: StlIssuedReport) -> StlIssuedReport:
    """Keep the report of its year unless one was issued; the one kept."""
    (row,) = rows_of(StlIssuedReport, await run(tx, SAVE_STL_ISSUED, report=report), "report")
    return row


async def read_stl_standard(
    tx: Transaction, year: int, start: dt.datetime, end: dt.datetime, *, as_of: dt.date
) -> StlStandardRow:
    """Every disclosure to California customers (§1798.83(e)(1)) for third parties' own direct marketing in
    `start <= at < end`, and the report of `year` if it was issued; the map as of `as_of`."""
    window = {
        "from": start,
        "to": end,
        "year": year,
        "asOf": as_of,
        "yearEnd": _last_day(end),
        **STL_CUSTOMERS,
    }
    (row,) = rows_of(StlStandardRow, await run(tx, STL_STANDARD, **window))
    return row

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

from datamap.domain import shine_the_light as stl
from datamap.domain.lineage_rows import PartyRow
from datamap.domain.local_days import CALIFORNIA
from datamap.domain.report_rows import (
    AccessReportRow,
    BusinessRow,
    DatedStlDisclosure,
    RopaRow,
    StatutoryRow,
    StlDisclosure,
    TransferTermsRow,
)
from datamap.domain.vocabulary import Relationship
from datamap.graph.database import Database, Records, Transaction, run
from datamap.graph.lineage_queries import (
    RELATED_CATEGORIES,
    SUBJECT_LINEAGE_BODY,
    SUBJECT_LINEAGE_RETURN,
    TRANSFER_LINKS,
    TRANSFERS_IN_FORCE,
)
from datamap.graph.subject_lookup import IDENTIFIED_SUBJECT
from datamap.graph.validity import as_of_version, organisation_of, valid

# Every statement reads the map as of `$asOf` (`graph/validity.py`): entries' attributes then, and the
# relationships that held then. The Shine-the-Light statements take the day the request was received (a
# customer's) or the day the report is made (the business-wide one): a recipient's name and address are its
# organisation's then, read through its `IS` relationship.
# Whether a disclosure was for the recipient's own direct marketing is judged by the map as it stood at the end
# of the calendar year reported on (`$yearEnd`, Civ. Code §1798.83(a): the disclosures of "the immediately
# preceding calendar year"): a later edit does not rewrite that year (a correction of it is an edit effective
# within it).
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
# The notice and the controller that publishes it (`BusinessRow`).
_NOTICE: LiteralString = (
    """
CALL () {
  OPTIONAL MATCH (n:Notice)-[pub:PUBLISHED_BY]->(c:Organisation) WHERE """
    + valid("pub")
    + """
  WITH n, """
    + as_of_version("c")
    + """ AS ca
  RETURN n {.shineTheLightRoute, .securityMeasures, .title, .effective} AS notice,
         ca {.key, .name, .address, .country} AS controller
  ORDER BY n.effective DESC
  LIMIT 1
}
"""
)
# Every category's Shine-the-Light letter (`StatutoryRow`), for the business-wide report.
_BUSINESS: LiteralString = (
    _NOTICE
    + """CALL () {
  MATCH (c:DataCategory)
  WITH """
    + as_of_version("c")
    + """ AS ca WHERE ca.statutoryCategory IS NOT NULL
  RETURN collect(ca {.key, .statutoryCategory}) AS statutory
}
"""
)

# An importer's (`imp`) certifications held on the date (a change of terms is a new Certification node).
_CERTIFICATIONS: LiteralString = (
    "[(imp)-[e:HOLDS_CERTIFICATION]->(c:Certification) WHERE " + valid("e") + " | c {.*}]"
)
_CARRIES: LiteralString = "[(t)-[e:CARRIES]->(c:DataCategory) WHERE " + valid("e") + " | c.key]"
# The retention rules in force (`r`), as of the date, with the systems each applies in (the map findings).
RETENTION_IN_FORCE: LiteralString = (
    "\n  WITH r, "
    + as_of_version("r")
    + " AS ra\n  RETURN collect(ra {.key, .name, .basis, .period, .criteria, "
    + "categories: [(r)-[e:APPLIES_TO]->(c:DataCategory) WHERE "
    + valid("e")
    + " | c.key], systems: [(r)-[e:APPLIES_IN]->(x:System) WHERE "
    + valid("e")
    + " | x.key]}) AS retention"
)

# The systems each retention rule applies in, read from the systems' side (a rule has as many relationships as
# categories): `appliesIn`, `{r, key}` each. The reports below do not print them; their rows carry them.
_APPLIES_IN: LiteralString = (
    """
CALL () {
  MATCH (r:RetentionRule)-[e:APPLIES_IN]->(x:System)
  USING SCAN x:System
  WHERE """
    + valid("e")
    + """
  RETURN collect({r: r, key: x.key}) AS appliesIn
}
"""
)
# A retention rule (`r`, `ra` as of the date) with its `categories` and the systems from `appliesIn`.
_RULE: LiteralString = (
    "ra {.key, .name, .basis, .period, .criteria, categories: categories, "
    "systems: [x IN appliesIn WHERE x.r = r | x.key]}"
)

# A customer's disclosures: each recipient and purpose read once (a customer's disclosures go to a few of them);
# the letters of the categories related to those disclosed only (`statutory_items` reads no others).
STL_CUSTOMER: LiteralString = (
    _NOTICE
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
    _BUSINESS
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
ACCESS_REPORT: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + _NOTICE
    + _APPLIES_IN
    + """CALL (related, appliesIn) {
  UNWIND related AS y
  WITH y.c AS c, y.key AS key
  MATCH (c)<-[e:APPLIES_TO]-(r:RetentionRule)
  WHERE """
    + valid("e")
    + """
  WITH r, collect(key) AS categories
  WHERE """
    + valid("r")
    + """
  WITH r, categories, """
    + as_of_version("r")
    + """ AS ra
  RETURN collect("""
    + _RULE
    + """) AS retention
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
  MATCH (dc:DataCategory)
  WITH """
    + as_of_version("dc")
    + """ AS da
  RETURN collect(da {.key, .name}) AS categoryNames
}
CALL () {
  MATCH (t:Transfer)-[im:IMPORTER]->(imp:Organisation) WHERE """
    + valid("im")
    + """
  RETURN collect({key: t.key, certifications: """
    + _CERTIFICATIONS
    + """}) AS certifications
}
"""
    + SUBJECT_LINEAGE_RETURN
    + ", notice, controller, retention, rights, contacts, certifications, categoryNames"
)

# A purpose's recipients: every flow in force into a recipient, read once (not once per purpose), each recipient
# as of the date once.
ROPA: LiteralString = (
    _NOTICE
    + """
CALL () {
  MATCH (:Source|System)-[f:FLOWS_TO]->(r:Recipient)
  WHERE """
    + valid("f")
    + """
  WITH r, collect(f.purposes) AS purposeLists
  WITH r, purposeLists, """
    + as_of_version("r")
    + " AS ra, "
    + organisation_of("r")
    + """ AS o
  RETURN collect({purposes: purposeLists,
                  recipient: ra {.key, .name, .role, .kind, country: coalesce(ra.country, o.country)}}) AS flowsIn
}
CALL (flowsIn) {
  MATCH (p:Purpose) WHERE """
    + valid("p")
    + """
  WITH p, p.key AS key, """
    + as_of_version("p")
    + """ AS pa
  RETURN collect(pa {.*, validFrom: p.validFrom, validTo: p.validTo,
    categories: [(p)-[e:PROCESSES]->(c:DataCategory) WHERE """
    + valid("e")
    + """ | c.key],
    subjectCategories: [(p)-[e:CONCERNS]->(sc:SubjectCategory) WHERE """
    + valid("e")
    + """ | sc.name],
    systems: [(p)-[e:USES]->(s:System) WHERE """
    + valid("e")
    + """ | s.key],
    controllerOrganisations: [oa IN [(p)-[e:ON_BEHALF_OF]->(o:Organisation) WHERE """
    + valid("e")
    + " | "
    + as_of_version("o")
    + """] | oa {.key, .name, .address, .country}],
    recipients: reduce(found = [], x IN flowsIn | found + [l IN x.purposes WHERE key IN l | x.recipient])
  }) AS purposes
}
CALL () {
  """
    + TRANSFER_LINKS
    + "  "
    + TRANSFERS_IN_FORCE
    + """  RETURN collect(ta {.*, validFrom: t.validFrom, validTo: t.validTo, exporter: ea.name, importer: ia.name,
                     categories: """
    + _CARRIES
    + """,
                     certifications: """
    + _CERTIFICATIONS
    + """}) AS transfers
}
"""
    + _APPLIES_IN
    + """CALL (appliesIn) {
  MATCH (r:RetentionRule) WHERE """
    + valid("r")
    + """
  WITH r, """
    + as_of_version("r")
    + """ AS ra, [(r)-[e:APPLIES_TO]->(c:DataCategory) WHERE """
    + valid("e")
    + """ | c.key] AS categories
  RETURN collect("""
    + _RULE
    + """) AS retention
}
CALL () {
  MATCH (cp:ContactPoint) RETURN collect(cp {.kind, .value, .scope}) AS contacts
}
RETURN notice, controller, purposes, transfers, retention, contacts
"""
)

TRANSFER_REGISTER: LiteralString = (
    TRANSFER_LINKS
    + TRANSFERS_IN_FORCE
    + """RETURN ta {.*, validFrom: t.validFrom, validTo: t.validTo,
          exporter: ea {.key, .name, .country}, importer: ia {.key, .name, .country},
          categories: """
    + _CARRIES
    + """,
          certifications: """
    + _CERTIFICATIONS
    + """} AS transfer
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

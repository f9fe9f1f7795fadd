"""Reports: the access report, the RoPA and the transfer register, one statement each, computed from the graph
as of a date, and the typed rows they return; the fragments the Shine-the-Light statements share with them
(`NOTICE`, `BUSINESS`; those statements are `stl_queries.py`).

The rows the pure report builders read are described in `datamap.domain.report_rows`; the others here. Each
`read_...` function runs its statement once (one round trip) and is where the driver's dicts become those rows
(`rows_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import LiteralString, NotRequired, TypeVar, cast

from datamap.domain.lineage_rows import PartyRow
from datamap.domain.report_rows import (
    AccessReportRow,
    RopaRow,
    TransferTermsRow,
)
from datamap.graph.database import Database, Records
from datamap.graph.lineage_queries import (
    SUBJECT_LINEAGE_BODY,
    SUBJECT_LINEAGE_RETURN,
    TRANSFER_LINKS,
    TRANSFERS_IN_FORCE,
)
from datamap.graph.validity import as_of_version, organisation_of, valid

# Every statement reads the map as of `$asOf` (`graph/validity.py`): entries' attributes then, and the
# relationships that held then.
# The notice and the controller that publishes it (`BusinessRow`).
NOTICE: LiteralString = (
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
BUSINESS: LiteralString = (
    NOTICE
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
ACCESS_REPORT: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + NOTICE
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
    NOTICE
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


def rows_of(kind: type[R], records: Records, column: str | None = None) -> list[R]:
    """The driver's records, or one column of each, as the rows their statement returns: the one place the
    driver's dicts are taken for them."""
    return cast("list[R]", records if column is None else [r[column] for r in records])


async def read_access_report(
    db: Database, hashes: list[str], as_of: Mapping[str, object]
) -> list[AccessReportRow]:
    """One row per subject the keyed hashes point to (the caller applies the one-subject rule)."""
    records = await db.read(ACCESS_REPORT, hashes=hashes, category=None, ancestors=[], **as_of)
    return rows_of(AccessReportRow, records)


async def read_ropa(db: Database, as_of: Mapping[str, object]) -> RopaRow:
    (row,) = rows_of(RopaRow, await db.read(ROPA, **as_of))
    return row


async def read_transfer_register(db: Database, as_of: Mapping[str, object]) -> list[RegisterTransferRow]:
    """Every transfer in force, by key."""
    return rows_of(RegisterTransferRow, await db.read(TRANSFER_REGISTER, **as_of), "transfer")

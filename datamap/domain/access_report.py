"""The GDPR access report (Art. 15(1)(a)-(h), 15(2)) and the portability export (Art. 20). Pure.

Built from the subject's lineage (records, disclosures, and the map's routine flows from them: a destination
reached only on an event is no recipient of theirs) with the retention rules, the rights, the controller's
contact points and the validity of each transfer on the report's date. What it says is about that person, in
words: the purposes their data serves as controller (not what the controller does as a processor for its
customers, Art. 30(2)), categories by name, legal bases as Art. 6(1) names them, the rights of the law that
protects them, recipients by identity (C-154/21: the identity, unless that is impossible) and each transfer's
safeguard. What staff must fix first is in `findings`, never in the document: a recipient known only by its
category, an invalid safeguard, a residence the map does not know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from datamap.domain.categories import related
from datamap.domain.documents import Document
from datamap.domain.lineage import Lineage, Reached
from datamap.domain.map_findings import recipient_identity_unknown
from datamap.domain.regions import EEA, country_of
from datamap.domain.report_rows import (
    AccessReportRow,
    ContactRow,
    OrganisationRow,
    RetentionRow,
    RightRow,
)
from datamap.domain.transfer_findings import Finding, Severity
from datamap.domain.transfer_safeguards import safeguard_status, transfer_facts
from datamap.domain.vocabulary import LegalBasis


@dataclass(frozen=True)
class NamedRecipient:
    """A recipient the subject's data was actually disclosed to (CJEU C-154/21: named, not just categories)."""

    key: str
    name: str
    role: str | None
    country: str | None
    categories: tuple[str, ...]
    first_disclosed: dt.datetime | None


@dataclass(frozen=True)
class Retention:
    category: str
    rules: tuple[str, ...]  # "name: period or criteria"


@dataclass(frozen=True)
class TransferSafeguard:
    """A transfer of the person's data out of their region: the safeguard, and the words they are told
    (GDPR Art. 15(2)); `for_person` is None when no valid safeguard holds (a CRITICAL finding for staff)."""

    key: str
    mechanism: str
    safeguard: str
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    importer: str
    valid: bool
    for_person: str | None
    staff_note: str


@dataclass(frozen=True)
class ReportPurpose:
    """A purpose of the processing, and whether one of the subject's records or disclosures shows it."""

    key: str
    name: str
    legal_basis: str | None
    observed: bool


class ReportSource(TypedDict):
    """Where the subject's data came from, and which of the categories held came from there."""

    key: str
    name: str
    kind: str | None
    categories: list[str]


class PortableRecord(TypedDict):
    """A record of data the subject provided (Art. 20)."""

    system: str
    source: str | None
    categories: list[str]
    collectedAt: str


@dataclass
class AccessReport:
    """The report's parts; the dict-shaped ones are written as they are in the report's JSON."""

    subject_id: str
    as_of: dt.date
    controller: OrganisationRow
    contacts: list[ContactRow]
    purposes: list[ReportPurpose]
    categories: list[str]
    recipients: list[NamedRecipient]
    recipient_categories: list[str]  # the map's routine recipients, by identity where known
    retention: list[Retention]
    rights: list[RightRow]
    sources: list[ReportSource]
    automated_decisions: str
    transfers: list[TransferSafeguard]
    portability: list[PortableRecord] = field(default_factory=list)
    category_names: dict[str, str] = field(default_factory=dict)  # key -> name, for the words of the document
    findings: list[Finding] = field(
        default_factory=list
    )  # for staff, before it is sent; never in the document
    law: str = "GDPR"  # the law whose rights of access apply: GDPR, UK GDPR or the FADP (`gdpr_law_of`)

    def name_of(self, category: str) -> str:
        return self.category_names.get(category, category)


NO_AUTOMATED_DECISIONS = (
    "No decision based solely on automated processing that produces legal or similarly significant effects on you "
    "is recorded for your data (GDPR Art. 22)."
)


def _retention(categories: Sequence[str], rules: Sequence[RetentionRow]) -> list[Retention]:
    out = []
    for category in categories:
        matching = [r for r in rules if any(related(category, c) for c in r["categories"])]
        out.append(
            Retention(
                category,
                tuple(
                    f"{r['name']}: "
                    + (f"{r['period']} ({r['criteria']})" if r.get("period") else r["criteria"])
                    for r in sorted(matching, key=lambda r: r["key"])
                ),
            )
        )
    return out


# GDPR (and the UK GDPR, Switzerland's FADP, which give the same rights of access) protects people there.
_GDPR_COUNTRIES = EEA | {"GB", "CH"}
# Rights that only California law gives: the CCPA's (Civ. Code §1798.100-199.100), Shine-the-Light (§1798.83),
# and the Do Not Track disclosure CalOPPA requires (Bus. & Prof. Code §22575(b)(5)).
_CALIFORNIA_LAWS = frozenset({"CCPA", "CalCivCode1798.83"})
_CALIFORNIA_KEYS = frozenset({"do_not_track"})


# The UK GDPR replaced the GDPR in the UK at the end of the transition period (European Union (Withdrawal) Act
# 2018 s.3; the Data Protection, Privacy and Electronic Communications (Amendments etc) (EU Exit) Regulations
# 2019), keeping the GDPR's article numbers. Switzerland never applied the GDPR: the revised Federal Act on Data
# Protection (FADP, SR 235.1) is in force from 1 September 2023, the FADP of 1992 before; its articles differ.
UK_GDPR_FROM = dt.date(2021, 1, 1)
REVISED_FADP_FROM = dt.date(2023, 9, 1)


def gdpr_law_of(country: str | None, as_of: dt.date) -> str:
    """The name of the law that gives a person in `country` the rights the seed records under the GDPR."""
    if country == "GB" and as_of >= UK_GDPR_FROM:
        return "UK GDPR"
    if country == "CH":
        return "FADP" if as_of >= REVISED_FADP_FROM else "FADP (1992)"
    return "GDPR"


def _swiss_articles(law: str) -> Finding:
    return Finding(
        Severity.MEDIUM,
        "fadp_articles",
        f"The person lives in Switzerland: their rights come from the {law}, whose articles are not the GDPR's "
        "(revised FADP: access Art. 25, data portability Art. 28, rectification and erasure Art. 32; UNVERIFIED).",
        "Check each right's wording and article against the FADP before sending.",
    )


def rights_for(
    rights: Sequence[RightRow],
    country: str | None,
    region: str | None = None,
    as_of: dt.date | None = None,
) -> tuple[list[RightRow], list[Finding]]:
    """The rights of the law that protects a person living in `country` (or `region`, ISO 3166-2, which names
    its country: US-CA is California); the notice's own promises for all."""
    californian = [r for r in rights if r["law"] in _CALIFORNIA_LAWS or r["key"] in _CALIFORNIA_KEYS]
    gdpr = [r for r in rights if r["law"] == "GDPR"]
    everyone = [r for r in rights if r not in californian and r not in gdpr]
    findings: list[Finding] = []
    country = country or (country_of(region) if region else None)
    if region is not None and country is not None and country.upper() == "US":
        return sorted(everyone + (californian if region == "US-CA" else []), key=_by_law), findings
    if country is None:
        findings.append(
            Finding(
                Severity.MEDIUM,
                "residence_unknown",
                "The subject's country is not recorded: the rights of every law are listed.",
                "Record the person's country (and US state) so the report gives the rights of their law only.",
            )
        )
        chosen = everyone + gdpr + californian
    elif country.upper() in _GDPR_COUNTRIES:
        law = gdpr_law_of(country.upper(), as_of or REVISED_FADP_FROM)
        chosen = everyone + [{**r, "law": law} for r in gdpr]
        if country.upper() == "CH":
            findings.append(_swiss_articles(law))
    elif country.upper() == "US":
        findings.append(
            Finding(
                Severity.MEDIUM,
                "state_unknown",
                "The subject lives in the US; the map does not record the state, so California's rights are listed.",
                "Confirm California residence before sending, or remove California's rights for another state.",
            )
        )
        chosen = everyone + californian
    else:
        chosen = everyone
    return sorted(chosen, key=_by_law), findings


def _country(row: AccessReportRow) -> str | None:
    region = row.get("region")
    country = row.get("country") or (country_of(region) if region else None)
    return country.upper() if country else None


def _by_law(right: RightRow) -> tuple[str, str]:
    return right["law"], right["key"]


def _identity(r: Reached) -> str | None:
    return r.details.get("organisationName")


def _map_recipients(lineage: Lineage) -> tuple[list[str], list[Finding]]:
    """Art. 15(1)(c) "will be disclosed": the routine recipients no disclosure shows yet, by identity where the
    map knows it; a finding for each known only by its category (C-154/21, para. 51)."""
    listed: list[str] = []
    findings: list[Finding] = []
    for r in lineage.recipients:
        if r.observed:
            continue
        identity = _identity(r)
        listed.append(f"{identity} ({r.name})" if identity else r.name)
        if identity is None:
            findings.append(recipient_identity_unknown(r.key, r.name))
    return listed, findings


def _transfers(
    lineage: Lineage, row: AccessReportRow, as_of: dt.date
) -> tuple[list[TransferSafeguard], list[Finding]]:
    """Each transfer of the person's data with its safeguard on the report's date (judged for exports from the
    person's country), and the findings staff must settle first."""
    certifications = {c["key"]: c["certifications"] for c in row["certifications"]}
    out: list[TransferSafeguard] = []
    findings: list[Finding] = []
    for t in lineage.transfers:
        d = t.details
        facts = transfer_facts(
            t.key,
            d["mechanism"],
            d["fromCountries"],
            d["toCountries"],
            certifications.get(t.key, []),
            tia_review_date=d.get("tiaReviewDate"),
            valid_from=d.get("validFrom"),
        )
        status = safeguard_status(facts, as_of, importer=d["importer"]["name"], country=row.get("country"))
        out.append(
            TransferSafeguard(
                t.key,
                d["mechanism"],
                status.safeguard,
                tuple(d["fromCountries"]),
                tuple(d["toCountries"]),
                d["importer"]["name"],
                status.valid,
                status.for_person,
                status.staff_note,
            )
        )
        findings += [f for f in status.findings if f.severity is not Severity.INFO]
    return out, findings


def build_access_report(
    lineage: Lineage,
    row: AccessReportRow,
    *,
    as_of: dt.date,
) -> AccessReport:
    """`row` is the ACCESS_REPORT row the lineage was built from."""
    held = sorted({c for s in lineage.systems for p in s.paths if p.observed for c in p.categories})
    disclosed = [r for r in lineage.recipients if r.observed]
    transfers, transfer_findings = _transfers(lineage, row, as_of)
    sources: list[ReportSource] = [
        {"key": s.key, "name": s.name, "kind": s.details.get("kind"), "categories": sorted(s.categories)}
        for s in lineage.sources
    ]
    acting_as = {p["key"]: p.get("actingAs") for p in row["purposes"]}
    rights, findings = rights_for(row["rights"], row.get("country"), row.get("region"), as_of)
    map_recipients, unnamed = _map_recipients(lineage)
    findings += unnamed
    findings += transfer_findings
    portability: list[PortableRecord] = [
        {
            "system": r["system"]["key"],
            "source": source["key"],
            "categories": r["categories"],
            "collectedAt": r["at"].isoformat(),
        }
        for r in sorted(row["records"], key=lambda r: r["at"])
        if (source := r["source"]) is not None and source["kind"] in ("direct", "app")
    ]
    return AccessReport(
        subject_id=lineage.subject_id or "",
        as_of=as_of,
        controller=row["controller"] or {},
        contacts=list(row["contacts"]),
        purposes=[
            ReportPurpose(p.key, p.name, p.details.get("legalBasis"), p.observed)
            for p in lineage.purposes
            if acting_as.get(p.key) != "processor"  # for customers, under their notices (Art. 28, 30(2))
        ],
        categories=held,
        recipients=[
            NamedRecipient(
                r.key,
                r.details.get("organisationName") or r.name,
                r.details.get("role"),
                r.details.get("country"),
                tuple(sorted(r.categories)),
                r.first_observed,
            )
            for r in disclosed
        ],
        recipient_categories=map_recipients,
        retention=_retention(held, row["retention"]),
        rights=rights,
        sources=sources,
        automated_decisions=NO_AUTOMATED_DECISIONS,
        transfers=transfers,
        portability=portability,
        category_names={c["key"]: c["name"] for c in row["categoryNames"]},
        findings=sorted(findings, key=lambda f: (list(Severity).index(f.severity), f.code, f.message)),
        law=gdpr_law_of(_country(row), as_of),
    )


def _basis(value: str | None) -> str:
    try:
        return LegalBasis(value).words if value else "not recorded"
    except ValueError:
        return value or "not recorded"


def _names(report: AccessReport, categories: Sequence[str]) -> str:
    return ", ".join(report.name_of(c) for c in categories)


def access_document(report: AccessReport) -> Document:
    """The report as a document to send to the person: in words, about them only (GDPR Art. 12(1), 15)."""
    c = report.controller
    law = report.law if "GDPR" not in report.law else f"{report.law} Art. 15"
    doc = Document(f"Access to your personal data ({law}), as of {report.as_of.isoformat()}")
    doc.section(
        "Controller",
        f"{c.get('name', '')}" + (f", {c['address']}" if c.get("address") else ""),
        items=[
            f"{x['kind']}: {x['value']}" + (f" ({x['scope']})" if x.get("scope") else "")
            for x in report.contacts
        ],
    )
    doc.section(
        "Why we process your data (Art. 15(1)(a))",
        items=[f"{p.name}; legal basis: {_basis(p.legal_basis)}" for p in report.purposes],
    )
    doc.section(
        "The personal data we hold about you (Art. 15(1)(b))",
        items=[report.name_of(k) for k in report.categories],
    )
    doc.section(
        "Who received your data (Art. 15(1)(c))",
        items=[
            f"{r.name} ({r.country or 'country not recorded'}): {_names(report, r.categories)}"
            for r in report.recipients
        ]
        or ["nobody, as far as our records show"],
    )
    doc.section(
        "Who receives it as part of the processing (Art. 15(1)(c))",
        items=report.recipient_categories or ["nobody"],
    )
    doc.section(
        "How long we keep it (Art. 15(1)(d))",
        items=[
            f"{report.name_of(r.category)}: {'; '.join(r.rules) or 'no rule recorded'}"
            for r in report.retention
        ],
    )
    doc.section(
        "Your rights (Art. 15(1)(e) and (f))",
        items=[
            f"{r['name']} ({r['law']} {r.get('article') or ''})".replace(" )", ")") for r in report.rights
        ],
    )
    doc.section("Where the data came from (Art. 15(1)(g))", items=[s["name"] for s in report.sources])
    doc.section("Automated decision-making (Art. 15(1)(h))", report.automated_decisions)
    doc.section(
        "Transfers outside your region and their safeguards (Art. 15(2))",
        items=[
            t.for_person
            or f"[for staff: {t.key} has no valid safeguard on {report.as_of}; settle it before sending]"
            for t in report.transfers
        ]
        or ["none"],
    )
    return doc

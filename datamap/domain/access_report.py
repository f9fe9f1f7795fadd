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
from datamap.domain.lineage_types import Lineage, Reached
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

# The names of Switzerland's law as the report gives it (`gdpr_law_of`): the revised FADP, in force from 1
# September 2023, and the FADP of 1992 before it.
FADP = "FADP"
FADP_1992 = "FADP (1992)"


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
# The same under the revised FADP (Art. 21(1): a decision based exclusively on automated processing with a legal
# consequence for, or a considerable adverse effect on, the person); the FADP of 1992 had no such rule.
_NO_AUTOMATED_DECISIONS_CH = {
    FADP: "No decision based exclusively on automated processing that has a legal consequence for you or "
    "considerably affects you is recorded for your data (FADP Art. 21).",
    FADP_1992: "No decision based exclusively on automated processing is recorded for your data.",
}


def no_automated_decisions(law: str) -> str:
    """The statement that no automated individual decision is recorded, in the words of the person's law."""
    return _NO_AUTOMATED_DECISIONS_CH.get(law, NO_AUTOMATED_DECISIONS)


# What each part of the document answers, by article: GDPR Art. 15 (the UK GDPR's has the same numbers); the
# revised FADP's Art. 25(2) (the information "in every case": (a) the controller, (b) the personal data as such,
# (c) the purpose, (d) the retention period, (e) the source, (f) an automated individual decision, (g) the
# recipients, and the countries abroad with their safeguards, Art. 19(4)); the FADP of 1992's Art. 8(2).
_GDPR = "GDPR"
_PART_ARTICLES: dict[str, dict[str, str | None]] = {  # part -> law -> the article it answers
    "controller": {_GDPR: None, FADP: "Art. 25(2)(a)", FADP_1992: None},
    "purposes": {_GDPR: "Art. 15(1)(a)", FADP: "Art. 25(2)(c)", FADP_1992: "Art. 8(2)(b)"},
    "data": {_GDPR: "Art. 15(1)(b)", FADP: "Art. 25(2)(b)", FADP_1992: "Art. 8(2)(a)"},
    "recipients": {_GDPR: "Art. 15(1)(c)", FADP: "Art. 25(2)(g)", FADP_1992: "Art. 8(2)(b)"},
    "retention": {_GDPR: "Art. 15(1)(d)", FADP: "Art. 25(2)(d)", FADP_1992: None},
    "rights": {_GDPR: "Art. 15(1)(e) and (f)", FADP: "Art. 25(2)", FADP_1992: "Art. 8"},
    "sources": {_GDPR: "Art. 15(1)(g)", FADP: "Art. 25(2)(e)", FADP_1992: "Art. 8(2)(a)"},
    "automated": {_GDPR: "Art. 15(1)(h)", FADP: "Art. 25(2)(f)", FADP_1992: None},
    "transfers": {_GDPR: "Art. 15(2)", FADP: "Art. 25(2)(g), Art. 19(4)", FADP_1992: None},
}
_TITLE_ARTICLE = {FADP: "Art. 25", FADP_1992: "Art. 8"}
# The grounds the FADP names for processing that would otherwise breach privacy (revised Art. 31; 1992: Art.
# 13): consent, an overriding private or public interest, the law; a contract with the person is such an
# interest ((2)(a)).
_SWISS_GROUNDS = {
    LegalBasis.CONSENT: "your consent ({a}(1))",
    LegalBasis.CONTRACT: "the conclusion or performance of a contract with you ({a}(2)(a))",
    LegalBasis.LEGAL_OBLIGATION: "the law ({a}(1))",
    LegalBasis.VITAL_INTERESTS: "an overriding private interest ({a}(1))",
    LegalBasis.PUBLIC_TASK: "an overriding public interest ({a}(1))",
    LegalBasis.LEGITIMATE_INTERESTS: "our overriding private interest ({a}(1))",
}
_GROUNDS_ARTICLE = {FADP: "FADP Art. 31", FADP_1992: "FADP (1992) Art. 13"}


def _heading(words: str, part: str, law: str) -> str:
    """A part's heading with the article it answers in the person's law (the GDPR's numbers for the UK GDPR)."""
    articles = _PART_ARTICLES[part]
    article = articles[law] if law in articles else articles[_GDPR]
    return f"{words} ({article})" if article else words


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
        return FADP if as_of >= REVISED_FADP_FROM else FADP_1992
    return "GDPR"


# Switzerland's articles for the rights the seed records under the GDPR (by the right's key). The revised FADP
# (Federal Act on Data Protection of 25 September 2020, SR 235.1): access Art. 25; data portability Art. 28;
# rectification Art. 32(1); the claims of Art. 32(2): (a) a processing prohibited, (c) data deleted or destroyed;
# processing against the person's express will breaches their personality, Art. 30(2)(b) (withdrawn consent, an
# objection); automated individual decisions Art. 21(2) (to state their view, a review by a natural person); a
# report to the FDPIC, who opens an investigation, Art. 49(1). The FADP has no right to restriction or to object
# as the GDPR words them: those are its Art. 32(2)(a) claim and Art. 30(2)(b).
_FADP_ARTICLES = {
    "access": "Art. 25",
    "rectification": "Art. 32(1)",
    "erasure": "Art. 32(2)(c)",
    "restriction": "Art. 32(2)(a)",
    "portability": "Art. 28",
    "objection": "Art. 30(2)(b), Art. 32(2)(a)",
    "objection_direct_marketing": "Art. 30(2)(b), Art. 32(2)(a)",
    "automated_decisions": "Art. 21(2)",
    "consent_withdrawal": "Art. 30(2)(b)",
    "complaint": "Art. 49(1)",
}
# The FADP of 19 June 1992 (in force until 31 August 2023): access Art. 8; correction Art. 5(2); the claims of
# Art. 15(1) (processing stopped, no disclosure, data corrected or destroyed) against processing that breaches
# privacy, Art. 12(2)(b) (against the person's express wish). It had no portability, no rule on automated
# decisions and no complaint to the Commissioner about one person's case.
_FADP_1992_ARTICLES = {
    "access": "Art. 8",
    "rectification": "Art. 5(2)",
    "erasure": "Art. 15(1)",
    "restriction": "Art. 15(1)",
    "objection": "Art. 12(2)(b), Art. 15(1)",
    "objection_direct_marketing": "Art. 12(2)(b), Art. 15(1)",
    "consent_withdrawal": "Art. 12(2)(b)",
}


def _swiss_right(right: RightRow, law: str) -> RightRow:
    """A right the seed records under the GDPR, with the FADP's article (None where it has no counterpart)."""
    articles = _FADP_ARTICLES if law == FADP else _FADP_1992_ARTICLES
    return {**right, "law": law, "article": articles.get(right["key"])}


def _swiss_articles(law: str, rights: Sequence[RightRow]) -> Finding:
    """For staff: the rights are the FADP's, cited by its articles; those without a counterpart named."""
    missing = sorted(r["key"] for r in rights if not r.get("article"))
    gap = (
        f" The {law} has no counterpart for {', '.join(missing)}: they are listed without an article."
        if missing
        else ""
    )
    return Finding(
        Severity.MEDIUM if missing else Severity.LOW,
        "fadp_articles",
        f"The person lives in Switzerland: their rights come from the {law}, listed with its articles; the "
        "FADP has no right to restriction or to object as the GDPR words them (its Art. 32(2) claims and Art. "
        f"30(2)(b) stand for them).{gap}",
        "Check the rights' wording for a Swiss person before sending.",
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
        if country.upper() == "CH":
            swiss = [_swiss_right(r, law) for r in gdpr]
            chosen = everyone + swiss
            findings.append(_swiss_articles(law, swiss))
        else:
            chosen = everyone + [{**r, "law": law} for r in gdpr]
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
        automated_decisions=no_automated_decisions(gdpr_law_of(_country(row), as_of)),
        transfers=transfers,
        portability=portability,
        category_names={c["key"]: c["name"] for c in row["categoryNames"]},
        findings=sorted(findings, key=lambda f: (list(Severity).index(f.severity), f.code, f.message)),
        law=gdpr_law_of(_country(row), as_of),
    )


def _basis(value: str | None, law: str = "GDPR") -> str:
    """The legal basis in words: as GDPR Art. 6(1) names it, or for a Swiss person the FADP's ground."""
    try:
        basis = LegalBasis(value) if value else None
    except ValueError:
        return value or "not recorded"
    if basis is None:
        return "not recorded"
    if law in _GROUNDS_ARTICLE:
        return _SWISS_GROUNDS[basis].format(a=_GROUNDS_ARTICLE[law])
    return basis.words


def _names(report: AccessReport, categories: Sequence[str]) -> str:
    return ", ".join(report.name_of(c) for c in categories)


def access_document(report: AccessReport) -> Document:
    """The report as a document to send to the person: in words, about them only (GDPR Art. 12(1), 15)."""
    c, law = report.controller, report.law
    cited = f"{law} {_TITLE_ARTICLE.get(law, 'Art. 15')}"
    doc = Document(f"Access to your personal data ({cited}), as of {report.as_of.isoformat()}")
    doc.section(
        _heading("Controller", "controller", law),
        f"{c.get('name', '')}" + (f", {c['address']}" if c.get("address") else ""),
        items=[
            f"{x['kind']}: {x['value']}" + (f" ({x['scope']})" if x.get("scope") else "")
            for x in report.contacts
        ],
    )
    doc.section(
        _heading("Why we process your data", "purposes", law),
        items=[f"{p.name}; legal basis: {_basis(p.legal_basis, law)}" for p in report.purposes],
    )
    doc.section(
        _heading("The personal data we hold about you", "data", law),
        items=[report.name_of(k) for k in report.categories],
    )
    doc.section(
        _heading("Who received your data", "recipients", law),
        items=[
            f"{r.name} ({r.country or 'country not recorded'}): {_names(report, r.categories)}"
            for r in report.recipients
        ]
        or ["nobody, as far as our records show"],
    )
    doc.section(
        _heading("Who receives it as part of the processing", "recipients", law),
        items=report.recipient_categories or ["nobody"],
    )
    doc.section(
        _heading("How long we keep it", "retention", law),
        items=[
            f"{report.name_of(r.category)}: {'; '.join(r.rules) or 'no rule recorded'}"
            for r in report.retention
        ],
    )
    doc.section(
        _heading("Your rights", "rights", law),
        items=[
            f"{r['name']} ({r['law']} {r.get('article') or ''})".replace(" )", ")") for r in report.rights
        ],
    )
    doc.section(
        _heading("Where the data came from", "sources", law), items=[s["name"] for s in report.sources]
    )
    doc.section(_heading("Automated decision-making", "automated", law), report.automated_decisions)
    doc.section(
        _heading("Transfers outside your region and their safeguards", "transfers", law),
        items=[
            t.for_person
            or f"[for staff: {t.key} has no valid safeguard on {report.as_of}; settle it before sending]"
            for t in report.transfers
        ]
        or ["none"],
    )
    return doc

"""The GDPR access report (Art. 15(1)(a)-(h), 15(2)) and the portability export (Art. 20). Pure.

Built from the subject's lineage (records, disclosures, and the map's flows from them) with the retention rules,
the rights, the controller's contact points and the validity of each transfer on the report's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from datamap.domain.categories import related
from datamap.domain.documents import Document
from datamap.domain.lineage import Lineage
from datamap.domain.report_rows import (
    AccessReportRow,
    CertificationRow,
    ContactRow,
    OrganisationRow,
    RetentionRow,
    RightRow,
)
from datamap.domain.transfer_validity import Certification, TransferFacts, assess
from datamap.domain.vocabulary import TransferMechanism


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
    key: str
    mechanism: str
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    importer: str
    valid: bool
    findings: tuple[str, ...]


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
    recipient_categories: list[str]
    retention: list[Retention]
    rights: list[RightRow]
    sources: list[ReportSource]
    automated_decisions: str
    transfers: list[TransferSafeguard]
    portability: list[PortableRecord] = field(default_factory=list)


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


def _certifications(rows: Sequence[CertificationRow]) -> tuple[Certification, ...]:
    return tuple(
        Certification(TransferMechanism(c["program"]), c["validFrom"], c.get("validTo")) for c in rows
    )


def build_access_report(
    lineage: Lineage,
    row: AccessReportRow,
    *,
    as_of: dt.date,
) -> AccessReport:
    """`row` is the ACCESS_REPORT row the lineage was built from."""
    held = sorted({c for s in lineage.systems for p in s.paths if p.observed for c in p.categories})
    disclosed = [r for r in lineage.recipients if r.observed]
    certifications = {c["key"]: _certifications(c["certifications"]) for c in row["certifications"]}
    transfers = []
    for t in lineage.transfers:
        d = t.details
        verdict = assess(
            TransferFacts(
                key=t.key,
                mechanism=TransferMechanism(d["mechanism"]),
                from_countries=tuple(d["fromCountries"]),
                to_countries=tuple(d["toCountries"]),
                importer_certifications=certifications.get(t.key, ()),
                tia_review_date=d.get("tiaReviewDate"),
                valid_from=d.get("validFrom"),
            ),
            as_of,
        )
        transfers.append(
            TransferSafeguard(
                t.key,
                d["mechanism"],
                tuple(d["fromCountries"]),
                tuple(d["toCountries"]),
                d["importer"]["name"],
                verdict.valid,
                tuple(f.message for f in verdict.findings),
            )
        )
    sources: list[ReportSource] = [
        {"key": s.key, "name": s.name, "kind": s.details.get("kind"), "categories": sorted(s.categories)}
        for s in lineage.sources
    ]
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
            ReportPurpose(p.key, p.name, p.details.get("legalBasis"), p.observed) for p in lineage.purposes
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
        recipient_categories=sorted(
            {f"{r.details.get('role')}: {r.details.get('kind')}" for r in lineage.recipients}
        ),
        retention=_retention(held, row["retention"]),
        rights=sorted(row["rights"], key=lambda r: (r["law"], r["key"])),
        sources=sources,
        automated_decisions=NO_AUTOMATED_DECISIONS,
        transfers=transfers,
        portability=portability,
    )


def access_document(report: AccessReport) -> Document:
    """The report as a document to send to the subject."""
    c = report.controller
    doc = Document(f"Access to your personal data (GDPR Art. 15), as of {report.as_of.isoformat()}")
    doc.section(
        "Controller",
        f"{c.get('name', '')}" + (f", {c['address']}" if c.get("address") else ""),
        items=[
            f"{x['kind']}: {x['value']}" + (f" ({x['scope']})" if x.get("scope") else "")
            for x in report.contacts
        ],
    )
    doc.section(
        "Purposes of the processing (Art. 15(1)(a))",
        items=[f"{p.name} (legal basis: {p.legal_basis})" for p in report.purposes],
    )
    doc.section("Categories of personal data (Art. 15(1)(b))", items=report.categories)
    doc.section(
        "Recipients your data was disclosed to (Art. 15(1)(c))",
        items=[
            f"{r.name} ({r.role}, {r.country or 'country not recorded'}): {', '.join(r.categories)}"
            for r in report.recipients
        ]
        or ["none recorded"],
    )
    doc.section("Categories of recipients by the data map", items=report.recipient_categories)
    doc.section(
        "How long it is kept (Art. 15(1)(d))",
        items=[f"{r.category}: {'; '.join(r.rules) or 'no rule recorded'}" for r in report.retention],
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
        "Transfers to third countries and their safeguards (Art. 15(2))",
        items=[
            f"{t.key}: {', '.join(t.from_countries)} → {', '.join(t.to_countries)}, {t.importer}, "
            f"{t.mechanism} ({'valid' if t.valid else 'NOT VALID'} on {report.as_of.isoformat()})"
            for t in report.transfers
        ]
        or ["none"],
    )
    return doc

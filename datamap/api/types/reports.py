"""GraphQL types of reports: Shine-the-Light, GDPR access, the record of processing, transfers, CCPA."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import strawberry

from datamap.domain import access_report as ar
from datamap.domain import ccpa
from datamap.domain import ropa as rp
from datamap.domain import shine_the_light as stl
from datamap.domain.documents import Document
from datamap.domain.transfer_validity import Severity
from datamap.services.reports.map_reports import TransferRegister as RegisterData

SeverityEnum = strawberry.enum(Severity, name="FindingSeverity")


def _json(value: Any) -> str:
    return json.dumps(dataclasses.asdict(value), default=str, ensure_ascii=False, sort_keys=True)


@strawberry.type
class StatutoryCategory:
    letter: str = strawberry.field(description="Civ. Code §1798.83(e)(6) letter")
    name: str


@strawberry.type
class ThirdParty:
    key: str
    name: str
    address: str | None
    country: str | None
    marketing_examples: str | None
    categories: list[str] = strawberry.field(description="Statutory letters disclosed to it")


@strawberry.type(description="A Shine-the-Light response for one calendar year")
class ShineTheLightReport:
    request_id: str | None
    received: dt.date | None
    due: dt.date | None = strawberry.field(description="30 days at the designated address, 150 otherwise")
    repeated: bool = strawberry.field(description="True when this is the year's first response, given again")
    first_received: dt.date | None
    year: int = strawberry.field(description="The calendar year the disclosures were made in")
    route: str = strawberry.field(
        description="disclosure_report, opt_in_policy or opt_out_policy (§1798.83(c)(2))"
    )
    categories: list[StatutoryCategory]
    third_parties: list[ThirdParty]
    findings: list[str] = strawberry.field(description="What the map lacks for a complete response")
    json: str
    letter_text: str
    letter_html: str

    @classmethod
    def of(cls, response: stl.ShineTheLightResponse, letter: Document, **request: Any) -> ShineTheLightReport:
        return cls(
            request_id=request.get("request_id"),
            received=request.get("received"),
            due=request.get("due"),
            repeated=request.get("repeated", False),
            first_received=request.get("first_received"),
            year=response.year,
            route=response.route,
            categories=[StatutoryCategory(letter=c.letter, name=c.name) for c in response.categories],
            third_parties=[
                ThirdParty(
                    key=t.key,
                    name=t.name,
                    address=t.address,
                    country=t.country,
                    marketing_examples=t.marketing_examples,
                    categories=list(t.categories),
                )
                for t in response.third_parties
            ],
            findings=response.findings,
            json=response.to_json(),
            letter_text=letter.text(),
            letter_html=letter.html(),
        )


@strawberry.type
class ReportPurpose:
    key: str
    name: str
    legal_basis: str | None
    observed: bool


@strawberry.type
class DisclosedRecipient:
    key: str
    name: str
    role: str | None
    country: str | None
    categories: list[str]
    first_disclosed: dt.datetime | None


@strawberry.type
class CategoryRetention:
    category: str
    rules: list[str]


@strawberry.type
class ReportRight:
    key: str
    name: str
    law: str
    article: str | None


@strawberry.type
class ReportSource:
    key: str
    name: str
    kind: str | None
    categories: list[str]


@strawberry.type
class Safeguard:
    key: str
    mechanism: str
    from_countries: list[str]
    to_countries: list[str]
    importer: str
    valid: bool
    findings: list[str]


@strawberry.type(description="GDPR Art. 15 access report (and the Art. 20 portability export)")
class AccessReport:
    subject_id: str
    as_of: dt.date
    controller: str
    purposes: list[ReportPurpose]
    categories: list[str]
    recipients: list[DisclosedRecipient] = strawberry.field(description="Named: those actually disclosed to")
    recipient_categories: list[str]
    retention: list[CategoryRetention]
    rights: list[ReportRight]
    sources: list[ReportSource]
    automated_decisions: str
    transfers: list[Safeguard]
    portability_json: str = strawberry.field(description="Data the subject provided, structured (Art. 20)")
    json: str
    document_text: str
    document_html: str

    @classmethod
    def of(cls, r: ar.AccessReport) -> AccessReport:
        doc = ar.access_document(r)
        return cls(
            subject_id=r.subject_id,
            as_of=r.as_of,
            controller=r.controller.get("name", ""),
            purposes=[
                ReportPurpose(
                    key=p["key"], name=p["name"], legal_basis=p["legalBasis"], observed=p["observed"]
                )
                for p in r.purposes
            ],
            categories=r.categories,
            recipients=[
                DisclosedRecipient(
                    key=x.key,
                    name=x.name,
                    role=x.role,
                    country=x.country,
                    categories=list(x.categories),
                    first_disclosed=x.first_disclosed,
                )
                for x in r.recipients
            ],
            recipient_categories=r.recipient_categories,
            retention=[CategoryRetention(category=x.category, rules=list(x.rules)) for x in r.retention],
            rights=[
                ReportRight(key=x["key"], name=x["name"], law=x["law"], article=x.get("article"))
                for x in r.rights
            ],
            sources=[ReportSource(**s) for s in r.sources],
            automated_decisions=r.automated_decisions,
            transfers=[
                Safeguard(
                    key=t.key,
                    mechanism=t.mechanism,
                    from_countries=list(t.from_countries),
                    to_countries=list(t.to_countries),
                    importer=t.importer,
                    valid=t.valid,
                    findings=list(t.findings),
                )
                for t in r.transfers
            ],
            portability_json=json.dumps(r.portability, ensure_ascii=False),
            json=_json(r),
            document_text=doc.text(),
            document_html=doc.html(),
        )


@strawberry.type(description="Art. 30(1): one processing activity of the controller record")
class ControllerActivity:
    key: str
    activity: str
    controller: str
    purposes: str
    subject_categories: str
    data_categories: str
    recipients: str
    transfers: str
    erasure_time_limits: str
    security_measures: str


@strawberry.type(description="Art. 30(2): one activity carried out as processor")
class ProcessorActivity:
    key: str
    activity: str
    processor: str
    controllers: str
    processing_categories: str
    transfers: str
    security_measures: str


@strawberry.type(description="The record of processing activities (GDPR Art. 30)")
class RecordOfProcessing:
    as_of: dt.date
    controller_record: list[ControllerActivity]
    processor_record: list[ProcessorActivity]
    csv_url: str
    xlsx_url: str
    json_url: str

    @classmethod
    def of(cls, r: rp.RecordOfProcessing) -> RecordOfProcessing:
        query = f"?asOf={r.as_of.isoformat()}"
        return cls(
            as_of=r.as_of,
            controller_record=[ControllerActivity(**dataclasses.asdict(x)) for x in r.controller_record],
            processor_record=[ProcessorActivity(**dataclasses.asdict(x)) for x in r.processor_record],
            csv_url=f"/reports/ropa.csv{query}",
            xlsx_url=f"/reports/ropa.xlsx{query}",
            json_url=f"/reports/ropa.json{query}",
        )


@strawberry.type
class Finding:
    severity: SeverityEnum  # type: ignore[valid-type]
    code: str
    message: str
    fix: str


@strawberry.type
class RegisteredTransfer:
    key: str
    exporter: str
    importer: str
    from_countries: list[str]
    to_countries: list[str]
    categories: list[str]
    mechanism: str
    valid: bool = strawberry.field(
        description="Whether the mechanism is a valid ground on the register's date"
    )
    findings: list[Finding]


@strawberry.type
class RegisterHealth:
    critical: int
    high: int
    medium: int
    low: int
    info: int


@strawberry.type(description="Every transfer in force on a date, with the health of its mechanism")
class TransferRegister:
    as_of: dt.date
    health: RegisterHealth
    transfers: list[RegisteredTransfer]

    @classmethod
    def of(cls, r: RegisterData) -> TransferRegister:
        return cls(
            as_of=r.as_of,
            health=RegisterHealth(**r.health),
            transfers=[
                RegisteredTransfer(
                    key=e.transfer["key"],
                    exporter=e.transfer["exporter"]["name"],
                    importer=e.transfer["importer"]["name"],
                    from_countries=e.transfer["fromCountries"],
                    to_countries=e.transfer["toCountries"],
                    categories=sorted(e.transfer["categories"]),
                    mechanism=e.transfer["mechanism"],
                    valid=e.validity.valid,
                    findings=[
                        Finding(severity=f.severity, code=f.code, message=f.message, fix=f.fix)
                        for f in e.validity.findings
                    ],
                )
                for e in r.entries
            ],
        )


@strawberry.type(description="CCPA right to know: the 12 months before the request")
class RightToKnow:
    subject_id: str
    window_from: dt.date
    window_to: dt.date
    categories_collected: list[str]
    sources: list[str]
    purposes: list[str]
    third_party_categories: list[str]
    sold_or_shared: list[str] = strawberry.field(
        description="Categories sold or shared (third parties' marketing)"
    )
    disclosed_for_business_purpose: list[str] = strawberry.field(
        description="Categories given to service providers"
    )

    @classmethod
    def of(cls, r: ccpa.RightToKnow) -> RightToKnow:
        return cls(**dataclasses.asdict(r))

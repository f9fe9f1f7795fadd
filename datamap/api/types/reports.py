"""GraphQL types of reports: Shine-the-Light, GDPR access, the record of processing, transfers, CCPA.

The reports' parts are the domain's (and the transfer register's) dataclasses themselves, exposed with
`strawberry.type` under their GraphQL names (`_expose`): their fields are declared once, there. The types below
are the reports as the API gives them, each with what it adds (JSON, letters, download links).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, TypeAlias

import strawberry
from strawberry.types.base import get_object_definition

from datamap.domain import access_report as ar
from datamap.domain import ccpa, ccpa_categories
from datamap.domain import ropa as rp
from datamap.domain import shine_the_light as stl
from datamap.domain.transfer_validity import Finding as DomainFinding
from datamap.domain.transfer_validity import Severity
from datamap.services.reports import map_reports
from datamap.services.reports.shine_the_light import CustomerResponse
from datamap.services.reports.stl_standard import StandardResponse

SeverityEnum = strawberry.enum(Severity, name="FindingSeverity")
CcpaGround = strawberry.enum(
    ccpa.Ground,
    name="CcpaGround",
    description="How the CCPA counts a disclosure: sold (§1798.140(ad)), shared (§1798.140(ah)) or for a "
    "business purpose (§1798.140(e))",
)


def _expose(cls: type[Any], name: str, description: str | None = None, **field_descriptions: str) -> None:
    """Make dataclass `cls` the GraphQL type `name`, its fields as they are (strawberry.type), and describe some.

    Strawberry wraps the class with `dataclasses.dataclass(kw_only=True)` once more: that keeps the class's own
    `__init__`, `__eq__`, `__hash__` and `__setattr__` (dataclasses never overwrites them), and its dataclass
    parameters and fields are put back here, so the class behaves as it did (frozen, positional arguments)."""
    params, fields = cls.__dataclass_params__, cls.__dataclass_fields__
    strawberry.type(cls, name=name, description=description)
    cls.__dataclass_params__, cls.__dataclass_fields__ = params, fields
    definition = get_object_definition(cls, strict=True)
    for python_name, text in field_descriptions.items():
        field = definition.get_field(python_name)
        if field is None:
            raise TypeError(f"{cls.__qualname__} has no field {python_name!r} to describe")
        field.description = text


_expose(
    stl.StatutoryCategory, "StatutoryCategory", item="The item of Civ. Code §1798.83(e)(6)(A): i to xxvii"
)
_expose(stl.ThirdParty, "ThirdParty", categories="The items of §1798.83(e)(6)(A) disclosed to it")
_expose(ar.NamedRecipient, "DisclosedRecipient")
_expose(ar.Retention, "CategoryRetention")
_expose(
    ar.TransferSafeguard,
    "Safeguard",
    for_person="What the person is told (Art. 15(2)); null when no valid safeguard holds: fix that first",
    staff_note="For staff: valid on the date, or NOT VALID with the first CRITICAL finding",
)
_expose(
    rp.ControllerRow, "ControllerActivity", "Art. 30(1): one processing activity of the controller record"
)
_expose(rp.ProcessorRow, "ProcessorActivity", "Art. 30(2): one activity carried out as processor")
_expose(
    DomainFinding,
    "Finding",
    entries="The entries concerned, as kind:key (system:billing, purpose:billing, data_category:user.name, "
    "record:<id> for a recorded event); empty where the message names its one subject",
)
_expose(
    map_reports.RegisterEntry,
    "RegisteredTransfer",
    valid="Whether the mechanism is a valid ground on the register's date, for every exporter's law it concerns",
    safeguard="The mechanism as the law names it, with its instrument",
)
_expose(
    ccpa_categories.CcpaCategory,
    "CcpaCategory",
    "A category of personal information as Civ. Code §1798.140(v)(1) names it",
    letter="The subparagraph of §1798.140(v)(1): A to L (? where the map gives none)",
    subsection="The subsection that names it",
)
_expose(
    ccpa.DisclosedTo,
    "DisclosedTo",
    "§1798.115(a)(2)-(3): the categories disclosed on one ground to one category of recipients",
    recipients="The category of third parties (or of persons, for a business purpose), in words",
)
_expose(
    ccpa.RightToKnow,
    "RightToKnow",
    "CCPA right to know: the 12 months before the request, or back to `since` (§1798.130(a)(2)(B))",
    period="The window's rule, with its subsection",
    categories_collected="Categories collected (§1798.110(a)(1)), as §1798.140(v)(1) names them",
    sold="Categories disclosed to a third party for its own marketing: a sale where for consideration "
    "(§1798.140(ad); §1798.115(a)(2))",
    shared="Categories shared for cross-context behavioural advertising (§1798.140(ah); §1798.115(a)(2))",
    disclosed_for_business_purpose="Categories disclosed for a business purpose (§1798.140(e); §1798.115(a)(3))",
    disclosed_to="Each category of recipients with the categories sold, shared or disclosed to it "
    "(§1798.115(a)(2)-(3))",
)

StatutoryCategory: TypeAlias = stl.StatutoryCategory
ThirdParty: TypeAlias = stl.ThirdParty
DisclosedRecipient: TypeAlias = ar.NamedRecipient
CategoryRetention: TypeAlias = ar.Retention
Safeguard: TypeAlias = ar.TransferSafeguard
ControllerActivity: TypeAlias = rp.ControllerRow
ProcessorActivity: TypeAlias = rp.ProcessorRow
Finding: TypeAlias = DomainFinding
RegisteredTransfer: TypeAlias = map_reports.RegisterEntry
RightToKnow: TypeAlias = ccpa.RightToKnow
CcpaCategory: TypeAlias = ccpa_categories.CcpaCategory
DisclosedTo: TypeAlias = ccpa.DisclosedTo


def _json(value: Any) -> str:
    return json.dumps(dataclasses.asdict(value), default=str, ensure_ascii=False, sort_keys=True)


@strawberry.type(description="A Shine-the-Light response for one calendar year")
class ShineTheLightReport:
    eligible: bool = strawberry.field(
        description="Whether the requester is a customer of §1798.83(e)(1): a California resident whose "
        "established relationship is primarily for personal, family, or household purposes"
    )
    reasons: list[str] = strawberry.field(description="Why not, when not eligible")
    recorded: bool = strawberry.field(description="False for a preview: nothing was recorded")
    issued_at: dt.datetime | None = strawberry.field(
        description="The business-wide report: when it was issued (null: a preview of the data as they stand)"
    )
    digest: str | None = strawberry.field(description="SHA-256 of the response as recorded or issued")
    request_id: str | None
    subject_id: str | None = strawberry.field(
        description="The customer's subject id (a customer the map does not know gets one for the request)"
    )
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
    def of(cls, found: CustomerResponse | StandardResponse) -> ShineTheLightReport:
        """A customer's recorded request and its response, or the business-wide response (no request)."""
        request = found if isinstance(found, CustomerResponse) else None
        standard = found if isinstance(found, StandardResponse) else None
        response, letter = found.response, found.letter()
        issued_at = standard.issued_at if standard else None
        return cls(
            eligible=response.eligible,
            reasons=response.reasons,
            recorded=request.recorded if request else issued_at is not None,
            issued_at=issued_at,
            digest=(request.digest if request.recorded else None)
            if request
            else standard.digest
            if standard
            else None,
            request_id=(request.request_id if request.recorded else None) if request else None,
            subject_id=request.subject_id if request else None,
            received=request.received if request else None,
            due=request.due if request else None,
            repeated=request.repeated if request else False,
            first_received=request.first_received if request else None,
            year=response.year,
            route=response.route,
            categories=response.categories,
            third_parties=response.third_parties,
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

    @classmethod
    def of(cls, p: ar.ReportPurpose) -> ReportPurpose:
        return cls(key=p.key, name=p.name, legal_basis=p.legal_basis, observed=p.observed)


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
    findings: list[DomainFinding] = strawberry.field(
        description="For staff, before sending (never in the document): recipients known only by category "
        "(C-154/21), invalid safeguards, an unknown residence"
    )
    # The report as JSON and as a document are written only when asked for (writing the JSON costs more than the
    # rest of the answer together)
    report: strawberry.Private[ar.AccessReport]

    @strawberry.field(description="Data the subject provided, structured (Art. 20)")
    def portability_json(self) -> str:
        return json.dumps(self.report.portability, ensure_ascii=False)

    @strawberry.field
    def json(self) -> str:
        return _json(self.report)

    @strawberry.field
    def document_text(self) -> str:
        return ar.access_document(self.report).text()

    @strawberry.field
    def document_html(self) -> str:
        return ar.access_document(self.report).html()

    @classmethod
    def of(cls, r: ar.AccessReport) -> AccessReport:
        return cls(
            subject_id=r.subject_id,
            as_of=r.as_of,
            controller=r.controller.get("name", ""),
            purposes=[ReportPurpose.of(p) for p in r.purposes],
            categories=r.categories,
            recipients=r.recipients,
            recipient_categories=r.recipient_categories,
            retention=r.retention,
            rights=[
                ReportRight(key=x["key"], name=x["name"], law=x["law"], article=x["article"])
                for x in r.rights
            ],
            sources=[
                ReportSource(key=s["key"], name=s["name"], kind=s["kind"], categories=s["categories"])
                for s in r.sources
            ],
            automated_decisions=r.automated_decisions,
            transfers=r.transfers,
            findings=r.findings,
            report=r,
        )


@strawberry.type(description="The record of processing activities (GDPR Art. 30)")
class RecordOfProcessing:
    as_of: dt.date
    controller_record: list[ControllerActivity]
    processor_record: list[ProcessorActivity]
    findings: list[DomainFinding] = strawberry.field(
        description="What the record lacks (e.g. Art. 30(2)(a): controllers not named as organisations)"
    )
    csv_url: str
    xlsx_url: str
    json_url: str

    @classmethod
    def of(cls, r: rp.RecordOfProcessing) -> RecordOfProcessing:
        query = f"?asOf={r.as_of.isoformat()}"
        return cls(
            as_of=r.as_of,
            controller_record=r.controller_record,
            processor_record=r.processor_record,
            findings=r.findings,
            csv_url=f"/reports/ropa.csv{query}",
            xlsx_url=f"/reports/ropa.xlsx{query}",
            json_url=f"/reports/ropa.json{query}",
        )


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
    def of(cls, r: map_reports.TransferRegister) -> TransferRegister:
        return cls(as_of=r.as_of, health=RegisterHealth(**r.health), transfers=r.entries)

"""The record of processing activities (GDPR Art. 30): one row per activity, every Art. 30 item. Pure.

The controller record (Art. 30(1)(a)-(g)) lists the activities where the organisation decides; the processor
record (Art. 30(2)(a)-(d)) those it carries out on behalf of others (`actingAs: processor` in the map): each
controller by name and contact details (Art. 30(2)(a); where the map names none, a finding for staff), and only
the transfers made on those controllers' behalf (Art. 30(2)(c): a transfer's `onBehalfOf`), never the
organisation's own, which belong to the controller record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from datamap.domain.categories import related
from datamap.domain.report_rows import (
    ContactRow,
    OrganisationRow,
    RetentionRow,
    RopaPurpose,
    RopaRow,
    RopaTransfer,
)
from datamap.domain.transfer_findings import Finding, Severity
from datamap.domain.transfer_safeguards import SafeguardStatus, facts_of, safeguard_status

CONTROLLER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("activity", "Processing activity"),
    (
        "controller",
        "Art. 30(1)(a) Controller, joint controller, representative, DPO: name and contact details",
    ),
    ("purposes", "Art. 30(1)(b) Purposes of the processing (and legal basis)"),
    ("subject_categories", "Art. 30(1)(c) Categories of data subjects"),
    ("data_categories", "Art. 30(1)(c) Categories of personal data"),
    ("recipients", "Art. 30(1)(d) Categories of recipients, including in third countries"),
    ("transfers", "Art. 30(1)(e) Transfers to third countries and their safeguards"),
    ("erasure_time_limits", "Art. 30(1)(f) Time limits for erasure of the categories of data"),
    ("security_measures", "Art. 30(1)(g) Technical and organisational security measures"),
)
PROCESSOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("activity", "Processing activity"),
    ("processor", "Art. 30(2)(a) Processor: name and contact details"),
    ("controllers", "Art. 30(2)(a) Controllers on whose behalf it acts"),
    ("processing_categories", "Art. 30(2)(b) Categories of processing carried out for each controller"),
    ("transfers", "Art. 30(2)(c) Transfers to third countries and their safeguards"),
    ("security_measures", "Art. 30(2)(d) Technical and organisational security measures"),
)


@dataclass(frozen=True)
class ControllerRow:
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


@dataclass(frozen=True)
class ProcessorRow:
    key: str
    activity: str
    processor: str
    controllers: str
    processing_categories: str
    transfers: str
    security_measures: str


@dataclass
class RecordOfProcessing:
    as_of: dt.date
    controller_record: list[ControllerRow]
    processor_record: list[ProcessorRow]
    findings: list[Finding] = field(default_factory=list)  # what the record lacks, for staff

    def to_json(self) -> str:
        return json.dumps(
            {
                "asOf": self.as_of.isoformat(),
                "controllerRecord": [asdict(r) for r in self.controller_record],
                "processorRecord": [asdict(r) for r in self.processor_record],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_csv(self) -> str:
        """Both records in one table: a `record` column says which, each Art. 30 item a column."""
        out = io.StringIO()
        columns = [
            "record",
            *(name for name, _ in CONTROLLER_COLUMNS),
            "processor",
            "controllers",
            "processing_categories",
        ]
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for c_row in self.controller_record:
            writer.writerow({"record": "controller (Art. 30(1))", **asdict(c_row)})
        for p_row in self.processor_record:
            writer.writerow({"record": "processor (Art. 30(2))", **asdict(p_row)})
        return out.getvalue()

    def to_xlsx(self) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheets = (
            (book.active, "Controller record", CONTROLLER_COLUMNS, self.controller_record),
            (book.create_sheet(), "Processor record", PROCESSOR_COLUMNS, self.processor_record),
        )
        for sheet, title, columns, rows in sheets:
            assert sheet is not None
            sheet.title = title
            sheet.append([label for _, label in columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in rows:
                sheet.append([getattr(row, name) for name, _ in columns])
            for index in range(1, len(columns) + 1):
                sheet.column_dimensions[get_column_letter(index)].width = 45
            sheet.freeze_panes = "B2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _join(items: Sequence[str]) -> str:
    return "; ".join(items) if items else "none"


def _contact(controller: OrganisationRow, contacts: Sequence[ContactRow]) -> str:
    parts = [controller.get("name", ""), controller.get("address") or ""]
    parts += [f"{c['kind']}: {c['value']}" for c in contacts]
    parts.append("joint controller, EU representative and DPO: none named in the notice")
    return _join([p for p in parts if p])


def _safeguards(transfers: Sequence[RopaTransfer], as_of: dt.date) -> dict[str, SafeguardStatus]:
    """Each transfer's safeguard and its validity on the record's date (GDPR Arts. 44-46, `transfer_validity`)."""
    return {t["key"]: safeguard_status(facts_of(t), as_of) for t in transfers}


def _transfers(
    categories: Sequence[str], transfers: Sequence[RopaTransfer], safeguards: dict[str, SafeguardStatus]
) -> str:
    """Art. 30(1)(e) / 30(2)(c): each transfer carrying these categories, its countries, and its safeguard with
    the safeguard's validity on the record's date (a safeguard no longer in force is flagged NOT VALID)."""
    return _join(
        [
            f"{t['exporter']} → {t['importer']} ({', '.join(t['fromCountries'])} → {', '.join(t['toCountries'])}): "
            f"{safeguards[t['key']].safeguard} [{t['mechanism']}]"
            + (f", TIA review {t['tiaReviewDate']}" if t.get("tiaReviewDate") else "")
            + f" — {safeguards[t['key']].staff_note}"
            for t in transfers
            if any(related(a, b) for a in categories for b in t["categories"])
        ]
    )


def _controllers(p: RopaPurpose) -> tuple[str, list[Finding]]:
    """Art. 30(2)(a): "the name and contact details of ... each controller on behalf of which the processor is
    acting"; a finding where the map names them only in words."""
    named = [
        ", ".join(x for x in (o.get("name"), o.get("address"), o.get("country")) if x)
        for o in sorted(p["controllerOrganisations"], key=lambda o: o.get("key", ""))
    ]
    if named:
        return _join(named), []
    words = p.get("controllers") or "not recorded"
    finding = Finding(
        Severity.MEDIUM,
        "controllers_not_named",
        f"{p['name']}: the controllers on whose behalf it is carried out are not named as organisations "
        f"(the map says: {words}); Art. 30(2)(a) asks for each one's name and contact details.",
        f"Record each customer as an organisation and list it in controllerOrganisations of {p['key']}.",
    )
    return f"not named as organisations: {words}", [finding]


def _for_controllers(p: RopaPurpose, transfers: Sequence[RopaTransfer]) -> list[RopaTransfer]:
    """The transfers made on behalf of this activity's controllers (all made for others, where none is named)."""
    keys = {o.get("key") for o in p["controllerOrganisations"]}
    return [
        t for t in transfers if (keys & set(t.get("onBehalfOf") or ())) or (not keys and t.get("onBehalfOf"))
    ]


def _limits(categories: Sequence[str], retention: Sequence[RetentionRow]) -> str:
    rules = [r for r in retention if any(related(a, b) for a in categories for b in r["categories"])]
    return _join(
        [f"{r['name']}: {r['period'] or r['criteria']}" for r in sorted(rules, key=lambda r: r["key"])]
    )


def build_ropa(row: RopaRow, as_of: dt.date) -> RecordOfProcessing:
    """From the ROPA row: every purpose as a controller or processor activity."""
    notice = row["notice"]
    contact = _contact(row["controller"] or {}, row["contacts"])
    security = (notice["securityMeasures"] if notice else None) or "not described in the map"
    controller_rows, processor_rows = [], []
    safeguards = _safeguards(row["transfers"], as_of)
    own = [t for t in row["transfers"] if not t.get("onBehalfOf")]
    findings: list[Finding] = []
    for p in sorted(row["purposes"], key=lambda p: p["key"]):
        categories = sorted(p["categories"])
        if p.get("actingAs") == "processor":
            controllers, missing = _controllers(p)
            findings += missing
            processor_rows.append(
                ProcessorRow(
                    p["key"],
                    p["name"],
                    contact,
                    controllers,
                    f"{p.get('description') or p['name']} Data: {_join(categories)}",
                    _transfers(categories, _for_controllers(p, row["transfers"]), safeguards),
                    security,
                )
            )
            continue
        transfers = _transfers(categories, own, safeguards)
        recipients = sorted(
            {
                f"{r['role']}: {r['kind']}" + (f" ({r['country']})" if r.get("country") else "")
                for r in p["recipients"]
            }
        )
        basis = p["legalBasis"] + (f" ({p['legitimateInterest']})" if p.get("legitimateInterest") else "")
        controller_rows.append(
            ControllerRow(
                p["key"],
                p["name"],
                contact,
                f"{p.get('description') or p['name']} Legal basis: {basis}",
                _join(sorted(p["subjectCategories"])),
                _join(categories),
                _join(recipients),
                transfers,
                _limits(categories, row["retention"]),
                security,
            )
        )
    return RecordOfProcessing(as_of, controller_rows, processor_rows, findings)

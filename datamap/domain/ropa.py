"""The record of processing activities (GDPR Art. 30): one row per activity, every Art. 30 item. Pure.

The controller record (Art. 30(1)(a)-(g)) lists the activities where the organisation decides; the processor
record (Art. 30(2)(a)-(d)) those it carries out on behalf of others (`actingAs: processor` in the map).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from datamap.domain.categories import related
from datamap.domain.report_rows import ContactRow, OrganisationRow, RetentionRow, RopaRow, RopaTransfer

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


def _transfers(categories: Sequence[str], transfers: Sequence[RopaTransfer]) -> str:
    return _join(
        [
            f"{t['exporter']} → {t['importer']} ({', '.join(t['fromCountries'])} → {', '.join(t['toCountries'])}), "
            f"{t['mechanism']}" + (f", TIA review {t['tiaReviewDate']}" if t.get("tiaReviewDate") else "")
            for t in transfers
            if any(related(a, b) for a in categories for b in t["categories"])
        ]
    )


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
    for p in sorted(row["purposes"], key=lambda p: p["key"]):
        categories = sorted(p["categories"])
        transfers = _transfers(categories, row["transfers"])
        if p.get("actingAs") == "processor":
            processor_rows.append(
                ProcessorRow(
                    p["key"],
                    p["name"],
                    contact,
                    p.get("controllers") or "not recorded",
                    f"{p.get('description') or p['name']} Data: {_join(categories)}",
                    transfers,
                    security,
                )
            )
            continue
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
    return RecordOfProcessing(as_of, controller_rows, processor_rows)

"""The record of processing and the transfer register as readable HTML pages (`/reports/ropa.html`,
`/reports/transfers.html`): the same reports as the downloads and the GraphQL fields, one section per activity or
transfer, written with the documents' renderer (`domain/documents.py`)."""

from __future__ import annotations

import datetime as dt

from datamap.domain.documents import Document
from datamap.domain.ropa import CONTROLLER_COLUMNS, PROCESSOR_COLUMNS, RecordOfProcessing
from datamap.domain.transfer_findings import Finding
from datamap.graph.database import Database
from datamap.services.reports.map_reports import TransferRegister, record_of_processing, transfer_register


def _finding(f: Finding) -> str:
    return f"{f.severity.value.upper()} {f.code}: {f.message} What to do: {f.fix}"


def ropa_document(record: RecordOfProcessing) -> Document:
    """GDPR Art. 30: the controller record (Art. 30(1)(a)-(g)) and the processor record (Art. 30(2)(a)-(d)),
    one section per processing activity, each item under the label that cites its subsection."""
    doc = Document(f"Record of processing activities (GDPR Art. 30) as of {record.as_of.isoformat()}")
    doc.section(
        "Controller record (GDPR Art. 30(1))",
        f"{len(record.controller_record)} processing activities where the organisation decides the purposes "
        "and means.",
    )
    for c_row in record.controller_record:
        doc.section(
            c_row.activity,
            items=[f"{label}: {getattr(c_row, name)}" for name, label in CONTROLLER_COLUMNS[1:]],
        )
    doc.section(
        "Processor record (GDPR Art. 30(2))",
        f"{len(record.processor_record)} processing activities carried out on behalf of other controllers.",
    )
    for p_row in record.processor_record:
        doc.section(
            p_row.activity,
            items=[f"{label}: {getattr(p_row, name)}" for name, label in PROCESSOR_COLUMNS[1:]],
        )
    if record.findings:
        doc.section("What the record lacks (for staff)", items=[_finding(f) for f in record.findings])
    return doc


def transfer_register_document(register: TransferRegister) -> Document:
    """Every transfer to a third country in force on the date (GDPR Art. 30(1)(e)), its safeguard (Art. 44-46)
    and whether it is a valid ground on that day, with the findings for staff."""
    day = register.as_of.isoformat()
    doc = Document(f"Register of transfers to third countries (GDPR Chapter V) as of {day}")
    health = ", ".join(f"{severity}: {count}" for severity, count in register.health.items())
    valid = sum(1 for e in register.entries if e.valid)
    doc.section(
        "Summary",
        f"{len(register.entries)} transfers in force, {valid} with a valid safeguard on {day}.",
        f"Findings by severity: {health}.",
    )
    for e in register.entries:
        doc.section(
            f"{e.exporter} → {e.importer} ({e.key})",
            items=[
                f"From: {', '.join(e.from_countries)}; to: {', '.join(e.to_countries)}",
                f"Categories of personal data: {', '.join(e.categories) or 'none'}",
                f"Safeguard (GDPR Art. 44-46): {e.safeguard} [{e.mechanism}]",
                f"Valid ground on {day}: {'yes' if e.valid else 'NO'}",
                *(f"Finding: {_finding(f)}" for f in e.findings),
            ],
        )
    return doc


async def ropa_page(db: Database, as_of: dt.date | None = None, *, now: dt.datetime) -> str:
    return ropa_document(await record_of_processing(db, as_of, now=now)).html()


async def transfer_register_page(db: Database, as_of: dt.date | None = None, *, now: dt.datetime) -> str:
    return transfer_register_document(await transfer_register(db, as_of, now=now)).html()

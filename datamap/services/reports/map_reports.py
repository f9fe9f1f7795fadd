"""Reports about the map: the record of processing (Art. 30) and the transfer register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datamap.domain.ropa import RecordOfProcessing, build_ropa
from datamap.domain.transfer_validity import (
    Certification,
    Finding,
    TransferFacts,
    Validity,
    assess,
    register_health,
)
from datamap.domain.vocabulary import TransferMechanism
from datamap.graph import report_queries as q
from datamap.graph.database import Database
from datamap.services.lineage import as_of_params


async def record_of_processing(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> RecordOfProcessing:
    day, params = as_of_params(as_of, now)
    return build_ropa(await q.read_ropa(db, params), day)


@dataclass(frozen=True)
class RegisterEntry:
    """One transfer in force and whether its mechanism is a valid ground on the register's date."""

    key: str
    exporter: str
    importer: str
    from_countries: list[str]
    to_countries: list[str]
    categories: list[str]
    mechanism: str
    valid: bool
    findings: tuple[Finding, ...]  # most severe first


@dataclass(frozen=True)
class TransferRegister:
    as_of: dt.date
    entries: list[RegisterEntry]
    health: dict[str, int]


def facts(transfer: q.RegisterTransferRow) -> TransferFacts:
    return TransferFacts(
        key=transfer["key"],
        mechanism=TransferMechanism(transfer["mechanism"]),
        from_countries=tuple(transfer["fromCountries"]),
        to_countries=tuple(transfer["toCountries"]),
        importer_certifications=tuple(
            Certification(TransferMechanism(c["program"]), c["validFrom"], c.get("validTo"))
            for c in transfer["certifications"]
        ),
        tia_review_date=transfer.get("tiaReviewDate"),
        valid_from=transfer.get("validFrom"),
    )


def entry(transfer: q.RegisterTransferRow, validity: Validity) -> RegisterEntry:
    return RegisterEntry(
        key=transfer["key"],
        exporter=transfer["exporter"]["name"],
        importer=transfer["importer"]["name"],
        from_countries=transfer["fromCountries"],
        to_countries=transfer["toCountries"],
        categories=sorted(transfer["categories"]),
        mechanism=transfer["mechanism"],
        valid=validity.valid,
        findings=validity.findings,
    )


async def transfer_register(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> TransferRegister:
    """Every transfer in force on the date, with its mechanism's validity and findings."""
    day, params = as_of_params(as_of, now)
    transfers = await q.read_transfer_register(db, params)
    assessed = [(f, assess(f, day)) for f in map(facts, transfers)]
    return TransferRegister(
        day,
        [entry(t, v) for t, (_, v) in zip(transfers, assessed, strict=True)],
        register_health(assessed),
    )

"""Reports about the map: the record of processing (Art. 30) and the transfer register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from datamap.domain.ropa import RecordOfProcessing, build_ropa
from datamap.domain.transfer_safeguards import SafeguardStatus, facts_of, safeguard_status
from datamap.domain.transfer_validity import Finding, TransferFacts, Validity, register_health
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
    safeguard: str  # the mechanism as the law names it, with its instrument
    valid: bool
    findings: tuple[Finding, ...]  # most severe first


@dataclass(frozen=True)
class TransferRegister:
    as_of: dt.date
    entries: list[RegisterEntry]
    health: dict[str, int]


def entry(transfer: q.RegisterTransferRow, status: SafeguardStatus) -> RegisterEntry:
    return RegisterEntry(
        key=transfer["key"],
        exporter=transfer["exporter"]["name"],
        importer=transfer["importer"]["name"],
        from_countries=transfer["fromCountries"],
        to_countries=transfer["toCountries"],
        categories=sorted(transfer["categories"]),
        mechanism=transfer["mechanism"],
        safeguard=status.safeguard,
        valid=status.valid,
        findings=status.findings,
    )


def assess_transfers(
    transfers: Sequence[q.RegisterTransferRow], day: dt.date
) -> list[tuple[TransferFacts, SafeguardStatus]]:
    """Each transfer's facts and its safeguard on `day`: how the register judges them (the map findings too)."""
    return [(f, safeguard_status(f, day)) for f in map(facts_of, transfers)]


async def transfer_register(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> TransferRegister:
    """Every transfer in force on the date, with its mechanism's validity and findings."""
    day, params = as_of_params(as_of, now)
    transfers = await q.read_transfer_register(db, params)
    judged = assess_transfers(transfers, day)
    return TransferRegister(
        day,
        [entry(t, s) for t, (_, s) in zip(transfers, judged, strict=True)],
        register_health([(f, Validity(s.valid, s.findings)) for f, s in judged]),
    )

"""Reports about the map: the record of processing (Art. 30) and the transfer register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from datamap.domain.ropa import RecordOfProcessing, build_ropa
from datamap.domain.transfer_validity import Certification, TransferFacts, Validity, assess, register_health
from datamap.domain.vocabulary import TransferMechanism
from datamap.graph import report_queries as q
from datamap.graph.database import Database
from datamap.services.lineage import as_of_params


async def record_of_processing(db: Database, as_of: dt.date | None = None) -> RecordOfProcessing:
    day, params = as_of_params(as_of)
    (row,) = await db.read(q.ROPA, **params)
    return build_ropa(row, day)


@dataclass(frozen=True)
class RegisterEntry:
    transfer: dict[str, Any]
    validity: Validity


@dataclass(frozen=True)
class TransferRegister:
    as_of: dt.date
    entries: list[RegisterEntry]
    health: dict[str, int]


def facts(transfer: dict[str, Any]) -> TransferFacts:
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


async def transfer_register(db: Database, as_of: dt.date | None = None) -> TransferRegister:
    """Every transfer in force on the date, with its mechanism's validity and findings."""
    day, params = as_of_params(as_of)
    rows = await db.read(q.TRANSFER_REGISTER, **params)
    assessed = [(facts(r["transfer"]), r["transfer"]) for r in rows]
    entries = [RegisterEntry(raw, assess(f, day)) for f, raw in assessed]
    return TransferRegister(
        day, entries, register_health([(f, e.validity) for (f, _), e in zip(assessed, entries, strict=True)])
    )

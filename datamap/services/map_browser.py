"""Browsing the map as of a date: categories, purposes, sources, systems, recipients, transfers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.vocabulary import RecipientRole
from datamap.errors import ValidationError
from datamap.graph import map_queries as q
from datamap.graph.database import Database
from datamap.services.lineage import as_of_params

Row = dict[str, Any]


async def _rows(db: Database, query: Any, as_of: dt.date | None, **params: Any) -> list[Row]:
    _, temporal = as_of_params(as_of)
    return [r["row"] for r in await db.read(query, **temporal, **params)]


async def data_categories(db: Database, under: str | None = None, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.DATA_CATEGORIES, as_of, under=under)


async def purposes(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.PURPOSES, as_of)


async def sources(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.SOURCES, as_of)


async def systems(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.SYSTEMS, as_of)


async def recipients(
    db: Database, role: RecipientRole | None = None, as_of: dt.date | None = None
) -> list[Row]:
    return await _rows(db, q.RECIPIENTS, as_of, role=role.value if role else None)


async def transfers(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.TRANSFERS, as_of)


async def subject_categories(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.SUBJECT_CATEGORIES, as_of)


async def organisations(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.ORGANISATIONS, as_of)


async def retention_rules(db: Database, as_of: dt.date | None = None) -> list[Row]:
    return await _rows(db, q.RETENTION_RULES, as_of)


async def subject(db: Database, identifiers: Sequence[SubjectIdentifier], secret: bytes) -> Row | None:
    rows = await db.read(q.SUBJECT, hashes=[i.keyed_hash(secret) for i in identifiers])
    if len(rows) > 1:
        raise ValidationError("subject: the identifiers given belong to different subjects; give one of them")
    return rows[0]["row"] if rows else None


async def counts(db: Database) -> tuple[int, int]:
    (row,) = await db.read(q.COUNTS)
    return row["nodes"], row["relationships"]

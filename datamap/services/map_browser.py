"""Browsing the map as of a date: categories, purposes, sources, systems, recipients, transfers."""

from __future__ import annotations

import datetime as dt

from datamap.domain.vocabulary import RecipientRole
from datamap.graph import map_queries as q
from datamap.graph import map_rows as rows
from datamap.graph import subject_records
from datamap.graph.database import Database
from datamap.services.lineage import as_of_params
from datamap.services.subjects import SubjectLookup


def _as_of(as_of: dt.date | None, now: dt.datetime) -> dict[str, object]:
    """`$asOf` (the day asked for, or today's) and `$asOfEnd`."""
    _, temporal = as_of_params(as_of, now)
    return temporal


async def data_categories(
    db: Database, under: str | None = None, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.DataCategoryRow]:
    return await q.read_data_categories(db, _as_of(as_of, now), under)


async def purposes(db: Database, as_of: dt.date | None = None, *, now: dt.datetime) -> list[rows.PurposeRow]:
    return await q.read_purposes(db, _as_of(as_of, now))


async def sources(db: Database, as_of: dt.date | None = None, *, now: dt.datetime) -> list[rows.SourceRow]:
    return await q.read_sources(db, _as_of(as_of, now))


async def systems(db: Database, as_of: dt.date | None = None, *, now: dt.datetime) -> list[rows.SystemRow]:
    return await q.read_systems(db, _as_of(as_of, now))


async def recipients(
    db: Database, role: RecipientRole | None = None, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.RecipientRow]:
    return await q.read_recipients(db, _as_of(as_of, now), role)


async def transfers(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.TransferRow]:
    return await q.read_transfers(db, _as_of(as_of, now))


async def subject_categories(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.SubjectCategoryRow]:
    return await q.read_subject_categories(db, _as_of(as_of, now))


async def organisations(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.OrganisationRow]:
    return await q.read_organisations(db, _as_of(as_of, now))


async def retention_rules(
    db: Database, as_of: dt.date | None = None, *, now: dt.datetime
) -> list[rows.RetentionRuleRow]:
    return await q.read_retention_rules(db, _as_of(as_of, now))


async def subject(db: Database, subject: SubjectLookup) -> subject_records.SubjectRow | None:
    """What the graph holds about the one subject the identifiers point to; None when none."""
    return subject.one(await subject_records.read_subjects(db, subject.hashes))


async def counts(db: Database) -> tuple[int, int]:
    """How many nodes and relationships the graph holds."""
    row = await q.read_counts(db)
    return row.nodes, row.relationships

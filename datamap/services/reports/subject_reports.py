"""Reports about one subject: the GDPR access report and the CCPA right to know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from datamap.domain.access_report import AccessReport, build_access_report
from datamap.domain.ccpa import RightToKnow, build_right_to_know
from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.lineage import subject_lineage
from datamap.domain.local_days import CALIFORNIA
from datamap.errors import ValidationError
from datamap.graph import report_queries as q
from datamap.graph.database import Database
from datamap.graph.lineage_queries import SUBJECT_LINEAGE
from datamap.services.lineage import MAX_HOPS, as_of_params
from datamap.services.reports.common import check_received

REPORT_HOPS = MAX_HOPS - 1


def _one(rows: list[dict[str, object]]) -> dict[str, object] | None:
    if len(rows) > 1:
        raise ValidationError("subject: the identifiers given belong to different subjects; give one of them")
    return rows[0] if rows else None


async def access_report(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    as_of: dt.date | None = None,
) -> AccessReport | None:
    """Art. 15 for one subject as of a date; None when the graph holds no such subject."""
    day, params = as_of_params(as_of)
    rows = await db.read(
        q.ACCESS_REPORT,
        hashes=[i.keyed_hash(secret) for i in identifiers],
        category=None,
        ancestors=[],
        **params,
    )
    row = _one(rows)
    if row is None:
        return None
    lineage = subject_lineage(row, as_of=day, category=None, max_hops=REPORT_HOPS)
    return build_access_report(lineage, row, as_of=day)


async def right_to_know(
    db: Database,
    identifiers: Sequence[SubjectIdentifier],
    secret: bytes,
    received: dt.date,
) -> RightToKnow | None:
    """CCPA: the 12 months before the request; None when the graph holds no such subject."""
    check_received(received, dt.datetime.now(dt.UTC).date())
    _, params = as_of_params(received, CALIFORNIA)  # a CCPA request: California's days
    rows = await db.read(
        SUBJECT_LINEAGE,
        hashes=[i.keyed_hash(secret) for i in identifiers],
        category=None,
        ancestors=[],
        **params,
    )
    row = _one(rows)
    return build_right_to_know(row, received, REPORT_HOPS) if row is not None else None

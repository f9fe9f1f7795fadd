"""Reports about one subject: the GDPR access report and the CCPA right to know."""

from __future__ import annotations

import datetime as dt

from datamap.domain.access_report import AccessReport, build_access_report
from datamap.domain.ccpa import RightToKnow, build_right_to_know, window_of
from datamap.domain.lineage import subject_lineage
from datamap.domain.local_days import CALIFORNIA
from datamap.graph import report_queries as q
from datamap.graph.ccpa_queries import read_ccpa_letters
from datamap.graph.database import Database
from datamap.graph.lineage_queries import read_subject_lineage
from datamap.services.lineage import MAX_HOPS, as_of_params, category_params
from datamap.services.reports.common import check_received
from datamap.services.subjects import SubjectLookup

REPORT_HOPS = MAX_HOPS - 1


async def access_report(
    db: Database, subject: SubjectLookup, as_of: dt.date | None = None, *, now: dt.datetime
) -> AccessReport | None:
    """Art. 15 for one subject as of a date; None when the graph holds no such subject."""
    day, params = as_of_params(as_of, now)
    row = subject.one(await q.read_access_report(db, subject.hashes, params))
    if row is None:
        return None
    lineage = subject_lineage(row, as_of=day, category=None, max_hops=REPORT_HOPS)
    return build_access_report(lineage, row, as_of=day)


async def right_to_know(
    db: Database,
    subject: SubjectLookup,
    received: dt.date,
    *,
    now: dt.datetime,
    since: dt.date | None = None,
) -> RightToKnow | None:
    """CCPA: the 12 months before the request, or back to `since` (not before 1 January 2022,
    §1798.130(a)(2)(B)); None when the graph holds no such subject."""
    check_received(received, now.astimezone(dt.UTC).date())
    window_of(received, since)  # a `since` the law does not allow is refused before any reading
    day, params = as_of_params(received, now, CALIFORNIA)  # a CCPA request: California's days
    row = subject.one(await read_subject_lineage(db, subject.hashes, {**params, **category_params(None)}))
    if row is None:
        return None
    letters = await read_ccpa_letters(db, day)  # the map's letters on that day, as the lineage is read
    return build_right_to_know(row, received, REPORT_HOPS, letters, since)

"""The map findings (issue 11): what needs fixing in the map as of a day, in one read; and what one recorded
collection or disclosure raises against the map as of its own day, judged by the same rules."""

from __future__ import annotations

import datetime as dt

from datamap.domain import map_findings as rules
from datamap.domain.recorded_findings import RecordedEvent, event_findings
from datamap.domain.subject_events import Collection, Disclosure
from datamap.domain.transfer_findings import Finding, Severity
from datamap.graph import findings_queries as q
from datamap.graph.database import Database, Transaction
from datamap.services.lineage import as_of_params
from datamap.services.reports.map_reports import assess_transfers


async def map_findings(
    db: Database,
    as_of: dt.date | None = None,
    *,
    now: dt.datetime,
    severity: Severity | None = None,
) -> rules.MapFindings:
    """Every finding of the map on `as_of` (default: the day of `now`), the recorded events up to its end
    included; with `severity`, those of that severity or more severe."""
    day, params = as_of_params(as_of, now)
    facts = await q.read_map_findings(db, params)
    statuses = [status for _, status in assess_transfers(facts["transfers"], day)]
    return rules.map_findings(facts, statuses, day, severity)


async def findings_of_event(
    tx: Transaction, event: Collection | Disclosure, record_id: str, subject_id: str, at: dt.datetime
) -> tuple[Finding, ...]:
    """What the event just recorded (`at`: its UTC time) raises against the map on its day: one bounded read in
    the transaction that wrote it."""
    recorded = (
        RecordedEvent(record_id, tuple(event.categories), system=event.system, source=event.source)
        if isinstance(event, Collection)
        else RecordedEvent(
            record_id, tuple(event.categories), recipient=event.recipient, purpose=event.purpose
        )
    )
    day, params = as_of_params(at.date(), at)
    facts = await q.read_event_facts(
        tx,
        params,
        subject=subject_id,
        system=recorded.system,
        recipient=recorded.recipient,
        purpose=recorded.purpose,
        flagged=recorded.named(),
    )
    return rules.ordered(event_findings(recorded, facts, day))

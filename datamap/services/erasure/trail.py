"""The audit events of the erasure mutations: one per call, naming the principal, the subject and the request.

A change records its event inside its own write transaction (`Trail.write`), so the two commit together. A
refusal (a `DatamapError` the caller can act on) rolls the change back; its event, whose outcome is
`refused: <code>`, is then written in a transaction of its own (`refusals`). A replay that changes nothing is
recorded likewise, as `ok: replayed`. Outcomes carry error codes, never messages: a message may quote what the
caller typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from datamap.domain.access import Principal
from datamap.domain.audit import AuditEntry
from datamap.errors import DatabaseUnavailable, DatamapError, QueryTimeout
from datamap.graph.database import Database, Transaction
from datamap.services import audit

REPLAYED = "ok: replayed"


@dataclass
class Trail:
    """What one mutation's event will say; the use case fills in the subject and request as it learns them."""

    principal: Principal
    operation: str
    now: dt.datetime
    subject_id: str | None = None
    request_id: str | None = None

    def about(self, *, subject_id: str | None = None, request_id: str | None = None) -> None:
        if subject_id is not None:
            self.subject_id = subject_id
        if request_id is not None:
            self.request_id = request_id

    def entry(self, outcome: str = "ok") -> AuditEntry:
        return audit.entry(
            self.principal,
            self.operation,
            self.now,
            outcome=outcome,
            subject_id=self.subject_id,
            request_id=self.request_id,
        )

    async def write(self, tx: Transaction, outcome: str = "ok") -> None:
        """The event, inside the change's own transaction."""
        await audit.record(tx, [self.entry(outcome)], self.now)

    async def write_alone(self, db: Database, outcome: str) -> None:
        """The event of a call that changed nothing (refused, or a replay), in a transaction of its own."""
        await audit.record_read(db, [self.entry(outcome)], self.now)


@contextlib.asynccontextmanager
async def refusals(db: Database, trail: Trail) -> AsyncIterator[Trail]:
    """Record a refused call (its change rolled back) before the refusal reaches the caller."""
    try:
        yield trail
    except (DatabaseUnavailable, QueryTimeout):
        raise  # nothing can be recorded now: the database is what failed
    except DatamapError as exc:
        with contextlib.suppress(DatabaseUnavailable, QueryTimeout):
            await trail.write_alone(db, f"refused: {exc.code}")
        raise

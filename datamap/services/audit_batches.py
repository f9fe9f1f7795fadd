"""The events of lookups of people, appended in batches: many concurrent lookups, one commit.

Each append takes the chain's head (one node), so appends serialise; committed one by one, every audited lookup
waits for the commit of all those before it (measured on a 2-core machine: 32 concurrent appends, 264 ms). Here
a lookup hands its events to the `AuditBatcher` and waits until the batch holding them is committed, so no
person's data still leaves before its event is on record; while one batch commits, the next one gathers. Alone,
a lookup's events cost one transaction of one statement (`graph.audit_log.append`).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt

from datamap.domain.audit import AuditEntry
from datamap.graph.audit_log import LastHead
from datamap.graph.database import Database
from datamap.services.audit import record_read


class AuditBatcher:
    """Appends queued events in one transaction per batch; `record` returns once its events are committed."""

    def __init__(self, db: Database, seen: LastHead | None = None) -> None:
        self.db = db
        self.seen = seen  # the chain's head last seen (the process's by default; a test's "other process")
        self._waiting: list[tuple[list[AuditEntry], dt.datetime, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, entries: list[AuditEntry], now: dt.datetime) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((entries, now, done))
        if self._writer is None or self._writer.done():
            # a context of its own: no caller's deadline (graph.database) bounds the batches of the others
            self._writer = asyncio.create_task(self._write(), context=contextvars.Context())
        await asyncio.shield(done)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            entries = [e for events, _, _ in batch for e in events]
            failure: BaseException | None = None
            try:
                await record_read(self.db, entries, max(now for _, now, _ in batch), self.seen)
            except BaseException as exc:  # each caller fails as its own append would have (cancelled too)
                failure = exc
                raise
            finally:
                for _, _, done in batch:
                    if done.done():
                        continue
                    if failure is None:
                        done.set_result(None)
                    elif isinstance(failure, Exception):
                        done.set_exception(failure)
                    else:
                        done.cancel()

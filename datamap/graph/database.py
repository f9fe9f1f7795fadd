"""One async driver per process, with errors a user can act on instead of driver tracebacks.

Every statement runs with a time limit that Neo4j enforces: the settings' `query_timeout`
(`DATAMAP_QUERY_TIMEOUT`, 10 s by default), or the time left before a deadline when the caller set one with
`deadline()` (the API gives each request one); schema changes run `unbounded()`. Past it Neo4j stops the
statement and the caller gets `QueryTimeout`. A Neo4j that cannot be reached, or a pool with no free
connection, fails within a second or two as `DatabaseUnavailable`, instead of retrying for half a minute.

Causal consistency: every statement of the process reads what the process wrote before (one bookmark manager for
all its transactions), on a single server and on a cluster whose followers take the reads (`neo4j://` URIs; reads
are READ-routed). Another process, or a client of several, carries the bookmarks of its writes
(`Database.bookmarks()`) to the next process's statements with `after_bookmarks()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, RoutingControl
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    ConnectionAcquisitionTimeoutError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from datamap.config import Neo4jSettings
from datamap.errors import DatabaseUnavailable, QueryTimeout, ValidationError

T = TypeVar("T")

POOL_SIZE = 64
CONNECT_TIMEOUT = 1.0  # seconds to open a connection to Neo4j (TCP, TLS, Bolt handshake)
ACQUIRE_TIMEOUT = 1.0  # seconds to wait for a connection from the pool, opening one included
RETRY_TIME = 1.0  # seconds a managed transaction retries transient failures (deadlocks, a leader switch)
FIRST_RETRY_DELAY = 0.1  # then 0.2, 0.4, ... (the driver's default starts at 1 s)
VERIFY_TIMEOUT = 1.5  # seconds `verify()` waits for Neo4j to answer
SHORTEST_STATEMENT = 0.05  # seconds: with less time left before the deadline, a statement is not started

# Neo4j's codes for a transaction it stopped: past its timeout, or terminated (by an administrator, or while
# it waited for a lock past its timeout)
_STOPPED = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.ClientError.Transaction.Terminated",
    "Neo.TransientError.Transaction.Terminated",
    "Neo.TransientError.Transaction.LockClientStopped",
)


class _QuietRetries(logging.Filter):
    """The driver warns of each retry (four per statement while Neo4j is down, each with its address): the
    failure that ends the retries is reported once, as `DatabaseUnavailable`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Transaction failed and will be retried")


logging.getLogger("neo4j.session").addFilter(_QuietRetries())

_deadline: ContextVar[float | None] = ContextVar("datamap_deadline", default=None)
_unbounded: ContextVar[bool] = ContextVar("datamap_unbounded", default=False)
_given_bookmarks: ContextVar[tuple[str, ...]] = ContextVar("datamap_bookmarks", default=())


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Statements run inside (in this task and the tasks it starts) end within `seconds` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextlib.contextmanager
def unbounded() -> Iterator[None]:
    """Statements run inside have no query timeout (schema changes waiting for indexes to populate, which can
    take minutes on a large graph); a deadline still applies."""
    token = _unbounded.set(True)
    try:
        yield
    finally:
        _unbounded.reset(token)


@contextlib.contextmanager
def after_bookmarks(bookmarks: Iterable[str]) -> Iterator[None]:
    """Statements run inside (in this task and the tasks it starts) see at least the transactions `bookmarks` name,
    bookmarks another process gave out (`Database.bookmarks()`): a server or follower that has not applied them
    yet waits for them, or fails with `DatabaseUnavailable`."""
    token = _given_bookmarks.set(tuple(bookmarks))
    try:
        yield
    finally:
        _given_bookmarks.reset(token)


class StatementCounter:
    """How many Cypher statements this process sent (each one a round trip): for benchmarks and tests."""

    count = 0


class Observer:
    """Told of what this process asks of Neo4j: a connection in use, each statement's seconds, the audit events
    appended (`audit_log.append`). This one tells no one; the service's metrics (`api/metrics.py`) put theirs
    in `Observed.observer`. Nothing here names a statement's text or parameters."""

    def connection(self) -> contextlib.AbstractContextManager[None]:
        """Entered while a pooled connection runs a statement or a transaction."""
        return contextlib.nullcontext()

    def statement(self, kind: str, seconds: float) -> None:
        """A statement ended (done or failed): `kind` is "read", "write" (one statement, its own transaction)
        or "in_transaction" (one of a transaction's statements)."""

    def audit_events(self, count: int) -> None:
        """`count` audit events appended inside a write transaction."""


class Observed:
    """The observer this process tells (one for the process: set by the API's metrics, `api/metrics.install`)."""

    observer: Observer = Observer()


Records = list[dict[str, Any]]
Transaction = AsyncManagedTransaction  # what services hand to the graph modules inside `Database.transaction`


class Database:
    """The graph. `read`/`write` run one statement in one managed transaction (one round trip)."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        try:
            self.driver = AsyncGraphDatabase.driver(
                settings.uri,
                auth=(settings.user, settings.password),
                max_connection_pool_size=POOL_SIZE,
                connection_acquisition_timeout=ACQUIRE_TIMEOUT,
                connection_timeout=CONNECT_TIMEOUT,
                max_transaction_retry_time=RETRY_TIME,
                initial_retry_delay=FIRST_RETRY_DELAY,
                notifications_min_severity="OFF",
            )
        except (ConfigurationError, ValueError) as exc:
            raise DatabaseUnavailable(f"Neo4j URI {settings.uri!r} is not usable: {exc}") from None
        # one for every transaction of the process: each sees what the ones before it wrote, wherever routed
        self.bookmark_manager = AsyncGraphDatabase.bookmark_manager()

    async def bookmarks(self) -> list[str]:
        """The bookmarks of this process's latest transactions: given to `after_bookmarks()` in another process,
        its statements see everything this one has committed."""
        return sorted(await self.bookmark_manager.get_bookmarks())

    async def close(self) -> None:
        await self.driver.close()

    async def verify(self) -> None:
        """Raise `DatabaseUnavailable` saying why Neo4j cannot be used; within `VERIFY_TIMEOUT` seconds."""
        try:
            async with asyncio.timeout(VERIFY_TIMEOUT):
                with self._errors(VERIFY_TIMEOUT):
                    async with self.driver.session(database=self.settings.database) as session:
                        result = await session.run(neo4j.Query("RETURN 1", timeout=VERIFY_TIMEOUT))
                        await result.consume()
        except TimeoutError:
            raise DatabaseUnavailable(
                f"Neo4j at {self.settings.uri} did not answer within {VERIFY_TIMEOUT:g} s"
            ) from None
        except (ConfigurationError, ValueError) as exc:
            raise DatabaseUnavailable(f"Neo4j URI {self.settings.uri!r} is not usable: {exc}") from None

    async def read(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.READ)

    async def write(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.WRITE)

    async def _run(self, query: LiteralString, params: dict[str, Any], routing: RoutingControl) -> Records:
        timeout = self.time_limit()
        StatementCounter.count += 1
        observer, started = Observed.observer, time.perf_counter()
        kind = "read" if routing is RoutingControl.READ else "write"
        try:
            with self._errors(timeout), observer.connection():
                if _given_bookmarks.get():
                    records = await self._run_after_bookmarks(query, params, routing, timeout)
                else:
                    records, _, _ = await self.driver.execute_query(
                        neo4j.Query(query, timeout=timeout),
                        params,
                        routing_=routing,
                        database_=self.settings.database,
                        bookmark_manager_=self.bookmark_manager,
                    )
        finally:
            observer.statement(kind, time.perf_counter() - started)
        return [native(dict(r)) for r in records]

    async def _run_after_bookmarks(
        self, query: LiteralString, params: dict[str, Any], routing: RoutingControl, timeout: float | None
    ) -> list[neo4j.Record]:
        """One statement in a managed transaction that starts after the bookmarks given (`after_bookmarks`) and
        those of this process (`execute_query` takes no bookmarks but its manager's)."""

        @neo4j.unit_of_work(timeout=timeout)
        async def records(tx: AsyncManagedTransaction) -> list[neo4j.Record]:
            result = await tx.run(query, params)
            return [r async for r in result]

        async with self._session() as session:
            run = session.execute_read if routing is RoutingControl.READ else session.execute_write
            return await run(records)

    def _session(self) -> neo4j.AsyncSession:
        return self.driver.session(
            database=self.settings.database,
            bookmarks=neo4j.Bookmarks.from_raw_values(_given_bookmarks.get()),
            bookmark_manager=self.bookmark_manager,
        )

    async def transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` as one write transaction: all its statements commit together or not at all."""
        return await self._transaction(work, write=True)

    async def read_transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` as one read transaction (a preview of what a write would do: nothing is written)."""
        return await self._transaction(work, write=False)

    async def _transaction(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], *, write: bool
    ) -> T:
        timeout = self.time_limit()

        @neo4j.unit_of_work(timeout=timeout)
        async def timed(tx: AsyncManagedTransaction) -> T:
            return await work(tx)

        with self._errors(timeout), Observed.observer.connection():
            async with self._session() as session:
                run = session.execute_write if write else session.execute_read
                return await run(timed)

    def time_limit(self) -> float | None:
        """Seconds the next statement (or transaction) may run: the query timeout, or less before a deadline;
        `None` (no limit) inside `unbounded()` without a deadline."""
        limit = None if _unbounded.get() else self.settings.query_timeout
        end = _deadline.get()
        if end is None:
            return limit
        left = end - time.monotonic()
        if left < SHORTEST_STATEMENT:
            raise QueryTimeout("the request ran past its time limit; narrow it or try again later")
        return left if limit is None else min(limit, left)

    @contextlib.contextmanager
    def _errors(self, timeout: float | None) -> Iterator[None]:
        """Driver failures as errors that say what to do."""
        try:
            yield
        except AuthError as exc:
            raise DatabaseUnavailable(
                f"Neo4j at {self.settings.uri} refused user {self.settings.user!r}: wrong credentials "
                f"({exc.message}). Check DATAMAP_NEO4J_USER and DATAMAP_NEO4J_PASSWORD."
            ) from None
        except ConnectionAcquisitionTimeoutError:
            raise DatabaseUnavailable(
                f"no connection to Neo4j at {self.settings.uri} within {ACQUIRE_TIMEOUT:g} s: all {POOL_SIZE} "
                "are in use, or the server does not answer"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise DatabaseUnavailable(
                f"Neo4j is not reachable at {self.settings.uri}: {exc}. Is it running? "
                "(`datamap neo4j start` for the local one)"
            ) from None
        except Neo4jError as exc:
            if exc.code in _STOPPED:
                limit = f" of {timeout:.3g} s" if timeout is not None else ""
                raise QueryTimeout(
                    f"the query took longer than its time limit{limit} and was stopped; "
                    "narrow it (a date, a category, fewer hops) or try again later"
                ) from None
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise DatabaseUnavailable(
                    f"Neo4j at {self.settings.uri} has no database {self.settings.database!r} "
                    "(DATAMAP_NEO4J_DATABASE)"
                ) from None
            if exc.code in (
                "Neo.ClientError.Transaction.InvalidBookmark",
                "Neo.ClientError.Transaction.InvalidBookmarkMixture",
            ):
                raise ValidationError(
                    "bookmark: Neo4j does not know it; give the bookmarks a response of this service returned"
                ) from None
            if exc.code == "Neo.TransientError.Transaction.BookmarkTimeout":
                raise DatabaseUnavailable(
                    f"Neo4j at {self.settings.uri} has not yet applied the transactions the bookmarks given "
                    "name; try again shortly"
                ) from None
            if exc.code == "Neo.TransientError.Database.DatabaseUnavailable":
                raise DatabaseUnavailable(
                    f"Neo4j at {self.settings.uri}: database {self.settings.database!r} is not available now"
                ) from None
            raise


async def run(tx: AsyncManagedTransaction, query: LiteralString, **params: Any) -> Records:
    """One statement inside a transaction (the transaction's time limit covers it), records as dicts."""
    StatementCounter.count += 1
    observer, started = Observed.observer, time.perf_counter()
    try:
        result = await tx.run(query, params)
        return [native(dict(r)) async for r in result]
    finally:
        observer.statement("in_transaction", time.perf_counter() - started)


def native(value: Any) -> Any:
    """Driver values to Python ones (neo4j.time.Date -> datetime.date, ...), recursively."""
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool or kind is float:
        return value
    if kind is dict:
        return {k: native(v) for k, v in value.items()}
    if kind is list:
        return [native(v) for v in value]
    if kind is neo4j.time.DateTime:
        return _instant(value.to_native())
    if kind in _TEMPORAL:
        return value.to_native()
    return value


def _instant(value: dt.datetime) -> dt.datetime:
    """The driver reads an instant stored at offset zero with pytz's UTC as its zone, and would send it back as
    the zone id `UTC`, which Neo4j does not find equal (nor >=) to the same instant at offset `Z`: a value read and
    given back as a parameter must keep its offset, `datetime.UTC`, as every instant the service writes has."""
    utc = value.tzinfo is not None and value.tzname() == "UTC" and value.utcoffset() == dt.timedelta(0)
    return value.replace(tzinfo=dt.UTC) if utc and value.tzinfo is not dt.UTC else value


# (a neo4j.time.Duration stays as it is: months and days have no datetime.timedelta)
_TEMPORAL = frozenset({neo4j.time.Date, neo4j.time.Time})


__all__ = [
    "Database",
    "Neo4jError",
    "Observed",
    "Observer",
    "Records",
    "Transaction",
    "after_bookmarks",
    "deadline",
    "neo4j",
    "run",
    "unbounded",
]

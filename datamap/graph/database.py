"""One async driver per process, with errors a user can act on instead of driver tracebacks."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable, SessionExpired

from datamap.config import Neo4jSettings
from datamap.errors import DatabaseUnavailable

T = TypeVar("T")


class StatementCounter:
    """How many Cypher statements this process sent (each one a round trip): for benchmarks and tests."""

    count = 0


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
                max_connection_pool_size=64,
                connection_acquisition_timeout=10.0,
                connection_timeout=5.0,
                notifications_min_severity="OFF",
            )
        except (ConfigurationError, ValueError) as exc:
            raise DatabaseUnavailable(f"Neo4j URI {settings.uri!r} is not usable: {exc}") from None

    async def close(self) -> None:
        await self.driver.close()

    async def verify(self) -> None:
        """Raise `DatabaseUnavailable` saying why Neo4j cannot be used."""
        try:
            with self._errors():
                await self.driver.verify_connectivity()
                await self.driver.execute_query("RETURN 1", database_=self.settings.database)
        except (ConfigurationError, ValueError) as exc:
            raise DatabaseUnavailable(f"Neo4j URI {self.settings.uri!r} is not usable: {exc}") from None

    async def read(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.READ)

    async def write(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.WRITE)

    async def _run(self, query: LiteralString, params: dict[str, Any], routing: RoutingControl) -> Records:
        StatementCounter.count += 1
        with self._errors():
            records, _, _ = await self.driver.execute_query(
                query, params, routing_=routing, database_=self.settings.database
            )
        return [native(dict(r)) for r in records]

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver failures as errors that say what to do."""
        try:
            yield
        except AuthError as exc:
            raise DatabaseUnavailable(
                f"Neo4j at {self.settings.uri} refused user {self.settings.user!r}: wrong credentials "
                f"({exc.message}). Check DATAMAP_NEO4J_USER and DATAMAP_NEO4J_PASSWORD."
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise DatabaseUnavailable(
                f"Neo4j is not reachable at {self.settings.uri}: {exc}. Is it running? "
                "(`datamap neo4j start` for the local one)"
            ) from None
        except Neo4jError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise DatabaseUnavailable(
                    f"Neo4j at {self.settings.uri} has no database {self.settings.database!r} "
                    "(DATAMAP_NEO4J_DATABASE)"
                ) from None
            raise

    async def transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` as one write transaction: all its statements commit together or not at all."""
        with self._errors():
            async with self.driver.session(database=self.settings.database) as session:
                return await session.execute_write(work)


async def run(tx: AsyncManagedTransaction, query: LiteralString, **params: Any) -> Records:
    """One statement inside a transaction, records as dicts."""
    StatementCounter.count += 1
    result = await tx.run(query, params)
    return [native(dict(r)) async for r in result]


def native(value: Any) -> Any:
    """Driver values to Python ones (neo4j.time.Date -> datetime.date, ...), recursively."""
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool or kind is float:
        return value
    if kind is dict:
        return {k: native(v) for k, v in value.items()}
    if kind is list:
        return [native(v) for v in value]
    if kind in _TEMPORAL:
        return value.to_native()
    return value


_TEMPORAL = frozenset({neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time, neo4j.time.Duration})


__all__ = ["Database", "Neo4jError", "Records", "Transaction", "neo4j", "run"]

"""One async driver per process, with errors a user can act on instead of driver tracebacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, RoutingControl
from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

from datamap.config import Neo4jSettings
from datamap.errors import DatabaseUnavailable

T = TypeVar("T")
Records = list[dict[str, Any]]


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
            await self.driver.verify_connectivity()
        except AuthError as exc:
            raise DatabaseUnavailable(
                f"Neo4j at {self.settings.uri} refused user {self.settings.user!r}: wrong credentials "
                f"({exc.message}). Check DATAMAP_NEO4J_USER and DATAMAP_NEO4J_PASSWORD."
            ) from None
        except (ServiceUnavailable, OSError) as exc:
            raise DatabaseUnavailable(
                f"Neo4j is not reachable at {self.settings.uri}: {exc}. Is it running? "
                "(`datamap neo4j start` for the local one)"
            ) from None

    async def read(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.READ)

    async def write(self, query: LiteralString, **params: Any) -> Records:
        return await self._run(query, params, RoutingControl.WRITE)

    async def _run(self, query: LiteralString, params: dict[str, Any], routing: RoutingControl) -> Records:
        try:
            records, _, _ = await self.driver.execute_query(
                query, params, routing_=routing, database_=self.settings.database
            )
        except AuthError as exc:
            raise DatabaseUnavailable(f"Neo4j refused the credentials: {exc.message}") from None
        except ServiceUnavailable as exc:
            raise DatabaseUnavailable(f"Neo4j is not reachable at {self.settings.uri}: {exc}") from None
        return [native(r.data()) for r in records]

    async def transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` as one write transaction: all its statements commit together or not at all."""
        try:
            async with self.driver.session(database=self.settings.database) as session:
                return await session.execute_write(work)
        except ServiceUnavailable as exc:
            raise DatabaseUnavailable(f"Neo4j is not reachable at {self.settings.uri}: {exc}") from None


async def run(tx: AsyncManagedTransaction, query: LiteralString, **params: Any) -> Records:
    """One statement inside a transaction, records as dicts."""
    result = await tx.run(query, params)
    return [native(r.data()) async for r in result]


def native(value: Any) -> Any:
    """Driver values to Python ones (neo4j.time.Date -> datetime.date, ...), recursively."""
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime):
        return value.to_native()
    return value


__all__ = ["Database", "Neo4jError", "Records", "neo4j", "run"]

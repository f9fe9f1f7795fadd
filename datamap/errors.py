"""Errors a user can act on. The CLI and the API print their message, never a traceback.

Each has a `code`: the API puts it in a GraphQL error's `extensions.code`, so a client can tell a bad argument
from a missing permission or a database that is down without reading the message.
"""

from __future__ import annotations


class DatamapError(Exception):
    """Base class: the message says what is wrong and where."""

    code = "BAD_REQUEST"


class ConfigError(DatamapError):
    """A setting is missing or malformed."""

    code = "CONFIGURATION"


class PrerequisiteMissing(DatamapError):
    """A program the command needs (Java, Maven) is not installed."""

    code = "CONFIGURATION"


class DatabaseUnavailable(DatamapError):
    """Neo4j cannot be reached, refused the credentials, or could not be started."""

    code = "DATABASE_UNAVAILABLE"


class QueryTimeout(DatamapError):
    """A statement ran past its time limit."""

    code = "TIMEOUT"


class ValidationError(DatamapError):
    """Input (seed file, GraphQL argument, import line) is malformed; the message locates it."""

    code = "BAD_USER_INPUT"


class NotFound(DatamapError):
    """A referenced key or subject does not exist in the graph."""

    code = "NOT_FOUND"


class Conflict(DatamapError):
    """The caller acted on a version that is no longer current (optimistic concurrency): read again, repeat."""

    code = "CONFLICT"


class Unauthenticated(DatamapError):
    """No credentials, or credentials that are not valid (unknown, expired, revoked, badly signed)."""

    code = "UNAUTHENTICATED"


class Forbidden(DatamapError):
    """The principal's role or scope does not allow this."""

    code = "FORBIDDEN"

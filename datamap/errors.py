"""Errors a user can act on. The CLI and the API print their message, never a traceback."""

from __future__ import annotations


class DatamapError(Exception):
    """Base class: the message says what is wrong and where."""


class ConfigError(DatamapError):
    """A setting is missing or malformed."""


class PrerequisiteMissing(DatamapError):
    """A program the command needs (Java, Maven) is not installed."""


class DatabaseUnavailable(DatamapError):
    """Neo4j cannot be reached, refused the credentials, or could not be started."""


class ValidationError(DatamapError):
    """Input (seed file, GraphQL argument, import line) is malformed; the message locates it."""


class NotFound(DatamapError):
    """A referenced key or subject does not exist in the graph."""

"""What the API's resolvers need for the lifetime of the application."""

from __future__ import annotations

from dataclasses import dataclass

from datamap.graph.database import Database


@dataclass
class AppState:
    """The graph, and the key that hashes subject identifiers."""

    db: Database
    secret: bytes

"""What the API's resolvers need for the lifetime of the application."""

from __future__ import annotations

from dataclasses import dataclass, field

from datamap.clock import Clock, SystemClock
from datamap.graph.database import Database


@dataclass
class AppState:
    """The graph, the key that hashes subject identifiers, and the one clock every "now" comes from."""

    db: Database
    secret: bytes
    clock: Clock = field(default_factory=SystemClock)

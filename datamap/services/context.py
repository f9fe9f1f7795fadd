"""What the API's resolvers need for the lifetime of the application."""

from __future__ import annotations

from dataclasses import dataclass, field

from datamap.clock import Clock, SystemClock
from datamap.graph.database import Database
from datamap.services.audit_batches import AuditBatcher


@dataclass
class AppState:
    """The graph, the key that hashes subject identifiers, the one clock every "now" comes from, and the audit
    trail's batches of lookups."""

    db: Database
    secret: bytes
    clock: Clock = field(default_factory=SystemClock)
    audit: AuditBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditBatcher(self.db)

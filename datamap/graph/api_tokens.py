"""API tokens as the graph keeps them: only a digest of each token, with its name, role, scope and life."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j.exceptions import ConstraintError

from datamap.domain.access import Role
from datamap.errors import ValidationError
from datamap.graph.database import Database

CREATE: LiteralString = """
CREATE (t:ApiToken) SET t = $token
RETURN t.name AS name
"""

BY_DIGEST: LiteralString = """
MATCH (t:ApiToken {digest: $digest})
RETURN t {.name, .role, .recipient, .createdAt, .expiresAt, .revokedAt, .createdBy} AS token
"""

ALL: LiteralString = """
MATCH (t:ApiToken)
RETURN t {.name, .role, .recipient, .createdAt, .expiresAt, .revokedAt, .createdBy} AS token
ORDER BY t.createdAt, t.name
"""

RECIPIENT_EXISTS: LiteralString = """
RETURN EXISTS { MATCH (:Recipient {key: $key}) } AS found
"""

REVOKE: LiteralString = """
MATCH (t:ApiToken {name: $name}) WHERE t.revokedAt IS NULL
SET t.revokedAt = $now, t.revokedBy = $by
RETURN t {.name, .role, .recipient, .createdAt, .expiresAt, .revokedAt, .createdBy} AS token
"""


@dataclass(frozen=True)
class ApiTokenRow:
    name: str
    role: Role
    recipient: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    created_by: str | None

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> ApiTokenRow:
        return cls(
            r["name"],
            Role(r["role"]),
            r.get("recipient"),
            r["createdAt"],
            r.get("expiresAt"),
            r.get("revokedAt"),
            r.get("createdBy"),
        )


async def create_token(db: Database, digest: str, row: ApiTokenRow) -> None:
    """Store a token; its name must be new (the constraint api_token_name keeps names unique, never reused)."""
    try:
        await db.write(
            CREATE,
            token={
                "digest": digest,
                "name": row.name,
                "role": row.role.value,
                "recipient": row.recipient,
                "createdAt": row.created_at,
                "expiresAt": row.expires_at,
                "createdBy": row.created_by,
            },
        )
    except ConstraintError:
        raise ValidationError(
            f"name: a token named {row.name!r} exists already (names are never reused)"
        ) from None


async def token_by_digest(db: Database, digest: str) -> ApiTokenRow | None:
    rows = await db.read(BY_DIGEST, digest=digest)
    return ApiTokenRow.from_record(rows[0]["token"]) if rows else None


async def all_tokens(db: Database) -> list[ApiTokenRow]:
    return [ApiTokenRow.from_record(r["token"]) for r in await db.read(ALL)]


async def revoke_token(db: Database, name: str, now: dt.datetime, by: str) -> ApiTokenRow | None:
    rows = await db.write(REVOKE, name=name, now=now, by=by)
    return ApiTokenRow.from_record(rows[0]["token"]) if rows else None


async def recipient_exists(db: Database, key: str) -> bool:
    (row,) = await db.read(RECIPIENT_EXISTS, key=key)
    return bool(row["found"])

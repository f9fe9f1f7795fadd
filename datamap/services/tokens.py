"""API tokens: issued by the service, shown once, kept in the graph only as a digest.

A token is `dm_` and 43 characters of randomness (256 bits), so a plain SHA-256 digest is enough to keep it:
nothing can be guessed back from the digest. Each has a name (unique), a role, an optional recipient scope (a
vendor's token), a creation time, an optional expiry and, once revoked, the time of revocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from datamap.domain.access import Principal, Role
from datamap.errors import NotFound, Unauthenticated, ValidationError
from datamap.graph import api_tokens as store
from datamap.graph.api_tokens import ApiTokenRow
from datamap.graph.database import Database

PREFIX = "dm_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
MAX_DAYS = 3650


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


async def create(
    db: Database,
    *,
    name: str,
    role: Role,
    now: dt.datetime,
    recipient: str | None = None,
    expires_days: int | None = None,
    created_by: str | None = None,
) -> tuple[str, ApiTokenRow]:
    """Issue a token: the token itself (to be shown once) and what the graph keeps of it."""
    if not _NAME.match(name):
        raise ValidationError(
            f"name: {name[:40]!r} is not a token name (1-100 letters, digits, '_', '.', '@' or '-')"
        )
    if expires_days is not None and not 1 <= expires_days <= MAX_DAYS:
        raise ValidationError(f"expires: {expires_days} days is out of range; give 1 to {MAX_DAYS}")
    if recipient is not None and role is not Role.ERASURE_OPERATOR:
        raise ValidationError("recipient: only an erasure_operator token is scoped to one recipient")
    if recipient is not None and not await store.recipient_exists(db, recipient):
        raise NotFound(f"recipient: no recipient {recipient!r} in the map")
    token = new_token()
    row = ApiTokenRow(
        name=name,
        role=role,
        recipient=recipient,
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_days) if expires_days else None,
        revoked_at=None,
        created_by=created_by,
    )
    await store.create_token(db, digest(token), row)
    return token, row


async def listed(db: Database) -> list[ApiTokenRow]:
    return await store.all_tokens(db)


async def revoke(db: Database, name: str, *, now: dt.datetime, by: str) -> ApiTokenRow:
    row = await store.revoke_token(db, name, now, by)
    if row is None:
        raise NotFound(f"name: no token {name!r} that is not revoked already")
    return row


def principal_of(row: ApiTokenRow | None, now: dt.datetime) -> Principal:
    """The principal a stored token stands for, or `Unauthenticated` saying why it does not count."""
    if row is None:
        raise Unauthenticated("the token is not known to this service")
    if row.revoked_at is not None:
        raise Unauthenticated(f"the token {row.name!r} was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated(f"the token {row.name!r} expired on {row.expires_at.date().isoformat()}")
    return Principal(row.name, row.role, row.recipient, kind="token")


async def authenticate(db: Database, token: str, now: dt.datetime) -> Principal:
    return principal_of(await store.token_by_digest(db, digest(token)), now)

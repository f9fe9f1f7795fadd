"""Who is asking: a bearer credential turned into a `Principal`, or `Unauthenticated` saying why not.

Three kinds of credential: the API tokens this service issues (`services/tokens.py`), OpenID Connect JWTs from
a configured identity provider, and, for a developer's service on a loopback address with nothing else
configured, one local admin token kept in the state folder (0600). A stored token's answer is cached for a few
seconds (so a revocation takes effect within `CACHE_SECONDS`): checking it costs no round trip per request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from datamap.config import create_once
from datamap.domain.access import Principal, Role
from datamap.errors import ConfigError, Unauthenticated
from datamap.graph.database import Database
from datamap.services import tokens
from datamap.services.oidc import looks_like_jwt

CACHE_SECONDS = 5.0
LOCAL_PRINCIPAL = Principal("local-admin", Role.ADMIN, kind="local")


class JwtVerifier(Protocol):
    def verify(self, token: str, *, now: dt.datetime | None = None) -> Principal: ...


class Authenticator:
    """Turns `Authorization: Bearer <credential>` into the principal the request acts for."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], dt.datetime],
        *,
        local_token: str | None = None,
        oidc: JwtVerifier | None = None,
    ) -> None:
        self.db = db
        self.now = now
        self.local_token = local_token
        self.oidc = oidc
        self._cache: dict[str, tuple[float, Principal | Unauthenticated]] = {}

    async def principal(self, credential: str) -> Principal:
        if self.local_token is not None and hmac.compare_digest(credential, self.local_token):
            return LOCAL_PRINCIPAL
        if credential.startswith(tokens.PREFIX):
            return await self._api_token(credential)
        if looks_like_jwt(credential):
            if self.oidc is None:
                raise Unauthenticated("OpenID Connect is not configured on this service; use an API token")
            # may fetch the identity provider's keys (cached): off the event loop
            return await asyncio.to_thread(self.oidc.verify, credential, now=self.now())
        raise Unauthenticated("the bearer credential is neither an API token of this service nor a JWT")

    async def _api_token(self, token: str) -> Principal:
        key = tokens.digest(token)
        cached = self._cache.get(key)
        if cached is None or cached[0] < time.monotonic():
            try:
                answer: Principal | Unauthenticated = await tokens.authenticate(self.db, token, self.now())
            except Unauthenticated as exc:
                answer = exc
            if len(self._cache) > 10_000:
                self._cache.clear()
            cached = (time.monotonic() + CACHE_SECONDS, answer)
            self._cache[key] = cached
        if isinstance(cached[1], Unauthenticated):
            raise Unauthenticated(str(cached[1]))
        return cached[1]


def local_admin_token(folder: Path) -> str:
    """The developer's local admin token: made once (0600) in the state folder, read back afterwards."""
    path = folder / "local-admin-token"
    if not path.exists():
        create_once(path, tokens.new_token())  # first-wins, as the hash secret: two starts agree on one token
    return path.read_text().strip()


AUTH_VARIABLE = "DATAMAP_AUTH"


def is_loopback_host(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def oidc_from_env() -> JwtVerifier | None:
    """The OpenID Connect verifier when `DATAMAP_OIDC_ISSUER` is set (see `services/oidc.py`)."""
    from datamap.services.oidc import OidcSettings, OidcVerifier  # PyJWT only when it is configured

    settings = OidcSettings.from_env()
    return OidcVerifier(settings) if settings is not None else None


def serving(
    db: Database, now: Callable[[], dt.datetime], host: str, state_folder: Path
) -> tuple[Authenticator, dict[str, str] | None]:
    """The authenticator of `datamap serve` on `host`, and the headers GraphiQL starts with on loopback.

    With OpenID Connect configured or `DATAMAP_AUTH=tokens`, credentials are API tokens and JWTs only. With
    neither, the service must listen on loopback: it makes a local admin token (state folder, 0600) and
    GraphiQL served to this machine starts with it, so a developer can use it at once."""
    oidc = oidc_from_env()
    if not uses_local_token(host, configured=oidc is not None):
        return Authenticator(db, now, oidc=oidc), None
    local = local_admin_token(state_folder)
    return Authenticator(db, now, local_token=local), {"Authorization": f"Bearer {local}"}


def uses_local_token(host: str, *, configured: bool | None = None) -> bool:
    """Whether `datamap serve` on `host` lets the local admin token in: no authentication configured
    (`configured`: OpenID Connect, found from the environment when not given; or `DATAMAP_AUTH=tokens`), which
    is allowed on loopback only (`ConfigError` beyond it)."""
    mode = os.environ.get(AUTH_VARIABLE, "")
    if mode not in ("", "tokens"):
        raise ConfigError(f"{AUTH_VARIABLE}={mode!r}: the only value is 'tokens' (API tokens are the way in)")
    if configured is None:
        configured = oidc_from_env() is not None
    if configured or mode == "tokens":
        return False
    if not is_loopback_host(host):
        raise ConfigError(
            f"--host {host}: refusing to serve beyond this machine without an authentication configuration; "
            f"set {AUTH_VARIABLE}=tokens (API tokens from `datamap token create`) or DATAMAP_OIDC_ISSUER, "
            "DATAMAP_OIDC_AUDIENCE and DATAMAP_OIDC_JWKS (OpenID Connect)"
        )
    return True

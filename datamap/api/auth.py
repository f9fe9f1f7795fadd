"""Authentication at the door: every request but the health checks, GraphiQL's page and its static assets
needs `Authorization: Bearer <credential>`; without a valid one the answer is HTTP 401 with a GraphQL-shaped
error (`extensions.code = "UNAUTHENTICATED"`). The principal found is put in the request's scope for the
resolvers (`principal_of`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from datamap.domain.access import Principal
from datamap.errors import Unauthenticated
from datamap.services.authentication import Authenticator

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
SCOPE_KEY = "datamap.principal"


def principal_of(scope: Mapping[str, Any]) -> Principal | None:
    found = scope.get(SCOPE_KEY)
    return found if isinstance(found, Principal) else None


def unauthenticated(message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": Unauthenticated.code}}]})
    headers = [
        (b"content-type", b"application/json"),
        (b"www-authenticate", b'Bearer realm="datamap"'),
        (b"content-length", str(len(body)).encode()),
    ]
    return 401, headers, body


class Authentication:
    """ASGI middleware: finds the principal, or answers 401 itself."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, *, open_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.authenticator = authenticator
        self.open_prefixes = open_prefixes

    def _is_open(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path in OPEN_PATHS or path.startswith(self.open_prefixes):
            return True
        # GraphiQL's page: strawberry serves only the IDE on GET (queries over GET are switched off)
        return path == "/graphql" and scope["method"] in ("GET", "HEAD")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_open(scope):
            await self.app(scope, receive, send)
            return
        try:
            scope[SCOPE_KEY] = await self.authenticator.principal(_bearer(scope))
        except Unauthenticated as exc:
            status, headers, body = unauthenticated(f"not authenticated: {exc}")
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str:
    values = [v for k, v in scope["headers"] if k == b"authorization"]
    if not values:
        raise Unauthenticated("send the header `Authorization: Bearer <token>`")
    if len(values) > 1:
        raise Unauthenticated("send one Authorization header, not several")
    header: str = values[0].decode("latin-1")
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <token>`")
    return credential.strip()

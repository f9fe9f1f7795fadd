"""One log line per request, and the request's deadline.

`RequestLog` (ASGI middleware, the outermost of ours) gives each HTTP request its deadline (every statement it
runs ends by then, `graph.database.deadline`) and an id (the client's `X-Request-Id` when it is a short token
of letters, digits, `.`, `_` or `-`, else a new one; sent back in `X-Request-Id` and carried by the request's
audit events) and, when it is answered, writes one JSON line to the logger `datamap.access`: the id, method,
path (no query string; none for a 404), status, milliseconds, the GraphQL operation's name and type, and the
error codes. No query text, no variables, no client address, no credentials: nothing personal.

An error that escapes a handler is answered here in the GraphQL shape: a `DatamapError` with the status its
code implies (503 with `Retry-After` for `DATABASE_UNAVAILABLE`), anything else as a 500 "Unexpected error."
whose traceback goes to the log (without the query).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from datamap.api.errors import (
    BAD_REQUEST,
    DATABASE_UNAVAILABLE,
    INTERNAL,
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    error_body,
    is_unexpected,
)
from datamap.errors import DatamapError
from datamap.graph.database import deadline
from datamap.services.audit import correlated

access_log = logging.getLogger("datamap.access")
error_log = logging.getLogger("datamap.errors")

RECORD_KEY = "datamap.request"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
LOGGED_TRACEBACKS = 3  # unexpected errors of one request logged with their traceback; the rest are counted

STATUS_OF_CODE: Mapping[str, int] = {
    "BAD_USER_INPUT": 400,
    "BAD_REQUEST": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "TIMEOUT": 504,
    "RATE_LIMITED": 429,
    "DATABASE_UNAVAILABLE": 503,
    "CONFIGURATION": 500,
}


@dataclass
class RequestRecord:
    """What the log line says about a request beyond its status: filled in by whoever answers it."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    operation: str | None = None
    kind: str | None = None
    codes: list[str] = field(default_factory=list)


def record_of(scope: Scope) -> RequestRecord:
    """The record of this request (a new one if no `RequestLog` is in front, e.g. in a unit test)."""
    found = scope.get(RECORD_KEY)
    if not isinstance(found, RequestRecord):
        found = scope[RECORD_KEY] = RequestRecord()
    return found


def _given_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if REQUEST_ID.fullmatch(text) else None
    return None


def respond(status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> list[Message]:
    """The ASGI messages of a GraphQL-shaped error answer."""
    body = error_body(message, code)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": body},
    ]


def unavailable_headers() -> dict[str, str]:
    return {"retry-after": str(RETRY_AFTER_SECONDS)}


class RequestLog:
    """ASGI middleware: the request's deadline, its log line, and a GraphQL-shaped answer to escaped errors."""

    def __init__(self, app: ASGIApp, *, request_timeout: float) -> None:
        self.app = app
        self.request_timeout = request_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = record_of(scope)
        record.id = _given_id(scope) or record.id
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", record.id.encode())],
                }
            await send(message)

        try:
            with deadline(self.request_timeout), correlated(record.id):
                await self.app(scope, receive, sending)
        except DatamapError as exc:
            if status:
                raise
            code = exc.code
            record.codes.append(code)
            if code == DATABASE_UNAVAILABLE:
                error_log.warning("database unavailable: %s", exc)
                answer = respond(503, UNAVAILABLE_MESSAGE, code, unavailable_headers())
            else:
                answer = respond(STATUS_OF_CODE.get(code, 400), str(exc), code)
            for message in answer:
                await sending(message)
        except Exception:
            if status:
                raise
            error_log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            record.codes.append(INTERNAL)
            for message in respond(500, "Unexpected error.", INTERNAL):
                await sending(message)
        finally:
            line = {
                "request": record.id,
                "method": scope["method"],
                "path": scope["path"] if status != 404 else None,  # a path no route knows may carry anything
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "operation": record.operation,
                "type": record.kind,
                "errors": sorted(set(record.codes)),
            }
            access_log.info(orjson.dumps(line).decode())


class RequestRecorder(SchemaExtension):
    """Puts the operation's name, type and error codes into the request's record (listed before `ErrorCodes`
    among the extensions, it sees the codes that one gave)."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        scope = scope_of(context)
        if scope is None:
            return
        record = record_of(scope)
        record.operation = context.operation_name or _single_operation_name(context.graphql_document)
        try:
            record.kind = context.operation_type.value
        except RuntimeError:  # no such operation: the error says so
            record.kind = None
        errors: list[GraphQLError] = getattr(context.result, "errors", None) or []
        for error in errors:
            code = (error.extensions or {}).get("code")
            record.codes.append(code if isinstance(code, str) else BAD_REQUEST)


def scope_of(context: Any) -> dict[str, Any] | None:
    """The ASGI scope of the HTTP request an execution context runs for; None outside one (a test's direct call)."""
    request = context.context.get("request") if isinstance(context.context, dict) else None
    scope = getattr(request, "scope", None)
    return scope if isinstance(scope, dict) else None


def _single_operation_name(document: Any) -> str | None:
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return str(operations[0].name.value)
    return None


def log_unexpected(errors: list[GraphQLError]) -> None:
    """The unexpected errors of one execution, for the operator: message, path and traceback, never the query
    (a GraphQL error's text quotes the document around its location; 300 of them once wrote 4 MB)."""
    unexpected = [e for e in errors if is_unexpected(e)]
    for error in unexpected[:LOGGED_TRACEBACKS]:
        path = ".".join(str(p) for p in error.path) if error.path else "-"
        error_log.error("unexpected error at %s: %s", path, error.message, exc_info=error.original_error)
    if len(unexpected) > LOGGED_TRACEBACKS:
        error_log.error("%d more unexpected errors in the same request", len(unexpected) - LOGGED_TRACEBACKS)


def configure_access_log(enabled: bool) -> None:
    """`datamap serve`: the access log as JSON lines on stderr (or off); uvicorn's own, which shows client
    addresses, stays off."""
    access_log.propagate = False
    access_log.handlers.clear()
    if enabled:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
    else:
        access_log.setLevel(logging.CRITICAL + 1)

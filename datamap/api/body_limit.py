"""The request body's limits, ASGI middleware before the body is read whole: `MAX_BODY` (1 MiB) [HTTP 413,
PAYLOAD_TOO_LARGE], and the time to send it: `BODY_SECONDS` (10 s, `DATAMAP_BODY_TIMEOUT`), so a client
trickling its body cannot hold a connection [HTTP 408, REQUEST_TIMEOUT]. The document's and the request's limits
are `datamap.api.limits`.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datamap.api.errors import PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT, error_body
from datamap.api.request_log import record_of

MAX_BODY = 1024 * 1024  # bytes of a request body
BODY_SECONDS = 10.0  # to send it (`DATAMAP_BODY_TIMEOUT`)


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` is answered 413 before it is read whole, one that takes
    longer than `seconds` to arrive 408.

    A `Content-Length` over the limit is refused before any byte is read; a body without one (chunked) is read
    until it passes the limit, then refused. A body within the limit is read here and handed on as one message.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY, seconds: float = BODY_SECONDS) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        try:
            async with asyncio.timeout(self.seconds):
                chunks = await self._read(receive)
        except TimeoutError:
            await _answer(
                scope,
                send,
                408,
                f"The request body took longer than {self.seconds:g} s to arrive.",
                REQUEST_TIMEOUT,
            )
            return
        if chunks is None:  # the client went away: nothing to answer
            return
        if isinstance(chunks, int):
            await self._refuse(scope, send)
            return
        body: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()  # after the body: a disconnect, for responses that listen for one

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> list[bytes] | int | None:
        """The body's chunks; its size so far once it passes the limit; None if the client went away."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return size
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks

    async def _refuse(self, scope: Scope, send: Send) -> None:
        mib = self.max_bytes / (1024 * 1024)
        message = f"The request body is larger than {mib:g} MiB ({self.max_bytes:,} bytes); send less in one request."
        await _answer(scope, send, 413, message, PAYLOAD_TOO_LARGE)


async def _answer(scope: Scope, send: Send, status: int, message: str, code: str) -> None:
    """A refusal before the body was read: the connection closes (the rest of the body is never read)."""
    record_of(scope).codes.append(code)
    payload = error_body(message, code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None

"""Read-your-writes across processes: the `X-Datamap-Bookmark` header.

Within one process every statement sees what the process wrote before (`graph.database`). With several
processes (`datamap serve --workers N`, several machines behind a balancer) or a Neo4j cluster whose followers
take the reads (`neo4j://` URIs), a client that must read what it just wrote sends back the `X-Datamap-Bookmark`
value of the write's response with its next request: that request's statements start only once the server or
follower they run on has applied those transactions (or fail with 503 and `Retry-After` if it does not catch up
within the driver's wait). Every authenticated response carries the bookmarks of its process's latest
transactions (one per transaction that began while others ran: many under load). Values are Neo4j's own,
opaque; a header that is not a list of them is refused with 400.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datamap.errors import ValidationError
from datamap.graph.database import Database, after_bookmarks

HEADER = b"x-datamap-bookmark"
MAX_BOOKMARKS = 256  # a process holds one per transaction started at once: up to its 64 connections, and more
_BOOKMARK = re.compile(r"[\x21-\x2b\x2d-\x7e]{1,1024}")  # printable ASCII but the comma that separates them


def given_bookmarks(scope: Scope) -> list[str]:
    """The bookmarks the request carries (comma-separated, in one header or several), or `ValidationError`."""
    values = [
        v.strip()
        for name, raw in scope.get("headers", [])
        if name.lower() == HEADER
        for v in raw.decode("latin-1").split(",")
    ]
    if len(values) > MAX_BOOKMARKS:
        raise ValidationError(f"X-Datamap-Bookmark: {len(values)} values; give at most {MAX_BOOKMARKS}")
    for position, value in enumerate(values, start=1):
        if not _BOOKMARK.fullmatch(value):
            raise ValidationError(
                f"X-Datamap-Bookmark: value {position} is not a bookmark (give the header of a response as it "
                "came, up to 1024 printable characters per value, values separated by commas)"
            )
    return values


class CausalBookmarks:
    """ASGI middleware: the request's statements wait for the bookmarks it carries; its response carries the
    process's."""

    def __init__(self, app: ASGIApp, *, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = given_bookmarks(scope)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                bookmarks = await self.db.bookmarks()
                if bookmarks:
                    headers = [*message.get("headers", []), (HEADER, ",".join(bookmarks).encode("latin-1"))]
                    message = {**message, "headers": headers}
            await send(message)

        with after_bookmarks(given):
            await self.app(scope, receive, sending)

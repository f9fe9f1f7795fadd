"""A brake on a principal that keeps sending what the limits refuse: answered 429 at once, for a while.

Each refused bomb (`LIMIT_EXCEEDED`, `PAYLOAD_TOO_LARGE`, `REQUEST_TIMEOUT`) is cheap to refuse (milliseconds),
but a client sending them back to back still takes the service's event loop from everyone else. A principal
with more than `MAX_REFUSALS` of them in `WINDOW_SECONDS` gets HTTP 429 with `Retry-After` and
`extensions.code = "RATE_LIMITED"` for every request, its body unread, for `WINDOW_SECONDS` after the last of
them (then it starts afresh). Other principals are not affected; ordinary mistakes (a bad argument) do not
count.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from datamap.api.auth import principal_of
from datamap.api.errors import LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE, RATE_LIMITED, REQUEST_TIMEOUT
from datamap.api.request_log import record_of, respond

MAX_REFUSALS = 20
WINDOW_SECONDS = 10.0
BRAKED_CODES = frozenset({LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT})
MAX_TRACKED = 10_000  # principals remembered at once (a token's label); past it, the oldest go


class AbuseBrake:
    """ASGI middleware, inside `Authentication`: counts each principal's refusals for a limit and answers 429
    while they are over `limit` in the last `window` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_REFUSALS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self.clock = clock
        self._refusals: dict[str, deque[float]] = {}
        self._braked_until: dict[str, float] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_of(scope) if scope["type"] == "http" else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        key, now = principal.label, self.clock()
        times = self._recent(key)
        if len(times) > self.limit:  # trips: braked for a window after the last refusal, counted afresh then
            self._braked_until[key] = times[-1] + self.window
            times.clear()
        until = self._braked_until.get(key, 0.0)
        if now < until:
            wait = int(until - now) + 1
            record_of(scope).codes.append(RATE_LIMITED)
            message = (
                f"Too many requests refused for a limit (over {self.limit} in {self.window:g} s); "
                f"wait {wait} s, and send smaller requests."
            )
            for part in respond(429, message, RATE_LIMITED, {"retry-after": str(wait)}):
                await send(part)
            return
        await self.app(scope, receive, send)
        if BRAKED_CODES.intersection(record_of(scope).codes):
            times.append(self.clock())

    def _recent(self, key: str) -> deque[float]:
        """The principal's refusals in the window (older ones dropped)."""
        times = self._refusals.get(key)
        if times is None:
            if len(self._refusals) >= MAX_TRACKED:
                oldest = next(iter(self._refusals))
                self._refusals.pop(oldest)
                self._braked_until.pop(oldest, None)
            times = self._refusals[key] = deque()
        cutoff = self.clock() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times

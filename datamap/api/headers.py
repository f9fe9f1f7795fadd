"""Security headers on every response: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
`Referrer-Policy: no-referrer` and a Content-Security-Policy.

An HTML page (GraphiQL's) may run its own scripts and the inline script whose SHA-256 `page_policy` lists, load
styles, fonts and images from this service (GraphiQL's CSS embeds its fonts as `data:` URLs), talk to this
service only and submit forms to it only (the lineage page's lookup of a person); it may be framed by nobody.
Anything else (JSON, CSV, XLSX, the static assets) may do nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(*pages: str) -> str:
    """The CSP of HTML pages: their inline scripts by hash, everything else from this service."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
            for page in pages
            for script in _INLINE_SCRIPT.findall(page)
        }
    )
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",  # GraphiQL sets style attributes as it lays out its panes
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",  # the lineage page's form posts a person's identifiers to this service
        ]
    )


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (`html_policy` for `text/html` ones)."""

    def __init__(self, app: ASGIApp, *, html_policy: str) -> None:
        self.app = app
        self.html_policy = html_policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                policy = self.html_policy if content_type.startswith(b"text/html") else API_POLICY.encode()
                headers += [
                    (b"content-security-policy", policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


_OURS = frozenset(
    {b"content-security-policy", b"x-content-type-options", b"x-frame-options", b"referrer-policy"}
)

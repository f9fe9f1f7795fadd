"""A document's HTML as PDF, rendered by WeasyPrint (HTML and CSS to PDF, no browser) in a worker thread.

WeasyPrint lays text out with Pango, a system library (Debian: libpango-1.0-0, libpangoft2-1.0-0,
libharfbuzz-subset0): without it, rendering fails with a message that says so. A document's HTML is ours and
fetches nothing; the renderer is told to fetch nothing either, whatever the HTML asks for.
"""

from __future__ import annotations

import asyncio

from datamap.errors import ConfigError

PANGO = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


def render(html: str) -> bytes:
    """The PDF of `html` (blocking: call `pdf_of` from async code)."""
    try:
        import weasyprint  # imported on first use: loading it (and Pango) takes a moment
    except OSError as exc:  # the system library is missing
        raise ConfigError(f"PDF rendering needs Pango (Debian: apt-get install {PANGO}): {exc}") from None
    no_fetching = weasyprint.URLFetcher(allowed_protocols=())
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=no_fetching).write_pdf()
    return pdf


async def pdf_of(html: str) -> bytes:
    """The PDF of `html`, rendered off the event loop."""
    return await asyncio.to_thread(render, html)

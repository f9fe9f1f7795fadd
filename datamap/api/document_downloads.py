"""`/documents/{id}.html` and `/documents/{id}.pdf`: a document under review as it was drafted.

Behind the same door as GraphQL (a bearer token), for the roles that may read the root field `document`; each
download records its audit event before the document leaves (`services/documents.for_download`). Errors are
answered in the GraphQL shape by `RequestLog` (403 FORBIDDEN, 404 NOT_FOUND).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from datamap.api.auth import principal_of
from datamap.domain.access import may_use
from datamap.errors import Forbidden, NotFound
from datamap.services import documents
from datamap.services.context import AppState
from datamap.services.document_pdf import pdf_of

FORMATS = ("html", "pdf")
PRIVATE = {"cache-control": "no-store"}  # a person's data: no cache keeps a copy


def document_download(state: AppState) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler on the application's state."""

    async def download(request: Request) -> Response:
        principal = principal_of(request.scope)
        if principal is None or not may_use(principal, "document"):
            role = principal.role.value if principal else "none"
            raise Forbidden(f"document: the role {role} may not read documents")
        form = request.path_params["format"]
        if form not in FORMATS:
            raise NotFound(f"format {form!r}: use html or pdf")
        found, html = await documents.for_download(
            state.db, request.path_params["id"], form, principal=principal, now=state.clock.now()
        )
        if form == "html":
            return HTMLResponse(html, headers=PRIVATE)
        name = f"{found.kind.value}-{found.id}.pdf"
        return Response(
            await pdf_of(html),
            media_type="application/pdf",
            headers={**PRIVATE, "content-disposition": f'attachment; filename="{name}"'},
        )

    return download

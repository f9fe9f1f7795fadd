"""The Starlette application: GraphQL at /graphql (GraphiQL in a browser), /healthz and /readyz, the downloads,
the pages of `picture_pages.py` (/lineage, /lineage.svg, /reports/ropa.html, /reports/transfers.html), and the
metrics (/metrics, `metrics.py`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Literal

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from datamap.api.auth import Authentication, principal_of
from datamap.api.body_limit import BodyLimit
from datamap.api.bookmarks import CausalBookmarks
from datamap.api.brake import AbuseBrake
from datamap.api.document_downloads import document_download
from datamap.api.examples import EXAMPLES
from datamap.api.graphiql import STATIC_DIR, render_graphiql_page
from datamap.api.graphql_http import GraphQLHttp
from datamap.api.headers import SecurityHeaders, page_policy
from datamap.api.metrics import RequestMetrics, install, metrics_endpoint
from datamap.api.picture_pages import lineage_picture, report_page
from datamap.api.request_log import RequestLog
from datamap.api.schema import schema
from datamap.config import ApiSettings
from datamap.domain.access import may_use
from datamap.domain.day_range import parse_day
from datamap.errors import DatabaseUnavailable, NotFound
from datamap.services.authentication import Authenticator, is_loopback_host
from datamap.services.context import AppState
from datamap.services.reports.map_reports import record_of_processing

STATIC_PREFIX = "/graphiql-static"

log = logging.getLogger("datamap.readiness")


def _page(headers: dict[str, str] | None) -> str:
    return render_graphiql_page(
        endpoint="/graphql",
        static_prefix=STATIC_PREFIX,
        default_query=EXAMPLES[0].query,
        examples=EXAMPLES,
        headers=headers,
    )


class DatamapGraphQL(GraphQLHttp, GraphQL[dict[str, Any], None]):
    """Strawberry's ASGI view with the offline GraphiQL page, our state and settings in the context, and errors
    in the GraphQL shape at the HTTP level too (`graphql_http.py`).

    `loopback_headers`: headers the page served to a loopback client starts with (the local admin token);
    any other client gets the page without them."""

    def __init__(
        self,
        state: AppState,
        loopback_headers: dict[str, str] | None = None,
        settings: ApiSettings | None = None,
    ) -> None:
        self.settings = settings or ApiSettings()
        ide: Literal["graphiql"] | None = "graphiql" if self.settings.graphiql else None
        super().__init__(schema, graphql_ide=ide, allow_queries_via_get=False)
        self.state = state
        self.page = _page(None)
        self.loopback_page = _page(loopback_headers) if loopback_headers else self.page

    async def get_context(self, request: Any, response: Any = None) -> dict[str, Any]:
        principal = principal_of(request.scope)
        return {
            "request": request,
            "response": response,
            "state": self.state,
            "principal": principal,
            "settings": self.settings,
        }

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        client = request.client.host if request.client else None
        return HTMLResponse(self.loopback_page if client and is_loopback_host(client) else self.page)

    def encode_json(self, data: Any) -> bytes:
        return orjson.dumps(data)


def create_app(
    state: AppState,
    *,
    authenticator: Authenticator,
    loopback_headers: dict[str, str] | None = None,
    close_db_on_shutdown: bool = True,
    settings: ApiSettings | None = None,
) -> Starlette:
    """The application. Every request but the health checks and GraphiQL's page and assets is authenticated by
    `authenticator`; `loopback_headers` pre-fill GraphiQL for a developer on this machine. `settings`: the
    request deadline, introspection and GraphiQL switches (default: from the environment)."""
    settings = settings or ApiSettings.from_env()
    install()  # the graph layer tells the metrics of its statements

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await state.db.verify()  # within 1.5 s
        except DatabaseUnavailable as exc:
            log.warning("not ready: %s", exc)  # the detail is the operator's; the answer stays generic
            return JSONResponse({"status": "unavailable", "reason": "the database is not reachable"}, 503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_db_on_shutdown:
            await state.db.close()

    async def ropa_download(request: Request) -> Response:
        """/reports/ropa.{csv,xlsx,json}?asOf=YYYY-MM-DD"""
        principal = principal_of(request.scope)
        if principal is None or not may_use(principal, "ropa"):
            return JSONResponse(
                {
                    "errors": [
                        {"message": "ropa: this role may not read it", "extensions": {"code": "FORBIDDEN"}}
                    ]
                },
                status_code=403,
            )
        fmt = request.path_params["format"]
        if fmt not in ("csv", "xlsx", "json"):
            raise NotFound(f"format {fmt!r}: use csv, xlsx or json")  # answered by RequestLog, as JSON
        raw = request.query_params.get("asOf")
        as_of = parse_day(raw, "asOf") if raw else None  # a ValidationError is answered 400 by RequestLog
        record = await record_of_processing(state.db, as_of, now=state.clock.now())
        name = f"ropa-{record.as_of.isoformat()}.{fmt}"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return Response(record.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
        if fmt == "xlsx":
            return Response(
                record.to_xlsx(),
                headers=headers,
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        return Response(record.to_json(), media_type="application/json", headers=headers)

    graphql = DatamapGraphQL(state, loopback_headers, settings)
    static = [Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static")]
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/reports/ropa.html", report_page(state, "ropa")),  # before the downloads' pattern
            Route("/reports/transfers.html", report_page(state, "transferRegister")),
            Route("/reports/ropa.{format}", ropa_download),
            # POST: the lineage page's form, with a person's identifiers (never in a URL)
            Route("/lineage", lineage_picture(state, "html"), methods=["GET", "POST"]),
            Route("/lineage.svg", lineage_picture(state, "svg"), methods=["GET", "POST"]),
            Route("/documents/{id}.{format}", document_download(state)),
            Route("/metrics", metrics_endpoint(state)),  # a monitor or admin token (domain/access.py)
            *(static if settings.graphiql else []),
        ],
        lifespan=lifespan,
        middleware=[  # outermost first
            Middleware(RequestMetrics),  # operation, outcome, latency, error codes of every request
            Middleware(RequestLog, request_timeout=settings.request_timeout),  # deadline, log line, errors
            Middleware(SecurityHeaders, html_policy=page_policy(graphql.page, graphql.loopback_page)),
            Middleware(Authentication, authenticator=authenticator, open_prefixes=(STATIC_PREFIX,)),
            Middleware(AbuseBrake),  # 429 for a principal that keeps sending what the limits refuse
            Middleware(BodyLimit, seconds=settings.body_timeout),  # 413 past 1 MiB unread; 408 if too slow
            Middleware(CausalBookmarks, db=state.db),  # X-Datamap-Bookmark: read-your-writes across processes
        ],
    )

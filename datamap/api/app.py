"""The Starlette application: GraphQL at /graphql (GraphiQL in a browser), /healthz and /readyz."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from datamap.api.examples import EXAMPLES
from datamap.api.graphiql import STATIC_DIR, render_graphiql_page
from datamap.api.schema import schema
from datamap.errors import DatabaseUnavailable
from datamap.services.context import AppState
from datamap.services.reports.map_reports import record_of_processing

STATIC_PREFIX = "/graphiql-static"


class DatamapGraphQL(GraphQL[dict[str, Any], None]):
    """Strawberry's ASGI view with the offline GraphiQL page and our state in the context."""

    def __init__(self, state: AppState) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=False)
        self.state = state
        self.page = render_graphiql_page(
            endpoint="/graphql",
            static_prefix=STATIC_PREFIX,
            default_query=EXAMPLES[0][1],
            example_queries=EXAMPLES[1:],
        )

    async def get_context(self, request: Any, response: Any = None) -> dict[str, Any]:
        return {"request": request, "response": response, "state": self.state}

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return HTMLResponse(self.page)

    def encode_json(self, data: Any) -> bytes:
        return orjson.dumps(data)


def create_app(state: AppState, *, close_db_on_shutdown: bool = True) -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await state.db.verify()
        except DatabaseUnavailable as exc:
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_db_on_shutdown:
            await state.db.close()

    async def ropa_download(request: Request) -> Response:
        """/reports/ropa.{csv,xlsx,json}?asOf=YYYY-MM-DD"""
        fmt = request.path_params["format"]
        raw = request.query_params.get("asOf")
        try:
            as_of = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            return JSONResponse({"error": f"asOf: {raw!r} is not a date (YYYY-MM-DD)"}, status_code=400)
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
        if fmt == "json":
            return Response(record.to_json(), media_type="application/json", headers=headers)
        return JSONResponse({"error": f"format {fmt!r}: use csv, xlsx or json"}, status_code=404)

    graphql = DatamapGraphQL(state)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/reports/ropa.{format}", ropa_download),
            Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static"),
        ],
        lifespan=lifespan,
    )

"""The HTTP side of the GraphQL endpoint, mixed into strawberry's ASGI view (`app.DatamapGraphQL`).

- A body that is not a JSON object (a string, `null`, a number, a list, invalid UTF-8) is a 400 that says so,
  not a 500.
- Every answer strawberry gives itself as plain text (400, 404, 405) is given in the GraphQL shape instead:
  `{"errors": [{"message": ..., "extensions": {"code": ...}}]}`.
- An execution result with `DATABASE_UNAVAILABLE` among its errors is an HTTP 503 with `Retry-After`.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.responses import Response
from strawberry.types.unset import UNSET

from datamap.api.errors import (
    BAD_REQUEST,
    DATABASE_UNAVAILABLE,
    OPERATION_RESOLUTION_FAILURE,
    error_body,
)
from datamap.api.request_log import record_of, unavailable_headers

_BETTER_REASONS = {
    "Unsupported content type": "Send the request as JSON, with the header Content-Type: application/json",
    "Batching is not enabled": "A list of operations is not accepted: send one JSON object per request",
    "Not Found": "Not found: GraphiQL is switched off on this service; POST queries as JSON",
}

_KINDS = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}


class GraphQLHttp:
    """JSON bodies checked, plain-text answers as GraphQL errors, 503 when the database is down."""

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"The request body is not valid JSON (UTF-8): {exc}") from None
        if isinstance(value, dict | list):
            return value  # a list is a batch: strawberry refuses it while batching is off
        kind = "null" if value is None else _KINDS.get(type(value), type(value).__name__)
        raise HTTPException(
            400,
            f"The request body is {kind}: send a JSON object, "
            '{"query": "...", "variables": {...}, "operationName": "..."}',
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)  # type: ignore[misc]
        except HTTPException as exc:
            reason = _BETTER_REASONS.get(exc.reason, exc.reason)
            if reason.startswith("Unknown operation named"):
                code = OPERATION_RESOLUTION_FAILURE
            elif exc.status_code == 404:
                code = "NOT_FOUND"
            else:
                code = BAD_REQUEST
            record_of(request.scope).codes.append(code)
            return Response(
                error_body(reason, code), status_code=exc.status_code, media_type="application/json"
            )

    def create_response(self, response_data: Any, sub_response: Any) -> Response:
        response: Response = super().create_response(response_data, sub_response)  # type: ignore[misc]
        errors = response_data.get("errors") if isinstance(response_data, dict) else None
        if errors and any((e.get("extensions") or {}).get("code") == DATABASE_UNAVAILABLE for e in errors):
            response.status_code = 503
            response.headers.update(unavailable_headers())
        return response

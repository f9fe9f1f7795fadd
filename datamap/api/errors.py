"""GraphQL errors with a code: each error's `extensions.code` says what kind of problem it is.

A `DatamapError` keeps its message (it is meant for the user) and gets its class's code; a syntax or validation
error of the document gets the code graphql-core's own phases imply, a variable that cannot be coerced
`BAD_USER_INPUT`, a limit of `limits.py` `LIMIT_EXCEEDED`; anything unexpected is masked as "Unexpected error."
with `INTERNAL_SERVER_ERROR` (the server log has the detail). `DATABASE_UNAVAILABLE` gets a generic message too:
the detail (the Bolt address, the driver's words) is for the operator's log, not for the client.

Errors the HTTP layer answers itself (a body that is not a JSON object, too large, a database that is down) are
shaped the same way by `error_body`: `{"errors": [{"message": ..., "extensions": {"code": ...}}]}`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import MaskErrors

from datamap.errors import DatabaseUnavailable, DatamapError

INTERNAL = "INTERNAL_SERVER_ERROR"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
RATE_LIMITED = "RATE_LIMITED"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
DATABASE_UNAVAILABLE = DatabaseUnavailable.code

UNAVAILABLE_MESSAGE = "The database is unavailable; try again in a few seconds."
RETRY_AFTER_SECONDS = 5  # what a 503 asks the client to wait

log = logging.getLogger("datamap.errors")


def error_body(message: str, code: str) -> bytes:
    """A GraphQL-shaped error response body, for answers the HTTP layer gives itself."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def is_unexpected(error: GraphQLError) -> bool:
    """An error that came from our code without a message meant for the user."""
    original = error.original_error
    return original is not None and not isinstance(original, DatamapError | GraphQLError)


def code_of(error: GraphQLError, *, validation: bool = False) -> str:
    """The code of one error; `validation`: it was reported by the validation phase."""
    if isinstance(error, ValidationAbortedError):  # graphql-core gave up on a document too costly to validate
        return LIMIT_EXCEEDED
    preset = (error.extensions or {}).get("code")
    if isinstance(preset, str):
        return preset
    original = error.original_error
    if isinstance(original, DatamapError):
        return original.code
    if original is None:
        if isinstance(error, GraphQLSyntaxError):
            limit = "Document contains more than" in error.message or "nested too deeply" in error.message
            return LIMIT_EXCEEDED if limit else PARSE_FAILED
        if validation:
            return VALIDATION_FAILED
        if error.path is not None:  # a field that could not be completed (a null for a non-null field, ...)
            return INTERNAL
        if error.message.startswith("Variable "):  # coercing the variables, at the start of execution
            return BAD_USER_INPUT
        if error.message.startswith(("Must provide operation name", "Unknown operation named")):
            return OPERATION_RESOLUTION_FAILURE
        return VALIDATION_FAILED
    if isinstance(original, GraphQLError):
        return BAD_USER_INPUT
    return INTERNAL


class ErrorCodes(MaskErrors):
    """Masks unexpected errors and gives every error its `extensions.code`."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)
        self._validation_errors: list[GraphQLError] = []

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = list(self.execution_context.pre_execution_errors or ())

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        coded: list[GraphQLError] = []
        unavailable: list[str] = []
        for error in errors:
            code = code_of(error, validation=any(error is e for e in self._validation_errors))
            if self.should_mask_error(error):
                shown = self.anonymise_error(error)
            elif code == DATABASE_UNAVAILABLE:
                unavailable.append(error.message)
                shown = GraphQLError(
                    UNAVAILABLE_MESSAGE, nodes=error.nodes, positions=error.positions, path=error.path
                )
            else:
                shown = error
            shown.extensions = {**(shown.extensions or {}), "code": code}
            coded.append(shown)
        if unavailable:  # once per request, however many fields failed
            log.warning("database unavailable (%d fields): %s", len(unavailable), unavailable[0])
        return coded

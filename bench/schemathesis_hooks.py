"""schemathesis's check for CI's bounded fuzz of the GraphQL API (`.ci/run`): no HTTP 5xx, ever.

schemathesis's own `not_a_server_error` also counts every GraphQL error (a NOT_FOUND for a made-up id, a
BAD_USER_INPUT for a random string) as a failure; those are the correct answers to such requests.
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """HTTP 5xx only: an error the client caused is a correct answer."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:300]}")

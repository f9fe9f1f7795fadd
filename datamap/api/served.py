"""The application as `datamap serve` runs it, built from the environment: what each worker process calls.

With `--workers N` uvicorn starts N processes that each import this module and call `served_app()`; each has its
own driver (a pool of connections), its own audit batcher and its own brake. What the processes share lives in
Neo4j (tokens, the audit chain, the map-edit lock) or in the state folder (the hash secret, the local admin token,
both made once, first wins), so they answer alike. `datamap serve` has applied the schema and loaded the seed
before any worker starts.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from datamap.api.app import create_app
from datamap.api.request_log import configure_access_log
from datamap.clock import SystemClock
from datamap.config import Neo4jSettings, hash_secret, state_dir
from datamap.graph.database import Database
from datamap.services.authentication import serving, uses_local_token
from datamap.services.context import AppState

# The host `datamap serve` listens on: whether authentication may fall back to the local admin token depends on it.
HOST_VARIABLE = "DATAMAP_SERVE_HOST"
ACCESS_LOG_VARIABLE = "DATAMAP_SERVE_ACCESS_LOG"  # "off": `serve --no-access-log`


def _host() -> str:
    return os.environ.get(HOST_VARIABLE, "127.0.0.1")


def local_token_used() -> bool:
    """Whether the service falls back to the local admin token (no authentication configured, on loopback);
    a `ConfigError` when it may not serve at all (beyond loopback without authentication)."""
    return uses_local_token(_host())


def served_app() -> Starlette:
    """A worker's application: the database, the clock and the authentication `datamap serve` uses."""
    configure_access_log(os.environ.get(ACCESS_LOG_VARIABLE) != "off")
    db = Database(Neo4jSettings.from_env())
    clock = SystemClock()  # a running service always uses the machine's clock
    authenticator, loopback_headers = serving(
        db, clock.now, os.environ.get(HOST_VARIABLE, "127.0.0.1"), state_dir()
    )
    return create_app(
        AppState(db=db, secret=hash_secret(), clock=clock),
        authenticator=authenticator,
        loopback_headers=loopback_headers,
    )

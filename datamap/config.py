"""Settings from the environment, with defaults for a local developer machine."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from datamap.errors import ConfigError

DEFAULT_BOLT_PORT = 7687
LOCAL_USER = "neo4j"
# The password every local Neo4j home got before passwords were random: a home created then keeps it.
LEGACY_LOCAL_PASSWORD = "datamap-local"


def state_dir() -> Path:
    """Where datamap keeps what is not source: Neo4j jars, the local database, the hashing secret."""
    base = os.environ.get("DATAMAP_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "datamap"
    )
    return Path(base)


def local_home() -> Path:
    """The home folder of the local Neo4j server datamap runs (its configuration, database and logs)."""
    return state_dir() / "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j. `managed` means datamap runs the local server itself."""

    uri: str
    user: str
    password: str = field(repr=False)  # never in a log line or a traceback
    database: str
    managed: bool
    # seconds one statement (or one transaction) may run before Neo4j stops it: DATAMAP_QUERY_TIMEOUT
    query_timeout: float = field(default_factory=lambda: seconds_setting("DATAMAP_QUERY_TIMEOUT", 10.0))

    @classmethod
    def from_env(cls) -> Neo4jSettings:
        uri = os.environ.get("DATAMAP_NEO4J_URI")
        database = os.environ.get("DATAMAP_NEO4J_DATABASE", "neo4j")
        if uri:
            scheme = uri.split("://", 1)[0]
            if scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
                raise ConfigError(
                    f"DATAMAP_NEO4J_URI={uri!r}: scheme {scheme!r} is not a Neo4j scheme "
                    "(use bolt://, neo4j://, neo4j+s:// ...)"
                )
            return cls(
                uri=uri,
                user=os.environ.get("DATAMAP_NEO4J_USER", "neo4j"),
                password=os.environ.get("DATAMAP_NEO4J_PASSWORD", ""),
                database=database,
                managed=False,
            )
        raw_port = os.environ.get("DATAMAP_NEO4J_PORT", str(DEFAULT_BOLT_PORT))
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise ConfigError(f"DATAMAP_NEO4J_PORT={raw_port!r}: give a port number from 1 to 65535")
        port = int(raw_port)
        return cls(
            uri=f"bolt://127.0.0.1:{port}",
            user=LOCAL_USER,
            password=local_password(),
            database=database,
            managed=True,
        )


def local_password() -> str:
    """The password of the local Neo4j server.

    `DATAMAP_NEO4J_PASSWORD` when set. Otherwise a random password created once in the state directory (file
    `neo4j-password`, 0600), set on the server before its first start. A home created before passwords were
    random (it has a database but no password file) keeps its old password, written to that file.
    """
    configured = os.environ.get("DATAMAP_NEO4J_PASSWORD")
    if configured:
        return configured
    path = state_dir() / "neo4j-password"
    if not path.exists():
        legacy = (local_home() / "data").exists()
        create_once(path, LEGACY_LOCAL_PASSWORD if legacy else secrets.token_urlsafe(24))
    return path.read_text().strip()


def hash_secret() -> bytes:
    """The HMAC key for subject identifiers.

    `DATAMAP_HASH_SECRET` in production. Without it a random secret is created once in the state directory,
    so hashes stay stable across restarts of a developer's service.
    """
    configured = os.environ.get("DATAMAP_HASH_SECRET")
    if configured is not None:
        if len(configured) < 16:
            raise ConfigError("DATAMAP_HASH_SECRET must be at least 16 characters")
        return configured.encode()
    path = state_dir() / "hash-secret"
    if not path.exists():
        create_once(path, secrets.token_hex(32))
    return path.read_text().strip().encode()


def create_once(path: Path, value: str) -> None:
    """Write `value` to `path` (0600) unless another process got there first: the first writer wins."""
    _make_state_dir(path.parent)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # left by a crashed process that had this pid
    # created 0600: never readable by others, not even between writing and a chmod
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(value)
        os.chmod(tmp, 0o600)  # whatever the umask
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic and first-wins: two starting processes agree on one value
    finally:
        tmp.unlink(missing_ok=True)


def _make_state_dir(folder: Path) -> None:
    """Create the state folder readable by its owner only (0700); a folder that exists is left as it is."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return
    folder.chmod(0o700)  # mkdir's mode passes through the umask


def seconds_setting(name: str, default: float) -> float:
    """A duration in seconds from the environment (`DATAMAP_QUERY_TIMEOUT=10`), positive."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 86_400:
        raise ConfigError(f"{name}={raw!r}: give a number of seconds, more than 0 (e.g. {default:g})")
    return value


def switch_setting(name: str, default: bool) -> bool:
    """`on`/`off` (also true/false, 1/0, yes/no) from the environment."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"on", "true", "1", "yes"}:
        return True
    if value in {"off", "false", "0", "no"}:
        return False
    raise ConfigError(f"{name}={raw!r}: give on or off")


@dataclass(frozen=True)
class ApiSettings:
    """How the API serves: the deadline of each request, and whether introspection and GraphiQL are on."""

    request_timeout: float = 30.0  # DATAMAP_REQUEST_TIMEOUT: every statement of a request ends by then
    body_timeout: float = 10.0  # DATAMAP_BODY_TIMEOUT: a request body must have arrived by then (else 408)
    introspection: bool = True  # DATAMAP_INTROSPECTION=off: `__schema` and `__type` are refused
    graphiql: bool = True  # DATAMAP_GRAPHIQL=off: no GraphiQL page, no static assets

    @classmethod
    def from_env(cls) -> ApiSettings:
        return cls(
            request_timeout=seconds_setting("DATAMAP_REQUEST_TIMEOUT", 30.0),
            body_timeout=seconds_setting("DATAMAP_BODY_TIMEOUT", 10.0),
            introspection=switch_setting("DATAMAP_INTROSPECTION", True),
            graphiql=switch_setting("DATAMAP_GRAPHIQL", True),
        )

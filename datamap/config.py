"""Settings from the environment, with defaults for a local developer machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from datamap.errors import ConfigError

DEFAULT_BOLT_PORT = 7687
LOCAL_USER = "neo4j"
LOCAL_PASSWORD = "datamap-local"


def state_dir() -> Path:
    """Where datamap keeps what is not source: Neo4j jars, the local database, the hashing secret."""
    base = os.environ.get("DATAMAP_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "datamap"
    )
    return Path(base)


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j. `managed` means datamap runs the local server itself."""

    uri: str
    user: str
    password: str
    database: str
    managed: bool

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
            password=os.environ.get("DATAMAP_NEO4J_PASSWORD", LOCAL_PASSWORD),
            database=database,
            managed=True,
        )


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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"hash-secret.{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic and first-wins: two starting processes agree on one secret
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode()

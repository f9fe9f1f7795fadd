"""OpenID Connect bearer JWTs: verified against one configured issuer, audience and JWKS, turned into a `Principal`.

The identity provider signs the token; PyJWT checks the signature with the provider's public key, chosen by the
token's key id (`kid`) from the JWKS, which is either a file (read once, when the verifier is made) or a URL
(fetched with PyJWT's `PyJWKClient`, whose cache keeps the key set for `KEYS_CACHE_SECONDS`; a key id that is not
in the cached set makes one fresh fetch at most every `REFRESH_COOLDOWN_SECONDS`, so rotated keys are picked up
without letting forged key ids make a fetch per request).

Only asymmetric algorithms are accepted, and only the one the chosen key is for: `alg: none` and HS256 "signed"
with the public key are refused before any key is used. The token must carry `iss` (the configured issuer, exactly),
`aud` (containing the configured audience), `exp` and `sub`; `nbf` and `iat` are checked when present; times allow
`LEEWAY_SECONDS` of clock skew. The role comes from one claim (`datamap_role` unless configured), a role name or a
list holding exactly one; the recipient scope from another (optional). Every refusal is an `Unauthenticated` that
says what is wrong in plain words and never repeats the token.

`OidcVerifier.verify` is synchronous: a signature check (CPU) and, when the key set is not cached, one HTTP fetch
of at most `FETCH_TIMEOUT_SECONDS`. An async caller runs it in a worker thread (`asyncio.to_thread`) so a fetch
never blocks the event loop; the verifier is safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import math
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt

from datamap.domain.access import Principal, Role
from datamap.errors import ConfigError, Unauthenticated

ISSUER_VARIABLE = "DATAMAP_OIDC_ISSUER"
AUDIENCE_VARIABLE = "DATAMAP_OIDC_AUDIENCE"
JWKS_VARIABLE = "DATAMAP_OIDC_JWKS"
ROLE_CLAIM_VARIABLE = "DATAMAP_OIDC_ROLE_CLAIM"
RECIPIENT_CLAIM_VARIABLE = "DATAMAP_OIDC_RECIPIENT_CLAIM"

LEEWAY_SECONDS = 30  # clock skew allowed between the identity provider and this service
KEYS_CACHE_SECONDS = 300  # how long a fetched key set is used before it is fetched again
REFRESH_COOLDOWN_SECONDS = (
    30  # at most one extra fetch per this many seconds for key ids not in the cached set
)
FETCH_TIMEOUT_SECONDS = 5
MAX_TOKEN_CHARS = 16_384

# Asymmetric signatures only: a shared-secret (HS*) algorithm would let anyone holding the public key sign.
ACCEPTABLE_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_ROLE_NAMES = frozenset(role.value for role in Role)
_ROLES = ", ".join(role.value for role in Role)


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer credential has a JWT's shape: three base64url segments (the last, the signature, may be
    empty so that an unsigned token is refused as a JWT). The service's own API tokens (`dm_...`) never do."""
    return _JWT.fullmatch(token) is not None


@dataclass(frozen=True)
class OidcSettings:
    """The identity provider this service trusts, and where its tokens carry the role and the recipient scope."""

    issuer: str  # must equal the token's `iss` exactly (a trailing slash counts)
    audience: str  # must be (one of) the token's `aud`
    jwks: str  # the provider's JWKS: a file path, an https:// URL, or an http:// URL on a loopback address
    role_claim: str = "datamap_role"
    recipient_claim: str = "datamap_recipient"
    algorithms: tuple[str, ...] = ("RS256", "ES256")

    @classmethod
    def from_env(cls) -> OidcSettings | None:
        """The settings from `DATAMAP_OIDC_*`; None when no issuer is set (OpenID Connect is then not used)."""
        issuer = _env(ISSUER_VARIABLE)
        if issuer is None:
            return None
        audience = _env(AUDIENCE_VARIABLE)
        if audience is None:
            raise ConfigError(
                f"{AUDIENCE_VARIABLE} is not set: with {ISSUER_VARIABLE} set, give the audience (`aud`) the "
                "identity provider puts in tokens meant for this service"
            )
        jwks = _env(JWKS_VARIABLE)
        if jwks is None:
            raise ConfigError(
                f"{JWKS_VARIABLE} is not set: with {ISSUER_VARIABLE} set, give the identity provider's JWKS, "
                "an https:// URL (its `jwks_uri`) or a JSON file"
            )
        _jwks_source(jwks)
        return cls(
            issuer=issuer,
            audience=audience,
            jwks=jwks,
            role_claim=_env(ROLE_CLAIM_VARIABLE) or cls.role_claim,
            recipient_claim=_env(RECIPIENT_CLAIM_VARIABLE) or cls.recipient_claim,
        )


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _jwks_source(jwks: str) -> str | Path:
    """The JWKS setting as a URL (str) or a file (Path); `ConfigError` when it is neither, or plain http."""
    if "://" in jwks:
        parts = urlsplit(jwks)
        scheme = parts.scheme.lower()
        if scheme not in {"https", "http"} or not parts.hostname:
            raise ConfigError(
                f"{JWKS_VARIABLE}={jwks!r}: give an https:// URL with a host name, or the path of a JWKS file"
            )
        if scheme == "http" and not _loopback(parts.hostname):
            raise ConfigError(
                f"{JWKS_VARIABLE}={jwks!r}: plain http is refused (anyone on the way could swap the keys); "
                "use https://, or http:// only on a loopback address such as 127.0.0.1"
            )
        return jwks
    path = Path(jwks)
    if not path.is_file():
        raise ConfigError(
            f"{JWKS_VARIABLE}={jwks!r} is neither an existing file nor a URL: give the identity provider's "
            "JWKS URL (https://...) or the path of a JWKS file"
        )
    return path


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OidcVerifier:
    """Verifies the identity provider's JWTs and turns them into principals (`verify`), keeping its keys.

    A JWKS file is read here (a `ConfigError` if it is unreadable or holds no usable key); a JWKS URL is fetched
    on the first verification, then from the cache.
    """

    def __init__(self, settings: OidcSettings) -> None:
        refused = [alg for alg in settings.algorithms if alg not in ACCEPTABLE_ALGORITHMS]
        if refused or not settings.algorithms:
            raise ConfigError(
                f"OpenID Connect algorithms {list(settings.algorithms)!r}: accepted are only asymmetric ones "
                f"({', '.join(sorted(ACCEPTABLE_ALGORITHMS))})"
            )
        self.settings = settings
        source = _jwks_source(settings.jwks)
        self._file_keys: jwt.PyJWKSet | None = None
        self._client: jwt.PyJWKClient | None = None
        if isinstance(source, Path):
            self._file_keys = _read_jwks_file(source)
        else:
            self._client = jwt.PyJWKClient(
                source, cache_jwk_set=True, lifespan=KEYS_CACHE_SECONDS, timeout=FETCH_TIMEOUT_SECONDS
            )
        self._lock = threading.Lock()
        self._last_refresh = -math.inf

    def verify(self, token: str, *, now: dt.datetime | None = None) -> Principal:
        """The principal a bearer JWT stands for, or `Unauthenticated` saying why not.

        `now` (timezone-aware) is the time `exp`, `nbf` and `iat` are checked against: the caller's clock
        (`AppState.clock`); the system time when not given. Synchronous: see the module's note.
        """
        if now is None:
            now = dt.datetime.now(dt.UTC)
        elif now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if len(token) > MAX_TOKEN_CHARS:
            raise Unauthenticated(f"the bearer token is longer than {MAX_TOKEN_CHARS} characters")
        if not looks_like_jwt(token):
            raise Unauthenticated(
                "the bearer token is not a JWT (three base64url segments separated by dots)"
            )
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated(
                "the token's header is not valid JSON in base64url, or names a bad key id"
            ) from None
        alg = header.get("alg")
        if alg not in self.settings.algorithms:
            raise Unauthenticated(
                "the token is signed with an algorithm this service does not accept "
                f"(accepted: {', '.join(self.settings.algorithms)}; never `none` or a shared secret)"
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no key id (`kid` in its header), so no key can check it")
        key = self._key(kid)
        if alg != key.algorithm_name:
            raise Unauthenticated(
                f"the token's signing algorithm does not match its key, which is for {key.algorithm_name}"
            )
        claims = _decode(token, key, self.settings)
        _check_times(claims, now.timestamp())
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise Unauthenticated("the token's subject (`sub`) is not a non-empty string")
        return Principal(
            id=subject,
            role=self._role(claims),
            recipient=self._recipient(claims),
            kind="oidc",
        )

    def _key(self, kid: str) -> jwt.PyJWK:
        if self._file_keys is not None:
            key = _find(self._file_keys, kid)
        else:
            key = _find(self._fetch(refresh=False), kid)
            if key is None and self._may_refresh():
                key = _find(self._fetch(refresh=True), kid)
        if key is None:
            raise Unauthenticated(
                "the token's key id (`kid`) is not one of the identity provider's signing keys: "
                "an unknown key id (a key retired, or not the configured provider's)"
            )
        if key.algorithm_name not in self.settings.algorithms:
            raise Unauthenticated(
                f"the identity provider's key for this token is for {key.algorithm_name}, which this service "
                f"does not accept (accepted: {', '.join(self.settings.algorithms)})"
            )
        return key

    def _may_refresh(self) -> bool:
        with self._lock:
            moment = time.monotonic()
            if moment - self._last_refresh < REFRESH_COOLDOWN_SECONDS:
                return False
            self._last_refresh = moment
            return True

    def _fetch(self, *, refresh: bool) -> jwt.PyJWKSet:
        assert self._client is not None
        try:
            return self._client.get_jwk_set(refresh=refresh)
        except (jwt.PyJWTError, OSError, ValueError, http.client.HTTPException) as exc:
            raise Unauthenticated(
                "the token cannot be checked now: the identity provider's keys could not be fetched from "
                f"{self.settings.jwks} ({_reason(exc)}); try again later"
            ) from None

    def _role(self, claims: Mapping[str, Any]) -> Role:
        name = self.settings.role_claim
        value = claims.get(name)
        if isinstance(value, list):
            if len(value) > 1:
                raise Unauthenticated(
                    f"the token's role claim `{name}` lists {len(value)} roles; datamap takes exactly one "
                    "(have the identity provider send the one role this user acts in)"
                )
            value = value[0] if value else None
        if value is None or value == "":
            raise Unauthenticated(
                f"the token has no role claim `{name}`: the identity provider must send one of {_ROLES}"
            )
        if not isinstance(value, str) or value not in _ROLE_NAMES:
            raise Unauthenticated(
                f"the token's role claim `{name}` holds an unknown role; known roles: {_ROLES}"
            )
        return Role(value)

    def _recipient(self, claims: Mapping[str, Any]) -> str | None:
        name = self.settings.recipient_claim
        value = claims.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise Unauthenticated(f"the token's recipient claim `{name}` is not a non-empty string")
        return value


def _read_jwks_file(path: Path) -> jwt.PyJWKSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{JWKS_VARIABLE}={str(path)!r}: the JWKS file cannot be read as JSON ({exc})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ConfigError(f"{JWKS_VARIABLE}={str(path)!r}: not a JWKS (a JSON object with a `keys` list)")
    try:
        return jwt.PyJWKSet.from_dict(data)
    except jwt.PyJWTError as exc:
        raise ConfigError(f"{JWKS_VARIABLE}={str(path)!r}: the JWKS holds no usable key ({exc})") from None


def _find(keys: jwt.PyJWKSet, kid: str) -> jwt.PyJWK | None:
    """The signing key with this id (keys marked for encryption, `use: enc`, are not signing keys)."""
    for key in keys.keys:
        if key.key_id == kid and key.public_key_use in {"sig", None}:
            return key
    return None


def _decode(token: str, key: jwt.PyJWK, settings: OidcSettings) -> dict[str, Any]:
    """The claims once the signature, issuer and audience are verified (the times are checked by the caller)."""
    try:
        return jwt.decode(
            token,
            key=key.key,
            algorithms=[key.algorithm_name],
            audience=settings.audience,
            issuer=settings.issuer,
            options={
                "require": ["exp", "iss", "aud", "sub"],
                "verify_exp": False,  # checked against the caller's clock in `_check_times`
                "verify_nbf": False,
                "verify_iat": False,
                "enforce_minimum_key_length": True,  # a short key is refused, not warned about per request
            },
        )
    except jwt.InvalidSignatureError:
        raise Unauthenticated(
            "bad signature: the token was not signed by the identity provider's key it names (or was altered)"
        ) from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated(
            f"wrong issuer: the token was not issued by the configured identity provider ({ISSUER_VARIABLE}; "
            "the two must match exactly, a trailing slash included)"
        ) from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated(
            f"wrong audience: the token is meant for another service, not this one ({AUDIENCE_VARIABLE})"
        ) from None
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthenticated(
            f"the token lacks the `{exc.claim}` claim, which this service requires"
        ) from None
    except jwt.InvalidKeyError:
        raise Unauthenticated("the identity provider's key for this token is unusable or too short") from None
    except jwt.DecodeError:
        raise Unauthenticated("the token is malformed: its parts are not valid base64url JSON") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the token is not valid: {_reason(exc)}") from None


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    expires = _numeric(claims, "exp")
    if expires is not None and now >= expires + LEEWAY_SECONDS:
        raise Unauthenticated(f"the token has expired (at {_iso(expires)}); get a new one")
    not_before = _numeric(claims, "nbf")
    if not_before is not None and now + LEEWAY_SECONDS < not_before:
        raise Unauthenticated(f"the token is not yet valid (not before {_iso(not_before)})")
    issued = _numeric(claims, "iat")
    if issued is not None and now + LEEWAY_SECONDS < issued:
        raise Unauthenticated(
            f"the token is not yet valid: it says it was issued in the future ({_iso(issued)})"
        )


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unauthenticated(f"the token's `{name}` claim is not a time (seconds since 1970)")
    return float(value)


def _iso(seconds: float) -> str:
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return f"{seconds:.0f} s since 1970"


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."

"""OpenID Connect JWTs: keys made here, a JWKS file (and one served on 127.0.0.1), tokens signed by the test."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from datamap.domain.access import Principal, Role
from datamap.errors import ConfigError, Unauthenticated
from datamap.services import oidc
from datamap.services.oidc import OidcSettings, OidcVerifier, looks_like_jwt

ISSUER = "https://login.example.com/realms/acme"
AUDIENCE = "datamap-api"
RSA_KID = "rsa-2026"
EC_KID = "ec-2026"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def jwks(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    rsa_jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    ec_jwk = ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True)
    return {
        "keys": [
            {**rsa_jwk, "kid": RSA_KID, "use": "sig", "alg": "RS256"},
            {**ec_jwk, "kid": EC_KID, "use": "sig", "alg": "ES256"},
        ]
    }


@pytest.fixture
def jwks_file(tmp_path: Path, jwks: dict[str, Any]) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    return path


@pytest.fixture
def settings(jwks_file: Path) -> OidcSettings:
    return OidcSettings(issuer=ISSUER, audience=AUDIENCE, jwks=str(jwks_file))


@pytest.fixture
def verifier(settings: OidcSettings) -> OidcVerifier:
    return OidcVerifier(settings)


def claims(**changes: Any) -> dict[str, Any]:
    """A valid token's claims; a change to None drops the claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "4f1c2a9e-alice",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "datamap_role": "compliance",
        "datamap_recipient": "acme_crm",
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def sign(key: Any, payload: dict[str, Any], *, kid: str | None = RSA_KID, alg: str = "RS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT would not make: `alg: none` (no signature) or HMAC with a chosen secret."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def refusal(verifier: OidcVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    message = str(caught.value)
    assert token not in message
    parts = token.split(".")
    if len(parts) == 3 and len(parts[1]) > 8:
        assert parts[1] not in message  # not even the payload
    return message


# --- valid tokens -------------------------------------------------------------------------------------------


def test_a_valid_rsa_token_gives_the_principal(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    principal = verifier.verify(sign(rsa_key, claims()))
    assert principal == Principal("4f1c2a9e-alice", Role.COMPLIANCE, recipient="acme_crm", kind="oidc")
    assert principal.label == "oidc:4f1c2a9e-alice"


def test_a_valid_ec_token_without_recipient(
    verifier: OidcVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = sign(ec_key, claims(datamap_role="viewer", datamap_recipient=None), kid=EC_KID, alg="ES256")
    assert verifier.verify(token) == Principal("4f1c2a9e-alice", Role.VIEWER, recipient=None, kind="oidc")


def test_an_audience_list_that_holds_ours(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    token = sign(rsa_key, claims(aud=["account", AUDIENCE]))
    assert verifier.verify(token).role is Role.COMPLIANCE


def test_a_role_list_of_one(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert verifier.verify(sign(rsa_key, claims(datamap_role=["auditor"]))).role is Role.AUDITOR


def test_configured_claim_names(jwks_file: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    settings = OidcSettings(
        issuer=ISSUER, audience=AUDIENCE, jwks=str(jwks_file), role_claim="roles", recipient_claim="vendor"
    )
    token = sign(rsa_key, claims(roles="erasure_operator", vendor="mailer_inc"))
    principal = OidcVerifier(settings).verify(token)
    assert (principal.role, principal.recipient) == (Role.ERASURE_OPERATOR, "mailer_inc")


def test_times_are_checked_against_the_given_now(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    pinned = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    at = int(pinned.timestamp())
    token = sign(rsa_key, claims(iat=at, nbf=at, exp=at + 300))
    assert verifier.verify(token, now=pinned).id == "4f1c2a9e-alice"
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token, now=pinned + dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        verifier.verify(token, now=pinned.replace(tzinfo=None))


def test_a_little_clock_skew_is_allowed(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    assert verifier.verify(sign(rsa_key, claims(exp=now - 10))).role is Role.COMPLIANCE
    assert verifier.verify(sign(rsa_key, claims(nbf=now + 10, iat=now + 10))).role is Role.COMPLIANCE


# --- refusals -----------------------------------------------------------------------------------------------


def test_expired(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    message = refusal(verifier, sign(rsa_key, claims(iat=now - 600, nbf=now - 600, exp=now - 120)))
    assert "expired" in message


def test_not_yet_valid(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    assert "not yet valid" in refusal(verifier, sign(rsa_key, claims(nbf=now + 300, exp=now + 900)))
    assert "issued in the future" in refusal(verifier, sign(rsa_key, claims(nbf=None, iat=now + 300)))


def test_wrong_audience(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "wrong audience" in refusal(verifier, sign(rsa_key, claims(aud="another-api")))
    assert "wrong audience" in refusal(verifier, sign(rsa_key, claims(aud=["account", "another-api"])))


def test_wrong_issuer(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "wrong issuer" in refusal(verifier, sign(rsa_key, claims(iss="https://evil.example.org")))
    assert "wrong issuer" in refusal(verifier, sign(rsa_key, claims(iss=ISSUER + "/")))


def test_unknown_key_id(verifier: OidcVerifier, other_rsa_key: rsa.RSAPrivateKey) -> None:
    assert "unknown key id" in refusal(verifier, sign(other_rsa_key, claims(), kid="someone-elses"))


def test_no_key_id(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "no key id" in refusal(verifier, sign(rsa_key, claims(), kid=None))


def test_another_key_with_our_key_id(verifier: OidcVerifier, other_rsa_key: rsa.RSAPrivateKey) -> None:
    assert "bad signature" in refusal(verifier, sign(other_rsa_key, claims(), kid=RSA_KID))


def test_an_altered_payload(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    header, _, signature = sign(rsa_key, claims()).split(".")
    forged = ".".join([header, b64(json.dumps(claims(datamap_role="admin")).encode()), signature])
    assert "bad signature" in refusal(verifier, forged)


def test_alg_none_is_refused(verifier: OidcVerifier) -> None:
    token = handmade({"alg": "none", "typ": "JWT", "kid": RSA_KID}, claims(datamap_role="admin"), None)
    assert looks_like_jwt(token)
    assert "algorithm this service does not accept" in refusal(verifier, token)


def test_hs256_with_the_public_key_as_secret_is_refused(
    verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = handmade({"alg": "HS256", "typ": "JWT", "kid": RSA_KID}, claims(datamap_role="admin"), public_pem)
    assert "algorithm this service does not accept" in refusal(verifier, token)


def test_an_algorithm_the_key_is_not_for(verifier: OidcVerifier, ec_key: ec.EllipticCurvePrivateKey) -> None:
    # Signed ES256 but naming the RSA key: both algorithms are accepted, the pair is not.
    token = sign(ec_key, claims(), kid=RSA_KID, alg="ES256")
    assert "does not match its key" in refusal(verifier, token)


def test_missing_role_claim(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "no role claim `datamap_role`" in refusal(verifier, sign(rsa_key, claims(datamap_role=None)))
    assert "no role claim" in refusal(verifier, sign(rsa_key, claims(datamap_role=[])))


def test_unknown_role(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    message = refusal(verifier, sign(rsa_key, claims(datamap_role="superuser")))
    assert "unknown role" in message
    assert "superuser" not in message
    assert "unknown role" in refusal(verifier, sign(rsa_key, claims(datamap_role=7)))


def test_several_roles_are_refused(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    message = refusal(verifier, sign(rsa_key, claims(datamap_role=["viewer", "admin"])))
    assert "lists 2 roles" in message
    assert "exactly one" in message


def test_a_malformed_recipient(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "recipient claim" in refusal(verifier, sign(rsa_key, claims(datamap_recipient=["a", "b"])))


@pytest.mark.parametrize("claim", ["sub", "exp", "iss", "aud"])
def test_required_claims(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey, claim: str) -> None:
    assert f"lacks the `{claim}` claim" in refusal(verifier, sign(rsa_key, claims(**{claim: None})))


def test_a_subject_that_is_not_a_string(verifier: OidcVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    assert "sub" in refusal(verifier, sign(rsa_key, claims(sub="  ")))


def test_not_a_jwt(verifier: OidcVerifier) -> None:
    assert "not a JWT" in refusal(verifier, "dm_" + "x" * 43 + ".y.z!")
    assert "header" in refusal(verifier, "bm90IGpzb24.e30.c2ln")  # "not json" as the header


def test_looks_like_jwt(rsa_key: rsa.RSAPrivateKey) -> None:
    assert looks_like_jwt(sign(rsa_key, claims()))
    assert not looks_like_jwt("dm_" + "A" * 43)
    assert not looks_like_jwt("a.b")
    assert not looks_like_jwt("a.b.c.d")
    assert not looks_like_jwt("a b.c.d")
    assert not looks_like_jwt("")


# --- the key set --------------------------------------------------------------------------------------------


def test_only_asymmetric_algorithms_can_be_configured(jwks_file: Path) -> None:
    for algorithms in [("RS256", "HS256"), ("none",), ()]:
        with pytest.raises(ConfigError, match="asymmetric"):
            OidcVerifier(OidcSettings(ISSUER, AUDIENCE, str(jwks_file), algorithms=algorithms))


def test_a_jwks_file_that_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    for text, expected in [
        ("{", "cannot be read as JSON"),
        ("[]", "not a JWKS"),
        ('{"keys": [{"kty": "?"}]}', "no usable key"),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=expected):
            OidcVerifier(OidcSettings(ISSUER, AUDIENCE, str(path)))


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 that counts the requests it answers."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/realms/acme/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def jwks_server(jwks: dict[str, Any]) -> Iterator[JwksServer]:
    with JwksServer(json.dumps(jwks).encode()) as server:
        yield server


def test_a_jwks_url_is_fetched_once_and_cached(
    jwks_server: JwksServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    verifier = OidcVerifier(OidcSettings(ISSUER, AUDIENCE, jwks_server.url))
    assert jwks_server.requests == 0  # nothing fetched before the first token
    assert verifier.verify(sign(rsa_key, claims())).role is Role.COMPLIANCE
    assert verifier.verify(sign(ec_key, claims(sub="bob"), kid=EC_KID, alg="ES256")).id == "bob"
    assert jwks_server.requests == 1


def test_an_unknown_key_id_refetches_at_most_once_per_cooldown(
    jwks_server: JwksServer, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = OidcVerifier(OidcSettings(ISSUER, AUDIENCE, jwks_server.url))
    verifier.verify(sign(rsa_key, claims()))
    assert jwks_server.requests == 1
    for _ in range(3):
        assert "unknown key id" in refusal(verifier, sign(other_rsa_key, claims(), kid="rotated-in"))
    assert jwks_server.requests == 2  # one fresh fetch for the unknown key id, then the cooldown


def test_an_unreachable_jwks_url(rsa_key: rsa.RSAPrivateKey) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    verifier = OidcVerifier(OidcSettings(ISSUER, AUDIENCE, f"http://127.0.0.1:{port}/certs"))
    message = refusal(verifier, sign(rsa_key, claims()))
    assert "the identity provider's keys could not be fetched" in message


@pytest.mark.parametrize(
    ("body", "status"), [(b"<html>oops</html>", 200), (b"{}", 500), (b'{"keys": []}', 200)]
)
def test_a_jwks_url_that_answers_badly(rsa_key: rsa.RSAPrivateKey, body: bytes, status: int) -> None:
    with JwksServer(body, status) as server:
        verifier = OidcVerifier(OidcSettings(ISSUER, AUDIENCE, server.url))
        assert "could not be fetched" in refusal(verifier, sign(rsa_key, claims()))


# --- settings from the environment --------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [
        oidc.ISSUER_VARIABLE,
        oidc.AUDIENCE_VARIABLE,
        oidc.JWKS_VARIABLE,
        oidc.ROLE_CLAIM_VARIABLE,
        oidc.RECIPIENT_CLAIM_VARIABLE,
    ]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_issuer_no_oidc(env: pytest.MonkeyPatch) -> None:
    assert OidcSettings.from_env() is None
    env.setenv("DATAMAP_OIDC_ISSUER", "  ")
    assert OidcSettings.from_env() is None


def test_settings_from_env(env: pytest.MonkeyPatch, jwks_file: Path) -> None:
    env.setenv("DATAMAP_OIDC_ISSUER", ISSUER)
    env.setenv("DATAMAP_OIDC_AUDIENCE", AUDIENCE)
    env.setenv("DATAMAP_OIDC_JWKS", str(jwks_file))
    assert OidcSettings.from_env() == OidcSettings(ISSUER, AUDIENCE, str(jwks_file))
    env.setenv("DATAMAP_OIDC_ROLE_CLAIM", "roles")
    env.setenv("DATAMAP_OIDC_RECIPIENT_CLAIM", "vendor")
    env.setenv("DATAMAP_OIDC_JWKS", "https://login.example.com/realms/acme/certs")
    assert OidcSettings.from_env() == OidcSettings(
        ISSUER,
        AUDIENCE,
        "https://login.example.com/realms/acme/certs",
        role_claim="roles",
        recipient_claim="vendor",
    )
    for loopback in ["http://127.0.0.1:8080/certs", "http://[::1]:8080/certs", "http://localhost/certs"]:
        env.setenv("DATAMAP_OIDC_JWKS", loopback)
        settings = OidcSettings.from_env()
        assert settings is not None and settings.jwks == loopback


def test_settings_that_are_missing(env: pytest.MonkeyPatch, jwks_file: Path) -> None:
    env.setenv("DATAMAP_OIDC_ISSUER", ISSUER)
    env.setenv("DATAMAP_OIDC_JWKS", str(jwks_file))
    with pytest.raises(ConfigError, match="DATAMAP_OIDC_AUDIENCE is not set"):
        OidcSettings.from_env()
    env.setenv("DATAMAP_OIDC_AUDIENCE", AUDIENCE)
    env.delenv("DATAMAP_OIDC_JWKS")
    with pytest.raises(ConfigError, match="DATAMAP_OIDC_JWKS is not set"):
        OidcSettings.from_env()


@pytest.mark.parametrize(
    ("jwks", "expected"),
    [
        ("/nowhere/jwks.json", "neither an existing file nor a URL"),
        ("http://login.example.com/certs", "plain http is refused"),
        ("http://10.0.0.8/certs", "plain http is refused"),
        ("ftp://login.example.com/certs", "give an https:// URL"),
        ("file:///etc/passwd", "give an https:// URL"),
        ("https:///certs", "give an https:// URL"),
    ],
)
def test_a_jwks_setting_that_is_refused(env: pytest.MonkeyPatch, jwks: str, expected: str) -> None:
    env.setenv("DATAMAP_OIDC_ISSUER", ISSUER)
    env.setenv("DATAMAP_OIDC_AUDIENCE", AUDIENCE)
    env.setenv("DATAMAP_OIDC_JWKS", jwks)
    with pytest.raises(ConfigError, match="DATAMAP_OIDC_JWKS") as caught:
        OidcSettings.from_env()
    assert expected in str(caught.value)

"""The trust boundary: who may ask what. Every root field against every role, from the one table of rules."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import httpx
import pytest

from datamap.api.schema import schema
from datamap.domain.access import RULES, Role, unruled
from datamap.graph.database import Database
from datamap.services import tokens
from datamap.services.authentication import serving
from tests.conftest import NOW, app_of, client_as, datamap_command, token_for

ANNA = '{email: "anna.jansen@example.com"}'
# One request per root field, each valid enough to get past validation: the table a new root field joins.
FIELD_QUERIES: dict[str, str] = {
    "dataCategories": "{ dataCategories { key } }",
    "purposes": "{ purposes { key } }",
    "sources": "{ sources { key } }",
    "systems": "{ systems { key } }",
    "recipients": "{ recipients { key } }",
    "subjectCategories": "{ subjectCategories { key } }",
    "organisations": "{ organisations { key } }",
    "retentionRules": "{ retentionRules { key } }",
    "transfers": "{ transfers { key } }",
    "categoryLineage": '{ categoryLineage(category: "user.contact.email") { category } }',
    "subjectLineage": f"{{ subjectLineage(subject: {ANNA}) {{ subjectId }} }}",
    "subject": f"{{ subject(subject: {ANNA}) {{ id }} }}",
    "erasurePlan": f"{{ erasurePlan(subject: {ANNA}) {{ subjectId }} }}",
    "erasureRequests": "{ erasureRequests { id } }",
    "erasureRequest": '{ erasureRequest(id: "none") { id } }',
    "erasureCertificate": '{ erasureCertificate(request: "none") { digest } }',
    "shineTheLightReport": (
        '{ shineTheLightReport(customer: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") { year } }'
    ),
    "shineTheLightStandardReport": "{ shineTheLightStandardReport(year: 2025) { year } }",
    "issueShineTheLightStandardReport": "mutation { issueShineTheLightStandardReport(year: 2025) { year } }",
    "answerShineTheLightRequest": (
        'mutation { answerShineTheLightRequest(customer: {email: "jordan.reyes@example.com"}, '
        'receivedAt: "2026-03-02") { year } }'
    ),
    "accessReport": f"{{ accessReport(subject: {ANNA}) {{ subjectId }} }}",
    "ropa": "{ ropa { asOf } }",
    "transferRegister": "{ transferRegister { asOf } }",
    "mapFindings": "{ mapFindings { asOf } }",
    "ccpaRightToKnow": (
        '{ ccpaRightToKnow(subject: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") { subjectId } }'
    ),
    "recordCollection": f"""mutation {{ recordCollection(input: {{subject: {ANNA}, categories: ["user.name"],
        source: "forms_questionnaires_surveys", system: "sharpspring_platform",
        at: "2026-01-01T10:00:00Z"}}) {{ id }} }}""",
    "recordDisclosure": f"""mutation {{ recordDisclosure(input: {{subject: {ANNA}, categories: ["user.contact.email"],
        recipient: "email_delivery_providers", purpose: "sales", at: "2026-01-02T10:00:00Z"}}) {{ id }} }}""",
    "requestErasure": """mutation { requestErasure(input: {subject: {email: "nobody@example.com"},
        receivedAt: "2026-11-20T09:00:00Z", jurisdiction: GDPR, channel: POST,
        identityVerification: {method: GOVERNMENT_ID}}) { id } }""",
    "approveErasureRequest": 'mutation { approveErasureRequest(request: "none", reason: "x") { id } }',
    "recordErasureOutcome": """mutation { recordErasureOutcome(task: "none", outcome: DONE, evidence: "x",
        idempotencyKey: "k") { id } }""",
    "verifyErasureTask": 'mutation { verifyErasureTask(task: "none", evidence: "x") { id } }',
    "extendDeadline": 'mutation { extendDeadline(request: "none", reason: "x") { id } }',
    "placeLegalHold": f"""mutation {{ placeLegalHold(subject: {ANNA}, categories: ["user.name"], reason: "claim")
        {{ id }} }}""",
    "liftLegalHold": 'mutation { liftLegalHold(hold: "none", reason: "x") { id } }',
    "auditLog": "{ auditLog { seq } }",
    "documents": "{ documents { id } }",
    "document": '{ document(id: "none") { id } }',
    "draftDocument": f"mutation {{ draftDocument(input: {{kind: ACCESS_REPORT, subject: {ANNA}}}) {{ id }} }}",
    "approveDocument": 'mutation { approveDocument(id: "none") { id } }',
    "markDocumentSent": 'mutation { markDocumentSent(id: "none", channel: EMAIL) { id } }',
    "withdrawDocument": 'mutation { withdrawDocument(id: "none") { id } }',
    "flows": '{ flows(to: "email_delivery_providers") { key } }',
    "recipientImpact": (
        '{ recipientImpact(recipient: "email_delivery_providers", from: "2019-01-01", to: "2021-01-01") '
        "{ subjectCount } }"
    ),
    "subjectRequests": "{ subjectRequests { id } }",
    "subjectRequest": '{ subjectRequest(id: "none") { id } }',
    "recordSubjectRequest": f"""mutation {{ recordSubjectRequest(input: {{kind: ACCESS, subject: {ANNA},
        receivedAt: "2026-11-20T09:00:00Z", channel: EMAIL}}) {{ id }} }}""",
    "confirmSubjectRequest": 'mutation { confirmSubjectRequest(id: "none") { id } }',
    "extendSubjectRequest": 'mutation { extendSubjectRequest(id: "none", reason: "x") { id } }',
    # map editing: a version that does not exist, so an allowed role changes nothing
    **{
        f"upsert{kind}": f'mutation {{ upsert{kind}(input: {{ref: "p", {fields}}}, reason: "probe", '
        "expectedVersion: 9) { version } }"
        for kind, fields in {
            "Organisation": 'key: "probe", name: "P"',
            "DataCategory": 'key: "user.probe", name: "P"',
            "Source": 'key: "probe", name: "P", kind: DEVICE',
            "System": 'key: "probe", name: "P", operator: "sharpspring_inc"',
            "Purpose": 'key: "probe", name: "P", legalBasis: CONSENT',
            "Recipient": 'key: "probe", name: "P", role: PROCESSOR, kind: "x"',
            "Flow": 'key: "probe", from: {source: "device_browser"}, to: {system: "sharpspring_platform"}, '
            'categories: ["user.name"]',
            "Transfer": 'key: "probe", exporter: "sharpspring_inc", importer: "google_llc", fromCountries: ["EU"], '
            'toCountries: ["US"], categories: ["user.name"], mechanism: SCC_2021',
            "RetentionRule": 'key: "probe", name: "P", categories: ["user.name"], criteria: "c", '
            'basis: "business_need"',
        }.items()
    },
    "retireMapEntry": 'mutation { retireMapEntry(kind: SOURCE, key: "probe", expectedVersion: 1, reason: "p") '
    "{ version } }",
    "mapHistory": '{ mapHistory(kind: RECIPIENT, key: "marketing_partners") { key } }',
}


def root_fields() -> set[str]:
    graphql = schema._schema
    names = set(graphql.query_type.fields)
    if graphql.mutation_type is not None:
        names |= set(graphql.mutation_type.fields)
    return names


def test_every_root_field_has_an_access_rule_and_a_probe() -> None:
    fields = root_fields()
    assert unruled(fields) == [], "a root field without an access rule: add it to domain/access.py"
    assert sorted(fields - set(FIELD_QUERIES)) == [], "a root field this test does not probe: add it above"
    assert sorted(set(RULES) - fields) == [], "a rule for a field the schema does not have"


def test_roles_are_least_privilege_first() -> None:
    def allowed(role: Role) -> set[str]:
        return {f for f, roles in RULES.items() if role in roles}

    assert allowed(Role.VIEWER) < allowed(Role.ENGINEER) < allowed(Role.COMPLIANCE) < allowed(Role.ADMIN)
    assert "subjectLineage" not in allowed(Role.VIEWER) and "accessReport" not in allowed(Role.ENGINEER)
    assert allowed(Role.ERASURE_OPERATOR) == {"erasureRequests", "erasureRequest", "recordErasureOutcome"}
    assert "recordErasureOutcome" not in allowed(Role.COMPLIANCE), "who verifies does not also record"
    assert "subjectLineage" not in allowed(Role.AUDITOR)


def _codes(body: dict[str, Any], field: str) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", []) if e.get("path", [None])[0] == field}


@pytest.mark.neo4j
async def test_each_role_gets_exactly_the_fields_of_the_table(seeded: Database, clock: Any) -> None:
    app = app_of(seeded, clock)
    for role in Role:
        async with client_as(app, await token_for(seeded, role)) as client:
            for field, query in FIELD_QUERIES.items():
                body = await client.raw(query)
                codes = _codes(body, field)
                if role in RULES[field]:
                    assert "FORBIDDEN" not in codes, (role, field, body)
                else:
                    assert codes == {"FORBIDDEN"}, (role, field, body)
                    assert body["data"] is not None and body["data"][field] is None, (role, field, body)


@pytest.mark.neo4j
async def test_a_forbidden_field_is_null_and_the_rest_of_the_answer_stands(
    seeded: Database, clock: Any
) -> None:
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.VIEWER)) as viewer:
        body = await viewer.raw(f"{{ systems {{ key }} subjectLineage(subject: {ANNA}) {{ subjectId }} }}")
    assert body["data"]["subjectLineage"] is None and len(body["data"]["systems"]) >= 5
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and error["path"] == ["subjectLineage"]
    assert "viewer" in error["message"]


@pytest.mark.neo4j
async def test_a_forbidden_mutation_writes_nothing(seeded: Database, clock: Any) -> None:
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.VIEWER)) as viewer:
        body = await viewer.raw(FIELD_QUERIES["requestErasure"])
    assert _codes(body, "requestErasure") == {"FORBIDDEN"}
    (row,) = await seeded.read(
        "RETURN COUNT { (:ErasureRequest) } AS requests, COUNT { (:Suppression) } AS s"
    )
    assert row == {"requests": 0, "s": 0}


@pytest.mark.neo4j
async def test_no_token_a_bad_token_a_revoked_or_expired_token_get_401(seeded: Database, clock: Any) -> None:
    app = app_of(seeded, clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.post("/graphql", json={"query": "{ systems { key } }"})
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        (error,) = missing.json()["errors"]
        assert (
            error["extensions"]["code"] == "UNAUTHENTICATED" and "Authorization: Bearer" in error["message"]
        )
        for header, phrase in [
            ("Bearer dm_not-a-token-of-ours", "not known"),
            ("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer <token>"),
            ("Bearer a.b.c", "OpenID Connect is not configured"),
        ]:
            answer = await client.post(
                "/graphql", json={"query": "{ systems { key } }"}, headers={"authorization": header}
            )
            assert answer.status_code == 401 and phrase in answer.json()["errors"][0]["message"], answer.text
        # health checks, GraphiQL's page and its assets need no token
        assert (await client.get("/healthz")).status_code == 200
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "GraphiQL" in page.text
        assert (await client.get("/graphiql-static/graphiql.min.css")).status_code == 200
        assert (await client.get("/reports/ropa.csv")).status_code == 401
    revoked = await token_for(seeded, Role.ADMIN, name="revoked")
    await tokens.revoke(seeded, "revoked", now=NOW, by="test")
    expiring, _ = await tokens.create(
        seeded, name="short", role=Role.ADMIN, now=NOW - dt.timedelta(days=3), expires_days=2
    )
    for token, phrase in [(revoked, "was revoked"), (expiring, "expired on")]:
        async with client_as(app, token) as client:
            response = await client.client.post("/graphql", json={"query": "{ systems { key } }"})
        assert response.status_code == 401 and phrase in response.text


@pytest.mark.neo4j
async def test_the_ropa_download_follows_the_rules(seeded: Database, clock: Any) -> None:
    app = app_of(seeded, clock)
    async with client_as(app, await token_for(seeded, Role.ERASURE_OPERATOR)) as operator:
        assert (await operator.client.get("/reports/ropa.csv")).status_code == 403
    async with client_as(app, await token_for(seeded, Role.VIEWER)) as viewer:
        assert (await viewer.client.get("/reports/ropa.csv")).status_code == 200


@pytest.mark.neo4j
async def test_token_names_and_scopes_are_checked(seeded: Database) -> None:
    await token_for(seeded, Role.VIEWER, name="ci")
    for kwargs, phrase in [
        ({"name": "ci", "role": Role.VIEWER}, "exists already"),
        ({"name": "bad name!", "role": Role.VIEWER}, "not a token name"),
        (
            {"name": "vendor", "role": Role.VIEWER, "recipient": "payment_processor"},
            "only an erasure_operator",
        ),
        ({"name": "vendor", "role": Role.ERASURE_OPERATOR, "recipient": "nobody"}, "no recipient 'nobody'"),
        ({"name": "long", "role": Role.VIEWER, "expires_days": 0}, "out of range"),
    ]:
        with pytest.raises(Exception, match=phrase):
            await tokens.create(seeded, now=NOW, **kwargs)  # type: ignore[arg-type]
    (row,) = await seeded.read("MATCH (t:ApiToken {name: 'ci'}) RETURN keys(t) AS keys, t.digest AS digest")
    assert "token" not in row["keys"] and len(row["digest"]) == 64, "only the digest is kept"


def test_serving_beyond_loopback_needs_an_authentication_configuration(
    tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.delenv("DATAMAP_AUTH", raising=False)
    monkeypatch.delenv("DATAMAP_OIDC_ISSUER", raising=False)
    with pytest.raises(Exception, match="refusing to serve beyond this machine"):
        serving(None, lambda: NOW, "0.0.0.0", tmp_path)  # type: ignore[arg-type]
    _, headers = serving(None, lambda: NOW, "127.0.0.1", tmp_path)  # type: ignore[arg-type]
    token_file = tmp_path / "local-admin-token"
    assert headers == {"Authorization": f"Bearer {token_file.read_text().strip()}"}
    assert token_file.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("DATAMAP_AUTH", "tokens")
    assert serving(None, lambda: NOW, "0.0.0.0", tmp_path)[1] is None  # type: ignore[arg-type]


@pytest.mark.neo4j
async def test_token_commands_show_a_token_once_and_it_opens_the_door(
    seeded: Database, clock: Any, neo4j_settings: Any
) -> None:
    env = {
        **os.environ,
        "DATAMAP_NEO4J_URI": neo4j_settings.uri,
        "DATAMAP_NEO4J_USER": neo4j_settings.user,
        "DATAMAP_NEO4J_PASSWORD": neo4j_settings.password,
    }
    created = datamap_command(
        "token", "create", "--name", "ops", "--role", "engineer", "--expires", "30", env=env
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("dm_") and " " not in token
    listed = datamap_command("token", "list", env=env)
    assert "ops" in listed.stdout and "engineer" in listed.stdout and token not in listed.stdout
    async with client_as(app_of(seeded, clock), token) as ops:
        assert (await ops.query(f"{{ subject(subject: {ANNA}) {{ id }} }}"))["subject"]["id"]
    assert datamap_command("token", "revoke", "--name", "ops", env=env).returncode == 0
    again = datamap_command("token", "revoke", "--name", "ops", env=env)
    assert again.returncode == 3 and "no token 'ops'" in again.stderr  # not found
    bad = datamap_command("token", "create", "--name", "x", "--role", "king", env=env)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr

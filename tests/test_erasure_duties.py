"""Erasure across principals: separation of duties, approval of unverified requests, a vendor's scope, who did
what (events, tasks, requests, certificates), idempotent requests, free text gone after erasure, audit events."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any, LiteralString

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Principal, Role
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_certificate import certificate, scrubbed
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import (
    ErasureEventRecord,
    ErasureRequestRecord,
    ErasureTaskRecord,
    EventType,
    Outcome,
    TaskStatus,
)
from datamap.domain.erasure_workflow import digest, status_of, verification
from datamap.domain.lineage_types import NodeKind
from datamap.errors import Forbidden
from datamap.graph.database import Database
from datamap.services import audit, erasure
from datamap.services.subjects import lookup_of
from tests.conftest import NOW, SECRET, GraphQLClient
from tests.helpers import (
    APPROVE,
    GET,
    RECORD,
    REQUEST,
    VERIFY,
    client_of,
    open_request,
    request_input,
    settle_all,
)

ANNA = "anna.jansen@example.com"
JORDAN = "jordan.reyes@example.com"
STRANGER = "stranger@example.com"
NOT_VERIFIED = {"method": "NOT_VERIFIED", "reference": ""}
HISTORY = """query($id: ID!) { erasureRequest(id: $id) { id status openedBy approvedBy
  tasks { id key target claimedBy verifiedBy claimedEvidence verifiedEvidence legalGround
          history { type principal role idempotencyKey } } } }"""
CERTIFICATE = "query($id: ID!) { erasureCertificate(request: $id) { document digest storedDigest intact } }"
HOLD = """mutation($reason: String!) { placeLegalHold(subject: {email: "jordan.reyes@example.com"},
  categories: ["user.contact.email"], reason: $reason) { id } }"""
LIFT = "mutation($id: ID!, $reason: String!) { liftLegalHold(hold: $id, reason: $reason) { id liftedAt } }"
EXTEND = "mutation($id: ID!, $reason: String!) { extendDeadline(request: $id, reason: $reason) { id } }"


def task(request: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in request["tasks"] if t["key"] == key)


def first_erasure(request: dict[str, Any]) -> dict[str, Any]:
    return next(
        t for t in request["tasks"] if t["action"] == "ERASE" and t["dependsOn"] == ["suppress:subject"]
    )


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def count(db: Database, pattern: LiteralString, **params: Any) -> int:
    """How many matches of a pattern."""
    (row,) = await db.read("RETURN COUNT { " + pattern + " } AS n", **params)
    return int(row["n"])


# --- without Neo4j: the rules ----------------------------------------------------------------------------------

AT = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


def _task(**changes: Any) -> ErasureTaskRecord:
    base = ErasureTaskRecord(
        id="r1/erase:platform",
        key="erase:platform",
        action=Action.ERASE,
        target_kind=NodeKind.SYSTEM,
        target="platform",
        target_name="Platform",
        categories=("user.contact.email",),
        legal_ground="GDPR Art. 17(1)",
        depends_on=("suppress:subject",),
        stage=1,
        observed=True,
        status=TaskStatus.DONE,
        verified=False,
        claimed_at=AT,
        claimed_evidence="deleted row of anna@example.com",
        claimed_evidence_digest=digest("deleted row of anna@example.com"),
        claimed_by="token:worker",
    )
    return replace(base, **changes)


def _request(**changes: Any) -> ErasureRequestRecord:
    base = ErasureRequestRecord(
        id="r1",
        subject_id="s_1",
        jurisdiction=Jurisdiction.GDPR,
        channel="post",
        identity_method="not_verified",
        identity_reference="letter from anna@example.com",
        received_at=AT,
        received_date=AT.date(),
        created_at=AT,
        deadline=dt.date(2026, 12, 21),
        opened_by="token:opener",
    )
    return replace(base, **changes)


def test_who_claimed_an_outcome_cannot_verify_it_another_principal_can() -> None:
    claimed = _task()
    with pytest.raises(Forbidden, match="erase:platform: its outcome was recorded by token:worker"):
        verification(claimed, True, "looked", by=Principal("worker", Role.ADMIN), event_id="e", now=AT)
    with pytest.raises(Forbidden):  # nor reject it
        verification(claimed, False, "looked", by=Principal("worker", Role.ADMIN), event_id="e", now=AT)
    checked, event = verification(
        claimed, True, "row count 0", by=Principal("checker", Role.COMPLIANCE), event_id="e", now=AT
    )
    assert (
        checked.verified and checked.verified_by == "token:checker" and checked.claimed_by == "token:worker"
    )
    assert (event.principal, event.role) == ("token:checker", "compliance")


def test_the_certificate_names_principals_only_when_they_are_kept() -> None:
    verified = _task(verified=True, verified_at=AT, verified_evidence_digest=digest("x"))
    old = _request(opened_by=None, completed_at=AT)
    old_task = replace(verified, claimed_by=None)
    document, _ = certificate(old, [old_task])
    assert "By" not in document, "a request from before principals were kept: the document is unchanged"
    document, _ = certificate(
        _request(approved_by="token:approver"),
        [replace(verified, verified_by="token:checker")],
    )
    for field in (
        '"openedBy":"token:opener"',
        '"approvedBy":"token:approver"',
        '"claimedBy":"token:worker"',
        '"verifiedBy":"token:checker"',
    ):
        assert field in document


def test_clearing_free_text_keeps_the_certificate_and_the_digests() -> None:
    event = ErasureEventRecord(
        id="e1",
        type=EventType.OUTCOME,
        evidence="deleted row of anna@example.com",
        evidence_digest=digest("deleted row of anna@example.com"),
        at=AT,
        outcome=Outcome.DONE,
        idempotency_key="anna@example.com-1",
    )
    held = _task(
        key="restrict:platform:hold:h1",
        action=Action.RESTRICT,
        legal_ground="GDPR Art. 17(3)(e): legal hold (claim by anna@example.com)",
        exception="hold:h1",
        history=(event,),
    )
    request = _request(extension_reason="anna@example.com asked", approval_reason="anna@example.com called")
    clean_request, clean_tasks = scrubbed(request, [_task(), held])
    text = repr((clean_request, clean_tasks))
    assert "anna@example.com" not in text, text
    assert clean_tasks[0].claimed_evidence_digest == digest("deleted row of anna@example.com")
    assert clean_tasks[1].history[0].idempotency_key == "sha256:" + digest("anna@example.com-1")
    assert "hold:h1" in clean_tasks[1].legal_ground
    # without a hold's ground among them, the certificate does not change at all
    assert certificate(*scrubbed(request, [_task()])) == certificate(request, [_task()])
    assert status_of(_request(approval_required=True), [_task()]).value == "awaiting_approval"


# --- on Neo4j: separation of duties ----------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_the_principal_that_recorded_an_outcome_cannot_verify_it(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    request = await open_request(api, ANNA)
    platform = first_erasure(request)
    await api.query(RECORD, task=platform["id"], outcome="DONE", evidence="job 17", key="p1")
    for confirmed in (True, False):
        body = await api.raw(VERIFY, task=platform["id"], evidence="looked", confirmed=confirmed)
        assert codes(body) == ["FORBIDDEN"] and body["data"] == {"verifyErasureTask": None}, body
        message = body["errors"][0]["message"]
        assert platform["key"] in message and "recorded by token:test-admin" in message, message
    (row,) = await seeded.read(
        "MATCH (t:ErasureTask {id: $id}) RETURN t.verified AS verified, t.status AS status", id=platform["id"]
    )
    assert row == {"verified": False, "status": "done"}, "the refused verification changed nothing"
    async with client_of(seeded, clock, Role.COMPLIANCE) as checker:
        verified = await checker.query(VERIFY, task=platform["id"], evidence="row count 0")
    assert verified["verifyErasureTask"]["verified"]
    found = task((await api.query(HISTORY, id=request["id"]))["erasureRequest"], platform["key"])
    assert (found["claimedBy"], found["verifiedBy"]) == ("token:test-admin", "token:test-compliance")
    assert sorted((e["type"], e["principal"], e["role"]) for e in found["history"]) == [
        ("outcome", "token:test-admin", "admin"),
        ("verification", "token:test-compliance", "compliance"),
    ]


@pytest.mark.neo4j
async def test_a_request_whose_identity_is_not_verified_waits_for_a_second_compliance_principal(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    async with (
        client_of(seeded, clock, Role.COMPLIANCE, name="opener") as opener,
        client_of(seeded, clock, Role.COMPLIANCE, name="approver") as approver,
        client_of(seeded, clock, Role.ENGINEER) as engineer,
    ):
        request = await open_request(opener, ANNA, identityVerification=NOT_VERIFIED)
        assert request["status"] == "AWAITING_APPROVAL"
        suppression = task(request, "suppress:subject")
        assert suppression["status"] == "PENDING" and not suppression["verified"]
        assert await count(seeded, "MATCH (:Suppression)") == 0, "no suppression before approval"
        identifiers = await count(
            seeded, "MATCH (:Identifier)-[:IDENTIFIES]->(:Subject {id: $id})", id=request["subjectId"]
        )
        assert identifiers >= 2, "Anna's email and phone"
        # no task runs, not even by an admin
        errors = await api.errors(
            RECORD, task=first_erasure(request)["id"], outcome="DONE", evidence="x", key="k1"
        )
        assert "awaits approval" in errors[0]
        # the principal that opened it cannot approve it; an engineer may not approve at all
        body = await opener.raw(APPROVE, id=request["id"], reason="called back")
        assert codes(body) == ["FORBIDDEN"] and "opened by token:opener" in body["errors"][0]["message"]
        assert codes(await engineer.raw(APPROVE, id=request["id"], reason="x")) == ["FORBIDDEN"]
        errors = await approver.errors(APPROVE, id=request["id"], reason=" ")
        assert "reason" in errors[0]
        assert await count(seeded, "MATCH (:Suppression)") == 0
        # a second compliance principal approves: the suppression entries are written, tasks may run
        approved = (
            await approver.query(APPROVE, id=request["id"], reason="called back on the number we hold")
        )["approveErasureRequest"]
        assert approved["status"] == "OPEN" and approved["approvedAt"]
        assert (approved["openedBy"], approved["approvedBy"]) == ("token:opener", "token:approver")
        written = task(approved, "suppress:subject")
        assert written["status"] == "DONE" and written["verified"] and written["claimedBy"] == "datamap"
        suppressed = await count(
            seeded, "MATCH (:ErasureRequest {id: $id})-[:SUPPRESSES]->(:Suppression)", id=request["id"]
        )
        assert suppressed == identifiers, "every identifier the subject has"
        errors = await approver.errors(APPROVE, id=request["id"], reason="again")
        assert "already approved by token:approver" in errors[0]
        recorded = await api.query(
            RECORD, task=first_erasure(request)["id"], outcome="DONE", evidence="job 1", key="k2"
        )
        assert recorded["recordErasureOutcome"]["status"] == "DONE"
        # a request with a verified identity needs no approval
        verified = await open_request(opener, JORDAN)
        assert verified["status"] == "OPEN"
        errors = await approver.errors(APPROVE, id=verified["id"], reason="x")
        assert "needs no approval" in errors[0]


@pytest.mark.neo4j
async def test_approving_an_unknown_subjects_request_completes_it(
    seeded: Database, clock: FixedClock
) -> None:
    async with (
        client_of(seeded, clock, Role.COMPLIANCE, name="opener") as opener,
        client_of(seeded, clock, Role.ADMIN, name="second") as second,
    ):
        request = await open_request(opener, STRANGER, identityVerification=NOT_VERIFIED)
        assert request["status"] == "AWAITING_APPROVAL" and await count(seeded, "MATCH (:Suppression)") == 0
        approved = (await second.query(APPROVE, id=request["id"], reason="known customer"))[
            "approveErasureRequest"
        ]
        assert approved["status"] == "COMPLETE" and await count(seeded, "MATCH (:Suppression)") == 1
        cert = (await second.query(CERTIFICATE, id=request["id"]))["erasureCertificate"]
        assert cert["intact"] and '"approvedBy":"token:second"' in cert["document"]
        assert '"openedBy":"token:opener"' in cert["document"]


# --- a vendor's scope ------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_vendor_token_sees_and_records_only_its_recipients_tasks(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    jordan = await open_request(api, JORDAN)
    stranger = await open_request(api, STRANGER)  # no task of any recipient
    vendor_task = task(jordan, "notify_recipient:marketing_partners")
    listed_query = "{ erasureRequests { id status art19Recipients warnings tasks { id key target } } }"
    async with (
        client_of(
            seeded, clock, Role.ERASURE_OPERATOR, name="vendor", recipient="marketing_partners"
        ) as vendor,
        client_of(seeded, clock, Role.ERASURE_OPERATOR, name="in-house") as in_house,
    ):
        listed = (await vendor.query(listed_query))["erasureRequests"]
        assert [r["id"] for r in listed] == [jordan["id"]]
        (seen,) = listed
        assert [t["key"] for t in seen["tasks"]] == [vendor_task["key"]]
        assert seen["art19Recipients"] == ["marketing_partners"] and seen["warnings"] == []
        assert seen["status"] == "OPEN", "the status is the whole request's"
        one = (await vendor.query(GET, id=jordan["id"]))["erasureRequest"]
        assert {t["target"] for t in one["tasks"]} == {"marketing_partners"}
        body = await vendor.raw(GET, id=stranger["id"])
        assert codes(body) == ["NOT_FOUND"], "a request without a task of its recipient does not exist for it"
        # an operator without a scope sees everything
        everything = (await in_house.query(listed_query))["erasureRequests"]
        assert {r["id"] for r in everything} == {jordan["id"], stranger["id"]}
        # recording another recipient's (or a system's) task is forbidden, and writes nothing
        other = first_erasure(jordan)
        body = await vendor.raw(RECORD, task=other["id"], outcome="DONE", evidence="x", key="v0")
        assert codes(body) == ["FORBIDDEN"] and "scoped to recipient 'marketing_partners'" in str(
            body["errors"]
        )
        (row,) = await seeded.read("MATCH (t:ErasureTask {id: $id}) RETURN t.status AS s", id=other["id"])
        assert row["s"] == "pending"
        # its own task, once everything upstream of it is settled
        upstream = [t for t in jordan["tasks"] if t["stage"] < vendor_task["stage"]]
        await settle_all(api, {"tasks": upstream})
        recorded = await vendor.query(
            RECORD, task=vendor_task["id"], outcome="DONE", evidence="their reply", key="v1"
        )
        assert recorded["recordErasureOutcome"]["status"] == "DONE"
    found = task((await api.query(HISTORY, id=jordan["id"]))["erasureRequest"], vendor_task["key"])
    assert found["claimedBy"] == "token:vendor" and found["history"][0]["role"] == "erasure_operator"


# --- who did what, on the certificate --------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_events_tasks_requests_and_the_certificate_name_the_principals(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    request = await open_request(api, JORDAN)
    async with client_of(seeded, clock, Role.COMPLIANCE, name="checker") as checker:
        await settle_all(api, request, checker)
        done = (await checker.query(HISTORY, id=request["id"]))["erasureRequest"]
        cert = (await checker.query(CERTIFICATE, id=request["id"]))["erasureCertificate"]
    assert (
        done["status"] == "COMPLETE" and done["openedBy"] == "token:test-admin" and done["approvedBy"] is None
    )
    for t in done["tasks"]:
        if t["key"] == "suppress:subject":
            assert (t["claimedBy"], t["verifiedBy"]) == ("datamap", "datamap")
            assert [e["principal"] for e in t["history"]] == ["token:test-admin"]
            continue
        assert (t["claimedBy"], t["verifiedBy"]) == ("token:test-admin", "token:checker"), t
        assert {(e["principal"], e["role"]) for e in t["history"]} == {
            ("token:test-admin", "admin"),
            ("token:checker", "compliance"),
        }
    assert cert["intact"] and cert["digest"] == cert["storedDigest"]
    assert '"openedBy":"token:test-admin"' in cert["document"] and '"approvedBy"' not in cert["document"]
    assert cert["document"].count('"verifiedBy":"token:checker"') == len(done["tasks"]) - 1


# --- idempotent requests ---------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_the_same_idempotency_key_twice_gives_the_first_request(
    api: GraphQLClient, seeded: Database
) -> None:
    first = await open_request(api, ANNA, idempotencyKey="ticket-4711")
    again = await open_request(api, ANNA, idempotencyKey="ticket-4711")
    assert again == first
    assert await count(seeded, "MATCH (:ErasureRequest)") == 1
    errors = await api.errors(REQUEST, input=request_input(JORDAN, idempotencyKey="ticket-4711"))
    assert "already used for an erasure request about another subject" in errors[0]
    errors = await api.errors(REQUEST, input=request_input(ANNA, idempotencyKey="other-key"))
    assert "still open" in errors[0], "a new key for a subject with an open request"
    # a request that completed at once: its key still gives it, not a second one
    done = await open_request(api, STRANGER, idempotencyKey="web-form-99")
    assert done["status"] == "COMPLETE"
    assert (await open_request(api, STRANGER, idempotencyKey="web-form-99"))["id"] == done["id"]
    assert (await open_request(api, STRANGER))["id"] != done["id"], "without a key: a new request"
    rows = await seeded.read("MATCH (r:ErasureRequest) RETURN properties(r) AS p")
    assert all("ticket-4711" not in str(r["p"]) for r in rows), "only the key's digest is kept"


@pytest.mark.neo4j
async def test_concurrent_requests_with_one_key_open_one_request(seeded: Database) -> None:
    given = erasure.ErasureRequestInput(
        subject=lookup_of(SECRET, email=JORDAN),
        received_at=NOW - dt.timedelta(days=8),
        jurisdiction=Jurisdiction.GDPR,
        channel="post",
        identity_method="government_id",
        idempotency_key="retry-me",
    )
    principal = Principal("desk", Role.COMPLIANCE)
    results = await asyncio.gather(
        *(erasure.request_erasure(seeded, given, principal=principal, now=NOW) for _ in range(3))
    )
    assert len({r.request.id for r in results}) == 1
    assert await count(seeded, "MATCH (:ErasureRequest)") == 1


# --- free text does not outlive the erasure --------------------------------------------------------------------


async def _strings_holding(db: Database, *needles: str) -> list[str]:
    """Every string property (or string in a list property) of every node and relationship holding a needle."""
    found = []
    rows = await db.read("MATCH (n) RETURN labels(n) AS what, properties(n) AS props")
    rows += await db.read("MATCH ()-[r]->() RETURN [type(r)] AS what, properties(r) AS props")
    for row in rows:
        for key, value in row["props"].items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and any(n in text for n in needles):
                    found.append(f"{row['what']}.{key} = {text!r}")
    return found


@pytest.mark.neo4j
async def test_free_text_typed_with_the_subjects_email_is_gone_after_the_erasure(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    typed = "Jordan.Reyes@Example.com"  # as a person would type it
    needles = (typed, typed.lower())
    assert await _strings_holding(seeded, *needles) == [], "the seed keeps no raw email"
    lifted = (await api.query(HOLD, reason=f"claim by {typed}, settled"))["placeLegalHold"]["id"]
    await api.query(LIFT, id=lifted, reason=f"{typed} withdrew the claim")
    await api.query(HOLD, reason=f"claim by {typed} pending")
    async with (
        client_of(seeded, clock, Role.COMPLIANCE, name="opener") as opener,
        client_of(seeded, clock, Role.COMPLIANCE, name="checker") as checker,
    ):
        request = await open_request(
            opener, JORDAN, identityVerification={"method": "NOT_VERIFIED", "reference": f"mail from {typed}"}
        )
        await api.query(APPROVE, id=request["id"], reason=f"{typed} confirmed by phone")
        await opener.query(EXTEND, id=request["id"], reason=f"{typed} has accounts in twelve systems")
        restricted = [t for t in request["tasks"] if t["action"] == "RESTRICT"]
        assert any(t["exception"].startswith("hold:") for t in restricted), "the hold restricts something"
        # one task fails, is claimed, rejected and claimed again before the rest
        first = first_erasure(request)
        await api.query(
            RECORD, task=first["id"], outcome="FAILED", evidence=f"{typed} locked", key=f"{typed}-0"
        )
        await api.query(
            RECORD, task=first["id"], outcome="DONE", evidence=f"deleted {typed}", key=f"{typed}-1"
        )
        await checker.query(VERIFY, task=first["id"], evidence=f"{typed} still there", confirmed=False)
        assert await _strings_holding(seeded, *needles), "the scan sees the free text while the request runs"
        for t in sorted(request["tasks"], key=lambda t: (t["stage"], t["key"])):
            if t["key"] == "suppress:subject":
                continue
            outcome = "HELD" if t["action"] == "RESTRICT" else "DONE"
            await api.query(
                RECORD,
                task=t["id"],
                outcome=outcome,
                evidence=f"erased {typed.lower()}",
                key=f"{typed}-{t['key']}",
            )
            await checker.query(VERIFY, task=t["id"], evidence=f"searched for {typed}: none")
        done = (await checker.query(HISTORY, id=request["id"]))["erasureRequest"]
        assert done["status"] == "COMPLETE"
        assert all(t["claimedEvidence"] is None and t["verifiedEvidence"] is None for t in done["tasks"])
        assert any("legal hold hold:" in t["legalGround"] for t in done["tasks"])
        cert = (await checker.query(CERTIFICATE, id=request["id"]))["erasureCertificate"]
    assert cert["intact"], "the certificate verifies after the free text is cleared"
    assert await _strings_holding(seeded, *needles) == []


# --- the audit trail -------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_every_erasure_mutation_writes_its_audit_event(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    hold = (await api.query(HOLD, reason="claim 7"))["placeLegalHold"]["id"]
    await api.query(LIFT, id=hold, reason="settled")
    async with client_of(seeded, clock, Role.COMPLIANCE, name="checker") as checker:
        request = await open_request(api, JORDAN, identityVerification=NOT_VERIFIED)
        refused = await api.raw(APPROVE, id=request["id"], reason="mine")  # who opened it cannot approve it
        assert codes(refused) == ["FORBIDDEN"]
        await checker.query(APPROVE, id=request["id"], reason="called back")
        await checker.query(EXTEND, id=request["id"], reason="many systems")
        platform = first_erasure(request)
        await api.query(RECORD, task=platform["id"], outcome="DONE", evidence="job 1", key="k1")
        await api.query(RECORD, task=platform["id"], outcome="DONE", evidence="job 1", key="k1")  # a replay
        assert codes(await api.raw(VERIFY, task=platform["id"], evidence="mine")) == ["FORBIDDEN"]
        await checker.query(VERIFY, task=platform["id"], evidence="row count 0")
    events = [
        (
            e.entry.operation,
            e.entry.principal,
            e.entry.role,
            e.entry.outcome,
            e.entry.subject_id,
            e.entry.request_id,
        )
        for e in await audit.events(seeded)
        if e.entry.operation not in ("erasurePlan", "subject", "subjectLineage")
    ]
    subject, rid = request["subjectId"], request["id"]
    assert events == [
        ("placeLegalHold", "token:test-admin", "admin", "ok", subject, None),
        ("liftLegalHold", "token:test-admin", "admin", "ok", subject, None),
        ("requestErasure", "token:test-admin", "admin", "ok", subject, rid),
        ("approveErasureRequest", "token:test-admin", "admin", "refused: FORBIDDEN", subject, rid),
        ("approveErasureRequest", "token:checker", "compliance", "ok", subject, rid),
        ("extendDeadline", "token:checker", "compliance", "ok", subject, rid),
        ("recordErasureOutcome", "token:test-admin", "admin", "ok", subject, rid),
        ("recordErasureOutcome", "token:test-admin", "admin", "ok: replayed", subject, rid),
        ("verifyErasureTask", "token:test-admin", "admin", "refused: FORBIDDEN", subject, rid),
        ("verifyErasureTask", "token:checker", "compliance", "ok", subject, rid),
    ]
    assert (await audit.check_chain(seeded)).whole
    (row,) = await seeded.read("MATCH (r:ErasureRequest {id: $id}) RETURN r.approvedBy AS by", id=rid)
    assert row["by"] == "token:checker", "the refused approval wrote nothing"

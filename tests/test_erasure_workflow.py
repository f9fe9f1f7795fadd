"""The erasure workflow on the real Neo4j: transitions, idempotency, concurrency, completion, proof."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Principal, Role
from datamap.domain.erasure_records import ErasureTaskRecord, Outcome
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services import erasure
from tests.conftest import NOW, SECRET, GraphQLClient
from tests.helpers import GET, RECORD, REQUEST, VERIFY, client_of, open_request, request_input, settle_all

pytestmark = pytest.mark.neo4j

ANNA = "anna.jansen@example.com"
JORDAN = "jordan.reyes@example.com"
WORKER = Principal("worker", Role.ERASURE_OPERATOR)
CHECKER = Principal("checker", Role.COMPLIANCE)


@pytest.fixture
async def checker(seeded: Database, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    """A compliance principal: verifies what `api` (an admin) recorded."""
    async with client_of(seeded, clock, Role.COMPLIANCE) as client:
        yield client


def task(request: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in request["tasks"] if t["key"] == key)


def first_erasure(request: dict[str, Any]) -> dict[str, Any]:
    """An erasure that waits only for the suppression entry."""
    return next(
        t for t in request["tasks"] if t["action"] == "ERASE" and t["dependsOn"] == ["suppress:subject"]
    )


def downstream_of(request: dict[str, Any], upstream: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in request["tasks"] if upstream["key"] in t["dependsOn"])


async def test_a_request_is_created_from_the_plan_with_deadlines_and_suppression_first(
    api: GraphQLClient,
) -> None:
    request = await open_request(api, ANNA, receivedAt="2026-11-20T09:00:00Z")
    assert request["status"] == "OPEN" and request["deadline"] == "2026-12-20"
    assert request["effectiveDeadline"] == "2026-12-20" and request["receiptConfirmationDue"] is None
    suppression = task(request, "suppress:subject")
    assert suppression["status"] == "DONE" and suppression["verified"]
    assert {"marketing_partners", "interinbox", "email_delivery_providers"} <= set(request["art19Recipients"])
    assert all(t["status"] == "PENDING" for t in request["tasks"] if t["key"] != "suppress:subject")
    ccpa = await open_request(api, JORDAN, jurisdiction="CCPA", receivedAt="2026-11-20T09:00:00-08:00")
    assert ccpa["deadline"] == "2027-01-04" and ccpa["receiptConfirmationDue"] == "2026-12-04"


async def test_an_emailed_request_is_handled_only_for_the_address_it_came_from(api: GraphQLClient) -> None:
    errors = await api.errors(REQUEST, input=request_input(ANNA, fromEmail="someone.else@example.com"))
    assert "only for the email address it comes from" in errors[0]
    errors = await api.errors(REQUEST, input=request_input(ANNA, fromEmail=None))
    assert "fromEmail" in errors[0]
    by_post = await api.query(REQUEST, input=request_input(ANNA, channel="POST", fromEmail=None))
    assert by_post["requestErasure"]["status"] == "OPEN"
    errors = await api.errors(REQUEST, input=request_input(ANNA, channel="POST", fromEmail=None))
    assert "still open" in errors[0], "a repeated request is answered by the open one"


async def test_invalid_transitions_are_rejected_with_the_reason(
    api: GraphQLClient, checker: GraphQLClient
) -> None:
    request = await open_request(api, ANNA)
    platform = first_erasure(request)
    backup = downstream_of(request, platform)
    # downstream before upstream
    errors = await api.errors(RECORD, task=backup["id"], outcome="DONE", evidence="rotated", key="b1")
    assert f"waits for {platform['key']}" in errors[0]
    # the suppression entry is datamap's own
    errors = await api.errors(
        RECORD, task=task(request, "suppress:subject")["id"], outcome="DONE", evidence="x", key="s1"
    )
    assert "already DONE" in errors[0]
    # HELD is not an outcome of an erasure in our own system, and DONE needs evidence
    errors = await api.errors(RECORD, task=platform["id"], outcome="HELD", evidence="we keep it", key="p0")
    assert "HELD is not an outcome of erase" in errors[0]
    errors = await api.errors(RECORD, task=platform["id"], outcome="DONE", evidence=" ", key="p0")
    assert "evidence is required" in errors[0]
    # verification needs a claim first
    errors = await api.errors(VERIFY, task=platform["id"], evidence="looked")
    assert "only a settled outcome can be verified" in errors[0]
    # a failure can be retried; a settled claim is final
    failed = await api.query(RECORD, task=platform["id"], outcome="FAILED", evidence="timeout", key="p1")
    assert failed["recordErasureOutcome"]["status"] == "FAILED"
    done = await api.query(
        RECORD, task=platform["id"], outcome="DONE", evidence="job 17 deleted 4 rows", key="p2"
    )
    assert done["recordErasureOutcome"]["status"] == "DONE" and done["recordErasureOutcome"]["attempts"] == 2
    errors = await api.errors(RECORD, task=platform["id"], outcome="NOT_FOUND", evidence="gone", key="p3")
    assert "already DONE" in errors[0]
    # verification may reject a claim: back to FAILED, to be done again
    rejected = await checker.query(VERIFY, task=platform["id"], evidence="row 4 still there", confirmed=False)
    assert rejected["verifyErasureTask"] == {"id": platform["id"], "status": "FAILED", "verified": False}
    errors = await api.errors(RECORD, task="no-such-task", outcome="DONE", evidence="x", key="z")
    assert "no erasure task 'no-such-task'" in errors[0]


async def test_the_same_outcome_sent_twice_with_one_key_changes_nothing(
    api: GraphQLClient, seeded: Database
) -> None:
    request = await open_request(api, ANNA)
    platform = first_erasure(request)
    first = await api.query(RECORD, task=platform["id"], outcome="DONE", evidence="job 17", key="k-1")
    again = await api.query(RECORD, task=platform["id"], outcome="DONE", evidence="job 17", key="k-1")
    assert again == first
    assert len(again["recordErasureOutcome"]["history"]) == 1
    (row,) = await seeded.read(
        "MATCH (t:ErasureTask {id: $id}) RETURN t.version AS version", id=platform["id"]
    )
    assert row["version"] == 1, "the replay did not even touch the task"
    errors = await api.errors(RECORD, task=platform["id"], outcome="NOT_FOUND", evidence="nothing", key="k-1")
    assert "already used on this task" in errors[0]


async def test_two_concurrent_updates_of_one_task_cannot_both_win(
    api: GraphQLClient, seeded: Database
) -> None:
    request = await open_request(api, ANNA)
    platform = first_erasure(request)["id"]

    async def claim(outcome: Outcome, key: str) -> Any:
        try:
            return await erasure.record_outcome(
                seeded, platform, outcome, f"{outcome} by worker {key}", key, principal=WORKER, now=NOW
            )
        except ValidationError as exc:
            return exc

    for round_ in range(3):
        if round_:
            await seeded.write("MATCH (t:ErasureTask {id: $id}) SET t.status = 'pending'", id=platform)
        results = await asyncio.gather(
            *(
                claim(o, f"r{round_}-{i}")
                for i, o in enumerate([Outcome.DONE, Outcome.NOT_FOUND, Outcome.DONE, Outcome.NOT_FOUND])
            )
        )
        winners = [r for r in results if isinstance(r, ErasureTaskRecord)]
        losers = [r for r in results if isinstance(r, ValidationError)]
        assert len(winners) == 1 and len(losers) == 3, results
        assert all("already" in str(e) for e in losers)


async def test_a_completed_request_clears_the_subject_and_leaves_proof(
    api: GraphQLClient, checker: GraphQLClient, seeded: Database
) -> None:
    request = await open_request(api, JORDAN)
    await settle_all(api, request)
    waiting = (await api.query(GET, id=request["id"]))["erasureRequest"]
    assert waiting["status"] == "AWAITING_VERIFICATION" and waiting["completedAt"] is None
    errors = await api.errors(
        "query($id: ID!) { erasureCertificate(request: $id) { digest } }", id=request["id"]
    )
    assert "not complete" in errors[0]
    for t in waiting["tasks"]:
        if not t["verified"]:
            await checker.query(VERIFY, task=t["id"], evidence=f"checked {t['target']}")
    done = (await api.query(GET, id=request["id"]))["erasureRequest"]
    assert done["status"] == "COMPLETE" and done["completedAt"]
    # the subject layer is gone, except the suppression entry and the audit trail
    assert (await api.query('{ subject(subject: {email: "jordan.reyes@example.com"}) { id } }'))[
        "subject"
    ] is None
    lineage = (
        await api.query(
            '{ subjectLineage(subject: {phone: "+1 415 555 0134"}) { subjectId erasedAt systems { key } } }'
        )
    )["subjectLineage"]
    assert lineage["erasedAt"] and lineage["systems"] == [] and lineage["subjectId"] == request["subjectId"]
    (left,) = await seeded.read(
        "RETURN COUNT { MATCH (s:Subject {id: $id}) } AS subjects, COUNT { MATCH (:Suppression) } AS suppressed, "
        "COUNT { MATCH (:ErasureTask)-[:PART_OF]->(:ErasureRequest {id: $request}) } AS tasks",
        id=request["subjectId"],
        request=request["id"],
    )
    assert left == {"subjects": 0, "suppressed": 3, "tasks": len(request["tasks"])}
    # no import or sync re-creates the subject
    errors = await api.errors("""mutation { recordCollection(input: {subject: {email: "jordan.reyes@example.com"},
        categories: ["user.name"], source: "account_registration", system: "customer_accounts",
        at: "2026-11-25T10:00:00Z"}) { id } }""")
    assert "suppression list" in errors[0]


async def test_the_certificate_digest_changes_when_a_recorded_outcome_is_altered(
    api: GraphQLClient, checker: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    clock.at = dt.datetime(
        2026, 11, 28, 12, tzinfo=dt.UTC
    )  # the tax records' retention runs until 2032-01-15
    request = await open_request(api, JORDAN, receivedAt="2026-11-20T09:00:00Z")
    await settle_all(api, request, checker)
    query = "query($id: ID!) { erasureCertificate(request: $id) { document digest storedDigest intact } }"
    cert = (await api.query(query, id=request["id"]))["erasureCertificate"]
    assert cert["intact"] and cert["digest"] == cert["storedDigest"] and len(cert["digest"]) == 64
    assert "restrict:billing:tax_records" in cert["document"] and "2032-01-15" in cert["document"]
    await seeded.write("MATCH (t:ErasureTask {key: 'erase:billing'}) SET t.claimedEvidenceDigest = 'forged'")
    forged = (await api.query(query, id=request["id"]))["erasureCertificate"]
    assert not forged["intact"] and forged["digest"] != cert["digest"]
    assert forged["storedDigest"] == cert["storedDigest"]


async def test_deadlines_extension_and_overdue_requests(api: GraphQLClient, clock: FixedClock) -> None:
    clock.at = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)  # a day the expected dates below are counted from
    old = await open_request(api, ANNA, receivedAt="2026-09-01T09:00:00Z")
    recent = await open_request(api, JORDAN, receivedAt="2026-11-20T09:00:00Z")
    listed = """query($overdue: Boolean) { erasureRequests(overdue: $overdue) { id overdue status } }"""
    overdue = (await api.query(listed, overdue=True))["erasureRequests"]
    assert [r["id"] for r in overdue] == [old["id"]]
    extend = """mutation($id: ID!, $reason: String!) {
      extendDeadline(request: $id, reason: $reason) { effectiveDeadline } }"""
    errors = await api.errors(extend, id=old["id"], reason="complex")
    assert "within the first period" in errors[0]
    extended = await api.query(extend, id=recent["id"], reason="twelve processors to instruct")
    assert extended["extendDeadline"]["effectiveDeadline"] == "2027-02-20"
    errors = await api.errors(extend, id=recent["id"], reason="again")
    assert "two further months in all (GDPR Art. 12(3))" in errors[0]
    everything = (await api.query(listed, overdue=None))["erasureRequests"]
    assert {r["id"] for r in everything} == {old["id"], recent["id"]}


async def test_a_request_about_someone_the_graph_does_not_know_completes_at_once(api: GraphQLClient) -> None:
    request = await open_request(api, "stranger@example.com")
    assert request["status"] == "COMPLETE" and [t["key"] for t in request["tasks"]] == ["suppress:subject"]
    assert request["warnings"] == ["the graph holds no record of this subject"]
    cert = await api.query(
        "query($id: ID!) { erasureCertificate(request: $id) { intact } }", id=request["id"]
    )
    assert cert["erasureCertificate"]["intact"]
    again = await open_request(api, "stranger@example.com")
    assert again["id"] != request["id"], "a completed request does not block a new one"


async def test_concurrent_last_verifications_complete_the_request(
    api: GraphQLClient, checker: GraphQLClient, seeded: Database
) -> None:
    request = await open_request(api, JORDAN)
    await settle_all(api, request)
    waiting = (await api.query(GET, id=request["id"]))["erasureRequest"]["tasks"]
    unverified = [t for t in waiting if not t["verified"]]
    for t in unverified[:-2]:
        await checker.query(VERIFY, task=t["id"], evidence="checked")
    await asyncio.gather(
        *(
            erasure.verify_task(seeded, t["id"], "checked at once", principal=CHECKER, now=NOW)
            for t in unverified[-2:]
        )
    )
    done = (await api.query(GET, id=request["id"]))["erasureRequest"]
    assert done["status"] == "COMPLETE" and done["completedAt"]
    cert = await api.query(
        "query($id: ID!) { erasureCertificate(request: $id) { intact } }", id=request["id"]
    )
    assert cert["erasureCertificate"]["intact"]


async def test_two_concurrent_requests_for_one_subject_open_one(seeded: Database) -> None:
    from datamap.domain.deadlines import Jurisdiction
    from datamap.services.subjects import lookup_of

    given = erasure.ErasureRequestInput(
        subject=lookup_of(SECRET, email=ANNA),
        received_at=NOW - dt.timedelta(days=8),
        jurisdiction=Jurisdiction.GDPR,
        channel="post",
        identity_method="government_id",
    )

    async def attempt() -> Any:
        try:
            return await erasure.request_erasure(seeded, given, principal=CHECKER, now=NOW)
        except ValidationError as exc:
            return exc

    results = await asyncio.gather(attempt(), attempt(), attempt())
    assert len([r for r in results if isinstance(r, erasure.RequestView)]) == 1
    assert all("still open" in str(r) for r in results if isinstance(r, ValidationError))


async def test_a_lifted_hold_no_longer_restricts(api: GraphQLClient) -> None:
    hold = await api.query("""mutation { placeLegalHold(subject: {email: "anna.jansen@example.com"},
      categories: ["user.contact.email"], reason: "claim 7") { id } }""")
    hold_id = hold["placeLegalHold"]["id"]
    lifted = await api.query(
        "mutation($id: ID!) { liftLegalHold(hold: $id, reason: 'settled') { liftedAt } }".replace(
            "'settled'", '"settled"'
        ),
        id=hold_id,
    )
    assert lifted["liftLegalHold"]["liftedAt"]
    plan = await api.query(
        '{ erasurePlan(subject: {email: "anna.jansen@example.com"}) { tasks { action } } }'
    )
    assert "RESTRICT" not in {t["action"] for t in plan["erasurePlan"]["tasks"]}
    errors = await api.errors(
        'mutation($id: ID!) { liftLegalHold(hold: $id, reason: "again") { id } }', id=hold_id
    )
    assert "no legal hold" in errors[0]


async def test_an_erasure_request_is_overdue_by_the_day_where_it_was_received(
    api: GraphQLClient, clock: FixedClock
) -> None:
    """Received on 31 January in New York (1 February in UTC): due on 28 February there, and still not overdue at
    21:00 that evening, though it is 1 March in UTC; overdue once 1 March begins in New York."""
    clock.at = dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC)
    request = await open_request(api, ANNA, receivedAt="2026-01-31T23:30:00-05:00")
    assert request["effectiveDeadline"] == "2026-02-28"
    get = """query($id: ID!) { erasureRequest(id: $id) { overdue } }"""
    listed = """{ erasureRequests(overdue: true) { id } }"""
    clock.at = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)  # 28 February, 21:00 in New York
    assert (await api.query(get, id=request["id"]))["erasureRequest"]["overdue"] is False
    assert (await api.query(listed))["erasureRequests"] == []
    clock.at = dt.datetime(2026, 3, 1, 5, 30, tzinfo=dt.UTC)  # 1 March, 00:30 in New York
    assert (await api.query(get, id=request["id"]))["erasureRequest"]["overdue"] is True
    assert [r["id"] for r in (await api.query(listed))["erasureRequests"]] == [request["id"]]

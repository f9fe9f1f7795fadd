"""Access requests (GDPR Art. 15) and CCPA right-to-know requests on the real Neo4j: their deadlines, extensions
and confirmation of receipt, the response drafted for a request and its sending, who may record and read them,
the audit trail, and bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.graph.database import Database, StatementCounter
from datamap.services import audit
from tests.conftest import NOW, GraphQLClient
from tests.helpers import client_of, open_request, settle_all

pytestmark = pytest.mark.neo4j

ANNA = {"email": "anna.jansen@example.com"}
JORDAN = {"email": "jordan.reyes@example.com"}
FIELDS = """id kind status subjectId channel receivedDate since deadline extendedDeadline effectiveDeadline
  extensionReasons receiptConfirmationDue confirmedAt confirmedBy responseDocumentId answeredAt overdue
  confirmationOverdue reasonsClearedAt"""
RECORD = "mutation($input: SubjectRequestInput!) { recordSubjectRequest(input: $input) { FIELDS } }"
CONFIRM = "mutation($id: ID!, $at: DateTime) { confirmSubjectRequest(id: $id, confirmedAt: $at) { FIELDS } }"
EXTEND = """mutation($id: ID!, $reason: String!, $months: Int) {
  extendSubjectRequest(id: $id, reason: $reason, months: $months) { FIELDS } }"""
GET = "query($id: ID!) { subjectRequest(id: $id) { FIELDS } }"
LIST = """query($kind: SubjectRequestKind, $status: SubjectRequestStatus, $overdue: Boolean) {
  subjectRequests(kind: $kind, status: $status, overdue: $overdue) { id overdue } }"""
RECORD, CONFIRM, EXTEND, GET = (q.replace("FIELDS", FIELDS) for q in (RECORD, CONFIRM, EXTEND, GET))
DRAFT = """mutation($input: DraftDocumentInput!) { draftDocument(input: $input) {
  id kind subjectId subjectRequestId sections { heading items } } }"""
APPROVE = "mutation($id: ID!) { approveDocument(id: $id) { id status } }"
SEND = "mutation($id: ID!) { markDocumentSent(id: $id, channel: EMAIL) { id status } }"
INFERENCES = "Inferences drawn to create a profile (§1798.140(v)(1)(K))"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def days_ago(days: int) -> str:
    """An instant `days` before the suite's NOW (whatever day DATAMAP_TEST_TODAY makes it)."""
    return (NOW - dt.timedelta(days=days)).isoformat()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def message(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    text: str = error["message"]
    return text


async def record(
    client: GraphQLClient, kind: str, subject: dict[str, str], received_at: str, **more: Any
) -> dict[str, Any]:
    given = {"kind": kind, "subject": subject, "receivedAt": received_at, "channel": "EMAIL", **more}
    recorded: dict[str, Any] = (await client.query(RECORD, input=given))["recordSubjectRequest"]
    return recorded


@pytest.fixture
async def reviewer(seeded: Database, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    """A second compliance principal: approves what `api` (an admin) drafted."""
    async with client_of(seeded, clock, Role.COMPLIANCE, name="reviewer") as client:
        yield client


async def test_an_access_request_is_due_in_a_month_and_extended_by_two_further_months_at_most(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = noon(dt.date(2026, 2, 10))
    # 31 January where it was received (1 February in UTC): the month counts from the local day
    request = await record(api, "ACCESS", ANNA, "2026-01-31T23:30:00-08:00")
    assert (request["kind"], request["status"], request["receivedDate"]) == ("ACCESS", "OPEN", "2026-01-31")
    assert request["deadline"] == request["effectiveDeadline"] == "2026-02-28"
    assert request["receiptConfirmationDue"] is None and not request["overdue"]
    extended = (await api.query(EXTEND, id=request["id"], reason="eleven systems to search", months=2))[
        "extendSubjectRequest"
    ]
    assert extended["extendedDeadline"] == extended["effectiveDeadline"] == "2026-04-28"
    assert extended["extensionReasons"] == ["eleven systems to search"]
    third = await api.raw(EXTEND, id=request["id"], reason="still more", months=1)
    assert codes(third) == ["BAD_USER_INPUT"] and "GDPR Art. 12(3)" in message(third)
    assert third["data"]["extendSubjectRequest"] is None
    confirm = await api.raw(CONFIRM, id=request["id"])
    assert codes(confirm) == ["BAD_USER_INPUT"] and "11 CCR §7021(a)" in message(confirm)
    kept = (await api.query(GET, id=request["id"]))["subjectRequest"]
    assert kept["effectiveDeadline"] == "2026-04-28" and kept["confirmedAt"] is None, (
        "refusals change nothing"
    )

    late = await record(api, "ACCESS", ANNA, "2026-01-31T10:00:00Z")
    clock.at = noon(dt.date(2026, 3, 1))
    refused = await api.raw(EXTEND, id=late["id"], reason="complex", months=1)
    assert codes(refused) == ["BAD_USER_INPUT"]
    assert "within the first period (by 2026-02-28)" in message(refused)


async def test_a_request_is_overdue_once_today_is_past_its_deadline_unanswered(api: GraphQLClient) -> None:
    old = await record(api, "ACCESS", ANNA, days_ago(40))  # due 30 or 31 days later: past
    recent = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(5))  # due in 40 days; confirmation not yet
    unconfirmed = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(20))  # 10 business days are past
    assert old["overdue"] and not old["confirmationOverdue"]
    assert not recent["overdue"] and not recent["confirmationOverdue"]
    assert not unconfirmed["overdue"] and unconfirmed["confirmationOverdue"]
    overdue = (await api.query(LIST, overdue=True))["subjectRequests"]
    assert overdue == [{"id": old["id"], "overdue": True}]
    in_time = (await api.query(LIST, overdue=False))["subjectRequests"]
    assert {r["id"] for r in in_time} == {recent["id"], unconfirmed["id"]}
    assert [r["id"] for r in (await api.query(LIST, kind="ACCESS"))["subjectRequests"]] == [old["id"]]
    confirmed = (await api.query(CONFIRM, id=unconfirmed["id"]))["confirmSubjectRequest"]
    assert confirmed["status"] == "CONFIRMED" and not confirmed["confirmationOverdue"]
    by_status = (await api.query(LIST, status="CONFIRMED"))["subjectRequests"]
    assert [r["id"] for r in by_status] == [unconfirmed["id"]]


async def test_a_ccpa_request_is_confirmed_within_ten_business_days_and_extended_once_by_45_days(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = noon(dt.date(2026, 3, 10))
    request = await record(api, "RIGHT_TO_KNOW", JORDAN, "2026-03-06T10:00:00-08:00")  # a Friday
    assert request["receiptConfirmationDue"] == "2026-03-20", "two weekends skipped"
    assert request["deadline"] == "2026-04-20" and request["status"] == "OPEN"  # 45 days
    confirmed = (await api.query(CONFIRM, id=request["id"]))["confirmSubjectRequest"]
    assert confirmed["status"] == "CONFIRMED" and confirmed["confirmedBy"] == "token:test-admin"
    assert dt.datetime.fromisoformat(confirmed["confirmedAt"]) == clock.at
    again = await api.raw(CONFIRM, id=request["id"])
    assert codes(again) == ["BAD_USER_INPUT"] and "was confirmed on" in message(again)
    extended = (await api.query(EXTEND, id=request["id"], reason="records at three service providers"))[
        "extendSubjectRequest"
    ]
    assert extended["effectiveDeadline"] == "2026-06-04", "45 more days"
    second = await api.raw(EXTEND, id=request["id"], reason="more")
    assert codes(second) == ["BAD_USER_INPUT"] and "one extension of 45 days" in message(second)
    early = await record(api, "RIGHT_TO_KNOW", JORDAN, "2026-03-06T10:00:00-08:00")
    before = await api.raw(CONFIRM, id=early["id"], at="2026-03-05T10:00:00Z")
    assert codes(before) == ["BAD_USER_INPUT"] and message(before).startswith("confirmedAt:")


async def test_a_right_to_know_response_drafted_for_a_request_goes_back_to_its_since(
    api: GraphQLClient,
) -> None:
    await api.query(
        "mutation($input: CollectionInput!) { recordCollection(input: $input) { id } }",
        input={
            "subject": JORDAN,
            "categories": ["user.survey"],
            "source": "forms_questionnaires_surveys",
            "system": "sharpspring_platform",
            "at": "2023-05-10T10:00:00Z",
        },
    )
    request = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(3), since="2022-01-01")
    assert request["since"] == "2022-01-01"
    answer = (await api.query(DRAFT, input={"kind": "CCPA_RIGHT_TO_KNOW", "subjectRequest": request["id"]}))[
        "draftDocument"
    ]
    assert answer["subjectRequestId"] == request["id"] and answer["subjectId"] == request["subjectId"]
    assert INFERENCES in str(answer["sections"]), "the survey answers of May 2023"
    plain = {"kind": "CCPA_RIGHT_TO_KNOW", "subject": JORDAN, "receivedAt": request["receivedDate"]}
    twelve_months = (await api.query(DRAFT, input=plain))["draftDocument"]
    assert INFERENCES not in str(twelve_months["sections"]) and twelve_months["subjectRequestId"] is None
    with_since = (await api.query(DRAFT, input={**plain, "since": "2022-01-01"}))["draftDocument"]
    assert INFERENCES in str(with_since["sections"]), "`since` counts without a request too"
    for wrong, argument in [
        ({"kind": "ACCESS_REPORT"}, "input.kind"),
        ({"kind": "CCPA_RIGHT_TO_KNOW", "subject": ANNA}, "input.subject"),
        ({"kind": "CCPA_RIGHT_TO_KNOW", "since": "2023-01-01"}, "input.since"),
        ({"kind": "CCPA_RIGHT_TO_KNOW", "receivedAt": "2024-01-01"}, "input.receivedAt"),
    ]:
        body = await api.raw(DRAFT, input={**wrong, "subjectRequest": request["id"]})
        assert codes(body) == ["BAD_USER_INPUT"] and message(body).startswith(argument), body
    access = await record(api, "ACCESS", ANNA, days_ago(3))
    report = (await api.query(DRAFT, input={"kind": "ACCESS_REPORT", "subjectRequest": access["id"]}))[
        "draftDocument"
    ]
    assert report["subjectId"] == access["subjectId"] and report["subjectRequestId"] == access["id"]
    missing = await api.raw(DRAFT, input={"kind": "ACCESS_REPORT", "subjectRequest": "nope"})
    assert codes(missing) == ["NOT_FOUND"] and message(missing).startswith("input.subjectRequest")


async def test_sending_the_response_answers_the_request(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    request = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(50))
    assert request["overdue"]
    answer = (await api.query(DRAFT, input={"kind": "CCPA_RIGHT_TO_KNOW", "subjectRequest": request["id"]}))[
        "draftDocument"
    ]
    await reviewer.query(APPROVE, id=answer["id"])
    assert (await api.query(GET, id=request["id"]))["subjectRequest"]["status"] == "OPEN", (
        "not before sending"
    )
    assert (await api.query(SEND, id=answer["id"]))["markDocumentSent"]["status"] == "SENT"
    answered = (await api.query(GET, id=request["id"]))["subjectRequest"]
    assert (answered["status"], answered["responseDocumentId"]) == ("ANSWERED", answer["id"])
    assert answered["answeredAt"] and not answered["overdue"]
    assert (await api.query(LIST, overdue=True))["subjectRequests"] == []
    refused = await api.raw(EXTEND, id=request["id"], reason="late")
    assert codes(refused) == ["BAD_USER_INPUT"] and "was answered on" in message(refused)
    sent = [e.entry for e in await audit.events(seeded) if e.entry.operation == "markDocumentSent"]
    assert [(e.outcome, e.request_id) for e in sent] == [("ok", request["id"])]


async def test_only_compliance_and_admin_record_or_read_requests(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    request = await record(api, "ACCESS", ANNA, days_ago(3))
    given = {"kind": "ACCESS", "subject": ANNA, "receivedAt": days_ago(1), "channel": "POST"}
    for role in (Role.VIEWER, Role.ENGINEER):
        async with client_of(seeded, clock, role) as client:
            for query, variables in [
                (RECORD, {"input": given}),
                (GET, {"id": request["id"]}),
                (LIST, {}),
                (CONFIRM, {"id": request["id"]}),
                (EXTEND, {"id": request["id"], "reason": "x"}),
            ]:
                body = await client.raw(query, **variables)
                assert codes(body) == ["FORBIDDEN"], (role, query, body)
    (row,) = await seeded.read("RETURN COUNT { (:SubjectRequest) } AS requests")
    assert row["requests"] == 1, "nothing recorded"


async def test_each_read_and_change_of_a_request_writes_an_audit_event_naming_the_subject(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    request = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(3))
    await reviewer.query(GET, id=request["id"])
    await reviewer.query(LIST)
    await reviewer.query(CONFIRM, id=request["id"])
    await reviewer.raw(GET, id="nope")
    events = [
        (e.entry.operation, e.entry.principal, e.entry.outcome, e.entry.subject_id, e.entry.request_id)
        for e in await audit.events(seeded)
        if "ubjectRequest" in e.entry.operation
    ]
    subject, request_id = request["subjectId"], request["id"]
    assert events == [
        ("recordSubjectRequest", "token:test-admin", "ok", subject, request_id),
        ("subjectRequest", "token:reviewer", "found", subject, request_id),
        ("subjectRequests", "token:reviewer", "found", subject, request_id),
        ("confirmSubjectRequest", "token:reviewer", "ok", subject, request_id),
        ("subjectRequest", "token:reviewer", "refused: NOT_FOUND", None, None),
    ]


async def test_bad_input_gets_an_error_naming_the_argument(api: GraphQLClient) -> None:
    def given(**more: Any) -> dict[str, Any]:
        return {
            "kind": "RIGHT_TO_KNOW",
            "subject": JORDAN,
            "receivedAt": days_ago(2),
            "channel": "WEB_FORM",
            **more,
        }

    tomorrow = (NOW + dt.timedelta(days=1)).isoformat()
    for wrong, code, start in [
        ({"subject": {"email": "nobody@example.com"}}, "NOT_FOUND", "input.subject:"),
        ({"subject": {"email": "not an email"}}, "BAD_USER_INPUT", "input.subject.email"),
        ({"since": "2021-12-31"}, "BAD_USER_INPUT", "since: 2021-12-31"),
        ({"kind": "ACCESS", "since": "2022-01-01"}, "BAD_USER_INPUT", "since: only a RIGHT_TO_KNOW"),
        ({"receivedAt": tomorrow}, "BAD_USER_INPUT", "receivedAt:"),
        ({"idempotencyKey": " "}, "BAD_USER_INPUT", "idempotencyKey:"),
    ]:
        body = await api.raw(RECORD, input=given(**wrong))
        assert codes(body) == [code] and message(body).startswith(start), (wrong, body)
        assert body["data"]["recordSubjectRequest"] is None
    for query, variables in [
        (GET, {"id": "nope"}),
        (CONFIRM, {"id": "nope"}),
        (EXTEND, {"id": "nope", "reason": "x"}),
    ]:
        body = await api.raw(query, **variables)
        assert codes(body) == ["NOT_FOUND"] and "'nope'" in message(body), body
    assert codes(await api.raw("{ subjectRequests(limit: 0) { id } }")) == ["BAD_USER_INPUT"]
    first = (await api.query(RECORD, input=given(idempotencyKey="ticket-77")))["recordSubjectRequest"]
    again = (await api.query(RECORD, input=given(idempotencyKey="ticket-77")))["recordSubjectRequest"]
    assert again == first, "the same key gives the first request"
    other = await api.raw(RECORD, input=given(idempotencyKey="ticket-77", subject=ANNA))
    assert codes(other) == ["BAD_USER_INPUT"] and message(other).startswith("idempotencyKey:")
    assert [r["id"] for r in (await api.query(LIST))["subjectRequests"]] == [first["id"]]


async def test_the_persons_erasure_clears_the_reasons_of_their_extensions(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    request = await record(api, "RIGHT_TO_KNOW", JORDAN, days_ago(3))
    await api.query(EXTEND, id=request["id"], reason="Jordan asked us to wait for the store in Fresno")
    erasure = await open_request(api, JORDAN["email"])
    await settle_all(api, erasure, reviewer)
    after = (await api.query(GET, id=request["id"]))["subjectRequest"]
    assert after["extensionReasons"] == [] and after["reasonsClearedAt"]
    assert after["effectiveDeadline"] != after["deadline"], "the extension itself stays on record"
    (row,) = await seeded.read(
        "MATCH (r:SubjectRequest {id: $id}) RETURN r.extensionReasons AS reasons", id=request["id"]
    )
    assert row["reasons"] is None
    gone = await api.raw(DRAFT, input={"kind": "CCPA_RIGHT_TO_KNOW", "subjectRequest": request["id"]})
    assert codes(gone) == ["NOT_FOUND"], "no response drawn from an erased person's data"


async def test_each_read_is_one_statement_besides_the_audit_trail(api: GraphQLClient) -> None:
    request = await record(api, "ACCESS", ANNA, days_ago(3))
    for query, variables in [(GET, {"id": request["id"]}), (LIST, {"overdue": False})]:
        await api.query("{ __typename }")  # the token's check (cached a few seconds) is not the field's
        before = StatementCounter.count
        await api.query(query, **variables)
        # the audit event: one statement in its own transaction (the process knows the chain's head, from the
        # recording's own event)
        assert StatementCounter.count - before == 1 + 1, query

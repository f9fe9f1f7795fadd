"""Deadlines of access and right-to-know requests judged where they were received and under the person's law: a
request is overdue (and a CCPA confirmation late) on the day where it was received, not on the UTC day; a
person living in Switzerland asks under the FADP (Art. 25(7), DPO Art. 18: 30 days), and their access report
cites the FADP. The rules alone, then through the API on the real Neo4j with the seed loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Principal, Role
from datamap.domain.access_report import rights_for
from datamap.domain.deadlines import FadpAccessRule
from datamap.domain.subject_requests import RequestLaw, SubjectRequestKind, law_of, received
from datamap.errors import ValidationError
from tests.conftest import GraphQLClient
from tests.helpers import right

ANNA = {"email": "anna.jansen@example.com"}  # seed: lives in the Netherlands
JORDAN = {"email": "jordan.reyes@example.com"}  # seed: lives in California
LEA = {"email": "lea.meier@example.ch"}  # recorded here: lives in Switzerland
FIELDS = """id kind law receivedAt receivedDate deadline extendedDeadline effectiveDeadline
  receiptConfirmationDue overdue confirmationOverdue"""
RECORD = "mutation($input: SubjectRequestInput!) { recordSubjectRequest(input: $input) { FIELDS } }"
EXTEND = """mutation($id: ID!, $reason: String!, $months: Int) {
  extendSubjectRequest(id: $id, reason: $reason, months: $months) { FIELDS } }"""
CONFIRM = "mutation($id: ID!) { confirmSubjectRequest(id: $id) { FIELDS } }"
GET = "query($id: ID!) { subjectRequest(id: $id) { FIELDS } }"
LIST = "query($overdue: Boolean) { subjectRequests(overdue: $overdue) { id overdue } }"
RECORD, EXTEND, CONFIRM, GET = (q.replace("FIELDS", FIELDS) for q in (RECORD, EXTEND, CONFIRM, GET))
REPORT = """query($subject: SubjectInput!, $asOf: Date) { accessReport(subject: $subject, asOf: $asOf) {
  rights { key law article } automatedDecisions findings { code } documentText } }"""
NOBODY = Principal("test", Role.ADMIN)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


async def record(client: GraphQLClient, kind: str, subject: dict[str, str], at: str) -> dict[str, Any]:
    given = {"kind": kind, "subject": subject, "receivedAt": at, "channel": "EMAIL"}
    found: dict[str, Any] = (await client.query(RECORD, input=given))["recordSubjectRequest"]
    return found


async def get(client: GraphQLClient, request_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await client.query(GET, id=request_id))["subjectRequest"]
    return found


async def listed(client: GraphQLClient, overdue: bool) -> set[str]:
    return {r["id"] for r in (await client.query(LIST, overdue=overdue))["subjectRequests"]}


def refused(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    message: str = error["message"]
    return message


# --- the rules alone ---------------------------------------------------------------------------------------------


def test_overdue_is_judged_on_the_day_where_the_request_was_received() -> None:
    at = dt.datetime.fromisoformat("2026-01-31T23:30:00-08:00")  # 1 February in UTC
    request = received(
        "r1", SubjectRequestKind.ACCESS, "s1", at, "email", None,
        residence=("NL", None), key_digest=None, by=NOBODY, now=utc("2026-02-01T08:00:00Z"),
    )  # fmt: skip
    assert (request.received_date, request.deadline) == (dt.date(2026, 1, 31), dt.date(2026, 2, 28))
    evening = utc("2026-02-28T21:00:00-08:00")  # 1 March in UTC
    assert not request.overdue(evening), "still 28 February where it was received"
    assert request.overdue(utc("2026-03-01T00:30:00-08:00"))


def test_a_swiss_residents_access_request_is_the_fadps_thirty_days() -> None:
    assert law_of(SubjectRequestKind.ACCESS, "CH") is RequestLaw.FADP
    assert law_of(SubjectRequestKind.ACCESS, None, "CH-ZH") is RequestLaw.FADP
    assert (
        law_of(SubjectRequestKind.ACCESS, "DE") is law_of(SubjectRequestKind.ACCESS, None) is RequestLaw.GDPR
    )
    assert law_of(SubjectRequestKind.RIGHT_TO_KNOW, "CH") is RequestLaw.CCPA
    rule = FadpAccessRule()
    day = dt.date(2026, 3, 2)
    assert rule.due(day) == dt.date(2026, 4, 1)  # 30 days; the GDPR's month would end on 2 April
    assert rule.check_extension(day, dt.date(2026, 4, 1), "three archives", None, 1) == dt.date(2026, 5, 1)
    with pytest.raises(ValidationError, match=r"^months: .*DPO Art. 18\(2\)"):
        rule.check_extension(day, dt.date(2026, 3, 20), "three archives", None, None)
    with pytest.raises(ValidationError, match=r"within the first period \(by 2026-04-01\)"):
        rule.check_extension(day, dt.date(2026, 4, 2), "three archives", None, 1)


def test_a_swiss_residents_rights_are_cited_by_the_fadps_articles() -> None:
    rights = [right("access", article="Art. 15"), right("portability", article="Art. 20")]
    rights.append(right("complaint", article="Art. 77"))
    swiss, findings = rights_for(rights, "CH", as_of=dt.date(2024, 1, 1))
    assert [(r["key"], r["law"], r["article"]) for r in swiss] == [
        ("access", "FADP", "Art. 25"),
        ("complaint", "FADP", "Art. 49(1)"),
        ("portability", "FADP", "Art. 28"),
    ]
    before, findings = rights_for(rights, "CH", as_of=dt.date(2023, 8, 31))
    assert [(r["key"], r["article"]) for r in before] == [
        ("access", "Art. 8"),
        ("complaint", None),
        ("portability", None),
    ]
    assert "complaint, portability" in findings[0].message


# --- through the API ---------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_request_received_late_in_the_evening_in_california_is_judged_on_californias_days(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = utc("2026-02-01T12:00:00Z")
    access = await record(api, "ACCESS", ANNA, "2026-01-31T23:30:00-08:00")  # 1 February in UTC
    know = await record(api, "RIGHT_TO_KNOW", JORDAN, "2026-01-30T10:00:00-08:00")  # a Friday
    assert (access["receivedDate"], access["deadline"]) == ("2026-01-31", "2026-02-28")
    assert access["receivedAt"] == "2026-01-31T23:30:00-08:00", "kept as received: where it was received"
    assert know["receiptConfirmationDue"] == "2026-02-13"

    # 13 February, 22:00 where it was received (14 February in UTC): the confirmation is not late yet
    clock.at = utc("2026-02-13T22:00:00-08:00")
    assert not (await get(api, know["id"]))["confirmationOverdue"]
    clock.at = utc("2026-02-14T00:30:00-08:00")
    assert (await get(api, know["id"]))["confirmationOverdue"]

    # 28 February, 21:00 where it was received (1 March in UTC): not overdue, and it may still be extended
    clock.at = utc("2026-02-28T21:00:00-08:00")
    assert not (await get(api, access["id"]))["overdue"]
    assert access["id"] in await listed(api, overdue=False)
    assert access["id"] not in await listed(api, overdue=True)
    clock.at = utc("2026-03-01T00:30:00-08:00")
    assert (await get(api, access["id"]))["overdue"]
    assert access["id"] in await listed(api, overdue=True)
    assert access["id"] not in await listed(api, overdue=False)

    late = await record(api, "ACCESS", ANNA, "2026-02-01T22:00:00-08:00")  # due 1 March where received
    clock.at = utc("2026-03-01T23:00:00-08:00")  # 2 March in UTC: still the first period there
    extended = (await api.query(EXTEND, id=late["id"], reason="eleven systems to search", months=1))[
        "extendSubjectRequest"
    ]
    assert extended["effectiveDeadline"] == "2026-04-01" and not extended["overdue"]


@pytest.mark.neo4j
async def test_a_swiss_resident_asks_under_the_fadp_and_is_answered_with_its_articles(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = utc("2026-03-05T12:00:00Z")
    await api.query(
        "mutation($input: CollectionInput!) { recordCollection(input: $input) { id } }",
        input={
            "subject": LEA,
            "categories": ["user.contact.email", "user.name"],
            "source": "forms_questionnaires_surveys",
            "system": "sharpspring_platform",
            "at": "2026-01-10T10:00:00+01:00",
            "country": "CH",
        },
    )
    swiss = await record(api, "ACCESS", LEA, "2026-03-02T09:00:00+01:00")
    dutch = await record(api, "ACCESS", ANNA, "2026-03-02T09:00:00+01:00")
    assert (swiss["law"], swiss["deadline"]) == ("FADP", "2026-04-01"), "FADP Art. 25(7), DPO Art. 18(1)"
    assert (dutch["law"], dutch["deadline"]) == ("GDPR", "2026-04-02"), "GDPR Art. 12(3): one month"
    assert swiss["receiptConfirmationDue"] is None

    unsaid = refused(await api.raw(EXTEND, id=swiss["id"], reason="three archives to search"))
    assert unsaid.startswith("months:") and "DPO Art. 18(2)" in unsaid
    confirm = refused(await api.raw(CONFIRM, id=swiss["id"]))
    assert "FADP access request" in confirm and "DPO Art. 18(1)" in confirm
    extended = (await api.query(EXTEND, id=swiss["id"], reason="three archives to search", months=1))[
        "extendSubjectRequest"
    ]
    assert extended["effectiveDeadline"] == "2026-05-01"
    clock.at = utc("2026-04-02T12:00:00+02:00")  # past the 30 days: too late to tell the person
    other = await record(api, "ACCESS", LEA, "2026-03-02T09:00:00+01:00")
    too_late = refused(await api.raw(EXTEND, id=other["id"], reason="more", months=1))
    assert "within the first period (by 2026-04-01)" in too_late
    assert (await get(api, other["id"]))["overdue"]

    report = (await api.query(REPORT, subject=LEA, asOf="2026-03-05"))["accessReport"]
    text = report["documentText"]
    assert "Access to your personal data (FADP Art. 25), as of 2026-03-05" in text
    for heading in (
        "Why we process your data (Art. 25(2)(c))",
        "The personal data we hold about you (Art. 25(2)(b))",
        "Who received your data (Art. 25(2)(g))",
        "How long we keep it (Art. 25(2)(d))",
        "Where the data came from (Art. 25(2)(e))",
        "Automated decision-making (Art. 25(2)(f))",
        "Transfers outside your region and their safeguards (Art. 25(2)(g), Art. 19(4))",
    ):
        assert heading in text, heading
    assert "Art. 15(1)" not in text and "GDPR Art. 22" not in text and "Art. 6(1)" not in text
    assert "(FADP Art. 21)" in report["automatedDecisions"]
    rights = {r["key"]: (r["law"], r["article"]) for r in report["rights"]}
    assert rights["access"] == ("FADP", "Art. 25") and rights["portability"] == ("FADP", "Art. 28")
    assert all(law != "GDPR" for law, _ in rights.values())
    assert "Right of access (FADP Art. 25)" in text
    dutch_report = (await api.query(REPORT, subject=ANNA, asOf="2026-03-05"))["accessReport"]
    assert "Why we process your data (Art. 15(1)(a))" in dutch_report["documentText"]

"""Impact queries on the real Neo4j with the seed: the map's flows, and what reached a recipient and whose data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.categories import related
from datamap.domain.impact import check_period
from datamap.domain.local_days import day_start
from datamap.domain.seed_entries import Flow
from datamap.errors import ValidationError
from datamap.graph import schema
from datamap.graph.database import Database, StatementCounter
from datamap.graph.impact_queries import RECIPIENT_IMPACT, read_recipient_impact
from datamap.graph.lineage_queries import MAX_FLOW_HOPS
from datamap.graph.schema import apply_schema
from datamap.services.impact import impact_params
from datamap.services.seed import load_seed_map, read_seed
from tests.conftest import NOW, SECRET, GraphQLClient, app_of, client_as, token_for
from tests.test_map_editing import SEED_PARTNERS, change

EMAIL_DELIVERY = "email_delivery_providers"
IMPACT = """
query($recipient: String!, $from: Date!, $to: Date!, $asOf: Date, $limit: Int, $after: String) {
  recipientImpact(recipient: $recipient, from: $from, to: $to, asOf: $asOf, limit: $limit, after: $after) {
    key role from to asOf categories contingentCategories
    paths { steps { kind key via } categories routine when }
    sources { key categories routine } systems { key categories routine pathCount }
    subjectCount subjects { subjectId categories disclosures firstDisclosed lastDisclosed } next
  }
}"""
FLOWS = """
query($from: String, $to: String, $category: String, $purpose: String, $asOf: Date) {
  flows(from: $from, to: $to, category: $category, purpose: $purpose, asOf: $asOf) {
    key from { kind key } to { kind key name } categories purposes trigger when provenance { validFrom }
  }
}"""
RECORD = """mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { subjectId } }"""
SUBJECT_ID = "query($s: SubjectInput!) { subject(subject: $s) { id } }"


async def impact(api: GraphQLClient, start: str, end: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (
        await api.query(IMPACT, recipient=EMAIL_DELIVERY, **{"from": start, "to": end}, **variables)
    )["recipientImpact"]
    return found


async def flow_keys(api: GraphQLClient, **variables: Any) -> set[str]:
    return {f["key"] for f in (await api.query(FLOWS, **variables))["flows"]}


async def subject_id(api: GraphQLClient, email: str) -> str:
    found: str = (await api.query(SUBJECT_ID, s={"email": email}))["subject"]["id"]
    return found


async def disclose(api: GraphQLClient, email: str, at: str, categories: list[str]) -> str:
    given = {"subject": {"email": email}, "categories": categories, "recipient": EMAIL_DELIVERY}
    recorded = await api.query(RECORD, input={**given, "purpose": "sales", "at": at})
    found: str = recorded["recordDisclosure"]["subjectId"]
    return found


@pytest.mark.neo4j
async def test_the_email_delivery_providers_received_the_trade_show_leads_name_and_email(
    api: GraphQLClient,
) -> None:
    anna = await subject_id(api, "anna.jansen@example.com")
    in_2019 = await impact(api, "2019-01-01", "2020-01-01")
    # the seed's lead met at a trade show, disclosed to the email delivery providers on 13 March 2019
    assert in_2019["subjectCount"] == 1
    (lead,) = in_2019["subjects"]
    assert lead["subjectId"] == anna and lead["categories"] == ["user.contact.email", "user.name"]
    assert lead["disclosures"] == 1 and lead["firstDisclosed"] == "2019-03-13T09:00:00+00:00"
    assert in_2019["next"] is None and in_2019["role"] == "PROCESSOR"
    # by the map: what the platform and the customer accounts send there as a matter of course
    assert in_2019["categories"] == ["user.behavior.email_engagement", "user.contact.email", "user.name"]
    assert in_2019["contingentCategories"] == []
    systems = {s["key"]: s for s in in_2019["systems"]}
    assert {"sharpspring_platform", "customer_accounts"} <= set(systems)
    assert systems["customer_accounts"]["categories"] == ["user.contact.email", "user.name"]
    assert "industry_events" in {s["key"] for s in in_2019["sources"]}
    assert all(p["steps"][-1]["key"] == EMAIL_DELIVERY and p["categories"] for p in in_2019["paths"])
    direct = next(
        p for p in in_2019["paths"] if [s["key"] for s in p["steps"]] == ["customer_accounts", EMAIL_DELIVERY]
    )
    assert direct["steps"][-1]["via"] == "accounts_to_email_delivery" and direct["routine"]
    # the customer representative (April 2020) and the visitor turned lead (June 2020) follow in 2020
    both_years = await impact(api, "2019-01-01", "2021-01-01")
    assert both_years["subjectCount"] == 3 and anna in {s["subjectId"] for s in both_years["subjects"]}
    assert in_2019["asOf"] == "2019-12-31", "a past period follows the map of its last day"


@pytest.mark.neo4j
async def test_a_period_without_the_disclosure_counts_no_one(api: GraphQLClient) -> None:
    later = await impact(api, "2021-01-01", "2026-01-01")
    assert (later["subjectCount"], later["subjects"], later["next"]) == (0, [], None)
    assert later["paths"], "the map still says what goes there"
    # [from, to): the disclosure of 13 March 2019 09:00 UTC is in a period ending on the 14th, not the 13th
    assert (await impact(api, "2019-03-01", "2019-03-13"))["subjectCount"] == 0
    assert (await impact(api, "2019-03-13", "2019-03-14"))["subjectCount"] == 1


@pytest.mark.neo4j
async def test_the_people_come_a_page_at_a_time_each_once(api: GraphQLClient) -> None:
    recorded = {
        await disclose(api, f"impact{n}@example.com", f"2019-0{n}-02T10:00:00Z", ["user.contact.email"])
        for n in range(1, 6)
    }
    again = await disclose(api, "impact1@example.com", "2019-09-02T10:00:00Z", ["user.name"])
    assert again in recorded
    first = await impact(api, "2019-01-01", "2020-01-01", limit=2)
    assert first["subjectCount"] == 6  # five new people and the trade show lead
    pages, after = [first], first["next"]
    while after is not None:
        pages.append(await impact(api, "2019-01-01", "2020-01-01", limit=2, after=after))
        after = pages[-1]["next"]
    seen = [s["subjectId"] for page in pages for s in page["subjects"]]
    assert [len(p["subjects"]) for p in pages] == [2, 2, 2] and seen == sorted(set(seen))
    assert recorded <= set(seen) and all(p["subjectCount"] == 6 for p in pages)
    twice = next(s for page in pages for s in page["subjects"] if s["subjectId"] == again)
    assert twice["disclosures"] == 2 and twice["categories"] == ["user.contact.email", "user.name"]
    assert twice["lastDisclosed"] == "2019-09-02T10:00:00+00:00"


@pytest.mark.neo4j
async def test_the_count_and_the_page_do_not_depend_on_how_the_disclosures_are_read(
    api: GraphQLClient, seeded: Database
) -> None:
    """Periods of a day to ten years, each one range of the recipient's disclosures; many people are walked in
    id order, few sorted: the same answer every way."""
    seed_times = [
        "2019-03-13T09:00:00Z",
        "2020-04-01T07:00:00Z",
        "2020-06-10T09:06:00Z",
    ]  # seed/subjects.yaml
    recorded = [
        "2019-03-02T10:00:00Z",
        "2019-03-31T23:59:59Z",
        "2019-07-15T00:00:00Z",
        "2021-02-01T12:00:00Z",
    ]
    for n, at in enumerate(recorded):
        await disclose(api, f"reader{n}@example.com", at, ["user.name"])
    times = [dt.datetime.fromisoformat(t) for t in seed_times + recorded]
    for start, end in [
        ("2019-03-13", "2019-03-14"),
        ("2019-03-01", "2019-04-01"),
        ("2019-04-01", "2020-04-01"),
        ("2020-04-01", "2021-02-02"),
        ("2019-01-01", "2029-01-01"),
        ("2022-01-01", "2023-01-01"),
    ]:
        period = check_period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        expected = sum(day_start(period.start) <= t < day_start(period.end) for t in times)
        found = await impact(api, start, end, limit=2)
        assert found["subjectCount"] == expected, (start, end)
        _, params = impact_params(EMAIL_DELIVERY, period, now=NOW, as_of=None, limit=2, after=None)
        walked, sorted_ = (
            await read_recipient_impact(seeded, params),
            await read_recipient_impact(seeded, params, scan=0),
        )
        assert walked is not None and sorted_ is not None
        assert walked["subjects"] == sorted_["subjects"] and len(walked["subjects"]) == min(expected, 3)


@pytest.mark.neo4j
async def test_each_person_on_the_page_is_audited_and_it_is_one_round_trip(
    api: GraphQLClient, seeded: Database
) -> None:
    # the process learns the audit chain's head (the suite wiped the chain) from a lookup of another kind
    await api.query('{ subject(subject: {email: "anna.jansen@example.com"}) { id } }')
    await api.query("{ __typename }")  # the token's check (cached a few seconds) is not the field's
    before = StatementCounter.count
    found = await impact(api, "2019-01-01", "2021-01-01")
    assert StatementCounter.count - before == 1 + 1, "the statement, and the audit trail's one"
    before = StatementCounter.count
    await api.query(FLOWS, category="user.contact")
    assert StatementCounter.count - before == 1
    rows = await seeded.read(
        "MATCH (e:AuditEvent {operation: 'recipientImpact'}) RETURN e.subjectId AS subject, e.outcome AS outcome"
    )
    assert sorted(r["subject"] for r in rows) == sorted(s["subjectId"] for s in found["subjects"])
    assert {r["outcome"] for r in rows} == {"found"}


@pytest.mark.neo4j
async def test_flows_by_end_category_and_purpose(api: GraphQLClient) -> None:
    to_delivery = {"platform_to_email_delivery", "accounts_to_email_delivery"}
    assert await flow_keys(api, to=EMAIL_DELIVERY) == to_delivery
    # a category includes its sub-categories (user.contact holds the email), and a flow of an ancestor carries it
    assert await flow_keys(api, to=EMAIL_DELIVERY, category="user.contact") == to_delivery
    assert await flow_keys(api, to=EMAIL_DELIVERY, category="user.behavior.email_engagement") == {
        "platform_to_email_delivery"
    }
    assert await flow_keys(api, to=EMAIL_DELIVERY, purpose="customer_interaction") == {
        "accounts_to_email_delivery"
    }
    from_platform = (
        await api.query(FLOWS, **{"from": "sharpspring_platform", "category": "user.contact.email"})
    )["flows"]
    assert "platform_to_email_delivery" in {f["key"] for f in from_platform}
    for f in from_platform:
        assert f["from"] == {"kind": "SYSTEM", "key": "sharpspring_platform"}
        assert any(related(c, "user.contact.email") for c in f["categories"]), f
    contingent = {f["key"]: f for f in from_platform if f["trigger"] != "ROUTINE"}
    assert contingent and all(f["when"] for f in contingent.values())
    # every flow carrying email data, from anywhere, includes those from the platform
    assert {f["key"] for f in from_platform} < await flow_keys(api, category="user.contact.email")


@pytest.mark.neo4j
async def test_bad_arguments_are_named(api: GraphQLClient) -> None:
    def query(**variables: Any) -> dict[str, Any]:
        return {"recipient": EMAIL_DELIVERY, "from": "2019-01-01", "to": "2020-01-01", **variables}

    for variables, phrase in [
        (query(recipient="nobody"), "recipient: no recipient 'nobody'"),
        (query(to="2019-01-01"), "to: 2019-01-01 is not after from"),
        (query(to="2029-01-02"), "longer than ten years"),
        (query(limit=0), "limit: 0 is out of range"),
        (query(after=""), "after:"),
    ]:
        (message,) = await api.errors(IMPACT, **variables)
        assert phrase in message, (variables, message)
    assert (await impact(api, "2019-01-01", "2029-01-01"))["subjectCount"] == 3, "ten years is allowed"
    for variables, phrase in [
        ({"from": "email_delivery_providers"}, "from: no source or system 'email_delivery_providers'"),
        ({"to": "nowhere"}, "to: no system or recipient 'nowhere'"),
        ({"category": "user.nothing"}, "category: no data category 'user.nothing'"),
        ({"purpose": "nothing"}, "purpose: no purpose 'nothing'"),
    ]:
        (message,) = await api.errors(FLOWS, **variables)
        assert phrase in message, (variables, message)


@pytest.fixture
async def later_flow(db: Database, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    """The seed with one more flow, from billing to the email delivery providers, in force from 2024."""
    seed = read_seed()
    billing = Flow.model_validate(
        {
            "key": "billing_to_email_delivery",
            "ref": "test: invoices sent by email from 2024",
            "from": {"system": "billing"},
            "to": {"recipient": EMAIL_DELIVERY},
            "categories": ["user.name", "user.financial.transaction_id"],
            "purposes": ["billing"],
            "validFrom": "2024-01-01",
        }
    )
    await load_seed_map(db, seed.model_copy(update={"flows": (*seed.flows, billing)}), SECRET)
    async with client_as(app_of(db, clock), await token_for(db, Role.ENGINEER)) as client:
        yield client


@pytest.mark.neo4j
async def test_a_flow_in_force_only_later_is_absent_before(later_flow: GraphQLClient) -> None:
    assert "billing_to_email_delivery" not in await flow_keys(
        later_flow, to=EMAIL_DELIVERY, asOf="2023-12-31"
    )
    on_the_day = (await later_flow.query(FLOWS, to=EMAIL_DELIVERY, asOf="2024-01-01"))["flows"]
    (billing,) = [f for f in on_the_day if f["key"] == "billing_to_email_delivery"]
    assert billing["provenance"]["validFrom"] == "2024-01-01" and billing["trigger"] == "ROUTINE"

    def upstream(found: dict[str, Any]) -> set[str]:
        return {s["key"] for s in found["systems"]}

    assert "billing" not in upstream(await impact(later_flow, "2019-01-01", "2020-01-01"))
    assert "billing" not in upstream(await impact(later_flow, "2024-01-01", "2025-01-01", asOf="2023-12-31"))
    in_2024 = await impact(later_flow, "2024-01-01", "2025-01-01")
    assert "billing" in upstream(in_2024) and "user.financial.transaction_id" in in_2024["categories"]


@pytest.mark.neo4j
async def test_a_viewer_reads_the_flows_but_not_the_people(seeded: Database, clock: FixedClock) -> None:
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.VIEWER)) as viewer:
        assert await flow_keys(viewer, to=EMAIL_DELIVERY)
        body = await viewer.raw(
            IMPACT, recipient=EMAIL_DELIVERY, **{"from": "2019-01-01", "to": "2021-01-01"}
        )
    assert body["data"]["recipientImpact"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


def test_a_period_is_a_day_to_ten_years() -> None:
    day = dt.date(2020, 2, 29)
    assert check_period(day, day + dt.timedelta(days=1)).last_day == day
    assert check_period(day, dt.date(2030, 2, 28)).end == dt.date(2030, 2, 28)
    for end in (day, dt.date(2030, 3, 1)):
        with pytest.raises(ValidationError, match=r"^to: "):
            check_period(day, end)


def test_the_flow_hop_bound_is_the_lineages() -> None:
    assert set(re.findall(r"FLOWS_TO\*1\.\.(\d+)", RECIPIENT_IMPACT)) == {str(MAX_FLOW_HOPS)}


@pytest.mark.neo4j
async def test_a_graph_written_before_disclosures_named_their_recipient_is_upgraded(
    api: GraphQLClient, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disclosures written before schema version 9 carry no recipient key, so the recipient's index range misses
    them; applying the schema to such a graph gives them the key once (page by page), and the lead is found
    again."""
    monkeypatch.setattr(schema, "UPGRADE_PAGE", 2)
    await disclose(api, "late.reader@example.com", "2019-05-01T08:00:00Z", ["user.name"])
    assert (await impact(api, "2019-01-01", "2020-01-01"))["subjectCount"] == 2
    await seeded.write("MATCH (:Subject)-[d:DISCLOSED_TO]->(:Recipient) REMOVE d.recipient")
    await seeded.write("MATCH (v:SchemaVersion {key: 'datamap'}) SET v.version = 8")
    assert (await impact(api, "2019-01-01", "2020-01-01"))["subjectCount"] == 0  # what an old graph answered
    assert await apply_schema(seeded) >= 9
    upgraded = await impact(api, "2019-01-01", "2020-01-01")
    assert upgraded["subjectCount"] == 2 and len(upgraded["subjects"]) == 2
    (left,) = await seeded.read(
        "MATCH (:Subject)-[d:DISCLOSED_TO]->(r:Recipient) "
        "RETURN count(d) AS all, count(CASE WHEN d.recipient = r.key THEN 1 END) AS named"
    )
    assert left["all"] == left["named"] > 0


@pytest.mark.neo4j
async def test_a_flows_ends_are_named_as_on_the_day_asked_about(api: GraphQLClient) -> None:
    """Renaming the marketing partners today leaves yesterday's flows to them under their old name."""
    old_name = SEED_PARTNERS["name"]
    renamed = {**SEED_PARTNERS, "name": "Marketing partners (renamed)"}
    await change(api, "Recipient", renamed, expected=1)
    yesterday = (NOW.date() - dt.timedelta(days=1)).isoformat()

    async def names(as_of: str | None) -> set[str]:
        found = (await api.query(FLOWS, to="marketing_partners", asOf=as_of))["flows"]
        assert found
        return {f["to"]["name"] for f in found}

    assert await names(yesterday) == {old_name}
    assert await names(None) == {"Marketing partners (renamed)"}

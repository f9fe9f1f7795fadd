"""Lineage questions answered from the seed, through GraphQL, on the real Neo4j."""

from __future__ import annotations

from typing import Any

import pytest

from datamap.domain.categories import covers
from datamap.services.seed import read_seed
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.neo4j

REACHED = "key name observed categories pathCount paths { observed categories steps { kind key via at } }"
SUBJECT_LINEAGE = """
query($subject: SubjectInput!, $category: String, $asOf: Date, $maxHops: Int) {
  subjectLineage(subject: $subject, category: $category, asOf: $asOf, maxHops: $maxHops) {
    subjectId asOf truncated
    sources { REACHED kind }
    systems { REACHED country }
    purposes { REACHED legalBasis }
    recipients { REACHED role country }
    transfers { REACHED mechanism fromCountries toCountries importer { key name country } }
    contingent { recipients { key observed when } purposes { key when } }
  }
}""".replace("REACHED", REACHED)
CATEGORY_LINEAGE = """
query($category: String!, $asOf: Date) {
  categoryLineage(category: $category, asOf: $asOf) {
    truncated
    sources { key } systems { key categories } purposes { key name }
    recipients { key role country categories paths { steps { kind key } } }
    transfers { key mechanism fromCountries toCountries categories }
    contingent { recipients { key when } purposes { key } }
  }
}"""
ANNA = {"email": "Anna.Jansen@example.com"}


def by_key(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in items}


async def lineage(api: GraphQLClient, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.query(SUBJECT_LINEAGE, **variables))["subjectLineage"]
    return result


async def test_where_a_leads_email_address_goes(api: GraphQLClient) -> None:
    lin = await lineage(api, subject=ANNA, category="user.contact.email")
    sources, systems = by_key(lin["sources"]), by_key(lin["systems"])
    recipients, transfers = by_key(lin["recipients"]), by_key(lin["transfers"])

    assert set(sources) == {"industry_events"} and sources["industry_events"]["observed"]
    assert systems["sharpspring_platform"]["observed"]
    assert not systems["backup_archive"]["observed"], "backups follow from the map, not from a record"
    # disclosures that were recorded, with the recipient's role and country
    assert (
        recipients["marketing_partners"]["role"] == "THIRD_PARTY"
        and recipients["marketing_partners"]["observed"]
    )
    assert recipients["email_delivery_providers"]["role"] == "PROCESSOR"
    assert (recipients["interinbox"]["role"], recipients["interinbox"]["country"]) == ("AFFILIATE", "CH")
    # and where the map says the email goes from the platform as a matter of course
    assert "hosting_providers" in recipients and not recipients["hosting_providers"]["observed"]
    # where it may go only on an event is apart, with the event (notice §10), and not among the recipients
    contingent = by_key(lin["contingent"]["recipients"])
    assert {"authorities", "advisers_and_investigators", "successor_entity"} <= set(contingent)
    assert not set(contingent) & set(recipients)
    assert contingent["authorities"]["when"] == [
        "a court, an authority or a legal claim requires it, or fraud is suspected"
    ]
    assert contingent["successor_entity"]["when"] == ["the business is reorganised, sold or merged"]
    assert not any(r["observed"] for r in contingent.values())
    assert {p["key"] for p in lin["purposes"]} >= {"sales", "marketing_partner_sharing", "marketing_requests"}
    # the transfer that carries an EU lead's email to the US, with its mechanism
    eu_us = transfers["eu_to_us_sharpspring"]
    assert eu_us["mechanism"] == "EU_US_PRIVACY_SHIELD" and eu_us["importer"]["country"] == "US"
    # every answer has a path that starts at the subject and only email travelled
    for kind in ("sources", "systems", "purposes", "recipients", "transfers"):
        for item in lin[kind]:
            assert item["paths"], (kind, item["key"])
            for path in item["paths"]:
                assert path["steps"][0]["kind"] == "SUBJECT" and path["steps"][0]["key"] == lin["subjectId"]
                assert path["steps"][-1]["key"] == item["key"]
                assert path["categories"] == ["user.contact.email"]


async def test_paths_say_whether_observed_and_what_led_there(api: GraphQLClient) -> None:
    lin = await lineage(api, subject=ANNA, category="user.contact.email")
    partners = by_key(lin["recipients"])["marketing_partners"]
    observed = next(p for p in partners["paths"] if p["observed"])
    assert [s["kind"] for s in observed["steps"]] == ["SUBJECT", "RECIPIENT"]
    assert observed["steps"][1]["via"].startswith("disclosure:") and observed["steps"][1]["at"].startswith(
        "2019-04-02"
    )
    hosting = by_key(lin["recipients"])["hosting_providers"]
    mapped = hosting["paths"][0]
    assert [s["kind"] for s in mapped["steps"]] == ["SUBJECT", "SYSTEM", "RECIPIENT"]
    assert mapped["steps"][1]["via"].startswith("record:") and not mapped["steps"][2]["via"].startswith(
        "record:"
    )


async def test_as_of_before_the_lead_was_first_recorded_returns_nothing(api: GraphQLClient) -> None:
    before = await lineage(api, subject=ANNA, asOf="2019-03-11")
    for kind in ("sources", "systems", "purposes", "recipients", "transfers"):
        assert before[kind] == [], kind
    on_the_day = await lineage(api, subject=ANNA, asOf="2019-03-12")
    assert [s["key"] for s in on_the_day["systems"] if s["observed"]] == ["sharpspring_platform"]
    assert not any(r["observed"] for r in on_the_day["recipients"]), "the first disclosure was on 13 March"


async def test_max_hops_bounds_the_answer_and_says_it_was_cut(api: GraphQLClient) -> None:
    full = await lineage(api, subject=ANNA)
    short = await lineage(api, subject=ANNA, maxHops=1)
    assert not full["truncated"] and short["truncated"]
    assert {r["key"] for r in short["recipients"]} == {
        "email_delivery_providers",
        "marketing_partners",
        "interinbox",
    }
    assert len(full["recipients"]) > len(short["recipients"])
    errors = await api.errors(SUBJECT_LINEAGE, subject=ANNA, maxHops=0)
    assert "maxHops" in errors[0]


async def test_a_us_subject_has_no_eu_transfer_and_an_unknown_subject_is_null(api: GraphQLClient) -> None:
    us = await lineage(api, subject={"phone": "+1 (415) 555-0134"})
    assert us["transfers"] == []
    assert "payment_processor" in by_key(us["recipients"])
    assert (await api.query(SUBJECT_LINEAGE, subject={"email": "nobody@example.com"}))[
        "subjectLineage"
    ] is None


async def test_a_visitor_seen_only_through_a_cookie_before_becoming_a_lead(api: GraphQLClient) -> None:
    as_visitor = await lineage(api, subject={"externalId": "cookie-7f3a"}, asOf="2020-05-15")
    as_lead = await lineage(api, subject={"email": "sam.devries@example.com"})
    assert as_visitor["subjectId"] == as_lead["subjectId"]
    visitor_categories = {c for s in as_visitor["systems"] for c in s["categories"]}
    assert "user.contact.email" not in visitor_categories
    assert "user.contact.email" in {c for s in as_lead["systems"] for c in s["categories"]}


async def test_who_receives_log_and_traffic_data(api: GraphQLClient) -> None:
    for category in ("user.device", "user.behavior.browsing_history"):
        lin = (await api.query(CATEGORY_LINEAGE, category=category))["categoryLineage"]
        recipients = by_key(lin["recipients"])
        assert {"google_analytics", "pendo"} <= set(recipients), category
        assert recipients["google_analytics"]["role"] == "PROCESSOR"
        assert recipients["google_analytics"]["country"] == "US"


async def test_which_purposes_use_the_ip_address(api: GraphQLClient) -> None:
    """Only purposes that process the IP address: a flow to hosting carries it for those, not for every purpose
    of the platform (there were 26 before flows carried purposes per category)."""
    lin = (await api.query(CATEGORY_LINEAGE, category="user.device.ip_address"))["categoryLineage"]
    purposes = {p["key"] for p in lin["purposes"]} | {p["key"] for p in lin["contingent"]["purposes"]}
    processing = {
        p.key
        for p in read_seed().purposes
        if any(
            covers(c, "user.device.ip_address") or covers("user.device.ip_address", c) for c in p.categories
        )
    }
    assert {"security", "analytics"} <= purposes
    assert purposes <= processing, purposes - processing
    assert "business_reorganisation" not in purposes and "marketing_partner_sharing" not in purposes


async def test_where_email_goes_by_the_map(api: GraphQLClient) -> None:
    lin = (await api.query(CATEGORY_LINEAGE, category="user.contact"))["categoryLineage"]
    recipients = by_key(lin["recipients"])
    assert {
        "marketing_partners",
        "email_delivery_providers",
        "interinbox",
        "sharpspring_technologies",
    } <= set(recipients)
    assert any(c.startswith("user.contact.") for c in recipients["marketing_partners"]["categories"])
    errors = await api.errors(CATEGORY_LINEAGE, category="user.contact.emial")
    assert "no data category 'user.contact.emial'" in errors[0]


async def test_which_transfers_leave_the_eu_and_under_what_mechanism(api: GraphQLClient) -> None:
    query = "query($d: Date) { transfers(asOf: $d) { key mechanism fromCountries toCountries importer { name } } }"
    transfers = (await api.query(query, d="2019-06-01"))["transfers"]
    leaving_eu = [t for t in transfers if "EU" in t["fromCountries"]]
    assert {t["key"] for t in leaving_eu} >= {"eu_to_us_sharpspring", "eu_to_us_google_analytics"}
    assert {t["mechanism"] for t in leaving_eu} == {"EU_US_PRIVACY_SHIELD"}
    assert all(t["toCountries"] == ["US"] for t in leaving_eu)
    assert (await api.query(query, d="2018-01-01"))["transfers"] == [], "nothing before the notice"


async def test_what_is_kept_of_card_payments(api: GraphQLClient) -> None:
    card = (await api.query(CATEGORY_LINEAGE, category="user.financial.credit_card"))["categoryLineage"]
    assert card["systems"] == [], "card data is stored in no system of ours"
    assert [r["key"] for r in card["recipients"]] == ["payment_processor"]
    financial = (await api.query(CATEGORY_LINEAGE, category="user.financial"))["categoryLineage"]
    billing = by_key(financial["systems"])["billing"]
    assert {"user.financial.transaction_id", "user.financial.payment_history"} <= set(billing["categories"])
    assert "user.financial.credit_card" not in billing["categories"]


async def test_an_unknown_category_is_an_error_not_an_empty_answer(api: GraphQLClient) -> None:
    errors = await api.errors(SUBJECT_LINEAGE, subject=ANNA, category="user.contact.emial")
    assert "no data category 'user.contact.emial'" in errors[0]

"""CCPA right to know (Civ. Code §1798.110, §1798.115): the window, the §1798.140(v)(1) terms, and sales, sharing
and business-purpose disclosures reported apart. Pure rules first, then the field on the real Neo4j."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from datamap.domain.ccpa import Ground, ground_of, window_of
from datamap.domain.ccpa_categories import CCPA_CATEGORIES, term_of, terms_of
from datamap.errors import ValidationError
from datamap.services.seed import read_seed
from tests.conftest import TODAY, GraphQLClient

D = dt.date


def test_the_window_is_twelve_months_or_back_to_since_but_never_before_2022() -> None:
    first, last, rule = window_of(D(2026, 11, 28), None)
    assert (first, last) == (D(2025, 11, 29), D(2026, 11, 28)) and "§1798.130(a)(2)(B)" in rule
    first, last, rule = window_of(D(2026, 11, 28), D(2022, 1, 1))
    assert (first, last) == (D(2022, 1, 1), D(2026, 11, 28)) and "11 CCR §7024(h)" in rule
    with pytest.raises(ValidationError, match=r"1 January 2022.*§1798\.130\(a\)\(2\)\(B\)"):
        window_of(D(2026, 11, 28), D(2021, 12, 31))
    with pytest.raises(ValidationError, match="after receivedAt"):
        window_of(D(2026, 11, 28), D(2026, 11, 29))


def test_every_seed_category_has_a_ccpa_term_and_the_answer_names_terms_not_keys() -> None:
    letters = {c.key: c.ccpa_category for c in read_seed().data_categories}
    assert all(letters.values()), [k for k, v in letters.items() if not v]
    assert term_of("user.contact.email", letters).term == "Identifiers"
    assert term_of("user.government_id", letters).subsection == "§1798.140(v)(1)(L); §1798.140(ae)"
    assert term_of("user.financial.credit_card", letters).subsection == "§1798.140(v)(1)(B); §1798.80(e)"
    assert term_of("user.behavior.purchase_history", letters) == CCPA_CATEGORIES["D"]
    # a finer key than the map's takes its nearest ancestor's term; an unknown one is shown, not dropped
    assert term_of("user.behavior.browsing_history.clicks", letters) == CCPA_CATEGORIES["F"]
    assert term_of("other.thing", {}).letter == "?"
    # several keys of one term are that term once, in the statute's order
    assert [c.letter for c in terms_of(["user.workplace", "user.name", "user.contact.email"], letters)] == [
        "A",
        "I",
    ]


def _recipient(role: str, kind: str, own_marketing: bool = False) -> Any:
    return {"key": "r", "name": "R", "role": role, "kind": kind, "country": "US", "organisation": None,
            "organisationName": None, "ownDirectMarketing": own_marketing}  # fmt: skip


def _purpose(key: str, marketing: bool = False) -> Any:
    return {"key": key, "name": key, "legalBasis": "consent", "thirdPartyDirectMarketing": marketing}


def test_sharing_for_advertising_is_apart_from_sale_and_business_purpose() -> None:
    ads = _purpose("interest_based_advertising")
    # §1798.140(ah): cross-context behavioural advertising is sharing, even through an ad provider we contract
    assert ground_of(_recipient("processor", "advertising"), ads) is Ground.SHARED
    assert (
        ground_of(_recipient("third_party", "advertising_agency", True), _purpose("sales")) is Ground.SHARED
    )
    # §1798.140(ad): a third party's own marketing
    assert ground_of(_recipient("third_party", "marketing_partner", True), _purpose("sales")) is Ground.SOLD
    assert ground_of(_recipient("affiliate", "affiliate"), _purpose("affiliate_sharing", True)) is Ground.SOLD
    # §1798.140(e): a service provider for a business purpose, also one that does advertising for us
    assert ground_of(_recipient("processor", "email_delivery"), _purpose("sales")) is Ground.BUSINESS_PURPOSE
    assert ground_of(_recipient("processor", "advertising"), _purpose("sales")) is Ground.BUSINESS_PURPOSE
    assert ground_of(_recipient("third_party", "event_host"), None) is Ground.BUSINESS_PURPOSE


# --- on the real Neo4j ------------------------------------------------------------------------------------------

JORDAN = {"email": "jordan.reyes@example.com"}
KNOW = """query($subject: SubjectInput!, $receivedAt: Date!, $since: Date) {
  ccpaRightToKnow(subject: $subject, receivedAt: $receivedAt, since: $since) {
    windowFrom windowTo period categoriesCollected { letter term subsection }
    sold { letter } shared { letter term subsection } disclosedForBusinessPurpose { letter }
    thirdPartyCategories disclosedTo { recipients ground categories { letter } } } }"""
COLLECT = """mutation($input: CollectionInput!) { recordCollection(input: $input) { id } }"""
DISCLOSE = """mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { id } }"""
INFERENCES = {
    "letter": "K",
    "term": "Inferences drawn to create a profile",
    "subsection": "§1798.140(v)(1)(K)",
}


@pytest.mark.neo4j
async def test_since_2022_returns_a_2023_collection_that_the_twelve_months_do_not(api: GraphQLClient) -> None:
    await api.query(
        COLLECT,
        input={
            "subject": JORDAN,
            "categories": ["user.survey"],
            "source": "forms_questionnaires_surveys",
            "system": "sharpspring_platform",
            "at": "2023-05-10T10:00:00Z",
        },
    )
    received = TODAY.isoformat()
    default = (await api.query(KNOW, subject=JORDAN, receivedAt=received))["ccpaRightToKnow"]
    assert default["windowTo"] == received and default["windowFrom"] > "2025-01-01"
    assert INFERENCES not in default["categoriesCollected"]
    longer = (await api.query(KNOW, subject=JORDAN, receivedAt=received, since="2022-01-01"))[
        "ccpaRightToKnow"
    ]
    assert (longer["windowFrom"], longer["windowTo"]) == ("2022-01-01", received)
    assert INFERENCES in longer["categoriesCollected"], "the survey answers of May 2023"
    assert "11 CCR §7024(h)" in longer["period"]
    assert not any("." in c["term"] for c in longer["categoriesCollected"]), "terms, not our keys"


@pytest.mark.neo4j
async def test_a_since_before_2022_is_refused_naming_the_rule(api: GraphQLClient) -> None:
    body = await api.raw(KNOW, subject=JORDAN, receivedAt=TODAY.isoformat(), since="2021-12-31")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "1 January 2022" in error["message"] and "§1798.130(a)(2)(B)" in error["message"]
    assert body["data"]["ccpaRightToKnow"] is None


@pytest.mark.neo4j
async def test_sharing_for_advertising_is_reported_apart_from_sales_and_business_purposes(
    api: GraphQLClient,
) -> None:
    def disclosure(recipient: str, purpose: str, categories: list[str]) -> dict[str, Any]:
        return {
            "subject": JORDAN,
            "recipient": recipient,
            "purpose": purpose,
            "categories": categories,
            "at": f"{TODAY.year}-{TODAY.month:02d}-01T10:00:00Z",
        }

    await api.query(
        DISCLOSE,
        input=disclosure(
            "interest_based_ad_provider", "interest_based_advertising", ["user.behavior.browsing_history"]
        ),
    )
    await api.query(DISCLOSE, input=disclosure("marketing_partners", "sales", ["user.workplace"]))
    await api.query(DISCLOSE, input=disclosure("email_delivery_providers", "sales", ["user.contact.email"]))
    found = (await api.query(KNOW, subject=JORDAN, receivedAt=TODAY.isoformat()))["ccpaRightToKnow"]
    assert found["shared"] == [
        {
            "letter": "F",
            "term": "Internet or other electronic network activity information",
            "subsection": "§1798.140(v)(1)(F)",
        }
    ]
    assert found["sold"] == [{"letter": "I"}]  # the company name, to marketing partners for their marketing
    assert found["disclosedForBusinessPurpose"] == [{"letter": "A"}]  # the email address, to email delivery
    # §1798.115(a)(2)-(3): each category of recipients with what went to it, in words
    assert found["disclosedTo"] == [
        {"recipients": "third parties: marketing partner", "ground": "SOLD", "categories": [{"letter": "I"}]},
        {"recipients": "third parties: advertising", "ground": "SHARED", "categories": [{"letter": "F"}]},
        {
            "recipients": "service providers: email delivery",
            "ground": "BUSINESS_PURPOSE",
            "categories": [{"letter": "A"}],
        },
    ]
    assert "third parties: marketing partner" in found["thirdPartyCategories"]
    assert not any("_" in c for c in found["thirdPartyCategories"]), "words, not our keys"

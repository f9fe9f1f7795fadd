"""Report rules without the database: calendar-year and 12-month windows, deadlines, who counts."""

import datetime as dt
import json

import pytest

from datamap.domain import shine_the_light as stl
from datamap.domain.ccpa import twelve_months_before
from datamap.domain.local_days import CALIFORNIA, day_start, day_window

D = dt.date
STATUTORY = {  # the items of §1798.83(e)(6)(A)
    "user.name": "i",
    "user.contact.email": "ii",
    "user.contact.phone_number": "xiii",
    "user.financial.payment_history": "xxvi",
    "user.financial.qualification": "xxvii",
}


@pytest.mark.parametrize(
    ("received", "window"),
    [
        (D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),  # first day of the year
        (D(2026, 12, 31), (D(2025, 1, 1), D(2025, 12, 31))),  # last day of the year
        (D(2025, 2, 28), (D(2024, 1, 1), D(2024, 12, 31))),  # the year before is a leap year
    ],
)
def test_shine_the_light_covers_the_calendar_year_before(
    received: dt.date, window: tuple[dt.date, dt.date]
) -> None:
    assert stl.preceding_calendar_year(received) == window


def test_shine_the_light_due_30_days_at_the_designated_address_else_150() -> None:
    assert stl.due_date(D(2024, 2, 10), at_designated_address=True) == D(2024, 3, 11)  # over 29 February
    assert stl.due_date(D(2023, 2, 10), at_designated_address=True) == D(2023, 3, 12)
    assert stl.due_date(D(2024, 12, 15), at_designated_address=False) == D(2025, 5, 14)


@pytest.mark.parametrize(
    ("received", "first"),
    [(D(2024, 2, 29), D(2023, 3, 1)), (D(2025, 3, 1), D(2024, 3, 2)), (D(2025, 1, 31), D(2024, 2, 1))],
)
def test_ccpa_looks_back_twelve_months(received: dt.date, first: dt.date) -> None:
    assert twelve_months_before(received) == (first, received)


def _disclosure(recipient: dict[str, object], categories: list[str], dm: bool = True) -> dict[str, object]:
    return {
        "recipient": recipient,
        "categories": categories,
        "purpose": {"key": "p", "thirdPartyDirectMarketing": dm},
    }


PARTNER = {
    "key": "acme",
    "name": "Acme",
    "role": "third_party",
    "organisationName": "Acme Leads LLC",
    "address": "1 Main St, Sacramento, CA",
    "marketingExamples": "office furniture",
}
AFFILIATE = {
    "key": "sister",
    "name": "Sister",
    "role": "affiliate",
    "legalEntity": True,
    "organisationName": "Sister Inc",
    "address": "2 Side St",
}
PROCESSOR = {
    "key": "mailer",
    "name": "Mailer",
    "role": "processor",
    "organisationName": "Mailer Inc",
    "address": "x",
}
GROUP = {"key": "brand", "name": "Brand", "role": "affiliate", "legalEntity": False}


def test_only_third_parties_and_legal_entity_affiliates_for_their_own_marketing_count() -> None:
    response = stl.build_response(
        2025,
        "disclosure_report",
        [
            _disclosure(PARTNER, ["user.name", "user.contact.email"]),
            _disclosure(AFFILIATE, ["user.contact.phone_number"]),
            _disclosure(PROCESSOR, ["user.financial.payment_history"]),  # a service provider: never counts
            _disclosure(GROUP, ["user.financial.qualification"]),  # not a separate legal entity
            _disclosure(PARTNER, ["user.financial.payment_history"], dm=False),  # not for their marketing
        ],
        STATUTORY,
    )
    assert [(c.item, c.name, c.citation) for c in response.categories] == [
        ("i", "Name and address", "§1798.83(e)(6)(A)(i)"),
        ("ii", "Electronic mail address", "§1798.83(e)(6)(A)(ii)"),
        ("xiii", "Telephone number", "§1798.83(e)(6)(A)(xiii)"),
    ]
    assert [(t.name, t.address, t.categories) for t in response.third_parties] == [
        ("Acme Leads LLC", "1 Main St, Sacramento, CA", ("i", "ii")),
        ("Sister Inc", "2 Side St", ("xiii",)),
    ]
    assert response.findings == []


def test_a_parent_category_counts_with_its_children_letters_and_gaps_are_findings() -> None:
    unnamed = {"key": "partners", "name": "Marketing partners", "role": "third_party"}
    response = stl.build_response(
        2025, "disclosure_report", [_disclosure(unnamed, ["user.contact"])], STATUTORY
    )
    assert [c.item for c in response.categories] == ["ii", "xiii"]
    assert len(response.findings) == 2 and "names no organisation" in response.findings[0]


def test_an_opt_out_policy_answers_with_the_right_not_a_list() -> None:
    response = stl.build_response(2025, "opt_out_policy", [_disclosure(PARTNER, ["user.name"])], STATUTORY)
    assert response.third_parties == []
    text = stl.letter(response, business="B Inc", business_address=None, received=D(2026, 2, 1)).text()
    assert "at no cost" in text and "have not told us to stop" in text


def test_the_letter_lists_categories_and_names_and_says_when_it_repeats_a_response() -> None:
    response = stl.build_response(2025, "disclosure_report", [_disclosure(PARTNER, ["user.name"])], STATUTORY)
    letter = stl.letter(
        response,
        business="SharpSpring, Inc.",
        business_address="550 SW 2nd Avenue",
        received=D(2026, 5, 2),
        first_received=D(2026, 2, 1),
    )
    text, html = letter.text(), letter.html()
    assert (
        "Name and address (§1798.83(e)(6)(A)(i))" in text
        and "Acme Leads LLC, 1 Main St" in text
        and "office furniture" in text
    )
    assert "2026-02-01" in text and "one response per calendar year" in text
    assert "<li>Name and address (§1798.83(e)(6)(A)(i))</li>" in html
    assert stl.ShineTheLightResponse.from_json(response.to_json()) == response


def test_what_the_business_knows_of_the_recipients_marketing_decides_not_the_recorded_purpose() -> None:
    """A phone number given to a known marketer "for sales" counts; one given for direct marketing to a recipient
    known not to market counts not; where the map does not say, the purpose decides."""
    marketer, not_a_marketer = (
        {**PARTNER, "ownDirectMarketing": True},
        {**AFFILIATE, "ownDirectMarketing": False},
    )
    response = stl.build_response(
        2025,
        "disclosure_report",
        [
            _disclosure(marketer, ["user.contact.phone_number"], dm=False),  # recorded under "sales"
            _disclosure(not_a_marketer, ["user.name"], dm=True),
        ],
        STATUTORY,
    )
    assert [(t.key, t.categories) for t in response.third_parties] == [("acme", ("xiii",))]


@pytest.mark.parametrize(
    ("region", "relationship", "eligible"),
    [
        ("US-CA", "personal", True),
        ("US-CA", "business", False),  # a customer's representative
        ("US-NY", "personal", False),
        (None, "personal", False),
        ("US-CA", "none", False),
        ("US-CA", None, False),
    ],
)
def test_only_a_california_customer_with_a_personal_relationship_is_owed_the_report(
    region: str | None, relationship: str | None, eligible: bool
) -> None:
    reasons = stl.eligibility(region, relationship)
    assert (reasons == []) is eligible
    assert all("§1798.83(e)(1)" in r for r in reasons)
    response = stl.build_response(
        2025, "disclosure_report", [_disclosure(PARTNER, ["user.name"])], STATUTORY, reasons
    )
    assert response.eligible is eligible and bool(response.third_parties) is eligible
    text = stl.letter(response, business="B Inc", business_address=None, received=D(2026, 2, 1)).text()
    assert ("Why there is no disclosure report" in text) is not eligible


def test_a_response_recorded_with_the_old_letters_reads_as_items() -> None:
    old = {
        "year": 2024,
        "route": "disclosure_report",
        "findings": [],
        "categories": [{"letter": "M", "name": "Telephone number"}],
        "third_parties": [
            {
                "key": "acme",
                "name": "Acme",
                "address": None,
                "country": None,
                "marketing_examples": None,
                "categories": ["A", "M"],
            }
        ],
    }
    response = stl.ShineTheLightResponse.from_json(json.dumps(old))
    assert response.categories[0].item == "xiii" and response.third_parties[0].categories == ("i", "xiii")
    assert response.eligible


def test_the_business_wide_report_reads_as_a_report_about_customers_not_a_letter_to_one() -> None:
    response = stl.build_response(2025, "disclosure_report", [_disclosure(PARTNER, ["user.name"])], STATUTORY)
    text = stl.standard_report_document(response, business="B Inc", business_address=None).text()
    assert "Shine-the-Light report 2025" in text and "§1798.83(e)(1)" in text
    assert "you" not in text.lower().replace("your", "")


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def test_a_california_calendar_year_runs_from_midnight_in_los_angeles() -> None:
    start, end = day_window(D(2024, 1, 1), D(2024, 12, 31), CALIFORNIA)
    assert (start, end) == (_utc("2024-01-01T08:00:00+00:00"), _utc("2025-01-01T08:00:00+00:00"))
    late_on_new_years_eve = _utc("2024-12-31T23:30:00-08:00")  # already 2025 in UTC
    assert start <= late_on_new_years_eve < end
    assert not start <= _utc("2024-01-01T05:00:00+00:00") < end  # still 2023 in California


def test_california_days_follow_daylight_saving_time() -> None:
    assert day_start(D(2024, 7, 1), CALIFORNIA) == _utc("2024-07-01T07:00:00+00:00")  # PDT, UTC-7
    assert day_start(D(2024, 3, 10), CALIFORNIA) == _utc("2024-03-10T08:00:00+00:00")  # PST until 2 a.m.
    assert day_start(D(2024, 3, 11), CALIFORNIA) == _utc("2024-03-11T07:00:00+00:00")


def test_other_days_are_utc_days() -> None:
    assert day_window(D(2024, 2, 28), D(2024, 2, 29)) == (
        _utc("2024-02-28T00:00:00+00:00"),
        _utc("2024-03-01T00:00:00+00:00"),
    )


def test_a_processor_record_names_each_controller_and_lists_the_transfers_made_for_it() -> None:
    from datamap.domain.ropa import build_ropa

    purpose = {
        "key": "hosting_for_clients",
        "name": "Hosting for clients",
        "legalBasis": "contract",
        "actingAs": "processor",
        "validFrom": dt.date(2020, 1, 1),
        "categories": ["user.contact.email"],
        "subjectCategories": [],
        "systems": [],
        "controllerOrganisations": [
            {"key": "acme", "name": "Acme BV", "address": "Damrak 1", "country": "NL"}
        ],
        "recipients": [],
    }

    def transfer(key: str, on_behalf_of: list[str]) -> dict[str, object]:
        return {
            "key": key,
            "mechanism": "scc_2021",
            "fromCountries": ["NL"],
            "toCountries": ["US"],
            "validFrom": dt.date(2022, 1, 1),
            "exporter": "Us BV",
            "importer": "Cloud Inc",
            "categories": ["user.contact"],
            "certifications": [],
            "onBehalfOf": on_behalf_of,
        }

    row = {
        "notice": None,
        "controller": {"key": "us", "name": "Us BV"},
        "contacts": [],
        "retention": [],
        "purposes": [purpose],
        "transfers": [transfer("for_acme", ["acme"]), transfer("our_own", [])],
    }
    record = build_ropa(row, dt.date(2024, 1, 1))  # type: ignore[arg-type]
    (activity,) = record.processor_record
    assert activity.controllers == "Acme BV, Damrak 1, NL"
    assert (
        "Us BV → Cloud Inc" in activity.transfers and activity.transfers.count("→") == 2
    )  # one, with countries
    assert record.findings == []

"""Reports from the graph, with disclosures recorded through the API, on the real Neo4j."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.categories import covers
from datamap.domain.vocabulary import LegalBasis
from datamap.graph.database import Database
from datamap.services.seed import read_seed
from tests.conftest import TODAY, GraphQLClient
from tests.helpers import client_of, open_request, settle_all

pytestmark = pytest.mark.neo4j

DISCLOSE = """mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { id } }"""
STL_FIELDS = """eligible reasons recorded requestId digest received due repeated firstReceived year route findings
    letterText letterHtml json categories { item name }
    thirdParties { key name address marketingExamples categories }"""
STL = (
    "query($customer: SubjectInput!, $receivedAt: Date!) { shineTheLightReport(customer: $customer, "
    "receivedAt: $receivedAt) { FIELDS } }".replace("FIELDS", STL_FIELDS)
)
ANSWER = (
    "mutation($customer: SubjectInput!, $receivedAt: Date!) { answerShineTheLightRequest(customer: $customer, "
    "receivedAt: $receivedAt) { FIELDS } }".replace("FIELDS", STL_FIELDS)
)
STANDARD = (
    "{ shineTheLightStandardReport(year: 2025) { year issuedAt digest recorded thirdParties { key } "
    "categories { item } letterText } }"
)
ISSUE = (
    "mutation($year: Int!) { issueShineTheLightStandardReport(year: $year) "
    "{ year issuedAt digest thirdParties { key } } }"
)
CUSTOMER = {
    "email": "casey.morgan@example.com"
}  # a Californian buying for herself: a customer of §1798.83(e)(1)
RESIDENT = {"country": "US", "region": "US-CA", "relationship": "PERSONAL"}


async def disclose(
    api: GraphQLClient,
    recipient: str,
    purpose: str,
    at: str,
    categories: list[str],
    who: dict[str, str] = CUSTOMER,
) -> None:
    await api.query(
        DISCLOSE,
        input={
            "subject": who,
            "recipient": recipient,
            "purpose": purpose,
            "categories": categories,
            "at": at,
            **(RESIDENT if who == CUSTOMER else {}),
        },
    )


async def stl_report(
    api: GraphQLClient, received: str, customer: dict[str, str] = CUSTOMER
) -> dict[str, Any]:
    """Answer the request (recorded)."""
    result: dict[str, Any] = (await api.query(ANSWER, customer=customer, receivedAt=received))[
        "answerShineTheLightRequest"
    ]
    return result


async def test_shine_the_light_lists_exactly_last_years_disclosures_for_third_parties_own_marketing(
    api: GraphQLClient,
) -> None:
    # counted: 2024, third parties (and a legal-entity affiliate), for their own direct marketing
    await disclose(
        api,
        "marketing_partners",
        "marketing_partner_sharing",
        "2024-03-01T10:00:00Z",
        ["user.name", "user.contact.email"],
    )
    await disclose(
        api,
        "sharpspring_technologies",
        "affiliate_sharing",
        "2024-12-31T23:30:00-08:00",
        ["user.contact.phone_number"],
    )
    # counted too: recorded "for sales", but the business knows marketing partners market to her themselves
    await disclose(api, "marketing_partners", "sales", "2024-06-01T10:00:00Z", ["user.workplace"])
    # not counted: a service provider, another year
    await disclose(
        api, "payment_processor", "billing", "2024-05-01T10:00:00Z", ["user.financial.payment_history"]
    )
    await disclose(  # 21:00 on 31 Dec 2023 in California, though 2024 in UTC
        api,
        "marketing_partners",
        "marketing_partner_sharing",
        "2024-01-01T05:00:00Z",
        ["user.behavior.purchase_history"],
    )
    await disclose(
        api,
        "data_aggregators",
        "marketing_partner_sharing",
        "2025-01-01T00:30:00-08:00",
        ["user.financial.qualification"],
    )

    preview = (await api.query(STL, customer=CUSTOMER, receivedAt="2025-03-02"))["shineTheLightReport"]
    assert not preview["recorded"] and preview["requestId"] is None  # the query records nothing
    first = await stl_report(api, "2025-03-02")
    assert first["recorded"] and first["eligible"] and first["reasons"] == []
    assert first["json"] == preview["json"] and len(first["digest"]) == 64
    assert first["year"] == 2024 and first["route"] == "disclosure_report" and not first["repeated"]
    assert first["due"] == "2025-04-01"
    # a California statute counts California's calendar year: 23:30 on 31 Dec 2024 in Los Angeles is 2024
    assert [c["item"] for c in first["categories"]] == ["i", "ii", "xii", "xiii"]
    assert [t["key"] for t in first["thirdParties"]] == ["marketing_partners", "sharpspring_technologies"]
    assert first["thirdParties"][0]["categories"] == ["i", "ii", "xii"]
    affiliate = first["thirdParties"][
        1
    ]  # an affiliate that is a separate legal entity counts as a third party
    assert affiliate["name"] == "SharpSpring Technologies Inc" and affiliate["categories"] == ["xiii"]
    assert any("names no organisation" in f for f in first["findings"]), (
        "an unnamed kind of recipient is flagged"
    )
    assert "Name and address (§1798.83(e)(6)(A)(i))" in first["letterText"]
    assert "<li>Electronic mail address (§1798.83(e)(6)(A)(ii))</li>" in first["letterHtml"]

    second = await stl_report(api, "2025-11-20")
    assert second["repeated"] and second["requestId"] == first["requestId"]
    assert second["firstReceived"] == "2025-03-02" and second["json"] == first["json"]
    assert "one response per calendar year" in second["letterText"]

    next_year = await stl_report(api, "2026-01-05")
    assert not next_year["repeated"] and next_year["year"] == 2025
    assert [t["key"] for t in next_year["thirdParties"]] == ["data_aggregators"]
    assert [c["item"] for c in next_year["categories"]] == ["xxvii"]


async def test_a_customers_representative_is_answered_and_told_why_no_report_is_owed(
    api: GraphQLClient,
) -> None:
    """The seed's Californian customer representative acts for a business (§1798.83(e)(1)): answered, recorded,
    eligible false, with the reason, and no disclosures listed."""
    jordan = {"email": "jordan.reyes@example.com"}
    answer = await stl_report(api, "2020-02-01", jordan)
    assert answer["recorded"] and answer["requestId"] and not answer["eligible"]
    assert answer["thirdParties"] == [] and answer["categories"] == []
    assert any("on behalf of a business" in r for r in answer["reasons"])
    assert "Why there is no disclosure report" in answer["letterText"]
    again = await stl_report(api, "2020-06-01", jordan)
    assert again["repeated"] and again["requestId"] == answer["requestId"] and not again["eligible"]


async def test_the_business_wide_report_covers_california_customers_and_stays_as_issued(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    await disclose(
        api, "marketing_partners", "marketing_partner_sharing", "2025-03-01T10:00:00Z", ["user.name"]
    )
    await disclose(
        api, "payment_processor", "billing", "2025-05-01T10:00:00Z", ["user.financial.payment_history"]
    )
    other = {"email": "lee.business@example.com"}  # not a customer of §1798.83(e)(1): not counted
    await disclose(
        api, "data_aggregators", "marketing_partner_sharing", "2025-04-01T10:00:00Z", ["user.name"], other
    )
    preview = (await api.query(STANDARD))["shineTheLightStandardReport"]
    assert preview["issuedAt"] is None and not preview["recorded"]
    assert [t["key"] for t in preview["thirdParties"]] == ["marketing_partners"]
    assert [c["item"] for c in preview["categories"]] == ["i"]
    assert "Shine-the-Light report 2025" in preview["letterText"] and "about you" not in preview["letterText"]
    if TODAY.year > 2025:
        issued = (await api.query(ISSUE, year=2025))["issueShineTheLightStandardReport"]
        assert issued["issuedAt"] and len(issued["digest"]) == 64
        # the customer is erased (a request, every task done and verified by another principal): the report
        # issued for 2025 stays what it was
        request = await open_request(api, CUSTOMER["email"])
        async with client_of(seeded, clock, Role.COMPLIANCE) as checker:
            await settle_all(api, request, checker)
        status = await api.query("query($id: ID!) { erasureRequest(id: $id) { status } }", id=request["id"])
        assert status["erasureRequest"]["status"] == "COMPLETE"
        live = await seeded.read(
            "MATCH (:Subject)-[d:DISCLOSED_TO]->(:Recipient {key: 'marketing_partners'}) "
            "WHERE d.at >= datetime('2025-01-01T08:00:00Z') AND d.at < datetime('2026-01-01T08:00:00Z') "
            "RETURN count(d) AS n"
        )
        assert live == [{"n": 0}]  # her disclosure is gone from the graph
        after = (await api.query(STANDARD))["shineTheLightStandardReport"]
        assert after["digest"] == issued["digest"] and after["issuedAt"] == issued["issuedAt"]
        assert [t["key"] for t in after["thirdParties"]] == ["marketing_partners"]
        again = (await api.query(ISSUE, year=2025))["issueShineTheLightStandardReport"]
        assert again["digest"] == issued["digest"] and again["issuedAt"] == issued["issuedAt"]
    errors = await api.errors(ISSUE, year=TODAY.year)
    assert f"year: {TODAY.year} has not ended in California" in errors[0]


async def test_a_customer_erased_before_the_report_is_issued_is_still_counted(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    """§1798.83(b)(3): the report of 2025 issued in 2026 covers the disclosures of 2025, also those of a customer
    erased in between (kept per year, without the person)."""
    await disclose(
        api, "marketing_partners", "marketing_partner_sharing", "2025-03-01T10:00:00Z", ["user.name"]
    )
    request = await open_request(api, CUSTOMER["email"])
    async with client_of(seeded, clock, Role.COMPLIANCE) as checker:
        await settle_all(api, request, checker)
    kept = await seeded.read("MATCH (k:StlDisclosuresKept) RETURN k {.*} AS k")
    assert [{**r["k"], "categories": sorted(r["k"]["categories"])} for r in kept] == [
        {
            "year": 2025,
            "recipient": "marketing_partners",
            "purpose": "marketing_partner_sharing",
            "categories": ["user.name"],
        }
    ]  # no subject, no time: nothing that names her
    report = (await api.query(STANDARD))["shineTheLightStandardReport"]
    assert [t["key"] for t in report["thirdParties"]] == ["marketing_partners"]
    assert [c["item"] for c in report["categories"]] == ["i"]
    issued = (await api.query(ISSUE, year=2025))[
        "issueShineTheLightStandardReport"
    ]  # the suite runs from 2026
    assert [t["key"] for t in issued["thirdParties"]] == ["marketing_partners"]


ACCESS = """query($subject: SubjectInput!) { accessReport(subject: $subject) {
  subjectId controller categories recipientCategories automatedDecisions portabilityJson documentText
  purposes { key legalBasis observed } recipients { key name role country categories firstDisclosed }
  retention { category rules } rights { key law } sources { key kind }
  transfers { key mechanism valid forPerson staffNote } findings { severity code message } } }"""


async def test_the_access_report_names_every_recipient_the_subject_was_disclosed_to(
    api: GraphQLClient,
) -> None:
    anna = {"email": "anna.jansen@example.com"}
    await api.query(
        DISCLOSE,
        input={
            "subject": anna,
            "recipient": "google_analytics",
            "purpose": "analytics",
            "categories": ["user.device.ip_address"],
            "at": "2024-05-01T10:00:00Z",
        },
    )
    report = (await api.query(ACCESS, subject=anna))["accessReport"]
    recorded = {
        d.recipient for s in read_seed().subjects if s.key == "eu_trade_show_lead" for d in s.disclosures
    }
    assert {r["key"] for r in report["recipients"]} == recorded | {"google_analytics"}
    named = {r["key"]: r for r in report["recipients"]}
    assert named["interinbox"]["name"] == "Interinbox SA" and named["interinbox"]["role"] == "affiliate"
    assert report["controller"] == "SharpSpring, Inc."
    assert "user.contact.email" in report["categories"]
    assert any(r["category"] == "user.contact.email" and r["rules"] for r in report["retention"])
    assert {"access", "rectification", "erasure", "restriction", "portability", "objection", "complaint"} <= {
        r["key"] for r in report["rights"] if r["law"] == "GDPR"
    }
    assert {s["key"] for s in report["sources"]} >= {"industry_events"}
    assert "Art. 22" in report["automatedDecisions"]
    eu_us = next(t for t in report["transfers"] if t["key"] == "eu_to_us_sharpspring")
    # an invalid safeguard is a CRITICAL finding for staff, never text for the person
    assert not eu_us["valid"] and eu_us["forPerson"] is None and eu_us["staffNote"].startswith("NOT VALID")
    assert any(f["severity"] == "CRITICAL" for f in report["findings"])
    assert '"source": "industry_events"' in report["portabilityJson"]
    assert "Who received your data" in report["documentText"] and "Interinbox SA" in report["documentText"]
    assert "NOT VALID" not in report["documentText"]


async def test_the_eu_leads_access_report_is_about_her_in_words_under_her_law(api: GraphQLClient) -> None:
    """Her purposes only (those of the systems holding her data and the routine flows carrying it, for the
    categories each processes; not the processor-role activity, nothing only an event would bring about), no raw
    keys, and the GDPR's rights without California's."""
    report = (await api.query(ACCESS, subject={"email": "anna.jansen@example.com"}))["accessReport"]
    seed = read_seed()
    anna = next(s for s in seed.subjects if s.key == "eu_trade_show_lead")
    held = {c for r in anna.records for c in r.categories}
    hers = {
        p.key
        for p in seed.purposes
        if p.acting_as == "controller"
        and p.trigger == "routine"
        and any(covers(c, h) or covers(h, c) for c in p.categories for h in held)
    } | {d.purpose for d in anna.disclosures}
    purposes = {p["key"] for p in report["purposes"]}
    assert purposes <= hers, purposes - hers
    assert "service_for_customers" not in purposes  # done as a processor for customers (notice §4)
    # only on an event (a legal request, a reorganisation) or with a consent she never gave
    assert not {"law_enforcement", "business_reorganisation", "interest_based_advertising"} & purposes
    text = report["documentText"]
    keys = (
        {c.key for c in seed.data_categories} | {b.value for b in LegalBasis} | {p.key for p in seed.purposes}
    )
    raw = [k for k in keys if ("." in k or "_" in k) and k in text]  # one-word keys are words too ("consent")
    assert not raw, f"the document shows raw keys: {raw}"
    assert "Email address" in text
    laws = {r["law"] for r in report["rights"]}
    assert "GDPR" in laws and not laws & {"CCPA", "CalCivCode1798.83"}
    assert "do_not_track" not in {r["key"] for r in report["rights"]}


async def test_the_ropa_downloads_open_and_hold_every_art_30_item_for_every_activity(
    api: GraphQLClient,
) -> None:
    activities = {p.key for p in read_seed().purposes if p.acting_as == "controller"}
    processor_activities = {p.key for p in read_seed().purposes if p.acting_as == "processor"}
    items = [
        "controller",
        "purposes",
        "subject_categories",
        "data_categories",
        "recipients",
        "transfers",
        "erasure_time_limits",
        "security_measures",
    ]

    response = await api.client.get("/reports/ropa.csv?asOf=2026-11-26")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    controller_rows = [r for r in rows if r["record"].startswith("controller")]
    assert {r["activity"] for r in controller_rows} == {
        p.name for p in read_seed().purposes if p.key in activities
    }
    for row in controller_rows:
        for item in items:
            assert row[item].strip(), (row["activity"], item)
    assert any("privacy@sharpspring.com" in r["controller"] for r in controller_rows)
    assert len([r for r in rows if r["record"].startswith("processor")]) == len(processor_activities)

    response = await api.client.get("/reports/ropa.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    controller_sheet, processor_sheet = book["Controller record"], book["Processor record"]
    header = [c.value for c in controller_sheet[1]]
    assert [h.split(" ")[0] + " " + h.split(" ")[1] for h in header[1:]] == [
        "Art. 30(1)(a)",
        "Art. 30(1)(b)",
        "Art. 30(1)(c)",
        "Art. 30(1)(c)",
        "Art. 30(1)(d)",
        "Art. 30(1)(e)",
        "Art. 30(1)(f)",
        "Art. 30(1)(g)",
    ]
    body = list(controller_sheet.iter_rows(min_row=2, values_only=True))
    assert len(body) == len(activities) and all(all(cell for cell in row) for row in body)
    assert processor_sheet.max_row == 1 + len(processor_activities)

    as_json = await api.client.get("/reports/ropa.json?asOf=2019-06-01")
    assert as_json.json()["asOf"] == "2019-06-01" and len(as_json.json()["controllerRecord"]) == len(
        activities
    )
    bad = await api.client.get("/reports/ropa.csv?asOf=yesterday")
    assert bad.status_code == 400 and "asOf" in bad.json()["errors"][0]["message"]
    transfers_column = " ".join(r["transfers"] for r in controller_rows)
    assert "eu_us_privacy_shield" in transfers_column


async def test_the_ropa_shows_each_safeguard_with_its_validity_on_the_records_date(
    api: GraphQLClient,
) -> None:
    """Art. 30(1)(e): the 2026 record does not list Privacy Shield as a safeguard without a flag."""

    async def transfer_cells(as_of: str) -> list[str]:
        body = (await api.client.get(f"/reports/ropa.json?asOf={as_of}")).json()
        rows = body["controllerRecord"] + body["processorRecord"]
        return [r["transfers"] for r in rows if r["transfers"] != "none"]

    def shields(cell: str) -> int:
        return cell.count("[eu_us_privacy_shield]") + cell.count("[swiss_us_privacy_shield]")

    in_2026 = await transfer_cells("2026-11-26")
    assert sum(map(shields, in_2026)) > 0
    for cell in in_2026:
        assert "Privacy Shield (Commission Implementing Decision (EU) 2016/1250" in cell or not shields(cell)
        assert cell.count("— NOT VALID on 2026-11-26 (CRITICAL privacy_shield_invalidated)") == shields(
            cell
        ), cell
        assert "— valid on" not in cell
    in_2019 = await transfer_cells("2019-06-01")
    assert sum(map(shields, in_2019)) > 0
    for cell in in_2019:
        assert cell.count("— valid on 2019-06-01") == shields(cell) and "NOT VALID" not in cell, cell


REGISTER = """query($asOf: Date) { transferRegister(asOf: $asOf) { asOf health { critical high }
  transfers { key mechanism valid findings { severity code fix } } } }"""


async def test_the_transfer_register_flags_privacy_shield_today_but_not_in_2019(api: GraphQLClient) -> None:
    shield = {t.key for t in read_seed().transfers if "privacy_shield" in t.mechanism.value}
    assert shield
    today = (await api.query(REGISTER, asOf="2026-11-26"))["transferRegister"]
    by_key = {t["key"]: t for t in today["transfers"]}
    for key in shield:
        assert not by_key[key]["valid"]
        assert any(
            f["code"] == "privacy_shield_invalidated" and f["severity"] == "CRITICAL"
            for f in by_key[key]["findings"]
        )
    assert today["health"]["critical"] >= len(shield)
    then = (await api.query(REGISTER, asOf="2019-06-01"))["transferRegister"]
    assert all(t["valid"] for t in then["transfers"] if t["key"] in shield)
    assert not any(f["severity"] == "CRITICAL" for t in then["transfers"] for f in t["findings"])
    # the day after Schrems II, the fix is what was in force then: the 2010 SCCs with an impact assessment
    day_after = (await api.query(REGISTER, asOf="2020-07-17"))["transferRegister"]
    (finding,) = next(t for t in day_after["transfers"] if t["key"] == "eu_to_us_sharpspring")["findings"]
    assert finding["severity"] == "CRITICAL" and "2010/87/EU" in finding["fix"]
    assert "transfer impact assessment" in finding["fix"] and "2021/914" not in finding["fix"]


async def test_ccpa_right_to_know_covers_the_twelve_months_before_the_request(api: GraphQLClient) -> None:
    query = """query { ccpaRightToKnow(subject: {email: "jordan.reyes@example.com"}, receivedAt: "2020-04-15") {
      windowFrom windowTo period categoriesCollected { letter } sources purposes thirdPartyCategories
      sold { letter } shared { letter } disclosedForBusinessPurpose { letter term subsection } } }"""
    report = (await api.query(query))["ccpaRightToKnow"]
    assert (report["windowFrom"], report["windowTo"]) == ("2019-04-16", "2020-04-15")
    assert "§1798.130(a)(2)(B)" in report["period"]
    assert report["categoriesCollected"] == [], "the records of January 2019 fall before the window"
    # marketing partners, June 2019: name, address, email (identifiers), phone (§1798.80(e)), company
    assert [c["letter"] for c in report["sold"]] == ["A", "B", "I"] and report["shared"] == []
    assert report["disclosedForBusinessPurpose"] == [
        {"letter": "A", "term": "Identifiers", "subsection": "§1798.140(v)(1)(A)"}
    ]  # name and email to email delivery, 2020
    assert "third parties: marketing partner" in report["thirdPartyCategories"]
    earlier = (await api.query(query.replace("2020-04-15", "2019-03-01")))["ccpaRightToKnow"]
    assert {"letter": "D"} in earlier["categoriesCollected"]  # payment history: commercial information
    assert "B" in {c["letter"] for c in earlier["disclosedForBusinessPurpose"]}  # the payment processor


async def test_reports_refuse_ambiguous_or_impossible_requests(api: GraphQLClient) -> None:
    both = {"email": "anna.jansen@example.com", "phone": "+1 415 555 0134"}  # two different people
    errors = await api.errors(STL, customer=both, receivedAt="2026-03-02")
    assert "belong to different subjects" in errors[0]
    errors = await api.errors(STL, customer=CUSTOMER, receivedAt="2999-01-01")
    assert "in the future" in errors[0]
    errors = await api.errors("{ shineTheLightStandardReport(year: 0) { year } }")
    assert "year: 0 is out of range" in errors[0]


async def test_the_processor_record_names_its_controllers_and_only_transfers_made_for_them(
    api: GraphQLClient,
) -> None:
    """Art. 30(2)(a): each controller by name, or a finding where the map names them only in words; Art. 30(2)(c):
    the transfers made on the controllers' behalf, not SharpSpring's own (those are in the controller record)."""
    ropa = (
        await api.query(
            "{ ropa { controllerRecord { key transfers } processorRecord { key controllers transfers } "
            "findings { severity code message } } }"
        )
    )["ropa"]
    (customers,) = ropa["processorRecord"]
    assert customers["key"] == "service_for_customers"
    assert customers["controllers"].startswith("not named as organisations: Customers")
    assert customers["transfers"] == "none"
    assert any("eu_to_us" in r["transfers"] or "→" in r["transfers"] for r in ropa["controllerRecord"])
    (finding,) = [f for f in ropa["findings"] if f["code"] == "controllers_not_named"]
    assert finding["severity"] == "MEDIUM" and "Art. 30(2)(a)" in finding["message"]

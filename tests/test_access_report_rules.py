"""The GDPR access report from the statement's row, without Neo4j: what it tells the person about their data."""

from __future__ import annotations

import datetime as dt

from datamap.domain.access_report import (
    AccessReport,
    ReportPurpose,
    access_document,
    build_access_report,
    rights_for,
)
from datamap.domain.lineage import subject_lineage
from tests.helpers import (
    Row,
    access_report_row,
    at,
    certification,
    disclosure,
    flow,
    purpose,
    recipient,
    record,
    retention_rule,
    right,
    source,
    subject_row,
    system,
    transfer,
    walk,
)

# A lead filled in a form and was tracked by a cookie, both kept in the CRM. Their email address was disclosed twice
# to an email service provider in the US under the EU-US Privacy Shield; by the map, device data also flows on to an
# analytics vendor, which never received anything of theirs on record.
WEB_FORM = source("web_form", kind="direct", name="Contact form")
COOKIE = source("cookie_tracker", kind="device", name="Website cookie")
CRM = system("crm", name="CRM")
ESP = recipient(
    "esp",
    role="processor",
    kind="email_delivery",
    country="US",
    organisation="esp_inc",
    organisationName="ESP Inc.",
)
STATS = recipient("stats", role="processor", kind="analytics", country="IE")
NEWSLETTER = purpose("newsletter", legal_basis="consent", name="Newsletter")
ANALYTICS = purpose("analytics", legal_basis="legitimate_interests", name="Web analytics")
SHIELD = transfer(
    "eu_to_us_esp",
    importer="esp_inc",
    categories=["user.contact"],
    mechanism="eu_us_privacy_shield",
    from_countries=["EU"],
    to_countries=["US"],
)


NAMES = {
    "user.contact.email": "Email address",
    "user.name": "Name",
    "user.device.cookie_id": "Cookie identifier",
}


def lead_row(*, disclosed: bool = True) -> Row:
    row = subject_row(
        "lead-1",
        country="NL",
        records=[
            record("r2", CRM, ["user.device.cookie_id"], at("2024-04-01"), came_from=COOKIE),
            record("r1", CRM, ["user.contact.email", "user.name"], at("2024-05-01"), came_from=WEB_FORM),
        ],
        disclosures=[
            disclosure("d1", ESP, ["user.contact.email"], at("2024-05-03"), purpose=NEWSLETTER),
            disclosure("d2", ESP, ["user.contact.email"], at("2024-06-01"), purpose=NEWSLETTER),
        ]
        if disclosed
        else [],
        walks=[walk(CRM, (flow("crm_to_stats", ["user.device"]), STATS), from_record="r2")],
        map_purposes=[{"record": "r2", "purpose": "analytics", "category": "user.device"}],
        purposes=[NEWSLETTER, ANALYTICS],
        transfers=[SHIELD],
    )
    return access_report_row(
        row,
        retention=[
            retention_rule(
                "contract_term",
                ["user.contact"],
                basis="contract",
                period=None,
                criteria="while the contract runs",
                name="Contract term",
            ),
            retention_rule(
                "cookie_logs",
                ["user.device"],
                basis="business_need",
                period="P13M",
                criteria="cookie lifetime",
                name="Cookie logs",
            ),
            retention_rule("tax_records", ["user.financial"], name="Tax records"),
        ],
        rights=[right("erasure"), right("access"), right("opt_out", law="CCPA")],
        contacts=[{"kind": "email", "value": "privacy@controller.example", "scope": "EU"}],
        certifications={"eu_to_us_esp": [certification("eu_us_privacy_shield", dt.date(2016, 8, 1))]},
        category_names=NAMES,
    )


def report(as_of: dt.date = dt.date(2024, 12, 31), **kwargs: bool) -> AccessReport:
    row = lead_row(**kwargs)
    return build_access_report(subject_lineage(row, as_of=as_of, category=None, max_hops=7), row, as_of=as_of)


def test_it_lists_the_categories_held_and_names_each_recipient_actually_disclosed_to() -> None:
    r = report()
    assert r.subject_id == "lead-1"
    assert r.categories == ["user.contact.email", "user.device.cookie_id", "user.name"]
    (esp,) = r.recipients  # the analytics vendor got nothing on record: not named
    assert (esp.key, esp.name, esp.role, esp.country) == ("esp", "ESP Inc.", "processor", "US")
    assert esp.categories == ("user.contact.email",)
    assert esp.first_disclosed == at("2024-05-03")
    # by the map, the analytics vendor receives device data as part of the processing: by its category only,
    # which staff must settle (C-154/21 owes the person the identity)
    assert r.recipient_categories == ["Stats"]
    (unnamed,) = [f for f in r.findings if f.code == "recipient_identity_unknown"]
    assert unnamed.severity == "medium" and "C-154/21" in unnamed.message


def test_purposes_say_their_legal_basis_and_whether_observed() -> None:
    purposes = {p.key: p for p in report().purposes}
    assert purposes["newsletter"] == ReportPurpose("newsletter", "Newsletter", "consent", observed=True)
    assert purposes["analytics"].observed is False


def test_each_category_held_says_how_long_it_is_kept() -> None:
    kept = {x.category: x.rules for x in report().retention}
    assert kept == {
        "user.contact.email": ("Contract term: while the contract runs",),
        "user.device.cookie_id": ("Cookie logs: P13M (cookie lifetime)",),
        "user.name": (),  # no rule covers it; the tax rule is about data the person never gave
    }


def test_sources_and_the_portable_data_the_person_provided() -> None:
    r = report()
    sources = {s["key"]: s for s in r.sources}
    assert sources["web_form"]["kind"] == "direct"
    assert sources["web_form"]["categories"] == ["user.contact.email", "user.name"]
    assert sources["cookie_tracker"]["categories"] == ["user.device.cookie_id"]
    # Art. 20 covers what the person provided (a form), not what a cookie observed
    assert r.portability == [
        {
            "system": "crm",
            "source": "web_form",
            "categories": ["user.contact.email", "user.name"],
            "collectedAt": "2024-05-01T09:00:00+00:00",
        }
    ]


def test_rights_are_ordered_by_law_and_the_controller_is_named() -> None:
    r = report()
    # a person in the Netherlands: the GDPR's rights, not California's
    assert [(x["law"], x["key"]) for x in r.rights] == [("GDPR", "access"), ("GDPR", "erasure")]
    assert r.controller["name"] == "Controller Ltd"
    assert r.contacts == [{"kind": "email", "value": "privacy@controller.example", "scope": "EU"}]


def test_a_transfer_safeguard_is_judged_on_the_reports_date() -> None:
    (then,) = report(as_of=dt.date(2019, 6, 1)).transfers
    assert (then.key, then.mechanism, then.importer) == ("eu_to_us_esp", "eu_us_privacy_shield", "Esp Inc")
    assert then.valid and then.for_person and "Privacy Shield" in then.for_person
    later_report = report(as_of=dt.date(2021, 1, 1))
    (later,) = later_report.transfers
    assert not later.valid and later.for_person is None and later.staff_note.startswith("NOT VALID")
    critical = [f for f in later_report.findings if f.severity == "critical"]
    assert critical and any("Schrems II" in f.message or "C-311/18" in f.message for f in critical)


def test_the_letter_speaks_in_words_and_never_tells_the_person_a_safeguard_is_invalid() -> None:
    text = access_document(report(as_of=dt.date(2021, 1, 1))).text()
    assert "ESP Inc. (US): Email address" in text
    assert "Name: no rule recorded" in text
    assert "Newsletter; legal basis: your consent (GDPR Art. 6(1)(a))" in text
    assert "NOT VALID" not in text and "user.contact.email" not in text and "legitimate_interests" not in text


def test_without_disclosures_no_recipient_is_named_and_the_letter_says_so() -> None:
    r = report(disclosed=False)
    assert r.recipients == []
    assert r.recipient_categories == ["Stats"]
    assert "nobody, as far as our records show" in access_document(r).text()


def test_a_purpose_carried_out_as_a_processor_for_customers_is_not_the_persons() -> None:
    row = lead_row()
    row["purposes"] = [*row["purposes"], purpose("for_customers", acting_as="processor")]
    row["mapPurposes"] = [
        *row["mapPurposes"],
        {"record": "r1", "purpose": "for_customers", "category": "user"},
    ]
    as_of = dt.date(2024, 12, 31)
    r = build_access_report(subject_lineage(row, as_of=as_of, category=None, max_hops=7), row, as_of=as_of)
    assert "for_customers" not in {p.key for p in r.purposes}


def test_rights_follow_the_region_where_the_map_records_one() -> None:
    rights = [right("access"), right("opt_out", law="CCPA"), right("stl", law="CalCivCode1798.83")]
    californian, findings = rights_for(rights, None, "US-CA")  # a region alone names its country
    assert [r["key"] for r in californian] == ["opt_out", "stl"] and findings == []
    texan, findings = rights_for(rights, "US", "US-TX")
    assert texan == [] and findings == []  # no California rights, no question about the state
    unknown_state, findings = rights_for(rights, "US")
    assert [r["key"] for r in unknown_state] == ["opt_out", "stl"] and findings[0].code == "state_unknown"
    dutch, _ = rights_for(rights, "NL")
    assert [r["key"] for r in dutch] == ["access"]


def test_uk_and_swiss_residents_get_their_own_law_not_the_gdpr() -> None:
    rights = [right("access"), right("opt_out", law="CCPA")]
    british, findings = rights_for(rights, "GB", as_of=dt.date(2021, 1, 1))
    assert [(r["law"], r["key"]) for r in british] == [("UK GDPR", "access")] and findings == []
    # before the end of the transition period the GDPR itself applied in the UK
    assert rights_for(rights, "GB", as_of=dt.date(2020, 12, 31))[0][0]["law"] == "GDPR"
    swiss, findings = rights_for(rights, "CH", as_of=dt.date(2023, 9, 1))
    assert [r["law"] for r in swiss] == ["FADP"] and [f.code for f in findings] == ["fadp_articles"]
    assert rights_for(rights, "CH", as_of=dt.date(2023, 8, 31))[0][0]["law"] == "FADP (1992)"
    assert rights_for(rights, "NL", as_of=dt.date(2023, 9, 1))[0][0]["law"] == "GDPR"


def test_the_document_is_titled_by_the_persons_law() -> None:
    row = lead_row()
    as_of = dt.date(2024, 12, 31)
    built = build_access_report(
        subject_lineage(row, as_of=as_of, category=None, max_hops=7), {**row, "country": "GB"}, as_of=as_of
    )
    assert built.law == "UK GDPR"
    assert access_document(built).title.startswith("Access to your personal data (UK GDPR Art. 15)")
    assert all(r["law"] != "GDPR" for r in built.rights)

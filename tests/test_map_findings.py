"""Map findings (issue 11): each kind produced by its rule, and by the seed's map over GraphQL and the command line;
recording an event the map does not allow keeps it and answers its findings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from datamap import cli
from datamap.clock import CLOCK_VARIABLE
from datamap.config import Neo4jSettings
from datamap.domain import map_findings as mf
from datamap.domain import recorded_findings as rf
from datamap.domain.finding_rows import (
    FindingFlowRow,
    FindingPurposeRow,
    FindingRecipientRow,
    FindingSystemRow,
    FlaggedEventsRow,
    FlagRow,
    NoticeStatementRow,
    RecordedRow,
)
from datamap.domain.report_rows import RetentionRow
from datamap.domain.seed_entries import Purpose, Source
from datamap.domain.seed_model import parse_seed
from datamap.domain.transfer_findings import Certification, Finding, Severity, TransferFacts
from datamap.domain.transfer_safeguards import safeguard_status
from datamap.domain.vocabulary import TransferMechanism as M
from datamap.graph.database import Database
from datamap.services import map_findings
from datamap.services.seed import SEED_DIR, load_seed_map, read_documents
from tests.conftest import NOW, SECRET, GraphQLClient

DAY = dt.date(2024, 5, 1)
BILLING: FindingSystemRow = {
    "key": "billing",
    "name": "Billing and payment records",
    "categories": ["user.name", "user.financial.payment_method", "user.financial.transaction_id"],
}
SHARING: FindingPurposeRow = {
    "key": "marketing_partner_sharing",
    "name": "Disclosure to marketing partners",
    "legalBasis": "legitimate_interests",
    "legitimateInterest": "Marketing partnerships",
    "categories": ["user.name", "user.contact"],
}
BILLING_PURPOSE: FindingPurposeRow = {
    **SHARING,
    "key": "billing",
    "categories": ["user.name", "user.workplace"],
}
TO_PARTNERS: FindingFlowRow = {
    "key": "platform_to_marketing_partners",
    "recipient": "marketing_partners",
    "categories": ["user.name", "user.contact"],
    "purposes": ["marketing_partner_sharing"],
    "trigger": "routine",
}


def recorded(target: str, category: str, purpose: str | None = None, n: int = 1) -> RecordedRow:
    return {
        "target": target,
        "purpose": purpose,
        "category": category,
        "records": n,
        "examples": [f"{target}-{category}"],
    }


def codes(findings: Any) -> list[str]:
    return [f.code if isinstance(f, Finding) else f["code"] for f in findings]


def of_code(findings: Any, code: str) -> list[Any]:
    return [f for f in findings if (f.code if isinstance(f, Finding) else f["code"]) == code]


# --- the rules, without Neo4j -----------------------------------------------------------------------------------


def test_card_data_collected_into_billing_is_a_finding_naming_billing_and_the_category() -> None:
    groups = [recorded("billing", "user.financial.credit_card", n=3), recorded("billing", "user.name")]
    (finding,) = rf.collected_not_stored(groups, [BILLING], DAY)
    assert finding.code == "collected_not_stored" and finding.severity is Severity.HIGH
    assert "billing" in finding.message and "user.financial.credit_card (3 records)" in finding.message
    assert "user.name" not in finding.message, "billing stores the name"
    assert finding.entries[:2] == ("system:billing", "data_category:user.financial.credit_card")
    assert "record:billing-user.financial.credit_card" in finding.entries
    # a narrower category than one stored is held there: no finding
    assert rf.collected_not_stored([recorded("billing", "user.name.first")], [BILLING], DAY) == []


def test_a_government_id_disclosed_to_marketing_partners_for_billing_is_neither_carried_nor_for_that_purpose() -> (
    None
):
    groups = [recorded("marketing_partners", "user.government_id", "billing")]
    found = rf.disclosed_beyond_flows(groups, [TO_PARTNERS], [SHARING, BILLING_PURPOSE], DAY)
    assert codes(found) == ["disclosed_not_carried", "disclosed_off_purpose"]
    not_carried, off_purpose = found
    assert (
        "user.government_id" in not_carried.message and "no flow to marketing_partners" in not_carried.message
    )
    assert "billing is the purpose of no flow to marketing_partners" in off_purpose.message
    assert {"recipient:marketing_partners", "purpose:billing", "data_category:user.government_id"} <= set(
        off_purpose.entries
    )
    # what the flow carries, for its purpose, is allowed (a narrower category too)
    allowed = [recorded("marketing_partners", "user.contact.email", "marketing_partner_sharing")]
    assert rf.disclosed_beyond_flows(allowed, [TO_PARTNERS], [SHARING], DAY) == []


def test_a_category_a_flow_carries_only_for_other_purposes_is_off_purpose() -> None:
    other: FindingFlowRow = {
        **TO_PARTNERS,
        "key": "billing_flow",
        "categories": ["user.workplace"],
        "purposes": ["billing"],
    }
    groups = [recorded("marketing_partners", "user.name", "billing")]
    (finding,) = rf.disclosed_beyond_flows(groups, [TO_PARTNERS, other], [SHARING, BILLING_PURPOSE], DAY)
    assert (
        finding.code == "disclosed_off_purpose"
        and "no flow to marketing_partners carries for it" in finding.message
    )
    # a flow carries a category for those of its purposes that process it (as lineage reads it)
    both = {**TO_PARTNERS, "purposes": ["marketing_partner_sharing", "billing"]}
    groups = [recorded("marketing_partners", "user.contact.email", "billing")]
    (finding,) = rf.disclosed_beyond_flows(groups, [both], [SHARING, BILLING_PURPOSE], DAY)  # type: ignore[list-item]
    assert finding.code == "disclosed_off_purpose" and finding.entries[:2] == (
        "recipient:marketing_partners",
        "purpose:billing",
    )
    groups = [recorded("marketing_partners", "user.name", "billing")]
    assert rf.disclosed_beyond_flows(groups, [both], [SHARING, BILLING_PURPOSE], DAY) == []  # type: ignore[list-item]


def recipient(key: str, org: dict[str, Any] | None, *, marketing: bool = False) -> FindingRecipientRow:
    organisation = {"key": f"{key}_org", "name": None, "address": None, **org} if org is not None else None
    return {
        "key": key,
        "name": key.replace("_", " "),
        "role": "third_party",
        "ownDirectMarketing": marketing,
        "organisation": organisation,  # type: ignore[typeddict-item]
    }


def test_direct_marketing_third_parties_need_a_name_and_a_postal_address() -> None:
    rows = [
        recipient("marketing_partners", None, marketing=True),
        recipient("affiliate", {"name": "Affiliate SA"}, marketing=True),
        recipient("named", {"name": "Named Ltd", "address": "1 Street, Town"}, marketing=True),
        recipient("processor", None),
    ]
    found = mf.direct_marketing_unnamed(rows, DAY)
    assert [f.entries[0] for f in found] == ["recipient:marketing_partners", "recipient:affiliate"]
    assert "no name and no postal address" in found[0].message and "§1798.83(a)(2)" in found[0].message
    assert "no postal address" in found[1].message and "organisation:affiliate_org" in found[1].entries


def test_a_routine_recipient_known_only_by_its_category_is_a_finding_one_reached_on_an_event_is_not() -> None:
    flows: list[FindingFlowRow] = [
        {**TO_PARTNERS, "recipient": "hosting_providers"},
        {**TO_PARTNERS, "recipient": "authorities", "trigger": "legal_request"},
        {**TO_PARTNERS, "recipient": "google_analytics"},
    ]
    rows = [
        recipient("hosting_providers", None),
        recipient("authorities", None),
        recipient("google_analytics", {"name": "Google LLC"}),
    ]
    (finding,) = mf.recipients_known_by_category(rows, flows)
    assert finding.code == "recipient_identity_unknown" and finding.entries == (
        "recipient:hosting_providers",
    )
    assert "C-154/21" in finding.message


def test_a_stored_category_needs_a_retention_rule_where_it_is_stored() -> None:
    rules: list[RetentionRow] = [
        {"key": "all", "categories": ["user.name"], "systems": []},
        {"key": "tax", "categories": ["user.financial"], "systems": ["billing"]},
    ]
    support: FindingSystemRow = {
        "key": "support",
        "name": "Support",
        "categories": ["user.financial.qualification"],
    }
    found = mf.retention_missing([BILLING, support], rules, DAY)
    assert codes(found) == ["retention_rule_missing"], "billing's are covered by the rule above them"
    assert found[0].entries == ("data_category:user.financial.qualification", "system:support")
    assert "Art. 5(1)(e)" in found[0].message
    assert (
        mf.retention_missing([BILLING], rules[:1], DAY)[0].entries[0]
        == "data_category:user.financial.payment_method"
    )


def test_legitimate_interests_without_the_interest_is_a_finding() -> None:
    purposes = [
        {"key": "a", "name": "A", "legalBasis": "legitimate_interests", "legitimateInterest": " "},
        {
            "key": "b",
            "name": "B",
            "legalBasis": "legitimate_interests",
            "legitimateInterest": "Fraud prevention",
        },
        {"key": "c", "name": "C", "legalBasis": "consent", "legitimateInterest": None},
    ]
    (finding,) = mf.legitimate_interest_missing(purposes)  # type: ignore[arg-type]
    assert finding.entries == ("purpose:a",) and "Art. 13(1)(d)" in finding.message


def test_a_flag_naming_countries_names_the_recorded_events_of_people_living_there() -> None:
    flag: FlagRow = {
        "kind": "Purpose",
        "key": "marketing_partner_sharing",
        "name": "Disclosure to marketing partners",
        "flag": "needs consent in the EU/EEA",
        "severity": "high",
        "countries": ["EU", "IS", "LI", "NO"],
    }
    events: list[FlaggedEventsRow] = [
        {
            "kind": "Purpose",
            "key": "marketing_partner_sharing",
            "country": "NL",
            "records": 1,
            "examples": ["nl1"],
        },
        {
            "kind": "Purpose",
            "key": "marketing_partner_sharing",
            "country": "US",
            "records": 2,
            "examples": ["us1"],
        },
    ]
    (finding,) = rf.flagged_notes([flag], events)
    assert finding.code == "flagged_note" and finding.severity is Severity.HIGH
    assert finding.entries == ("purpose:marketing_partner_sharing", "record:nl1")
    assert "needs consent" in finding.message and "1 recorded event (NL)" in finding.message
    unscoped = {**flag, "countries": [], "severity": "medium"}
    assert rf.flagged_notes([unscoped], events)[0].entries == ("purpose:marketing_partner_sharing",)  # type: ignore[list-item]


def test_the_notice_relying_on_privacy_shield_is_contradicted_after_schrems_ii_not_before() -> None:
    shield = TransferFacts(
        "eu_to_us",
        M.EU_US_PRIVACY_SHIELD,
        ("EU",),
        ("US",),
        (Certification(M.EU_US_PRIVACY_SHIELD, dt.date(2018, 4, 27)),),
    )
    notice: NoticeStatementRow = {
        "title": "Notice",
        "transfersRelyOn": ["eu_us_privacy_shield"],
        "transfersRef": "§11",
    }
    assert (
        mf.notice_contradicted(notice, [safeguard_status(shield, dt.date(2019, 6, 1))], dt.date(2019, 6, 1))
        == []
    )
    (finding,) = mf.notice_contradicted(notice, [safeguard_status(shield, DAY)], DAY)
    assert finding.code == "notice_contradicted" and finding.entries == ("notice:notice", "transfer:eu_to_us")
    assert "The notice (§11)" in finding.message and "EU-US Privacy Shield" in finding.message
    moved = TransferFacts("eu_to_us", M.SCC_2021, ("EU",), ("US",), contract_date=dt.date(2023, 1, 1))
    (stale,) = mf.notice_contradicted(notice, [safeguard_status(moved, DAY)], DAY)
    assert "no transfer in force" in stale.message


def test_a_flag_in_the_seed_comes_with_its_severity_and_valid_countries() -> None:
    base = {"key": "p", "ref": "§1", "name": "P", "legalBasis": "consent"}
    assert Purpose.model_validate(
        {**base, "flag": "x", "flagSeverity": "high", "flagCountries": ["EEA", "CH"]}
    )
    for bad, words in (
        ({"flag": "x"}, "give both or neither"),
        ({"flagSeverity": "high"}, "give both or neither"),
        ({"flagCountries": ["NL"]}, "needs a flag"),
        ({"flag": "x", "flagSeverity": "high", "flagCountries": ["Holland"]}, "ISO 3166-1"),
    ):
        with pytest.raises(ValueError, match=words):
            Purpose.model_validate({**base, **bad})
    source = {"key": "s", "ref": "§7", "name": "S", "kind": "device", "flag": "x", "flagSeverity": "low"}
    assert Source.model_validate(source).flag == "x"
    with pytest.raises(ValueError, match="for systems, purposes and recipients"):
        Source.model_validate({**source, "flagCountries": ["NL"]})


# --- the seed's map, over GraphQL -------------------------------------------------------------------------------

FINDINGS = """query($asOf: Date, $severity: FindingSeverity) { mapFindings(asOf: $asOf, severity: $severity) {
  asOf counts { severity count } findings { severity code entries message fix } } }"""
COLLECT = """mutation($input: CollectionInput!) { recordCollection(input: $input) {
  id subjectId findings { severity code entries message fix } } }"""
DISCLOSE = """mutation($input: DisclosureInput!) { recordDisclosure(input: $input) {
  id subjectId findings { severity code entries message fix } } }"""


async def findings_of(api: GraphQLClient, as_of: str | None = None, **more: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.query(FINDINGS, asOf=as_of, **more))["mapFindings"]["findings"]
    return found


@pytest.mark.neo4j
async def test_the_seeds_map_findings(api: GraphQLClient) -> None:
    found = await findings_of(api)
    unnamed = {f["entries"][0] for f in of_code(found, "direct_marketing_recipient_unnamed")}
    assert {"recipient:marketing_partners", "recipient:interinbox"} <= unnamed, "no partner name, no address"
    by_category = {f["entries"][0] for f in of_code(found, "recipient_identity_unknown")}
    assert "recipient:email_delivery_providers" in by_category and "recipient:authorities" not in by_category
    assert not of_code(found, "retention_rule_missing") and not of_code(found, "legitimate_interest_missing")
    assert not {"collected_not_stored", "disclosed_not_carried", "disclosed_off_purpose"} & set(
        codes(found)
    ), "the seed's own records are all ones its map allows"
    assert [f["severity"] for f in found] == sorted(
        (f["severity"] for f in found), key=lambda s: list(Severity).index(Severity(s.lower()))
    ), "most severe first"
    high_up = await findings_of(api, severity="HIGH")
    assert high_up and {f["severity"] for f in high_up} <= {"CRITICAL", "HIGH"}


@pytest.mark.neo4j
async def test_the_dutch_leads_disclosure_to_marketing_partners_is_surfaced_by_the_seeds_flag(
    api: GraphQLClient,
) -> None:
    subject = (
        await api.query(
            '{ subject(subject: {email: "anna.jansen@example.com"}) { disclosures { id recipient } } }'
        )
    )["subject"]
    (to_partners,) = [d["id"] for d in subject["disclosures"] if d["recipient"] == "marketing_partners"]
    flagged = {f["entries"][0]: f for f in of_code(await findings_of(api), "flagged_note")}
    note = flagged["purpose:marketing_partner_sharing"]
    assert note["severity"] == "HIGH" and "explicit consent" in note["message"] and "(NL)" in note["message"]
    assert f"record:{to_partners}" in note["entries"], "the NL lead's disclosure, not the California one"
    assert len([e for e in note["entries"] if e.startswith("record:")]) == 1
    assert flagged["recipient:interinbox_group_services"]["severity"] == "MEDIUM"


@pytest.mark.neo4j
async def test_privacy_shield_transfers_and_the_notice_are_findings_after_16_july_2020_not_before(
    api: GraphQLClient,
) -> None:
    before, after = await findings_of(api, "2019-06-01"), await findings_of(api, "2021-06-01")
    assert not [f for f in before if f["severity"] == "CRITICAL"]
    invalid = [f for f in after if f["code"] == "privacy_shield_invalidated"]
    assert "transfer:eu_to_us_sharpspring" in {f["entries"][0] for f in invalid}
    assert not of_code(before, "notice_contradicted")
    in_2024 = of_code(await findings_of(api, "2024-01-01"), "notice_contradicted")
    assert {"notice:notice", "transfer:eu_to_us_sharpspring", "transfer:ch_to_us_sharpspring"} <= {
        e for f in in_2024 for e in f["entries"]
    }
    assert "§11" in in_2024[0]["message"] and "Privacy Shield" in in_2024[0]["message"]


# --- recording what the map does not allow ----------------------------------------------------------------------


@pytest.mark.neo4j
async def test_card_data_recorded_into_billing_is_kept_and_answered_with_its_finding(
    api: GraphQLClient,
) -> None:
    created = (
        await api.query(
            COLLECT,
            input={
                "subject": {"email": "jordan.reyes@example.com"},
                "categories": ["user.financial.credit_card", "user.financial.transaction_id"],
                "source": "payment_entry",
                "system": "billing",
                "at": "2024-03-01T10:00:00Z",
            },
        )
    )["recordCollection"]
    (finding,) = created["findings"]
    assert finding["code"] == "collected_not_stored" and finding["severity"] == "HIGH"
    assert {"system:billing", "data_category:user.financial.credit_card", f"record:{created['id']}"} == set(
        finding["entries"]
    )
    held = (await api.query('{ subject(subject: {email: "jordan.reyes@example.com"}) { records { id } } }'))[
        "subject"
    ]["records"]
    assert created["id"] in {r["id"] for r in held}, "it happened: it is recorded"
    (listed,) = of_code(await findings_of(api), "collected_not_stored")
    assert f"record:{created['id']}" in listed["entries"] and "(1 record)" in listed["message"]
    assert not of_code(await findings_of(api, "2024-02-29"), "collected_not_stored"), "not before it happened"


@pytest.mark.neo4j
async def test_a_government_id_disclosed_to_marketing_partners_for_billing_raises_both_findings(
    api: GraphQLClient,
) -> None:
    disclosed = (
        await api.query(
            DISCLOSE,
            input={
                "subject": {"email": "jordan.reyes@example.com"},
                "categories": ["user.government_id"],
                "recipient": "marketing_partners",
                "purpose": "billing",
                "at": "2024-03-02T10:00:00Z",
            },
        )
    )["recordDisclosure"]
    assert codes(disclosed["findings"]) == ["disclosed_not_carried", "disclosed_off_purpose"]
    assert all("data_category:user.government_id" in f["entries"] for f in disclosed["findings"])
    mapped = await findings_of(api)
    assert f"record:{disclosed['id']}" in of_code(mapped, "disclosed_not_carried")[0]["entries"]


@pytest.mark.neo4j
async def test_an_allowed_disclosure_raises_the_flag_only_for_people_living_where_it_points(
    api: GraphQLClient,
) -> None:
    allowed = {
        "categories": ["user.name", "user.contact.email"],
        "recipient": "marketing_partners",
        "purpose": "marketing_partner_sharing",
        "at": "2024-04-01T10:00:00Z",
    }
    dutch = (
        await api.query(
            DISCLOSE, input={**allowed, "subject": {"email": "lotte@example.nl"}, "country": "NL"}
        )
    )["recordDisclosure"]
    (note,) = dutch["findings"]
    assert note["code"] == "flagged_note" and f"record:{dutch['id']}" in note["entries"]
    american = (
        await api.query(DISCLOSE, input={**allowed, "subject": {"email": "sam@example.com"}, "country": "US"})
    )["recordDisclosure"]
    assert american["findings"] == []


# --- a variant of the seed --------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_category_without_retention_and_a_purpose_without_its_interest_in_a_loaded_map(
    db: Database,
) -> None:
    documents = read_documents(SEED_DIR)
    bank = {"key": "user.financial.bank_account", "ref": "§6 betalingsinformatie", "name": "Bank account"}
    documents["data_categories.yaml"]["data_categories"].append(bank)
    for system in documents["systems.yaml"]["systems"]:
        if system["key"] == "billing":
            system["categories"].append(bank["key"])
    for purpose in documents["purposes.yaml"]["purposes"]:
        if purpose["key"] == "analytics":
            del purpose["legitimateInterest"]
    await load_seed_map(db, parse_seed(documents), SECRET)
    found = (await map_findings.map_findings(db, now=NOW)).findings
    (retention,) = of_code(found, "retention_rule_missing")
    assert retention.entries == ("data_category:user.financial.bank_account", "system:billing")
    (interest,) = of_code(found, "legitimate_interest_missing")
    assert interest.entries == ("purpose:analytics",)


# --- the command line ---------------------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_datamap_findings_prints_them_as_json_and_as_text(
    seeded: Database,
    neo4j_settings: Neo4jSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATAMAP_NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("DATAMAP_NEO4J_USER", neo4j_settings.user)
    monkeypatch.setenv("DATAMAP_NEO4J_PASSWORD", neo4j_settings.password)
    monkeypatch.setenv(CLOCK_VARIABLE, NOW.isoformat())
    assert cli.main(["findings", "--json", "--as-of", "2024-01-01"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["asOf"] == "2024-01-01" and printed["counts"]["critical"] > 0
    assert "notice_contradicted" in codes(printed["findings"])
    assert {"severity", "code", "entries", "message", "fix"} == set(printed["findings"][0])
    assert cli.main(["findings", "--severity", "critical"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"map findings as of {NOW.date()}: critical ")
    assert "[critical] privacy_shield_invalidated:" in text and "[medium]" not in text

"""Editing the map through the API (issue 11): every change a new version with its principal and reason, checked
like the seed, audited; answers about an earlier day stay what they were. Real Neo4j, the seed loaded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.map_changes import KINDS
from datamap.graph.database import Database
from datamap.graph.map_writer import EDGE_TYPES
from datamap.services.seed import load_seed, read_seed
from tests.conftest import NOW, SECRET, TODAY, GraphQLClient
from tests.helpers import client_of

# A year whose January lies in the past on any day the suite may run on (DATAMAP_TEST_TODAY from 2026-11-28).
YEAR = (TODAY - dt.timedelta(days=60)).year
BEFORE, NAMED, BETWEEN, MOVED, AFTER = (dt.date(YEAR, 1, day).isoformat() for day in (5, 10, 15, 20, 25))
CUSTOMER = {"email": "robin.vega@example.com"}  # a Californian buying for herself: §1798.83(e)(1)
PARTNER_ADDRESS = "1 Market Street, San Francisco, CA 94105, US"
PARTNER_MOVED = "500 Howard Street, San Francisco, CA 94105, US"


def noon(day: str) -> dt.datetime:
    """Noon (UTC) of an ISO day: the service's clock set to it, a change made on that day takes effect then (a
    change is never backdated)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), dt.UTC)


CHANGE_FIELDS = "kind key version versionFrom validTo changed changedBy changedAt reason"
STL = """query($customer: SubjectInput!, $receivedAt: Date!) {
  shineTheLightReport(customer: $customer, receivedAt: $receivedAt) {
    json findings letterText thirdParties { key name address } } }"""
HISTORY = """query($kind: MapEntryKind!, $key: String!) { mapHistory(kind: $kind, key: $key) {
  kind key versions { version validFrom validTo principal reason changedAt attributes }
  retired { on principal reason at } } }"""
RETIRE = """mutation($kind: MapEntryKind!, $key: String!, $expected: Int!, $reason: String!, $from: Date) {
  retireMapEntry(kind: $kind, key: $key, expectedVersion: $expected, reason: $reason, effectiveFrom: $from) {
    CHANGE } }""".replace("CHANGE", CHANGE_FIELDS)

PARTNER = {
    "key": "acme_marketing",
    "ref": "contract AM-2026-07",
    "name": "Acme Marketing LLC",
    "country": "US",
    "address": PARTNER_ADDRESS,
    "note": "the marketing partner named in the contract register",
}
SEED_PARTNERS = {  # the seed's entry, as seed/recipients.yaml has it (its fields, not its notes)
    "key": "marketing_partners",
    "ref": "§10 Delen met derden (Openbaarmaking aan Marketing Partners)",
    "name": "Third-party marketing companies (marketing partners)",
    "role": "THIRD_PARTY",
    "kind": "marketing_partner",
    "ownDirectMarketing": True,
    "marketingExamples": "marketing services and data aggregation; B2B marketing of products and services to leads",
}

pytestmark = pytest.mark.neo4j


def _mutation(field: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!, $reason: String!, $expected: Int, $from: Date) {{ {field}(input: $input, "
        f"reason: $reason, expectedVersion: $expected, effectiveFrom: $from) {{ {CHANGE_FIELDS} }} }}"
    )


def _variables(
    entry: dict[str, Any], reason: str, expected: int | None, effective: str | None
) -> dict[str, Any]:
    return {"input": entry, "reason": reason, "expected": expected, "from": effective}


async def change(
    api: GraphQLClient,
    kind: str,
    entry: dict[str, Any],
    reason: str = "recorded from the contract register",
    expected: int | None = None,
    effective: str | None = None,
) -> dict[str, Any]:
    """Upsert one entry of `kind` (`Organisation`, `Recipient`, ...) through the API."""
    query = _mutation(f"upsert{kind}", f"{kind}Input")
    result: dict[str, Any] = (await api.query(query, **_variables(entry, reason, expected, effective)))[
        f"upsert{kind}"
    ]
    return result


async def refused(
    api: GraphQLClient,
    kind: str,
    entry: dict[str, Any],
    expected: int | None = None,
    reason: str = "a change",
) -> dict[str, Any]:
    """The one error an upsert is refused with (message and code)."""
    query = _mutation(f"upsert{kind}", f"{kind}Input")
    body = await api.raw(query, **_variables(entry, reason, expected, None))
    assert body["data"][f"upsert{kind}"] is None, body
    (error,) = body["errors"]
    return {"message": error["message"], "code": error["extensions"]["code"]}


async def history(api: GraphQLClient, kind: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.query(HISTORY, kind=kind, key=key))["mapHistory"]
    return found


async def stl(api: GraphQLClient, received: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.query(STL, customer=CUSTOMER, receivedAt=received))[
        "shineTheLightReport"
    ]
    return found


async def test_naming_the_marketing_partner_reaches_shine_the_light_and_leaves_earlier_answers_as_they_were(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = noon(NAMED)  # the partner is named on NAMED, its move on MOVED: each change made on its day
    await api.query(
        "mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { id } }",
        input={
            "subject": CUSTOMER,
            "recipient": "marketing_partners",
            "purpose": "marketing_partner_sharing",
            "categories": ["user.name", "user.contact.email"],
            "at": f"{YEAR - 1}-03-01T10:00:00Z",
            "country": "US",
            "region": "US-CA",
            "relationship": "PERSONAL",
        },
    )
    unnamed = await stl(api, BEFORE)
    (party,) = unnamed["thirdParties"]
    assert party["key"] == "marketing_partners" and party["address"] is None
    assert any("names no organisation" in f for f in unnamed["findings"])

    organisation = await change(api, "Organisation", PARTNER, effective=NAMED)
    assert organisation["version"] == 1 and organisation["changed"] and organisation["versionFrom"] == NAMED
    seed_version = (await history(api, "RECIPIENT", "marketing_partners"))["versions"][-1]["version"]
    pointed = await change(
        api,
        "Recipient",
        {**SEED_PARTNERS, "organisation": "acme_marketing"},
        reason="the partner is named in contract AM-2026-07",
        expected=seed_version,
        effective=NAMED,
    )
    assert pointed["version"] == seed_version + 1 and pointed["changedBy"] == "token:test-admin"

    clock.at = noon(MOVED)
    named = await stl(api, BETWEEN)
    assert named["thirdParties"] == [
        {"key": "marketing_partners", "name": "Acme Marketing LLC", "address": PARTNER_ADDRESS}
    ]
    assert f"Acme Marketing LLC, {PARTNER_ADDRESS}" in named["letterText"]
    assert not any("names no organisation" in f or "no postal address" in f for f in named["findings"])
    assert (await stl(api, BEFORE))["json"] == unnamed["json"], (
        "the answer as of before the change is unchanged"
    )

    moved = await change(
        api, "Organisation", {**PARTNER, "address": PARTNER_MOVED}, expected=1, effective=MOVED
    )
    assert moved["version"] == 2
    clock.at = NOW
    assert (await stl(api, BETWEEN))["json"] == named["json"], (
        "an answer between the changes keeps the address"
    )
    assert (await stl(api, AFTER))["thirdParties"][0]["address"] == PARTNER_MOVED
    assert (await stl(api, BEFORE))["json"] == unnamed["json"]

    # the recipient as browsed on each day, through its organisation then
    browse = (
        "query($d: Date) { recipients(asOf: $d) { key organisationName address provenance { version } } }"
    )
    for day, name, address, version in (
        (BEFORE, None, None, seed_version),
        (BETWEEN, "Acme Marketing LLC", PARTNER_ADDRESS, seed_version + 1),
        (AFTER, "Acme Marketing LLC", PARTNER_MOVED, seed_version + 1),
    ):
        rows = (await api.query(browse, d=day))["recipients"]
        (row,) = [r for r in rows if r["key"] == "marketing_partners"]
        assert (row["organisationName"], row["address"], row["provenance"]["version"]) == (
            name,
            address,
            version,
        )


async def test_map_history_shows_every_version_with_who_and_why_and_a_stale_version_is_refused(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = noon(NAMED)
    await change(api, "Organisation", PARTNER, reason="named in contract AM-2026-07", effective=NAMED)
    clock.at = NOW
    await change(api, "Organisation", {**PARTNER, "address": PARTNER_MOVED}, reason="moved", expected=1)

    found = await history(api, "ORGANISATION", "acme_marketing")
    first, second = found["versions"]
    assert (first["version"], first["principal"], first["reason"]) == (
        1,
        "token:test-admin",
        "named in contract AM-2026-07",
    )
    assert (first["validFrom"], first["validTo"]) == (NAMED, TODAY.isoformat())
    assert (second["version"], second["principal"], second["reason"]) == (2, "token:test-admin", "moved")
    assert (second["validFrom"], second["validTo"]) == (TODAY.isoformat(), None)
    assert second["changedAt"] == clock.now().isoformat()
    assert json.loads(first["attributes"])["address"] == PARTNER_ADDRESS
    assert json.loads(second["attributes"])["address"] == PARTNER_MOVED
    assert found["retired"] is None

    stale = await refused(api, "Organisation", {**PARTNER, "name": "Acme Marketing Inc."}, expected=1)
    assert stale["code"] == "CONFLICT"
    assert "organisation 'acme_marketing'" in stale["message"] and "version 2" in stale["message"]
    assert "token:test-admin" in stale["message"]
    unread = await refused(api, "Organisation", PARTNER)  # an existing key needs the version it was read at
    assert "expectedVersion" in unread["message"] and unread["code"] == "BAD_USER_INPUT"
    assert len((await history(api, "ORGANISATION", "acme_marketing"))["versions"]) == 2

    seed = (await history(api, "RECIPIENT", "marketing_partners"))["versions"]
    assert [(v["version"], v["principal"], v["changedAt"]) for v in seed] == [(1, "seed", None)]

    again = await change(api, "Organisation", {**PARTNER, "address": PARTNER_MOVED}, expected=2)
    assert not again["changed"] and again["version"] == 2, "the same entry again writes no version"


async def test_a_change_is_in_the_audit_log_and_so_is_a_refused_one(api: GraphQLClient) -> None:
    await change(api, "Organisation", PARTNER)
    await refused(api, "Organisation", PARTNER, expected=5)
    events = (await api.query('{ auditLog(principal: "token:test-admin") { operation outcome } }'))[
        "auditLog"
    ]
    edits = [(e["operation"], e["outcome"]) for e in events if e["operation"] == "upsertOrganisation"]
    assert edits == [
        ("upsertOrganisation", "ok: organisation acme_marketing version 1"),
        ("upsertOrganisation", "refused: CONFLICT"),
    ]


async def test_a_change_is_checked_like_the_seed_and_each_error_names_the_entry(api: GraphQLClient) -> None:
    unknown = await refused(api, "Recipient", {**SEED_PARTNERS, "organisation": "nobody_inc"}, expected=1)
    assert unknown["code"] == "NOT_FOUND"
    assert "recipient 'marketing_partners'" in unknown["message"]
    assert "unknown organisation 'nobody_inc'" in unknown["message"]

    orphan = await refused(
        api, "DataCategory", {"key": "user.loyalty.tier", "ref": "p", "name": "Loyalty tier"}
    )
    assert "data category 'user.loyalty.tier'" in orphan["message"]
    assert "unknown data category 'user.loyalty'" in orphan["message"], (
        "its parent (the key's prefix) must exist"
    )

    seed = read_seed()
    (logs,) = [s for s in seed.systems if s.key == "web_analytics_logs"]
    assert "user.name" not in logs.categories
    lacking = await refused(
        api,
        "Flow",
        {
            "key": "logs_to_partners",
            "ref": "p",
            "from": {"system": "web_analytics_logs"},
            "to": {"recipient": "marketing_partners"},
            "categories": ["user.name", "user.device.ip_address"],
        },
    )
    assert lacking["code"] == "BAD_USER_INPUT"
    assert "flow 'logs_to_partners'" in lacking["message"] and "'web_analytics_logs'" in lacking["message"]
    assert "user.name" in lacking["message"] and "user.device.ip_address" not in lacking["message"]

    (platform,) = [s for s in seed.systems if s.key == "web_analytics_logs"]
    fields = {"key": platform.key, "ref": platform.ref, "name": platform.name, "operator": platform.operator}
    dropping = await refused(api, "System", {**fields, "categories": ["user.preferences"]}, expected=1)
    assert (
        "system 'web_analytics_logs'" in dropping["message"]
        and "flow 'web_logs_to_platform'" in dropping["message"]
    )

    vocabulary = await refused(
        api,
        "Purpose",
        {"key": "loyalty", "ref": "p", "name": "Loyalty", "legalBasis": "CONTRACT", "trigger": "often"},
    )
    assert vocabulary["code"] == "BAD_USER_INPUT" and "purpose 'loyalty'" in vocabulary["message"]
    assert "trigger" in vocabulary["message"]

    second = await refused(api, "Organisation", {**PARTNER, "controller": True})
    assert "organisation 'acme_marketing'" in second["message"] and "exactly one" in second["message"]

    blank = await refused(api, "Organisation", PARTNER, reason="  ")
    assert blank["message"].startswith("reason:")
    body = await api.raw(
        _mutation("upsertRecipient", "RecipientInput"),
        **_variables({**SEED_PARTNERS, "organisation": None}, "backdated", 1, "2018-01-01"),
    )
    assert "effectiveFrom: 2018-01-01 is before today" in body["errors"][0]["message"]
    assert (await history(api, "RECIPIENT", "marketing_partners"))["versions"][-1]["version"] == 1


async def test_a_changed_flow_and_operator_keep_earlier_lineage_and_reports(api: GraphQLClient) -> None:
    week_ago = (TODAY - dt.timedelta(days=7)).isoformat()
    await change(api, "Organisation", PARTNER)
    (logs,) = [s for s in read_seed().systems if s.key == "web_analytics_logs"]
    system = {
        "key": logs.key,
        "ref": logs.ref,
        "name": logs.name,
        "operator": "acme_marketing",
        "country": logs.country,
        "categories": list(logs.categories),
        "backups": logs.backups,
        "description": logs.description,
    }
    await change(api, "System", system, reason="operations outsourced", expected=1)
    query = "query($d: Date) { systems(asOf: $d) { key operator operatorName } }"
    for day, operator, name in (
        (week_ago, "sharpspring_inc", "SharpSpring, Inc."),
        (None, "acme_marketing", "Acme Marketing LLC"),
    ):
        (row,) = [s for s in (await api.query(query, d=day))["systems"] if s["key"] == "web_analytics_logs"]
        assert (row["operator"], row["operatorName"]) == (operator, name)

    (flow,) = [f for f in read_seed().flows if f.key == "web_logs_to_data_analytics"]
    narrowed = {
        "key": flow.key,
        "ref": flow.ref,
        "from": {"system": "web_analytics_logs"},
        "to": {"recipient": "data_analytics_providers"},
        "categories": ["user.device.ip_address"],
        "purposes": list(flow.purposes),
    }
    assert set(flow.categories) - {"user.device.ip_address"}, "the change narrows the flow"
    await change(api, "Flow", narrowed, reason="only addresses are sent now", expected=1)
    lineage = """query($d: Date) { categoryLineage(category: "user.device.browser", asOf: $d) {
        recipients { key } } }"""
    before = {r["key"] for r in (await api.query(lineage, d=week_ago))["categoryLineage"]["recipients"]}
    now = {r["key"] for r in (await api.query(lineage))["categoryLineage"]["recipients"]}
    assert "browser" in " ".join(flow.categories) and "data_analytics_providers" in before
    assert "data_analytics_providers" not in now
    versions = (await history(api, "FLOW", flow.key))["versions"]
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["validTo"] == TODAY.isoformat()
    assert json.loads(versions[1]["attributes"])["categories"] == ["user.device.ip_address"]
    assert json.loads(versions[1]["attributes"])["from"] == {"system": "web_analytics_logs"}


async def test_retiring_is_refused_while_referenced_then_allowed_and_nothing_is_deleted(
    api: GraphQLClient, clock: FixedClock
) -> None:
    days = {n: (TODAY - dt.timedelta(days=n)).isoformat() for n in (10, 5, 3)}
    clock.at = noon(days[10])  # each change made on the day it takes effect (or scheduled for a later one)
    kiosk = {"key": "store_kiosk", "ref": "p", "name": "Kiosk in the store", "kind": "DIRECT"}
    await change(api, "Source", kiosk, effective=days[10])
    flow = {
        "key": "kiosk_to_platform",
        "ref": "p",
        "from": {"source": "store_kiosk"},
        "to": {"system": "sharpspring_platform"},
        "categories": ["user.name"],
    }
    await change(api, "Flow", flow, effective=days[10])
    clock.at = noon(days[5])
    blocked = await api.raw(
        RETIRE, kind="SOURCE", key="store_kiosk", expected=1, reason="closed", **{"from": days[3]}
    )
    (error,) = blocked["errors"]
    assert "source 'store_kiosk'" in error["message"] and "flow 'kiosk_to_platform'" in error["message"]

    await api.query(
        RETIRE, kind="FLOW", key="kiosk_to_platform", expected=1, reason="kiosk closed", **{"from": days[5]}
    )
    clock.at = noon(days[3])
    retired = (
        await api.query(
            RETIRE, kind="SOURCE", key="store_kiosk", expected=1, reason="kiosk closed", **{"from": days[3]}
        )
    )["retireMapEntry"]
    assert retired["validTo"] == days[3] and retired["version"] == 1
    clock.at = NOW

    sources = "query($d: Date) { sources(asOf: $d) { key feeds } }"
    then = [s for s in (await api.query(sources, d=days[10]))["sources"] if s["key"] == "store_kiosk"]
    assert then == [{"key": "store_kiosk", "feeds": ["sharpspring_platform"]}]
    assert not [s for s in (await api.query(sources))["sources"] if s["key"] == "store_kiosk"]
    found = await history(api, "SOURCE", "store_kiosk")
    assert found["retired"]["on"] == days[3] and found["retired"]["reason"] == "kiosk closed"
    assert found["retired"]["principal"] == "token:test-admin"
    again = await refused(api, "Source", kiosk, expected=1)
    assert "retired from" in again["message"]


async def test_a_viewer_reads_the_history_but_cannot_change_the_map(
    seeded: Database, clock: FixedClock
) -> None:
    async with client_of(seeded, clock, Role.VIEWER) as viewer:
        body = await viewer.raw(
            _mutation("upsertOrganisation", "OrganisationInput"), **_variables(PARTNER, "x", None, None)
        )
        assert body["data"]["upsertOrganisation"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await history(viewer, "RECIPIENT", "marketing_partners"))["versions"][0]["version"] == 1
    async with client_of(seeded, clock, Role.COMPLIANCE) as compliance:
        assert (await change(compliance, "Organisation", PARTNER))["changedBy"] == "token:test-compliance"


async def test_the_seed_is_not_loaded_over_a_map_changed_through_the_api(
    api: GraphQLClient, seeded: Database
) -> None:
    await load_seed(seeded, SECRET)  # unchanged: loading again is idempotent
    await change(api, "Organisation", PARTNER)
    with pytest.raises(Exception, match="changes made through the API"):
        await load_seed(seeded, SECRET)
    assert (await history(api, "ORGANISATION", "acme_marketing"))["versions"][0]["version"] == 1


def test_the_editor_owns_the_relationships_the_seed_writer_writes() -> None:
    written = {(f, t) for f, t, _ in EDGE_TYPES}
    edited = {(spec.label, r.edge) for spec in KINDS.values() for r in spec.references if r.edge}
    assert edited <= written


async def test_a_certification_added_later_holds_only_from_its_day(api: GraphQLClient) -> None:
    (controller,) = [o for o in read_seed().organisations if o.key == "sharpspring_inc"]
    held = [
        {"program": c.program.name, "validFrom": c.valid_from.isoformat(), "note": c.note}
        for c in controller.certifications
    ]
    dpf = {"program": "EU_US_DPF", "validFrom": "2023-07-10", "note": "checked on the DPF List"}
    entry = {
        "key": controller.key,
        "ref": controller.ref,
        "name": controller.name,
        "country": controller.country,
        "address": controller.address,
        "controller": True,
        "note": controller.note,
        "certifications": [*held, dpf],
    }
    await change(api, "Organisation", entry, reason="DPF certification verified", expected=1)
    query = "query($d: Date) { organisations(asOf: $d) { key certifications { program } } }"
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()

    async def programs(day: str | None) -> set[str]:
        (org,) = [o for o in (await api.query(query, d=day))["organisations"] if o["key"] == controller.key]
        return {c["program"] for c in org["certifications"]}

    assert "EU_US_DPF" not in await programs(yesterday)
    assert await programs(None) == await programs(yesterday) | {"EU_US_DPF"}
    first, second = (await history(api, "ORGANISATION", controller.key))["versions"]
    assert len(json.loads(first["attributes"])["certifications"]) == len(held)
    assert {c["program"] for c in json.loads(second["attributes"])["certifications"]} >= {"eu_us_dpf"}


async def test_a_flag_is_kept_through_an_edit_and_settled_by_removing_it(api: GraphQLClient) -> None:
    """The seed flags the affiliate's processor role for review (§10): an edit that keeps the flag keeps the
    finding; the edit that settles it (the role confirmed, the flag left out) ends it from that day."""
    findings = "query { mapFindings { findings { code entries } } }"
    flagged = "recipient:interinbox_group_services"

    def flags(answer: dict[str, Any]) -> list[dict[str, Any]]:
        found = answer["mapFindings"]["findings"]
        return [f for f in found if flagged in f["entries"] and f["code"] == "flagged_note"]

    assert flags(await api.query(findings))
    entry = {
        "key": "interinbox_group_services",
        "ref": "§10 Delen met derden (Verbonden entiteiten)",
        "name": "Interinbox SA (intra-group service provider)",
        "role": "PROCESSOR",
        "kind": "intra_group_services",
        "organisation": "interinbox_sa",
        "ownDirectMarketing": False,
        "flag": "Role to confirm with the group's legal team (§10).",
        "flagSeverity": "MEDIUM",
    }
    kept = await change(api, "Recipient", entry, reason="reworded the flag", expected=1)
    assert flags(await api.query(findings)), "an edit that gives the flag keeps it"
    settled = {k: v for k, v in entry.items() if not k.startswith("flag")}
    await change(api, "Recipient", settled, reason="Art. 28 contract of 2019 found", expected=kept["version"])
    assert not flags(await api.query(findings))


async def test_a_later_edit_does_not_rewrite_what_a_past_year_disclosed_for_direct_marketing(
    api: GraphQLClient, clock: FixedClock
) -> None:
    """§1798.83(a): the disclosures of the preceding calendar year, judged by what the map said of that year. A
    recipient marked in a later year as not marketing on its own leaves last year's answer as it was."""
    clock.at = noon(NAMED)
    await api.query(
        "mutation($input: DisclosureInput!) { recordDisclosure(input: $input) { id } }",
        input={
            "subject": CUSTOMER,
            "recipient": "marketing_partners",
            "purpose": "sales",  # not a third party's marketing by purpose: counted by what the recipient does
            "categories": ["user.contact.phone_number"],
            "at": f"{YEAR - 1}-03-01T10:00:00Z",
            "country": "US",
            "region": "US-CA",
            "relationship": "PERSONAL",
        },
    )
    before = await stl(api, NAMED)
    assert [p["key"] for p in before["thirdParties"]] == ["marketing_partners"]
    seed_version = (await history(api, "RECIPIENT", "marketing_partners"))["versions"][-1]["version"]
    await change(
        api,
        "Recipient",
        {**SEED_PARTNERS, "ownDirectMarketing": False},
        reason="the partners stopped marketing on their own",
        expected=seed_version,
        effective=NAMED,
    )
    clock.at = NOW
    after = await stl(api, AFTER)
    assert [p["key"] for p in after["thirdParties"]] == ["marketing_partners"], (
        f"the map of {YEAR - 1} said they market on their own; an edit of {YEAR} does not change that"
    )


async def test_listing_recipients_by_role_reads_the_role_of_that_day(
    api: GraphQLClient, clock: FixedClock
) -> None:
    clock.at = noon(NAMED)
    listed = "query($asOf: Date) { recipients(role: THIRD_PARTY, asOf: $asOf) { key role } }"
    seed_version = (await history(api, "RECIPIENT", "marketing_partners"))["versions"][-1]["version"]
    await change(
        api,
        "Recipient",
        {**SEED_PARTNERS, "role": "AFFILIATE"},
        reason="the partners joined the group",
        expected=seed_version,
        effective=NAMED,
    )
    clock.at = NOW
    before = {r["key"] for r in (await api.query(listed, asOf=BEFORE))["recipients"]}
    after = {r["key"] for r in (await api.query(listed, asOf=AFTER))["recipients"]}
    assert "marketing_partners" in before and "marketing_partners" not in after

"""The erasure plan of the seed's example subjects: complete, ordered, with retention exceptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from datamap.domain.categories import narrow
from datamap.services.seed import read_seed
from tests.conftest import TODAY, GraphQLClient
from tests.helpers import implied_holders

pytestmark = pytest.mark.neo4j

PLAN = """query($subject: SubjectInput!, $asOf: Date) { erasurePlan(subject: $subject, asOf: $asOf) {
  subjectId warnings
  tasks { key action target targetKind role categories legalGround dependsOn stage observed restrictedUntil exception }
  recipients { key name role country observed why } } }"""


async def plan_of(api: GraphQLClient, subject: dict[str, str], as_of: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = (await api.query(PLAN, subject=subject, asOf=as_of))["erasurePlan"]
    return result


@pytest.mark.parametrize(
    ("key", "subject"),
    [
        ("eu_trade_show_lead", {"email": "anna.jansen@example.com"}),
        ("us_customer_rep", {"email": "jordan.reyes@example.com"}),
        ("visitor_turned_lead", {"externalId": "cookie-7f3a"}),
    ],
)
async def test_the_plan_holds_every_holder_and_recipient_the_records_and_map_imply(
    api: GraphQLClient, key: str, subject: dict[str, str]
) -> None:
    plan = await plan_of(api, subject)
    targets = {t["target"] for t in plan["tasks"] if t["action"] != "SUPPRESS"}
    expected = implied_holders(read_seed(), key)
    assert expected, "the example subject implies no holder at all"
    assert expected <= targets, f"missing from the plan: {sorted(expected - targets)}"
    assert targets <= expected, f"planned but not implied: {sorted(targets - expected)}"
    # every recipient is on the Art. 19 list, with its role
    recipients = {r["key"]: r for r in plan["recipients"]}
    assert {t["target"] for t in plan["tasks"] if t["targetKind"] == "RECIPIENT"} == set(recipients)
    assert all(r["role"] for r in recipients.values())


async def test_suppression_comes_first_and_upstream_holders_before_downstream(api: GraphQLClient) -> None:
    plan = await plan_of(api, {"email": "anna.jansen@example.com"})
    tasks = {t["key"]: t for t in plan["tasks"]}
    assert plan["tasks"][0]["action"] == "SUPPRESS" and plan["tasks"][0]["stage"] == 0
    for task in plan["tasks"][1:]:
        assert task["dependsOn"], task["key"]
        for dep in task["dependsOn"]:
            assert tasks[dep]["stage"] < task["stage"], (dep, task["key"])
    stage: dict[str, int] = {}
    held: dict[str, set[str]] = {}
    for t in plan["tasks"]:
        if t["action"] != "SUPPRESS" and t["action"] != "PUT_BACKUP_BEYOND_USE":
            stage[t["target"]] = min(stage.get(t["target"], 99), t["stage"])
            held.setdefault(t["target"], set()).update(t["categories"])
    # the seed's flows that carry the subject's data between planned targets: downstream never before upstream
    flows = read_seed().flows
    checked = 0
    for f in flows:
        a, b = f.from_.system, f.to.system or f.to.recipient
        if a in stage and b in stage and a != b and narrow(sorted(held[a]), f.categories):
            back = any(g.from_.system == b and (g.to.system or g.to.recipient) == a for g in flows)
            if not back:
                checked += 1
                assert stage[a] < stage[b], f"{b} planned before its upstream {a}"
    assert checked >= 5
    # a system's backups only after the system itself
    assert tasks["backup:sharpspring_platform"]["stage"] > tasks["erase:sharpspring_platform"]["stage"]
    assert "erase:sharpspring_platform" in tasks["backup:sharpspring_platform"]["dependsOn"]


async def test_payment_data_is_restricted_until_a_date_and_the_rest_erased(api: GraphQLClient) -> None:
    plan = await plan_of(api, {"email": "jordan.reyes@example.com"}, as_of="2026-11-26")
    tasks = {t["key"]: t for t in plan["tasks"]}
    restriction = tasks["restrict:billing:tax_records"]
    assert restriction["action"] == "RESTRICT" and restriction["exception"] == "tax_records"
    assert {"user.financial.transaction_id", "user.financial.payment_history"} <= set(
        restriction["categories"]
    )
    assert restriction["restrictedUntil"] == "2032-01-15", "seven years after the last payment (2025-01-15)"
    assert "Art. 17(3)(b)" in restriction["legalGround"]
    erase = tasks["erase:billing"]
    assert "user.behavior.purchase_history" in erase["categories"]
    assert not set(erase["categories"]) & {"user.financial.transaction_id", "user.financial.payment_history"}
    # the customer account holds no tax record: all of it is erased
    assert not [k for k in tasks if k.startswith("restrict:customer_accounts")]
    assert "user.contact.email" in tasks["erase:customer_accounts"]["categories"]
    # the processor that took card payments is instructed, a third party notified
    assert tasks["instruct_processor:payment_processor"]["role"] == "PROCESSOR"
    assert tasks["notify_recipient:marketing_partners"]["legalGround"].startswith("GDPR Art. 19")
    # the tax obligation keeps the payment data wherever billing's copies go on the controller's behalf:
    # its backups, the backup archive, the auditors and the payment processor restrict it, none deletes it
    kept = {"user.financial.transaction_id", "user.financial.payment_history"}
    assert not set(tasks["backup:billing"]["categories"]) & kept
    for holder in ("backup_archive", "auditors", "payment_processor", "hosting_providers"):
        held = tasks[f"restrict:{holder}:tax_records"]
        assert held["restrictedUntil"] == "2032-01-15" and kept & set(held["categories"]), holder
        processor = holder != "backup_archive"  # the archive is the controller's own system
        assert ("28(3)(g)" in held["legalGround"]) is processor, held["legalGround"]
    assert not set(tasks["instruct_processor:payment_processor"]["categories"]) & kept
    assert (
        "instruct_processor:auditors" not in tasks
        or not set(tasks["instruct_processor:auditors"]["categories"]) & kept
    )


async def test_the_eu_leads_art_19_list_holds_no_recipient_reached_only_on_an_event(
    api: GraphQLClient,
) -> None:
    """Notice §10: authorities, advisers, a successor, social networks and the public receive data only on an
    event; she was disclosed to none of them, so none is told of her erasure (telling an authority about her
    would itself disclose her)."""
    seed = read_seed()
    routine = {f.to.recipient for f in seed.flows if f.trigger == "routine" and f.to.recipient}
    only_on_event = {f.to.recipient for f in seed.flows if f.trigger != "routine"} - routine
    assert {"authorities", "successor_entity", "public_and_other_users"} <= only_on_event
    plan = await plan_of(api, {"email": "anna.jansen@example.com"})
    listed = {r["key"]: r for r in plan["recipients"]}
    disclosed = {d.recipient for s in seed.subjects if s.key == "eu_trade_show_lead" for d in s.disclosures}
    assert not (set(listed) & only_on_event) - disclosed
    assert {"facebook", "twitter", "linkedin"}.isdisjoint(listed)  # she never connected an account
    assert all(r["why"] for r in listed.values())
    assert listed["marketing_partners"]["why"].startswith("disclosed to it on 2019-")
    assert listed["hosting_providers"]["why"].startswith("the routine flow ")


async def test_once_the_retention_period_has_run_out_everything_is_erased(api: GraphQLClient) -> None:
    plan = await plan_of(api, {"email": "jordan.reyes@example.com"}, as_of="2032-01-16")
    assert not [t for t in plan["tasks"] if t["action"] == "RESTRICT"]
    erase = next(t for t in plan["tasks"] if t["key"] == "erase:billing")
    assert "user.financial.transaction_id" in erase["categories"]


async def test_a_legal_hold_restricts_what_it_covers(api: GraphQLClient) -> None:
    until = (TODAY + dt.timedelta(days=200)).isoformat()
    hold = """mutation($until: Date) { placeLegalHold(subject: {email: "anna.jansen@example.com"},
      categories: ["user.contact.email"], reason: "claim 2026-117 pending", until: $until) { id until } }"""
    assert (await api.query(hold, until=until))["placeLegalHold"]["until"] == until
    plan = await plan_of(api, {"email": "anna.jansen@example.com"})  # today: the hold was placed today
    held = [t for t in plan["tasks"] if t["action"] == "RESTRICT"]
    assert held and all(t["categories"] == ["user.contact.email"] for t in held)
    assert all("legal hold (claim 2026-117 pending)" in t["legalGround"] for t in held)
    assert all(t["restrictedUntil"] == until for t in held)
    erase = next(t for t in plan["tasks"] if t["key"] == "erase:sharpspring_platform")
    assert "user.contact.email" not in erase["categories"] and "user.name" in erase["categories"]


async def test_no_plan_for_an_unknown_subject(api: GraphQLClient) -> None:
    assert await plan_of(api, {"email": "nobody@example.com"}) is None

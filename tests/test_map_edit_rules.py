"""Rules of changing the map that keep every answer reproducible: no change is backdated (before today, or before
the current version began); two changes made at once from the same version give one new version and one
CONFLICT; a report about an earlier day reads the map of that day (the CCPA letters of the right to know). The
rule alone (pure), then through the API on the real Neo4j with the seed loaded."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Principal, Role
from datamap.domain.map_changes import MapKind, check_not_backdated
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services import audit, map_editing
from datamap.services.seed import read_seed
from tests.conftest import NOW, TODAY, GraphQLClient

YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
JORDAN = {"email": "jordan.reyes@example.com"}  # seed: a Californian customer
CHANGE = "kind key version versionFrom validTo changed"
PARTNER = {
    "key": "acme_marketing",
    "ref": "contract AM-2026-07",
    "name": "Acme Marketing LLC",
    "country": "US",
    "address": "1 Market Street, San Francisco, CA 94105, US",
}
SEED_PARTNERS = {  # seed/recipients.yaml's entry (its fields, not its notes)
    "key": "marketing_partners",
    "ref": "§10 Delen met derden (Openbaarmaking aan Marketing Partners)",
    "name": "Third-party marketing companies (marketing partners)",
    "role": "THIRD_PARTY",
    "kind": "marketing_partner",
    "ownDirectMarketing": True,
    "marketingExamples": "marketing services and data aggregation; B2B marketing of products and services to leads",
}
HISTORY = """query($kind: MapEntryKind!, $key: String!) { mapHistory(kind: $kind, key: $key) {
  versions { version validFrom validTo principal reason } retired { on } } }"""
RETIRE = """mutation($kind: MapEntryKind!, $key: String!, $expected: Int!, $from: Date) {
  retireMapEntry(kind: $kind, key: $key, expectedVersion: $expected, reason: "closed", effectiveFrom: $from) {
    CHANGE } }""".replace("CHANGE", CHANGE)
BROWSE = "query($d: Date) { recipients(asOf: $d) { key name role organisation provenance { version } } }"


def upsert_of(kind: str) -> str:
    return (
        f"mutation($input: {kind}Input!, $expected: Int, $from: Date) {{ upsert{kind}(input: $input, "
        f'reason: "a change", expectedVersion: $expected, effectiveFrom: $from) {{ {CHANGE} }} }}'
    )


async def upsert(
    api: GraphQLClient, kind: str, entry: dict[str, Any], expected: int | None = None, day: str | None = None
) -> dict[str, Any]:
    """The whole answer (data and errors) of one upsert."""
    return await api.raw(upsert_of(kind), input=entry, expected=expected, **{"from": day})


def refusal(body: dict[str, Any], field: str) -> tuple[str, str]:
    """The one error a refused mutation answered with: (code, message)."""
    assert body["data"][field] is None, body
    (error,) = body["errors"]
    return error["extensions"]["code"], error["message"]


async def versions(api: GraphQLClient, kind: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.query(HISTORY, kind=kind, key=key))["mapHistory"]["versions"]
    return found


# --- the rule alone ----------------------------------------------------------------------------------------------


def test_a_change_takes_effect_today_or_later_never_before() -> None:
    today = dt.date(2026, 11, 28)
    check_not_backdated(MapKind.RECIPIENT, "marketing_partners", today, today)
    check_not_backdated(MapKind.RECIPIENT, "marketing_partners", today + dt.timedelta(days=30), today)
    with pytest.raises(ValidationError) as refused:
        check_not_backdated(MapKind.FLOW, "web_logs_to_platform", dt.date(2026, 11, 27), today)
    message = str(refused.value)
    assert message.startswith("effectiveFrom: 2026-11-27 is before today (2026-11-28)")
    assert "flow 'web_logs_to_platform'" in message


# --- through the API ---------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_a_backdated_change_is_refused_and_every_earlier_answer_stays_as_it_was(
    api: GraphQLClient, seeded: Database
) -> None:
    before = (await api.query(BROWSE, d=YESTERDAY))["recipients"]
    seed_versions = await versions(api, "RECIPIENT", "marketing_partners")
    (seed_version,) = [v["version"] for v in seed_versions]
    assert seed_versions[0]["validFrom"] < YESTERDAY, "yesterday is after the current version began"

    changed = await upsert(api, "Recipient", {**SEED_PARTNERS, "role": "AFFILIATE"}, seed_version, YESTERDAY)
    code, message = refusal(changed, "upsertRecipient")
    assert code == "BAD_USER_INPUT"
    assert message.startswith(f"effectiveFrom: {YESTERDAY} is before today ({TODAY.isoformat()})")
    assert "recipient 'marketing_partners'" in message
    created = await upsert(api, "Organisation", PARTNER, None, YESTERDAY)
    code, message = refusal(created, "upsertOrganisation")
    assert code == "BAD_USER_INPUT" and "organisation 'acme_marketing'" in message and YESTERDAY in message
    retired = await api.raw(
        RETIRE, kind="SOURCE", key="forms_questionnaires_surveys", expected=1, **{"from": YESTERDAY}
    )
    code, message = refusal(retired, "retireMapEntry")
    assert code == "BAD_USER_INPUT" and "source 'forms_questionnaires_surveys'" in message
    assert YESTERDAY in message

    assert await versions(api, "RECIPIENT", "marketing_partners") == seed_versions, "no version written"
    assert (await api.raw(HISTORY, kind="ORGANISATION", key="acme_marketing"))["data"]["mapHistory"] is None
    assert (await api.query(HISTORY, kind="SOURCE", key="forms_questionnaires_surveys"))["mapHistory"][
        "retired"
    ] is None
    assert (await api.query(BROWSE, d=YESTERDAY))["recipients"] == before, "yesterday's answer is as it was"
    outcomes = [
        (e.entry.operation, e.entry.outcome)
        for e in await audit.events(seeded)
        if e.entry.operation in ("upsertRecipient", "upsertOrganisation", "retireMapEntry")
    ]
    assert outcomes == [
        ("upsertRecipient", "refused: BAD_USER_INPUT"),
        ("upsertOrganisation", "refused: BAD_USER_INPUT"),
        ("retireMapEntry", "refused: BAD_USER_INPUT"),
    ]

    # today is allowed, and so is a later day (a scheduled change) ...
    today = await upsert(
        api, "Recipient", {**SEED_PARTNERS, "role": "AFFILIATE"}, seed_version, TODAY.isoformat()
    )
    assert today["data"]["upsertRecipient"]["versionFrom"] == TODAY.isoformat(), today
    later = (TODAY + dt.timedelta(days=10)).isoformat()
    scheduled = await upsert(api, "Recipient", SEED_PARTNERS, seed_version + 1, later)
    assert scheduled["data"]["upsertRecipient"]["versionFrom"] == later, scheduled
    # ... but not a day before the current (scheduled) version begins: that would rewrite it
    between = (TODAY + dt.timedelta(days=5)).isoformat()
    early = await upsert(
        api, "Recipient", {**SEED_PARTNERS, "kind": "data_broker"}, seed_version + 2, between
    )
    code, message = refusal(early, "upsertRecipient")
    assert (
        code == "BAD_USER_INPUT"
        and f"effectiveFrom: {between} is before version {seed_version + 2}" in message
    )
    assert "recipient 'marketing_partners'" in message and later in message
    assert [v["validFrom"] for v in await versions(api, "RECIPIENT", "marketing_partners")][-1] == later


@pytest.mark.neo4j
async def test_two_changes_from_the_same_version_at_once_give_one_version_and_one_conflict(
    api: GraphQLClient, seeded: Database
) -> None:
    created = await upsert(api, "Organisation", PARTNER)
    assert created["data"]["upsertOrganisation"]["version"] == 1, created
    addresses = ["500 Howard Street, San Francisco, CA 94105, US", "2 Pier, Oakland, CA 94607, US"]
    for attempt in range(3):  # the race is real each time: neither waits for the other to start
        expected = attempt + 1
        answers = await asyncio.gather(
            *(
                upsert(api, "Organisation", {**PARTNER, "address": f"{a} ({attempt})"}, expected)
                for a in addresses
            )
        )
        won = [a for a in answers if a["data"]["upsertOrganisation"] is not None]
        lost = [a for a in answers if a["data"]["upsertOrganisation"] is None]
        assert len(won) == 1 and len(lost) == 1, answers
        assert won[0]["data"]["upsertOrganisation"]["version"] == expected + 1
        code, message = refusal(lost[0], "upsertOrganisation")
        assert code == "CONFLICT", message
        assert f"version {expected} is stale; it is at version {expected + 1}" in message
        found = await versions(api, "ORGANISATION", "acme_marketing")
        assert [v["version"] for v in found] == list(range(1, expected + 2)), "exactly one new version"
        assert [v["validTo"] for v in found][-1] is None
        assert all(v["validTo"] == TODAY.isoformat() for v in found[:-1])
    (row,) = await seeded.read(
        "MATCH (o:Organisation {key: 'acme_marketing'}) "
        "RETURN o.version AS version, COUNT { (o)-[:PREVIOUS_VERSION]->(:MapVersion) } AS previous"
    )
    assert (row["version"], row["previous"]) == (4, 3), "each lost change wrote nothing"


KNOW = """query($subject: SubjectInput!, $receivedAt: Date!) {
  ccpaRightToKnow(subject: $subject, receivedAt: $receivedAt) { categoriesCollected { letter } } }"""


@pytest.mark.neo4j
async def test_a_right_to_know_names_the_ccpa_categories_the_map_gave_on_the_day_asked_about(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    """§1798.140(v)(1): a category's letter changed today leaves the answer as of an earlier day as it was."""
    asked = TODAY - dt.timedelta(days=5)
    clock.at = dt.datetime.combine(asked, dt.time(12), dt.UTC)
    await api.query(
        "mutation($input: CollectionInput!) { recordCollection(input: $input) { id } }",
        input={
            "subject": JORDAN,
            "categories": ["user.workplace"],
            "source": "forms_questionnaires_surveys",
            "system": "sharpspring_platform",
            "at": f"{(asked - dt.timedelta(days=10)).isoformat()}T10:00:00Z",
        },
    )

    async def letters(received: dt.date) -> set[str]:
        found = (await api.query(KNOW, subject=JORDAN, receivedAt=received.isoformat()))["ccpaRightToKnow"]
        return {c["letter"] for c in found["categoriesCollected"]}

    given = await letters(asked)
    assert "I" in given, "user.workplace: professional or employment-related information"

    clock.at = NOW
    (workplace,) = [c for c in read_seed().data_categories if c.key == "user.workplace"]
    fields = workplace.model_dump(by_alias=True, exclude={"valid_from", "valid_to"})
    await map_editing.upsert(
        seeded,
        MapKind.DATA_CATEGORY,
        {**fields, "ccpaCategory": "D"},
        expected_version=1,
        reason="company names are kept as commercial information",
        effective_from=None,
        principal=Principal("editor", Role.ADMIN),
        now=NOW,
    )
    assert await letters(asked) == given, "the answer as of the day asked about is as it was given"
    today = await letters(TODAY)
    assert "I" not in today and "D" in today

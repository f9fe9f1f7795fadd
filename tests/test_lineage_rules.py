"""Lineage from the statements' rows, without Neo4j: where data goes, by which path, observed or by the map."""

from __future__ import annotations

import datetime as dt

from datamap.domain.lineage import category_lineage, subject_lineage
from datamap.domain.lineage_types import Lineage, LineagePath, Reached
from tests.helpers import (
    Row,
    at,
    category_row,
    disclosure,
    flow,
    purpose,
    recipient,
    record,
    source,
    subject_row,
    system,
    transfer,
    walk,
)

AS_OF = dt.date(2024, 12, 31)

# A small map: a web form feeds the CRM, which syncs contacts to the mailer, which sends through an email service
# provider (a processor) and passes device data to an ad network. The subject filled in the form once and was
# disclosed to the email service provider directly too.
WEB_FORM = source("web_form", kind="direct")
CRM = system("crm")
MAILER = system("mailer")
ESP = recipient("esp", role="processor", country="US", organisation="esp_inc")
ADS = recipient("ads", role="third_party", kind="advertising", country="IE")
NEWSLETTER = purpose("newsletter", legal_basis="consent")
ANALYTICS = purpose("analytics")
SYNC = flow("crm_to_mailer", ["user.contact"])
SEND = flow("mailer_to_esp", ["user.contact.email", "user.device"], purposes=["newsletter"])
TRACK = flow("mailer_to_ads", ["user.device.ip_address"])
HELD = ["user.contact.email", "user.device.ip_address"]


def lead(*, country: str | None = "NL", category: str | None = None, max_hops: int = 6) -> Lineage:
    disclosed = disclosure("d1", ESP, ["user.contact.email"], at("2024-05-03"), purpose=NEWSLETTER)
    row = subject_row(
        "lead-1",
        country=country,
        records=[record("r1", CRM, HELD, at("2024-05-01"), came_from=WEB_FORM)],
        # the statement leaves out a disclosure of none of the asked category
        disclosures=[] if category == "user.device" else [disclosed],
        walks=[
            walk(CRM, (SYNC, MAILER), (SEND, ESP), from_record="r1"),
            walk(CRM, (SYNC, MAILER), (TRACK, ADS), from_record="r1"),
        ],
        map_purposes=[{"record": "r1", "purpose": "analytics", "category": "user.device"}],
        purposes=[NEWSLETTER, ANALYTICS],
        transfers=[
            transfer("eu_to_us_esp", importer="esp_inc", categories=["user.contact"], from_countries=["EU"])
        ],
    )
    return subject_lineage(row, as_of=AS_OF, category=category, max_hops=max_hops)


def by_key(nodes: list[Reached]) -> dict[str, Reached]:
    return {n.key: n for n in nodes}


def keys(path: LineagePath) -> list[str]:
    return [s.key for s in path.steps]


def vias(path: LineagePath) -> list[str | None]:
    return [s.via for s in path.steps]


def test_a_recorded_collection_reaches_its_system_and_source_as_observed() -> None:
    lineage = lead()
    assert lineage.as_of == AS_OF and lineage.subject_id == "lead-1"
    crm = by_key(lineage.systems)["crm"]
    assert crm.observed and crm.first_observed == at("2024-05-01")
    (observed,) = [p for p in crm.paths if p.observed]
    assert keys(observed) == ["lead-1", "crm"] and vias(observed) == [None, "record:r1"]
    assert set(observed.categories) == set(HELD)
    (form,) = lineage.sources
    assert form.key == "web_form" and form.observed and form.details["kind"] == "direct"


def test_the_map_carries_data_on_and_says_it_was_not_observed() -> None:
    mailer = by_key(lead().systems)["mailer"]
    assert not mailer.observed
    (path,) = mailer.paths
    assert keys(path) == ["lead-1", "crm", "mailer"]
    assert vias(path) == [None, "record:r1", "crm_to_mailer"]
    # the sync carries contact data only: the IP address stays behind in the CRM
    assert path.categories == ("user.contact.email",)


def test_a_recipient_disclosed_to_and_reached_by_the_map_shows_the_observed_path_first() -> None:
    esp = by_key(lead().recipients)["esp"]
    assert esp.observed and esp.first_observed == at("2024-05-03")
    assert [p.observed for p in esp.paths] == [True, False]
    assert vias(esp.paths[0]) == [None, "disclosure:d1"]
    assert keys(esp.paths[1]) == ["lead-1", "crm", "mailer", "esp"]
    assert vias(esp.paths[1])[-2:] == ["crm_to_mailer", "mailer_to_esp"]


def test_data_narrowed_away_along_a_path_reaches_no_one_further() -> None:
    """The ad flow carries the IP address, which the subject has, but it never got past the CRM to the mailer."""
    lineage = lead()
    assert "ads" not in by_key(lineage.recipients)
    assert not lineage.truncated


def test_purposes_observed_on_a_disclosure_and_implied_by_the_map() -> None:
    purposes = by_key(lead().purposes)
    assert purposes["newsletter"].observed
    assert not purposes["analytics"].observed
    assert purposes["analytics"].categories == {"user.device.ip_address"}
    (analytics,) = purposes["analytics"].paths
    assert keys(analytics) == ["lead-1", "crm", "analytics"]


def test_a_question_about_one_category_follows_that_category_only() -> None:
    lineage = lead(category="user.device")
    assert by_key(lineage.systems)["crm"].categories == {"user.device.ip_address"}
    # the sync carries no device data, so nothing of it reaches the mailer or beyond
    assert set(by_key(lineage.systems)) == {"crm"}
    assert lineage.recipients == []


def test_a_transfer_is_reached_through_its_importers_recipient_and_only_from_its_export_countries() -> None:
    (t,) = lead(country="NL").transfers
    assert t.key == "eu_to_us_esp" and t.observed  # the disclosure to its importer was observed
    assert t.categories == {"user.contact.email"}
    assert keys(t.paths[0])[-2:] == ["esp", "eu_to_us_esp"]
    assert lead(country="US").transfers == []


def chain_row() -> Row:
    """crm -> a -> b -> c, every flow carrying all user data."""
    a, b, c = system("a"), system("b"), system("c")
    carry = ["user"]
    return subject_row(
        "s",
        records=[record("r1", CRM, ["user.contact.email"], at("2024-05-01"))],
        walks=[
            walk(
                CRM,
                (flow("to_a", carry), a),
                (flow("to_b", carry), b),
                (flow("to_c", carry), c),
                from_record="r1",
            )
        ],
    )


def test_max_hops_bounds_the_answer_counting_the_record_and_says_it_was_cut() -> None:
    cut = subject_lineage(chain_row(), as_of=AS_OF, category=None, max_hops=2)
    assert set(by_key(cut.systems)) == {"crm", "a"} and cut.truncated
    wider = subject_lineage(chain_row(), as_of=AS_OF, category=None, max_hops=3)
    assert set(by_key(wider.systems)) == {"crm", "a", "b"} and wider.truncated
    whole = subject_lineage(chain_row(), as_of=AS_OF, category=None, max_hops=4)
    assert set(by_key(whole.systems)) == {"crm", "a", "b", "c"} and not whole.truncated


def test_a_place_beyond_the_bound_reached_by_a_shorter_path_is_not_a_cut() -> None:
    row = chain_row()
    b = system("b")
    shortcut = subject_row(
        "s",
        records=row["records"],
        walks=[
            walk(CRM, (flow("to_a", ["user"]), system("a")), (flow("to_b", ["user"]), b), from_record="r1"),
            walk(CRM, (flow("crm_to_b", ["user"]), b), from_record="r1"),
        ],
    )
    lineage = subject_lineage(shortcut, as_of=AS_OF, category=None, max_hops=2)
    assert set(by_key(lineage.systems)) == {"crm", "a", "b"}
    assert [keys(p) for p in by_key(lineage.systems)["b"].paths] == [["s", "crm", "b"]]
    assert not lineage.truncated


# --- where a category goes by the map ------------------------------------------------------------------------------

CATEGORIES = ["user", "user.contact", "user.contact.email", "user.contact.phone_number"]
SMS = recipient("sms_gateway", role="processor", kind="sms")
WAREHOUSE = system("warehouse")


def contact_lineage(max_hops: int = 7) -> Lineage:
    row = category_row(
        CATEGORIES,
        stored=[(CRM, "user.contact.email"), (WAREHOUSE, "user")],
        processed=[(NEWSLETTER, "user.contact.email")],
        walks=[
            walk(
                WEB_FORM,
                (flow("form_to_crm", ["user.contact.email", "user.name"]), CRM),
                (SYNC, MAILER),
                (SEND, ESP),
            ),
            walk(
                WEB_FORM,
                (flow("form_to_crm", ["user.contact.email", "user.name"]), CRM),
                (SYNC, MAILER),
                (flow("mailer_to_sms", ["user.contact.phone_number"]), SMS),
            ),
        ],
        purposes=[NEWSLETTER, ANALYTICS],
        transfers=[transfer("eu_to_us_esp", importer="esp_inc", categories=["user"])],
    )
    return category_lineage(row, category="user.contact", as_of=AS_OF, max_hops=max_hops)


def test_systems_storing_the_category_or_a_wider_one_hold_what_of_it_they_can() -> None:
    systems = by_key(contact_lineage().systems)
    assert systems["crm"].categories == {"user.contact.email"}
    assert systems["warehouse"].categories == {"user.contact"}  # it stores all user data: all contact data
    assert all(not s.observed for s in systems.values())


def test_category_paths_start_at_the_source_and_narrow_along_the_flows() -> None:
    lineage = contact_lineage()
    (form,) = lineage.sources
    assert form.key == "web_form" and form.categories == {"user.contact.email"}
    esp = by_key(lineage.recipients)["esp"]
    (path,) = esp.paths
    assert keys(path) == ["web_form", "crm", "mailer", "esp"]
    assert vias(path) == [None, "form_to_crm", "crm_to_mailer", "mailer_to_esp"]
    assert path.categories == ("user.contact.email",)
    # the SMS flow carries phone numbers, but only email addresses came in through the form
    assert "sms_gateway" not in by_key(lineage.recipients)


def test_purposes_come_from_processing_and_from_the_flows_that_name_them() -> None:
    newsletter = by_key(contact_lineage().purposes)["newsletter"]
    assert sorted(vias(p)[-1] for p in newsletter.paths) == ["mailer_to_esp", "processes"]
    assert "analytics" not in by_key(contact_lineage().purposes)


def test_a_transfer_carrying_a_wider_category_carries_the_asked_one() -> None:
    (t,) = contact_lineage().transfers
    assert t.key == "eu_to_us_esp" and t.categories == {"user.contact"}


def test_category_lineage_is_cut_at_max_hops() -> None:
    cut = contact_lineage(max_hops=2)
    assert set(by_key(cut.systems)) == {"crm", "mailer", "warehouse"}
    assert "esp" not in by_key(cut.recipients) and cut.truncated
    assert not contact_lineage(max_hops=3).truncated


def test_what_only_an_event_brings_data_to_is_listed_apart_with_the_event() -> None:
    court = recipient("court", role="authority", kind="authority", country="NL")
    on_order = flow("mailer_to_court", ["user.contact"], purposes=["newsletter"], trigger="legal_request")
    row = subject_row(
        "lead-1",
        records=[record("r1", CRM, HELD, at("2024-05-01"))],
        walks=[
            walk(CRM, (SYNC, MAILER), (SEND, ESP), from_record="r1"),
            walk(CRM, (SYNC, MAILER), (on_order, court), from_record="r1"),
        ],
        purposes=[NEWSLETTER, ANALYTICS],
    )
    lin = subject_lineage(row, as_of=AS_OF, category=None, max_hops=6)
    assert {n.key for n in lin.recipients} == {"esp"}
    (contingent,) = lin.contingent.recipients
    assert contingent.key == "court" and contingent.contingent and not contingent.observed
    assert contingent.when == ["a court, an authority or a legal claim requires it, or fraud is suspected"]
    assert contingent.paths[0].conditions == ("legal_request",)
    # the newsletter purpose is reached routinely through the processor, so it is not contingent
    assert "newsletter" in {p.key for p in lin.purposes} and not lin.contingent.purposes


def test_a_category_that_reaches_a_routine_destination_only_on_an_event_is_told_apart() -> None:
    # the ESP gets email addresses routinely; IP addresses go to it only if the person connects an account
    on_connection = flow(
        "crm_to_esp_connect",
        ["user.device.ip_address"],
        purposes=["newsletter"],
        trigger="account_connection",
    )
    row = subject_row(
        "lead-1",
        records=[record("r1", CRM, HELD, at("2024-05-01"))],
        walks=[
            walk(CRM, (SYNC, MAILER), (SEND, ESP), from_record="r1"),
            walk(CRM, (on_connection, ESP), from_record="r1"),
        ],
        purposes=[NEWSLETTER],
    )
    esp = by_key(subject_lineage(row, as_of=AS_OF, category=None, max_hops=6).recipients)["esp"]
    assert esp.routine and esp.categories == {"user.contact.email"}
    assert list(esp.on_event) == ["user.device.ip_address"]
    assert esp.on_event["user.device.ip_address"][0].startswith("the person connects")


def test_a_flow_carries_a_category_only_for_the_purposes_that_process_it() -> None:
    contact_only = purpose("outreach", categories=["user.contact"])
    both = flow("mailer_to_esp", ["user.contact.email", "user.device"], purposes=["outreach", "analytics"])
    row = subject_row(
        "lead-1",
        records=[record("r1", CRM, HELD, at("2024-05-01"))],
        walks=[walk(CRM, (SYNC, MAILER), (both, ESP), from_record="r1")],
        purposes=[contact_only, purpose("analytics", categories=["user.device"])],
    )
    devices = subject_lineage(row, as_of=AS_OF, category="user.device", max_hops=6)
    assert {p.key for p in devices.purposes} == set()  # SYNC carries no device data to the mailer
    full = subject_lineage(row, as_of=AS_OF, category=None, max_hops=6)
    purposes = by_key(full.purposes)
    assert purposes["outreach"].categories == {"user.contact.email"}
    assert "analytics" not in purposes  # the device data never reaches the flow that carries it for analytics

"""The erasure plan from the statement's row, without Neo4j: every holder, upstream first, what is kept and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from datamap.domain.erasure_plan import (
    SUPPRESSION_KEY,
    Action,
    ErasurePlan,
    PlannedTask,
    plan_erasure,
)
from datamap.domain.lineage import subject_lineage
from datamap.domain.retention_exceptions import OVERRIDING_BASES, exception_from_hold, exception_from_rule
from datamap.graph.erasure_queries import OVERRIDING_BASES_LIST
from tests.helpers import (
    Row,
    at,
    disclosure,
    erasure_row,
    flow,
    legal_hold,
    recipient,
    record,
    retention_rule,
    source,
    subject_row,
    system,
    walk,
)

AS_OF = dt.date(2026, 11, 28)
HOPS = 7

# The customer filled in a form (kept in the CRM, which has backups) and paid (kept in billing). The CRM syncs
# contacts to the mailer, which sends through an email service provider (a processor); the CRM also shares contacts
# with a partner (a controller of its own). A review of theirs was disclosed to a public forum.
CRM = system("crm", backups=True)
BILLING = system("billing")
MAILER = system("mailer")
ESP = recipient("esp", role="processor", country="US")
PARTNER = recipient("partner", role="third_party", kind="reseller", country="CA")
FORUM = recipient("forum", role="controller", kind="public", country="NL")
CONTACT = ["user.contact.email"]
PAID = ["user.contact.email", "user.financial.payment_history"]


def customer_row(
    *, cycle: bool = False, more_walks: Sequence[list[Row]] = (), more_disclosures: Sequence[Row] = ()
) -> Row:
    to_mailer = flow("crm_to_mailer", ["user.contact"])
    walks = [
        walk(
            CRM, (to_mailer, MAILER), (flow("mailer_to_esp", ["user.contact.email"]), ESP), from_record="r1"
        ),
        walk(CRM, (flow("crm_to_partner", ["user.contact"]), PARTNER), from_record="r1"),
        *more_walks,
    ]
    if cycle:  # the mailer writes bounces back into the CRM
        walks.append(
            walk(CRM, (to_mailer, MAILER), (flow("mailer_to_crm", ["user.contact"]), CRM), from_record="r1")
        )
    return subject_row(
        "customer-1",
        country="NL",
        records=[
            record("r1", CRM, PAID, at("2025-03-01"), came_from=source("checkout")),
            record("r2", BILLING, PAID, at("2025-03-01")),
        ],
        disclosures=[disclosure("d1", FORUM, ["user.contact.email"], at("2025-04-02")), *more_disclosures],
        walks=walks,
    )


def plan(
    row: Row | None = None,
    *,
    retention: list[Row] | None = None,
    holds: list[Row] | None = None,
    as_of: dt.date = AS_OF,
    max_hops: int = HOPS,
) -> ErasurePlan:
    """As the service plans: the lineage of the ERASURE_PLAN row, and the exceptions its rules and holds make."""
    full = erasure_row(row or customer_row(), retention=retention or [], holds=holds or [])
    lineage = subject_lineage(full, as_of=as_of, category=None, max_hops=max_hops)
    exceptions = [e for e in map(exception_from_rule, full["retention"]) if e is not None]
    exceptions += [exception_from_hold(h) for h in full["holds"]]
    return plan_erasure(lineage, exceptions, as_of=as_of, max_hops=max_hops)


def tasks_of(p: ErasurePlan) -> dict[str, PlannedTask]:
    return {t.key: t for t in p.tasks}


def before(p: ErasurePlan, first: str, then: str) -> bool:
    """Whether `then` waits for `first`: listed as its dependency and in a later stage."""
    tasks = tasks_of(p)
    return first in tasks[then].depends_on and tasks[first].stage < tasks[then].stage


def test_every_holder_gets_the_task_its_role_calls_for() -> None:
    actions = {(t.target, t.action) for t in plan().tasks}
    assert actions == {
        ("customer-1", Action.SUPPRESS),
        ("crm", Action.ERASE),
        ("crm", Action.BACKUP_BEYOND_USE),
        ("billing", Action.ERASE),
        ("mailer", Action.ERASE),
        ("esp", Action.INSTRUCT_PROCESSOR),
        ("partner", Action.NOTIFY_RECIPIENT),
        ("forum", Action.INFORM_PUBLIC),
    }
    assert tasks_of(plan())["erase:mailer"].categories == ("user.contact.email",)


def test_suppression_first_then_upstream_holders_before_downstream_ones() -> None:
    p = plan()
    assert p.tasks[0].key == SUPPRESSION_KEY and p.tasks[0].stage == 0
    assert before(p, "erase:crm", "erase:mailer")
    assert before(p, "erase:mailer", "instruct_processor:esp")
    assert before(p, "erase:crm", "notify_recipient:partner")
    assert before(p, "erase:crm", "backup:crm")
    # holders nothing flows into start right after the suppression, side by side
    starts = {t.key for t in p.tasks if t.depends_on == [SUPPRESSION_KEY]}
    assert starts == {"erase:crm", "erase:billing", "inform_controllers_of_publication:forum"}
    assert {tasks_of(p)[k].stage for k in starts} == {1}
    assert [t.stage for t in p.tasks] == sorted(t.stage for t in p.tasks)


def test_on_a_cycle_the_smaller_key_goes_first_and_the_plan_still_ends() -> None:
    p = plan(customer_row(cycle=True))
    assert before(p, "erase:crm", "erase:mailer")
    assert "erase:mailer" not in tasks_of(p)["erase:crm"].depends_on


def test_every_recipient_is_listed_for_art_19_with_role_and_country() -> None:
    recipients = {r.key: r for r in plan().recipients}
    assert set(recipients) == {"esp", "partner", "forum"}
    assert (recipients["esp"].role, recipients["esp"].country) == ("processor", "US")
    assert (recipients["partner"].role, recipients["partner"].country) == ("third_party", "CA")
    assert recipients["forum"].observed and not recipients["esp"].observed
    assert recipients["esp"].categories == ("user.contact.email",)


def test_a_tax_rule_restricts_payment_data_until_its_period_after_the_last_collection() -> None:
    tax = retention_rule(
        "tax_records", ["user.financial"], basis="legal_obligation_tax", period="P10Y", systems=["billing"]
    )
    tasks = tasks_of(plan(retention=[tax]))
    restrict = tasks["restrict:billing:tax_records"]
    assert restrict.action is Action.RESTRICT
    assert restrict.categories == ("user.financial.payment_history",)
    assert restrict.restricted_until == dt.date(2035, 3, 1)  # collected 2025-03-01, kept ten years
    assert tasks["erase:billing"].categories == ("user.contact.email",)  # the rest is erased
    # the rule names billing only: the CRM's copy of the payment history is erased
    assert not any(t.action is Action.RESTRICT for t in tasks.values() if t.target == "crm")
    assert "user.financial.payment_history" in tasks["erase:crm"].categories


def test_only_a_legal_obligation_with_a_period_keeps_data_from_erasure() -> None:
    need = retention_rule("business_need", ["user.financial"], basis="business_need", period="P10Y")
    no_period = retention_rule(
        "archive", ["user.financial"], basis="legal_obligation_accounting", period=None
    )
    p = plan(retention=[need, no_period])
    assert not any(t.action is Action.RESTRICT for t in p.tasks)
    assert "user.financial.payment_history" in tasks_of(p)["erase:billing"].categories


def test_once_the_period_has_run_out_everything_is_erased() -> None:
    tax = retention_rule("tax_records", ["user.financial"], period="P1Y", systems=["billing"])
    tasks = tasks_of(plan(retention=[tax]))  # collected 2025-03-01: kept until 2026-03-01, before AS_OF
    assert "restrict:billing:tax_records" not in tasks
    assert set(tasks["erase:billing"].categories) == set(PAID)


def test_a_legal_hold_restricts_what_it_covers_everywhere_until_its_date() -> None:
    hold = legal_hold("h1", ["user.contact"], until=dt.date(2027, 6, 30))
    tasks = tasks_of(plan(holds=[hold]))
    restricted = {t.target: t for t in tasks.values() if t.action is Action.RESTRICT}
    # everywhere the controller holds it, and at the processor holding it on its behalf (Art. 28(3)(g))
    assert set(restricted) == {"crm", "billing", "mailer", "esp"}
    for t in restricted.values():
        assert t.restricted_until == dt.date(2027, 6, 30) and t.exception == "hold:h1"
        assert t.categories == ("user.contact.email",)
        assert "17(3)(e)" in t.legal_ground
    assert "erase:mailer" not in tasks  # the mailer holds nothing else
    assert "instruct_processor:esp" not in tasks  # nor does the processor: it restricts instead
    assert "notify_recipient:partner" in tasks  # a third party keeps nothing for the controller's hold
    assert tasks["erase:billing"].categories == ("user.financial.payment_history",)


def test_a_hold_on_one_system_without_an_end_restricts_there_until_lifted() -> None:
    hold = legal_hold("h2", ["user.contact.email"], systems=["crm"])
    restricted = [t for t in plan(holds=[hold]).tasks if t.action is Action.RESTRICT]
    assert [(t.target, t.restricted_until) for t in restricted] == [("crm", None)]


def test_a_hold_whose_date_has_passed_restricts_nothing() -> None:
    hold = legal_hold("h3", ["user"], until=AS_OF)
    assert not any(t.action is Action.RESTRICT for t in plan(holds=[hold]).tasks)


def test_a_plan_cut_at_the_hop_bound_warns() -> None:
    assert plan().warnings == []
    (warning,) = plan(max_hops=2).warnings  # the processor lies three hops away
    assert "longer than 2 hops" in warning


# --- contingent flows, Art. 19 and retention downstream ---------------------------------------------------------------

COURT = recipient("authorities", role="authority", kind="authority", country="NL")
AUDITOR = recipient("auditor", role="processor", kind="auditing", country="NL")
ARCHIVE = system("archive")


def billing_row(*, court_disclosure: bool = False) -> Row:
    """The customer, with billing feeding an archive, an auditor (a processor) and, on a court's order only, the
    authorities; `court_disclosure`: such a disclosure was recorded."""
    on_order = flow("billing_to_authorities", ["user"], trigger="legal_request")
    walks = [
        walk(BILLING, (flow("billing_to_archive", ["user"]), ARCHIVE), from_record="r2"),
        walk(BILLING, (flow("billing_to_auditor", ["user.financial"]), AUDITOR), from_record="r2"),
        walk(BILLING, (on_order, COURT), from_record="r2"),
    ]
    ordered = [disclosure("d2", COURT, ["user.financial.payment_history"], at("2025-06-01"))]
    return customer_row(more_walks=walks, more_disclosures=ordered if court_disclosure else ())


def test_a_destination_reached_only_on_an_event_is_neither_a_task_nor_an_art_19_recipient() -> None:
    p = plan(billing_row())
    assert "authorities" not in {t.target for t in p.tasks}
    assert "authorities" not in {r.key for r in p.recipients}
    (warning,) = [w for w in p.warnings if "(authorities)" in w]  # not forgotten: staff are told to check
    assert (
        "a court, an authority or a legal claim requires it" in warning and "record the disclosure" in warning
    )
    recorded = plan(billing_row(court_disclosure=True))  # once a disclosure there is recorded, it is one
    court = next(r for r in recorded.recipients if r.key == "authorities")
    assert court.observed and court.why == "disclosed to it on 2025-06-01 (recorded)"
    assert "notify_recipient:authorities" in tasks_of(recorded)


def test_each_art_19_recipient_says_why() -> None:
    why = {r.key: r.why for r in plan(billing_row()).recipients}
    assert why["forum"] == "disclosed to it on 2025-04-02 (recorded)"
    assert why["esp"] == "the routine flow mailer_to_esp brings it the data from Mailer"
    assert why["auditor"] == "the routine flow billing_to_auditor brings it the data from Billing"


def test_a_tax_rule_keeps_the_data_restricted_in_backups_and_at_processors_not_at_third_parties() -> None:
    tax = retention_rule(
        "tax_records", ["user.financial"], basis="legal_obligation_tax", period="P10Y", systems=["billing"]
    )
    tasks = tasks_of(plan(billing_row(), retention=[tax]))
    for holder in (
        "billing",
        "archive",
        "auditor",
    ):  # the archive and the auditor keep it on billing's behalf
        restrict = tasks[f"restrict:{holder}:tax_records"]
        assert restrict.categories == ("user.financial.payment_history",), holder
        assert restrict.restricted_until == dt.date(2035, 3, 1)
    assert "28(3)(g)" in tasks["restrict:auditor:tax_records"].legal_ground
    assert (
        "28(3)(g)" not in tasks["restrict:archive:tax_records"].legal_ground
    )  # its own system: no processor
    assert "instruct_processor:auditor" not in tasks  # it holds nothing else: no deletion to instruct
    assert tasks["erase:archive"].categories == ("user.contact.email",)
    # the CRM's backups hold no restricted data; were billing backed up, its backups would keep it restricted
    assert "user.financial.payment_history" in tasks["backup:crm"].categories
    assert "crm" not in {t.target for t in tasks.values() if t.action is Action.RESTRICT}


def test_the_latest_collection_counts_however_many_paths_there_are_to_show() -> None:
    """A node shows at most 20 paths; the retention period still runs from the latest of all collections."""
    old = [record(f"r{i}", BILLING, PAID, at(f"2015-01-{i + 1:02d}")) for i in range(20)]
    new = [record(f"n{i}", BILLING, PAID, at(f"2025-03-{i + 1:02d}")) for i in range(5)]
    row = subject_row("customer-1", country="NL", records=[*old, *new])
    tax = retention_rule(
        "tax_records", ["user.financial"], basis="legal_obligation_tax", period="P7Y", systems=["billing"]
    )
    restrict = tasks_of(plan(row, retention=[tax]))["restrict:billing:tax_records"]
    assert restrict.restricted_until == dt.date(2032, 3, 5)  # 7 years after 2025-03-05, not after 2015


def test_the_plan_statement_reads_the_rules_of_the_bases_that_can_override_erasure() -> None:
    """ERASURE_PLAN reads only the rules whose basis can override erasure: its list is the domain's."""
    assert sorted(OVERRIDING_BASES_LIST.strip("[]").replace("'", "").split(", ")) == sorted(OVERRIDING_BASES)

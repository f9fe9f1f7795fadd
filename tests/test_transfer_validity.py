"""Validity of transfer mechanisms on a date, without the database: EU/EEA and Swiss exports, each boundary day.

UK exports: tests/test_transfer_validity_uk.py. The words given to a person and to staff:
tests/test_transfer_safeguards.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from datamap.domain.transfer_validity import (
    Certification,
    Finding,
    Severity,
    TransferFacts,
    Validity,
    assess,
    register_health,
)
from datamap.domain.vocabulary import TransferMechanism as M

D = dt.date
TODAY = D(2026, 11, 26)
PS_CERT = Certification(M.EU_US_PRIVACY_SHIELD, D(2016, 8, 1), D(2023, 7, 9))
SWISS_PS_CERT = Certification(M.SWISS_US_PRIVACY_SHIELD, D(2017, 4, 12))
DPF_CERT = Certification(M.EU_US_DPF, D(2023, 7, 10))
SWISS_DPF_CERT = Certification(M.SWISS_US_DPF, D(2023, 7, 17))


def transfer(
    mechanism: M,
    *certifications: Certification,
    from_countries: tuple[str, ...] = ("EU",),
    to_countries: tuple[str, ...] = ("US",),
    tia_review_date: dt.date | None = None,
    valid_from: dt.date | None = None,
    contract_date: dt.date | None = None,
) -> TransferFacts:
    return TransferFacts(
        key=f"crm-to-{mechanism.value}",
        mechanism=mechanism,
        from_countries=from_countries,
        to_countries=to_countries,
        importer_certifications=certifications,
        tia_review_date=tia_review_date,
        valid_from=valid_from,
        contract_date=contract_date,
    )


def codes(validity: Validity) -> list[str]:
    return [f.code for f in validity.findings]


def only(validity: Validity, code: str) -> Finding:
    (finding,) = (f for f in validity.findings if f.code == code)
    return finding


def critical(validity: Validity, code: str) -> Finding:
    """The transfer has no valid mechanism: not valid, and the finding is CRITICAL."""
    assert not validity.valid
    finding = only(validity, code)
    assert finding.severity is Severity.CRITICAL
    return finding


# EU-US Privacy Shield: Decision (EU) 2016/1250 of 12 July 2016, invalidated by CJEU C-311/18 on 16 July 2020


def test_privacy_shield_holds_from_12_july_2016_to_15_july_2020_for_a_certified_importer() -> None:
    shield = transfer(M.EU_US_PRIVACY_SHIELD, Certification(M.EU_US_PRIVACY_SHIELD, D(2016, 7, 1)))
    critical(assess(shield, D(2016, 7, 11)), "privacy_shield_not_in_force")
    assert assess(shield, D(2016, 7, 12)) == Validity(True, ())
    assert assess(shield, D(2020, 7, 15)) == Validity(True, ())
    invalid = critical(assess(shield, D(2020, 7, 16)), "privacy_shield_invalidated")
    assert "16 July 2020" in invalid.message and "C-311/18" in invalid.message


@pytest.mark.parametrize(
    ("certifications", "state"),
    [((), "no certification of the importer is recorded"), ((PS_CERT,), None)],
)
def test_privacy_shield_covers_certified_importers_only(
    certifications: tuple[Certification, ...], state: str | None
) -> None:
    result = assess(transfer(M.EU_US_PRIVACY_SHIELD, *certifications), D(2019, 6, 1))
    if state is None:
        assert result == Validity(True, ())
    else:
        assert state in critical(result, "importer_not_privacy_shield_certified").message
    lapsed = Certification(M.EU_US_PRIVACY_SHIELD, D(2017, 1, 1), D(2019, 5, 31))
    critical(
        assess(transfer(M.EU_US_PRIVACY_SHIELD, lapsed), D(2019, 6, 1)),
        "importer_not_privacy_shield_certified",
    )


def test_the_fix_on_17_july_2020_recommends_the_2010_sccs_with_an_impact_assessment_not_the_2021_sccs() -> (
    None
):
    fix = critical(
        assess(transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT), D(2020, 7, 17)), "privacy_shield_invalidated"
    ).fix
    assert "2010/87/EU" in fix
    assert "transfer impact assessment" in fix and "supplementary measures" in fix
    assert "2021/914" not in fix  # in force only from 27 June 2021
    assert "Data Privacy Framework" not in fix  # applies only from 10 July 2023


def test_the_privacy_shield_fix_follows_what_was_in_force_on_the_day() -> None:
    shield = transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT, DPF_CERT)
    on_26_june_2021 = only(assess(shield, D(2021, 6, 26)), "privacy_shield_invalidated").fix
    on_27_june_2021 = only(assess(shield, D(2021, 6, 27)), "privacy_shield_invalidated").fix
    assert "2010/87/EU" in on_26_june_2021 and "2021/914" not in on_26_june_2021
    assert "2021/914" in on_27_june_2021 and "2010/87/EU" not in on_27_june_2021
    # the importer's DPF certification is offered only from the day the DPF applies
    assert (
        "Data Privacy Framework" not in only(assess(shield, D(2023, 7, 9)), "privacy_shield_invalidated").fix
    )
    today = only(assess(shield, D(2023, 7, 10)), "privacy_shield_invalidated").fix
    assert today.startswith(
        "rely on the EU-US Data Privacy Framework (Commission Implementing Decision (EU) 2023/1795"
    )
    assert "record mechanism eu_us_dpf" in today
    expired = Certification(M.EU_US_DPF, D(2023, 7, 17), D(2025, 7, 16))
    later = only(assess(transfer(M.EU_US_PRIVACY_SHIELD, expired), TODAY), "privacy_shield_invalidated")
    assert "2021/914" in later.fix and "Data Privacy Framework" not in later.fix


# `adequacy` to the US: whichever US framework held for EU exports that day, for importers certified under it


@pytest.mark.parametrize(
    ("on", "certifications", "code"),
    [
        (
            D(2016, 7, 12),
            (PS_CERT,),
            "importer_not_privacy_shield_certified",
        ),  # Privacy Shield; not yet certified
        (D(2016, 8, 1), (PS_CERT,), None),
        (D(2020, 7, 15), (PS_CERT,), None),
        (D(2019, 6, 1), (), "importer_not_privacy_shield_certified"),
        (D(2020, 7, 16), (PS_CERT, DPF_CERT), "no_us_adequacy"),  # Schrems II: no US adequacy
        (D(2023, 7, 9), (PS_CERT, DPF_CERT), "no_us_adequacy"),
        (D(2023, 7, 10), (DPF_CERT,), None),  # Decision (EU) 2023/1795
        (D(2023, 7, 10), (), "importer_not_dpf_certified"),
        (TODAY, (DPF_CERT,), None),
        (TODAY, (PS_CERT, SWISS_DPF_CERT), "importer_not_dpf_certified"),  # another programme does not count
        (D(2015, 10, 6), (PS_CERT,), "no_us_adequacy"),  # Safe Harbor invalid, Privacy Shield not yet
        (D(2016, 7, 11), (PS_CERT,), "no_us_adequacy"),
    ],
)
def test_adequacy_for_the_us_holds_only_when_a_framework_does_and_the_importer_is_certified(
    on: dt.date, certifications: tuple[Certification, ...], code: str | None
) -> None:
    result = assess(transfer(M.ADEQUACY, *certifications), on)
    if code is None:
        assert result.valid
        assert codes(result) == ["adequacy_us_is_framework"]
        assert result.findings[0].severity is Severity.INFO
    else:
        critical(result, code)


def test_no_us_adequacy_says_why_and_recommends_what_was_in_force() -> None:
    gap = critical(assess(transfer(M.ADEQUACY, PS_CERT), D(2020, 7, 17)), "no_us_adequacy")
    assert "C-311/18" in gap.message and "10 July 2023" in gap.message
    assert "2010/87/EU" in gap.fix and "2021/914" not in gap.fix
    before = critical(assess(transfer(M.ADEQUACY), D(2016, 1, 1)), "no_us_adequacy")
    assert "C-362/14" in before.message and "12 July 2016" in before.message
    assert "transfer impact assessment" not in before.fix  # not asked for before Schrems II


def test_adequacy_before_safe_harbor_fell_is_not_assessed_and_elsewhere_is_data() -> None:
    result = assess(transfer(M.ADEQUACY), D(2015, 10, 5))
    assert result.valid and codes(result) == ["us_adequacy_not_assessed"]
    assert assess(transfer(M.ADEQUACY, to_countries=("JP",)), TODAY) == Validity(True, ())


# EU-US Data Privacy Framework: Decision (EU) 2023/1795 of 10 July 2023


def test_dpf_is_no_basis_before_10_july_2023_and_the_fix_names_the_sccs_of_that_day() -> None:
    dpf = transfer(M.EU_US_DPF, DPF_CERT)
    assert "2021/914" in critical(assess(dpf, D(2023, 7, 9)), "dpf_not_in_force").fix
    assert assess(dpf, D(2023, 7, 10)) == Validity(True, ())
    in_2021 = critical(assess(dpf, D(2021, 1, 4)), "dpf_not_in_force").fix
    assert "2010/87/EU" in in_2021 and "2021/914" not in in_2021


def test_dpf_without_a_certification_is_no_basis() -> None:
    critical(assess(transfer(M.EU_US_DPF), TODAY), "importer_not_dpf_certified")
    critical(assess(transfer(M.EU_US_DPF, SWISS_DPF_CERT), TODAY), "importer_not_dpf_certified")


def test_dpf_certification_holds_through_its_last_day() -> None:
    expiring = transfer(M.EU_US_DPF, Certification(M.EU_US_DPF, D(2023, 7, 17), D(2024, 7, 16)))
    assert codes(assess(expiring, D(2023, 7, 16))) == ["importer_not_dpf_certified"]
    assert assess(expiring, D(2023, 7, 17)).valid
    assert assess(expiring, D(2024, 7, 16)).valid
    assert codes(assess(expiring, D(2024, 7, 17))) == ["importer_not_dpf_certified"]


def test_dpf_data_going_elsewhere_than_the_us_has_no_mechanism() -> None:
    finding = critical(
        assess(transfer(M.EU_US_DPF, DPF_CERT, to_countries=("US", "IN")), TODAY), "destination_not_us"
    )
    assert "IN" in finding.message


def test_the_eu_us_dpf_does_not_cover_swiss_exporters() -> None:
    finding = critical(
        assess(transfer(M.EU_US_DPF, DPF_CERT, from_countries=("DE", "CH")), TODAY), "exporter_not_covered"
    )
    assert "Switzerland" in finding.message and "Swiss amendments" in finding.fix


# Switzerland (FADP): Swiss-US Privacy Shield until 8 September 2020, Swiss-US DPF from 15 September 2024


def test_swiss_privacy_shield_ends_on_8_september_2020() -> None:
    swiss = transfer(M.SWISS_US_PRIVACY_SHIELD, SWISS_PS_CERT, from_countries=("CH",))
    assert assess(swiss, D(2020, 7, 16)).valid  # Schrems II did not end the Swiss scheme
    assert assess(swiss, D(2020, 9, 7)).valid
    assert "8 September 2020" in critical(assess(swiss, D(2020, 9, 8)), "privacy_shield_invalidated").message


def test_swiss_privacy_shield_fix_points_to_the_swiss_dpf_from_15_september_2024() -> None:
    swiss = transfer(M.SWISS_US_PRIVACY_SHIELD, SWISS_PS_CERT, SWISS_DPF_CERT, from_countries=("CH",))
    before = only(assess(swiss, D(2024, 9, 14)), "privacy_shield_invalidated")
    after = only(assess(swiss, D(2024, 9, 15)), "privacy_shield_invalidated")
    assert "Swiss amendments" in before.fix and "Data Privacy Framework" not in before.fix
    assert after.fix.startswith("rely on the Swiss-US Data Privacy Framework")


def test_swiss_dpf_applies_from_15_september_2024() -> None:
    swiss = transfer(M.SWISS_US_DPF, SWISS_DPF_CERT, from_countries=("CH",))
    critical(assess(swiss, D(2024, 9, 14)), "dpf_not_in_force")
    assert assess(swiss, D(2024, 9, 15)) == Validity(True, ())
    eu_certified_only = transfer(M.SWISS_US_DPF, DPF_CERT, from_countries=("CH",))
    critical(assess(eu_certified_only, D(2024, 9, 15)), "importer_not_dpf_certified")


@pytest.mark.parametrize(
    ("on", "certifications", "code"),
    [
        (D(2020, 9, 7), (SWISS_PS_CERT,), None),
        (D(2020, 9, 8), (SWISS_PS_CERT, SWISS_DPF_CERT), "no_us_adequacy"),
        (D(2024, 9, 14), (SWISS_DPF_CERT,), "no_us_adequacy"),
        (D(2024, 9, 15), (SWISS_DPF_CERT,), None),
        (D(2024, 9, 15), (DPF_CERT,), "importer_not_dpf_certified"),
    ],
)
def test_swiss_adequacy_for_the_us(
    on: dt.date, certifications: tuple[Certification, ...], code: str | None
) -> None:
    result = assess(transfer(M.ADEQUACY, *certifications, from_countries=("CH",)), on)
    if code is None:
        assert result.valid
    else:
        critical(result, code)


# SCCs 2021 (Decision (EU) 2021/914) and the transfer impact assessment


def test_scc_2021_apply_from_27_june_2021_and_before_the_fix_names_the_2010_sccs() -> None:
    scc = transfer(M.SCC_2021, tia_review_date=D(2027, 1, 1))
    fix = critical(assess(scc, D(2021, 6, 26)), "scc_2021_not_in_force").fix
    assert "2010/87/EU" in fix and "2021/914" not in fix
    assert assess(scc, D(2021, 6, 27)) == Validity(True, ())


def test_scc_2021_without_a_tia_stay_valid_with_a_high_finding() -> None:
    result = assess(transfer(M.SCC_2021), TODAY)
    assert result.valid
    finding = only(result, "tia_missing")
    assert finding.severity is Severity.HIGH
    assert "transfer impact assessment" in finding.fix


def test_scc_2021_with_an_overdue_tia_review_get_a_medium_finding() -> None:
    scc = transfer(M.SCC_2021, tia_review_date=D(2026, 11, 25))
    assert assess(scc, D(2026, 11, 25)) == Validity(True, ())  # due today is not overdue
    result = assess(scc, TODAY)
    assert result.valid
    assert only(result, "tia_review_overdue").severity is Severity.MEDIUM
    assert "2026-11-25" in only(result, "tia_review_overdue").message


# The pre-2021 SCCs: no new contract from 27 September 2021, none a basis from 27 December 2022 (2021/914 Art. 4)


def test_old_sccs_end_on_27_december_2022() -> None:
    old = transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2018, 5, 25))
    assert assess(old, D(2022, 12, 26)) == Validity(True, ())
    expired = critical(assess(old, D(2022, 12, 27)), "scc_2010_expired")
    assert "27 December 2022" in expired.message and "2021/914" in expired.fix


@pytest.mark.parametrize(("concluded", "valid"), [(D(2021, 9, 26), True), (D(2021, 9, 27), False)])
def test_a_new_contract_on_the_old_sccs_from_27_september_2021_is_no_basis(
    concluded: dt.date, valid: bool
) -> None:
    old = transfer(
        M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2018, 5, 25), contract_date=concluded
    )
    result = assess(old, D(2022, 1, 10))
    if valid:
        assert result == Validity(True, ())
    else:
        finding = critical(
            result, "scc_2010_after_repeal"
        )  # CRITICAL, not HIGH: the transfer has no mechanism
        assert "2021-09-27" in finding.message and "2021/914" in finding.fix


def test_without_a_contract_date_the_transfers_start_stands_for_it() -> None:
    started_late = transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2021, 9, 27))
    critical(assess(started_late, D(2022, 1, 10)), "scc_2010_after_repeal")
    unknown = assess(transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1)), D(2021, 9, 27))
    assert unknown.valid and only(unknown, "contract_date_not_recorded").severity is Severity.LOW
    assert assess(transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1)), D(2021, 9, 26)) == Validity(True, ())


def test_old_sccs_need_no_tia_before_schrems_ii_but_do_after() -> None:
    old = transfer(M.SCC_2010, valid_from=D(2018, 5, 25))
    assert assess(old, D(2020, 7, 15)) == Validity(True, ())
    assert codes(assess(old, D(2020, 7, 16))) == ["tia_missing"]


# Leap day, other mechanisms, scope


@pytest.mark.parametrize(
    ("mechanism", "certification", "valid"),
    [
        (M.EU_US_DPF, DPF_CERT, True),
        (M.EU_US_PRIVACY_SHIELD, PS_CERT, False),
        (M.SCC_2010, None, False),
        (M.SWISS_US_DPF, SWISS_DPF_CERT, False),  # 29 February 2024 is before 15 September 2024
    ],
)
def test_a_leap_day_is_an_ordinary_day(
    mechanism: M, certification: Certification | None, valid: bool
) -> None:
    certifications = (certification,) if certification else ()
    origin = ("CH",) if mechanism is M.SWISS_US_DPF else ("EU",)
    facts = transfer(mechanism, *certifications, from_countries=origin, valid_from=D(2019, 1, 1))
    assert assess(facts, D(2024, 2, 29)).valid is valid


def test_a_certification_starting_on_a_leap_day() -> None:
    leap = Certification(M.EU_US_DPF, D(2024, 2, 29), D(2025, 2, 28))
    assert not leap.holds_on(D(2024, 2, 28))
    assert leap.holds_on(D(2024, 2, 29))
    assert leap.holds_on(D(2025, 2, 28))
    assert not leap.holds_on(D(2025, 3, 1))


def test_a_derogation_is_valid_but_not_for_regular_transfers() -> None:
    result = assess(transfer(M.DEROGATION, to_countries=("IN",)), TODAY)
    assert result.valid
    assert only(result, "derogation_not_for_regular_transfers").severity is Severity.MEDIUM


def test_bcr_are_valid_with_a_reminder_of_their_approval() -> None:
    result = assess(transfer(M.BCR, to_countries=("IN",)), TODAY)
    assert result.valid
    assert [f.severity for f in result.findings] == [Severity.LOW]


def test_a_transfer_from_outside_the_eea_the_uk_and_switzerland_is_not_a_chapter_v_transfer() -> None:
    for mechanism in (M.SCC_2010, M.EU_US_PRIVACY_SHIELD):
        result = assess(transfer(mechanism, from_countries=("US",), to_countries=("IN",)), TODAY)
        assert result.valid and codes(result) == ["no_chapter_v_transfer"]
    assert codes(assess(transfer(M.SCC_2021, from_countries=("NO",)), TODAY)) == ["tia_missing"]  # EEA
    assert codes(assess(transfer(M.SCC_2021, from_countries=("CH",)), TODAY)) == ["tia_missing"]


def test_findings_come_most_severe_first() -> None:
    result = assess(transfer(M.SCC_2021, from_countries=("DE", "GB")), TODAY)
    assert [f.severity for f in result.findings] == [Severity.CRITICAL, Severity.HIGH]


def test_register_health_counts_findings_by_severity() -> None:
    register = [
        transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT),  # critical
        transfer(M.SCC_2021),  # high
        transfer(M.SCC_2021, tia_review_date=D(2025, 1, 1)),  # medium
        transfer(M.DEROGATION, to_countries=("IN",)),  # medium
        transfer(M.BCR, to_countries=("IN",)),  # low
        transfer(M.ADEQUACY, DPF_CERT),  # info
        transfer(M.EU_US_DPF, DPF_CERT),  # none
    ]
    health = register_health([(t, assess(t, TODAY)) for t in register])
    assert health == {"critical": 1, "high": 1, "medium": 2, "low": 1, "info": 1}
    assert register_health([]) == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}

"""Validity of transfer mechanisms on a date, without the database: Privacy Shield, DPF, SCCs, boundary days."""

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
PS_CERT = Certification(M.EU_US_PRIVACY_SHIELD, D(2017, 1, 1), D(2020, 12, 31))
SWISS_PS_CERT = Certification(M.SWISS_US_PRIVACY_SHIELD, D(2017, 4, 12))
DPF_CERT = Certification(M.EU_US_DPF, D(2023, 7, 17))
SWISS_DPF_CERT = Certification(M.SWISS_US_DPF, D(2023, 7, 17))


def transfer(
    mechanism: M,
    *certifications: Certification,
    from_countries: tuple[str, ...] = ("EU",),
    to_countries: tuple[str, ...] = ("US",),
    tia_review_date: dt.date | None = None,
    valid_from: dt.date | None = None,
) -> TransferFacts:
    return TransferFacts(
        key=f"crm-to-{mechanism.value}",
        mechanism=mechanism,
        from_countries=from_countries,
        to_countries=to_countries,
        importer_certifications=certifications,
        tia_review_date=tia_review_date,
        valid_from=valid_from,
    )


def codes(validity: Validity) -> list[str]:
    return [f.code for f in validity.findings]


def only(validity: Validity, code: str) -> Finding:
    (finding,) = (f for f in validity.findings if f.code == code)
    return finding


# Privacy Shield (EU-US): CJEU C-311/18, 16 July 2020


def test_privacy_shield_holds_before_schrems_ii_for_a_certified_importer() -> None:
    assert assess(transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT), D(2019, 6, 1)) == Validity(True, ())
    assert assess(transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT), D(2020, 7, 15)).valid


def test_privacy_shield_without_a_recorded_certification_is_valid_with_a_low_finding() -> None:
    result = assess(transfer(M.EU_US_PRIVACY_SHIELD), D(2019, 6, 1))
    assert result.valid
    assert only(result, "certification_not_recorded").severity is Severity.LOW


def test_privacy_shield_with_a_lapsed_certification_is_no_basis() -> None:
    lapsed = Certification(M.EU_US_PRIVACY_SHIELD, D(2017, 1, 1), D(2019, 5, 31))
    result = assess(transfer(M.EU_US_PRIVACY_SHIELD, lapsed), D(2019, 6, 1))
    assert not result.valid
    assert codes(result) == ["importer_not_privacy_shield_certified"]


@pytest.mark.parametrize("on", [D(2020, 7, 16), TODAY])
def test_privacy_shield_is_invalid_from_schrems_ii_and_the_fix_is_scc_without_dpf(on: dt.date) -> None:
    result = assess(transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT), on)
    assert not result.valid
    finding = only(result, "privacy_shield_invalidated")
    assert finding.severity is Severity.CRITICAL
    assert "crm-to-eu_us_privacy_shield" in finding.message
    assert "16 July 2020" in finding.message
    assert "Decision 2021/914" in finding.fix
    assert "Data Privacy Framework" not in finding.fix


def test_privacy_shield_fix_points_to_the_dpf_when_the_importer_is_dpf_certified_on_the_day() -> None:
    certified = transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT, DPF_CERT)
    today = only(assess(certified, TODAY), "privacy_shield_invalidated")
    assert "EU-US Data Privacy Framework (adequacy decision of 10 July 2023)" in today.fix
    # on Schrems II day the DPF did not exist yet; the importer's later certification does not help
    on_the_day = only(assess(certified, D(2020, 7, 16)), "privacy_shield_invalidated")
    assert "Data Privacy Framework" not in on_the_day.fix
    # a DPF certification that expired before the day does not help either
    expired = Certification(M.EU_US_DPF, D(2023, 7, 17), D(2025, 7, 16))
    later = only(assess(transfer(M.EU_US_PRIVACY_SHIELD, expired), TODAY), "privacy_shield_invalidated")
    assert "Decision 2021/914" in later.fix


# Swiss-US Privacy Shield: FDPIC statement of 8 September 2020


def test_swiss_privacy_shield_ends_on_8_september_2020() -> None:
    swiss = transfer(M.SWISS_US_PRIVACY_SHIELD, SWISS_PS_CERT, from_countries=("CH",))
    assert assess(swiss, D(2020, 7, 16)).valid  # Schrems II did not end the Swiss scheme
    assert assess(swiss, D(2020, 9, 7)).valid
    ended = assess(swiss, D(2020, 9, 8))
    assert not ended.valid
    assert "8 September 2020" in only(ended, "privacy_shield_invalidated").message


def test_swiss_privacy_shield_fix_points_to_the_swiss_dpf_from_15_september_2024() -> None:
    swiss = transfer(M.SWISS_US_PRIVACY_SHIELD, SWISS_PS_CERT, SWISS_DPF_CERT, from_countries=("CH",))
    before = only(assess(swiss, D(2024, 9, 14)), "privacy_shield_invalidated")
    after = only(assess(swiss, D(2024, 9, 15)), "privacy_shield_invalidated")
    assert "Swiss amendments" in before.fix
    assert "Swiss-US Data Privacy Framework" in after.fix


# EU-US Data Privacy Framework: Decision (EU) 2023/1795 of 10 July 2023


def test_dpf_is_no_basis_before_10_july_2023() -> None:
    result = assess(transfer(M.EU_US_DPF, DPF_CERT), D(2023, 7, 9))
    assert not result.valid
    assert codes(result) == ["dpf_not_in_force"]


def test_dpf_holds_from_10_july_2023_for_an_importer_certified_on_the_day() -> None:
    early = Certification(M.EU_US_DPF, D(2023, 7, 10))
    assert assess(transfer(M.EU_US_DPF, early), D(2023, 7, 10)) == Validity(True, ())
    assert assess(transfer(M.EU_US_DPF, DPF_CERT), TODAY).valid


def test_dpf_without_a_certification_is_no_basis() -> None:
    result = assess(transfer(M.EU_US_DPF), TODAY)
    assert not result.valid
    assert only(result, "importer_not_dpf_certified").severity is Severity.CRITICAL
    # another programme's certification does not count
    assert not assess(transfer(M.EU_US_DPF, SWISS_DPF_CERT), TODAY).valid


def test_dpf_certification_holds_through_its_last_day() -> None:
    expiring = transfer(M.EU_US_DPF, Certification(M.EU_US_DPF, D(2023, 7, 17), D(2024, 7, 16)))
    assert assess(expiring, D(2023, 7, 16)).findings[0].code == "importer_not_dpf_certified"
    assert assess(expiring, D(2023, 7, 17)).valid
    assert assess(expiring, D(2024, 7, 16)).valid
    assert codes(assess(expiring, D(2024, 7, 17))) == ["importer_not_dpf_certified"]


def test_dpf_to_a_destination_outside_the_us_gets_a_high_finding() -> None:
    result = assess(transfer(M.EU_US_DPF, DPF_CERT, to_countries=("US", "IN")), TODAY)
    finding = only(result, "destination_not_us")
    assert finding.severity is Severity.HIGH
    assert "IN" in finding.message
    assert result.valid  # the US part is covered; the finding asks for a mechanism for India


def test_the_eu_us_dpf_does_not_cover_swiss_exporters() -> None:
    result = assess(transfer(M.EU_US_DPF, DPF_CERT, from_countries=("DE", "CH")), TODAY)
    assert only(result, "exporter_not_covered").severity is Severity.HIGH
    assert "CH" in only(result, "exporter_not_covered").message


# Swiss-US DPF: in force 15 September 2024


def test_swiss_dpf_applies_from_15_september_2024() -> None:
    swiss = transfer(M.SWISS_US_DPF, SWISS_DPF_CERT, from_countries=("CH",))
    assert codes(assess(swiss, D(2024, 9, 14))) == ["dpf_not_in_force"]
    assert assess(swiss, D(2024, 9, 15)) == Validity(True, ())
    eu_certified_only = transfer(M.SWISS_US_DPF, DPF_CERT, from_countries=("CH",))
    assert codes(assess(eu_certified_only, D(2024, 9, 15))) == ["importer_not_dpf_certified"]


# SCCs 2021 (Decision (EU) 2021/914) and the transfer impact assessment


def test_scc_2021_apply_from_27_june_2021() -> None:
    scc = transfer(M.SCC_2021, tia_review_date=D(2027, 1, 1))
    assert codes(assess(scc, D(2021, 6, 26))) == ["scc_2021_not_in_force"]
    assert not assess(scc, D(2021, 6, 26)).valid
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


# SCCs 2010: transition until 27 December 2022 (Decision 2021/914 Art. 4)


def test_scc_2010_end_on_27_december_2022() -> None:
    old = transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2018, 5, 25))
    assert assess(old, D(2022, 12, 26)) == Validity(True, ())
    expired = assess(old, D(2022, 12, 27))
    assert not expired.valid
    assert codes(expired) == ["scc_2010_expired"]
    assert "2021 SCCs" in expired.findings[0].fix


def test_scc_2010_need_no_tia_before_schrems_ii_but_do_after() -> None:
    old = transfer(M.SCC_2010)
    assert assess(old, D(2020, 7, 15)) == Validity(True, ())
    assert codes(assess(old, D(2020, 7, 16))) == ["tia_missing"]


def test_scc_2010_on_a_transfer_started_after_their_repeal_are_flagged() -> None:
    late = transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2021, 9, 27))
    assert codes(assess(late, D(2022, 1, 10))) == ["scc_2010_after_repeal"]
    on_time = transfer(M.SCC_2010, tia_review_date=D(2023, 6, 1), valid_from=D(2021, 9, 26))
    assert assess(on_time, D(2022, 1, 10)) == Validity(True, ())


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
    facts = transfer(mechanism, *certifications, from_countries=origin)
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


def test_adequacy_to_the_us_means_the_dpf() -> None:
    result = assess(transfer(M.ADEQUACY), TODAY)
    assert result.valid
    finding = result.findings[0]
    assert finding.severity is Severity.INFO
    assert "record mechanism eu_us_dpf" in finding.fix
    assert assess(transfer(M.ADEQUACY, to_countries=("JP",)), TODAY) == Validity(True, ())


def test_bcr_are_valid_with_a_reminder_of_their_approval() -> None:
    result = assess(transfer(M.BCR, to_countries=("IN",)), TODAY)
    assert result.valid
    assert [f.severity for f in result.findings] == [Severity.LOW]


def test_a_transfer_from_outside_the_eea_and_switzerland_is_not_a_chapter_v_transfer() -> None:
    result = assess(transfer(M.SCC_2010, from_countries=("US",), to_countries=("IN",)), TODAY)
    assert result.valid
    assert codes(result) == ["no_chapter_v_transfer"]
    assert codes(assess(transfer(M.SCC_2021, from_countries=("NO",)), TODAY)) == ["tia_missing"]  # EEA
    assert codes(assess(transfer(M.SCC_2021, from_countries=("CH",)), TODAY)) == ["tia_missing"]


def test_privacy_shield_and_dpf_are_assessed_whatever_the_origin() -> None:
    from_us = assess(transfer(M.EU_US_PRIVACY_SHIELD, from_countries=("GB",)), TODAY)
    assert codes(from_us) == ["privacy_shield_invalidated"]


def test_findings_come_most_severe_first() -> None:
    result = assess(transfer(M.EU_US_DPF, to_countries=("IN",)), D(2023, 1, 1))
    assert [f.severity for f in result.findings] == [Severity.CRITICAL, Severity.HIGH]


def test_register_health_counts_findings_by_severity() -> None:
    register = [
        transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT),  # critical
        transfer(M.SCC_2021),  # high
        transfer(M.SCC_2021, tia_review_date=D(2025, 1, 1)),  # medium
        transfer(M.DEROGATION, to_countries=("IN",)),  # medium
        transfer(M.ADEQUACY),  # info
        transfer(M.EU_US_DPF, DPF_CERT),  # none
    ]
    health = register_health([(t, assess(t, TODAY)) for t in register])
    assert health == {"critical": 1, "high": 1, "medium": 2, "low": 0, "info": 1}
    assert register_health([]) == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}

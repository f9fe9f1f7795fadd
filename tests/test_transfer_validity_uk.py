"""UK exports under UK GDPR Chapter V, not the EU's: the UK Extension to the DPF from 12 October 2023, the IDTA and
the UK Addendum from 21 March 2022, the pre-2021 SCCs for contracts concluded on or before 21 September 2022 until
21 March 2024. Before 2021 the UK was under the EU GDPR."""

from __future__ import annotations

import datetime as dt

import pytest

from datamap.domain.transfer_validity import Certification, Severity, Validity, assess
from datamap.domain.vocabulary import TransferMechanism as M
from tests.test_transfer_validity import DPF_CERT, PS_CERT, TODAY, codes, critical, only, transfer

D = dt.date
UK_EXT_CERT = Certification(M.UK_EXTENSION, D(2023, 10, 12))
TIA = D(2027, 1, 1)


def uk(
    mechanism: M,
    *certifications: Certification,
    on: dt.date,
    contract_date: dt.date | None = None,
    tia_review_date: dt.date | None = None,
) -> Validity:
    """A UK exporter's transfer assessed on `on`."""
    facts = transfer(
        mechanism,
        *certifications,
        from_countries=("GB",),
        contract_date=contract_date,
        tia_review_date=tia_review_date,
    )
    return assess(facts, on)


def test_before_2021_a_uk_export_was_an_eu_export() -> None:
    assert uk(M.EU_US_PRIVACY_SHIELD, PS_CERT, on=D(2019, 6, 1)) == Validity(True, ())
    assert uk(M.ADEQUACY, PS_CERT, on=D(2020, 7, 15)).valid
    critical(uk(M.ADEQUACY, PS_CERT, on=D(2020, 12, 31)), "no_us_adequacy")


@pytest.mark.parametrize(
    ("on", "certifications", "code"),
    [
        (D(2023, 10, 11), (UK_EXT_CERT, DPF_CERT), "no_us_adequacy"),  # the EU's DPF is no UK adequacy
        (D(2023, 10, 12), (UK_EXT_CERT,), None),  # SI 2023/1028
        (D(2023, 10, 12), (DPF_CERT,), "importer_not_dpf_certified"),  # certified for the EU only
        (TODAY, (), "importer_not_dpf_certified"),
        (D(2021, 1, 1), (PS_CERT,), "no_us_adequacy"),
    ],
)
def test_uk_adequacy_for_the_us_is_the_uk_extension_for_importers_certified_for_it(
    on: dt.date, certifications: tuple[Certification, ...], code: str | None
) -> None:
    result = uk(M.ADEQUACY, *certifications, on=on)
    if code is None:
        assert result.valid
        assert "UK Extension" in result.findings[0].message
    else:
        critical(result, code)


def test_no_uk_adequacy_before_12_october_2023_and_the_fix_is_a_uk_tool() -> None:
    gap = critical(uk(M.ADEQUACY, on=D(2022, 6, 1)), "no_us_adequacy")
    assert "12 October 2023" in gap.message
    assert "IDTA" in gap.fix and "UK Addendum" in gap.fix and "2021/914" not in gap.fix
    earlier = critical(uk(M.ADEQUACY, on=D(2022, 3, 20)), "no_us_adequacy").fix
    assert "IDTA" not in earlier and "as they apply under the UK GDPR" in earlier
    certified = critical(uk(M.EU_US_DPF, UK_EXT_CERT, on=TODAY), "exporter_not_covered").fix
    assert certified.startswith("rely on the UK Extension to the EU-US Data Privacy Framework")


def test_the_uk_extension_mechanism() -> None:
    critical(uk(M.UK_EXTENSION, UK_EXT_CERT, on=D(2023, 10, 11)), "dpf_not_in_force")
    assert uk(M.UK_EXTENSION, UK_EXT_CERT, on=D(2023, 10, 12)) == Validity(True, ())
    critical(uk(M.UK_EXTENSION, DPF_CERT, on=TODAY), "importer_not_dpf_certified")
    from_eu = assess(transfer(M.UK_EXTENSION, UK_EXT_CERT), TODAY)
    assert "UK GDPR Chapter V only" in critical(from_eu, "exporter_not_covered").message


@pytest.mark.parametrize("mechanism", [M.EU_US_DPF, M.EU_US_PRIVACY_SHIELD, M.SWISS_US_DPF])
def test_eu_and_swiss_frameworks_do_not_cover_uk_exports(mechanism: M) -> None:
    certs = (DPF_CERT, PS_CERT, Certification(M.SWISS_US_DPF, D(2024, 9, 15)))
    finding = critical(uk(mechanism, *certs, on=TODAY), "exporter_not_covered")
    assert "the UK" in finding.message and "UK GDPR Chapter V" in finding.message


@pytest.mark.parametrize("mechanism", [M.UK_IDTA, M.UK_ADDENDUM])
def test_the_idta_and_the_addendum_apply_from_21_march_2022(mechanism: M) -> None:
    critical(uk(mechanism, on=D(2022, 3, 20), tia_review_date=TIA), "uk_tool_not_in_force")
    assert uk(mechanism, on=D(2022, 3, 21), tia_review_date=TIA) == Validity(True, ())
    assert codes(uk(mechanism, on=D(2022, 3, 21))) == ["tia_missing"]


def test_uk_tools_for_eu_exports() -> None:
    critical(assess(transfer(M.UK_IDTA, tia_review_date=TIA), TODAY), "exporter_not_covered")
    # the Addendum amends the 2021 EU SCCs, which hold for the EU exports of the same transfer
    both = transfer(M.UK_ADDENDUM, from_countries=("DE", "GB"), tia_review_date=TIA)
    assert assess(both, D(2022, 3, 21)) == Validity(True, ())
    assert codes(assess(both, D(2022, 3, 20))) == ["uk_tool_not_in_force"]


def test_the_2021_eu_sccs_alone_are_no_uk_safeguard_and_the_fix_follows_the_day() -> None:
    before = critical(uk(M.SCC_2021, on=D(2022, 3, 20)), "scc_2021_not_uk_safeguard").fix
    assert "as they apply under the UK GDPR" in before and "IDTA" not in before
    after = critical(uk(M.SCC_2021, on=D(2022, 3, 21)), "scc_2021_not_uk_safeguard").fix
    assert "IDTA" in after and "UK Addendum" in after


@pytest.mark.parametrize(("concluded", "valid"), [(D(2022, 9, 21), True), (D(2022, 9, 22), False)])
def test_old_sccs_for_uk_exports_need_a_contract_concluded_on_or_before_21_september_2022(
    concluded: dt.date, valid: bool
) -> None:
    result = uk(M.SCC_2010, on=D(2022, 10, 3), contract_date=concluded, tia_review_date=TIA)
    if valid:
        assert result == Validity(True, ())  # the EU's 27 September 2021 and 27 December 2022 do not apply
    else:
        finding = critical(result, "scc_2010_after_repeal")
        assert "21 September 2022" in finding.message and "IDTA" in finding.fix


def test_old_sccs_for_uk_exports_end_on_21_march_2024() -> None:
    contract = D(2019, 1, 1)
    assert uk(M.SCC_2010, on=D(2024, 3, 20), contract_date=contract, tia_review_date=TIA) == Validity(
        True, ()
    )
    expired = critical(
        uk(M.SCC_2010, on=D(2024, 3, 21), contract_date=contract, tia_review_date=TIA), "scc_2010_expired"
    )
    assert "21 March 2024" in expired.message
    # the same contract for EU exports ended on 27 December 2022
    eu = transfer(M.SCC_2010, from_countries=("DE", "GB"), contract_date=D(2019, 1, 1), tia_review_date=TIA)
    result = assess(eu, D(2023, 1, 2))
    assert not result.valid and codes(result) == ["scc_2010_expired"]
    assert "the EU/EEA" in only(result, "scc_2010_expired").message
    assert only(result, "scc_2010_expired").severity is Severity.CRITICAL

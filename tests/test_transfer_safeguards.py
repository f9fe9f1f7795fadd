"""A transfer's safeguard in words, without the database: what a person is told (GDPR Art. 15(2)) and what staff see."""

from __future__ import annotations

import datetime as dt

from datamap.domain.transfer_safeguards import safeguard_label, safeguard_status, transfer_facts
from datamap.domain.transfer_validity import Certification
from datamap.domain.vocabulary import TransferMechanism as M
from tests.test_transfer_validity import DPF_CERT, PS_CERT, TODAY, transfer

D = dt.date


def test_a_valid_framework_is_named_with_its_instrument_for_the_person() -> None:
    status = safeguard_status(transfer(M.EU_US_DPF, DPF_CERT), TODAY, importer="SharpSpring, Inc.")
    assert status.valid and status.staff_note == f"valid on {TODAY}"
    assert status.for_person == (
        "Transferred to SharpSpring, Inc. in the United States, on the basis of the EU-US Data Privacy Framework "
        "(Commission Implementing Decision (EU) 2023/1795 of 10 July 2023), for certified importers only."
    )


def test_an_invalid_safeguard_is_no_text_for_the_person_but_a_critical_note_for_staff() -> None:
    status = safeguard_status(transfer(M.EU_US_PRIVACY_SHIELD, PS_CERT), TODAY, importer="SharpSpring, Inc.")
    assert not status.valid and status.for_person is None
    assert status.staff_note.startswith(f"NOT VALID on {TODAY} (CRITICAL privacy_shield_invalidated): ")
    assert "16 July 2020" in status.staff_note
    assert status.safeguard.startswith(
        "the EU-US Privacy Shield (Commission Implementing Decision (EU) 2016/1250"
    )


def test_contractual_safeguards_tell_the_person_a_copy_can_be_had_and_staff_the_open_work() -> None:
    status = safeguard_status(transfer(M.SCC_2021), TODAY)
    assert status.valid
    assert status.for_person is not None and "2021/914" in status.for_person
    assert status.for_person.endswith("You may ask us for a copy of these safeguards.")
    assert status.staff_note == f"valid on {TODAY}; open: HIGH tia_missing"


def test_adequacy_for_the_us_is_named_as_the_framework_of_the_day() -> None:
    adequacy = transfer(M.ADEQUACY, PS_CERT, DPF_CERT)
    assert "Privacy Shield" in safeguard_label(adequacy, D(2019, 6, 1))
    assert "Data Privacy Framework" in safeguard_label(adequacy, TODAY)
    assert safeguard_label(adequacy, D(2021, 1, 1)) == "an adequacy decision (GDPR Art. 45)"
    assert not safeguard_status(adequacy, D(2021, 1, 1)).valid


def test_the_persons_country_decides_which_exports_are_judged() -> None:
    both = transfer(M.EU_US_DPF, DPF_CERT, from_countries=("EU", "GB"))
    assert not safeguard_status(both, TODAY).valid  # the UK exports have no mechanism
    assert safeguard_status(both, TODAY, country="NL").valid
    assert not safeguard_status(both, TODAY, country="GB").valid
    assert not safeguard_status(both, TODAY, country="US").valid  # not an origin: the whole transfer


def test_transfer_facts_from_the_graphs_values() -> None:
    facts = transfer_facts(
        "t",
        "uk_extension",
        ["GB"],
        ["US"],
        [
            {
                "key": "o:uk_extension",
                "program": "uk_extension",
                "organisation": "o",
                "validFrom": D(2023, 10, 12),
            }
        ],
        contract_date=D(2023, 11, 1),
    )
    assert facts.importer_certifications == (Certification(M.UK_EXTENSION, D(2023, 10, 12)),)
    assert facts.contract_date == D(2023, 11, 1) and facts.valid_from is None
    assert safeguard_status(facts, TODAY).valid

"""The transfer register on the real Neo4j: each transfer rule on the days either side of each boundary.

The repository's seed, plus transfers from EU, UK and Swiss exporters to US importers that are certified (for the
EU-US DPF, its UK Extension and the Swiss-US DPF) or not, on each mechanism; loaded like the seed and read through
`transferRegister` as a compliance officer would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datamap.domain.access import Role
from datamap.domain.seed_entries import Organisation, Transfer
from datamap.domain.seed_model import check_references
from datamap.graph.database import Database
from datamap.services.seed import load_seed_map, read_seed
from tests.conftest import SECRET, GraphQLClient, app_of, client_as, token_for

pytestmark = pytest.mark.neo4j

D = dt.date
REGISTER = """query($asOf: Date) { transferRegister(asOf: $asOf) {
  transfers { key mechanism safeguard valid findings { severity code message fix } } } }"""

IMPORTERS: list[dict[str, Any]] = [
    {
        "key": "certified_us",
        "ref": "test",
        "name": "Certified US Inc.",
        "country": "US",
        "certifications": [
            {"program": "eu_us_privacy_shield", "validFrom": "2016-08-01"},
            {"program": "eu_us_dpf", "validFrom": "2023-07-10"},
            {"program": "uk_extension", "validFrom": "2023-10-12"},
            {"program": "swiss_us_dpf", "validFrom": "2024-09-15"},
        ],
    },
    {
        "key": "eu_only_us",
        "ref": "test",
        "name": "EU-only US Inc.",
        "country": "US",
        "certifications": [{"program": "eu_us_dpf", "validFrom": "2023-07-10"}],
    },
    {"key": "uncertified_us", "ref": "test", "name": "Uncertified US Inc.", "country": "US"},
]


def _transfer(
    key: str, mechanism: str, origin: str, importer: str, contract: str | None = None
) -> dict[str, Any]:
    return {
        "key": key,
        "ref": "test",
        "exporter": "eu_origin_exporters",
        "importer": importer,
        "fromCountries": [origin],
        "toCountries": ["US"],
        "categories": ["user.contact.email"],
        "mechanism": mechanism,
        "validFrom": "2015-01-01",
        "tiaReviewDate": "2030-01-01",
        **({"contractDate": contract} if contract else {}),
    }


TRANSFERS = [
    _transfer("eu_adequacy_certified", "adequacy", "EU", "certified_us"),
    _transfer("eu_adequacy_uncertified", "adequacy", "EU", "uncertified_us"),
    _transfer("uk_adequacy_certified", "adequacy", "GB", "certified_us"),
    _transfer("uk_adequacy_eu_only", "adequacy", "GB", "eu_only_us"),
    _transfer("ch_adequacy_certified", "adequacy", "CH", "certified_us"),
    _transfer("eu_scc_2021", "scc_2021", "EU", "uncertified_us"),
    _transfer("eu_old_scc_2021_09_26", "scc_2010", "EU", "uncertified_us", "2021-09-26"),
    _transfer("eu_old_scc_2021_09_27", "scc_2010", "EU", "uncertified_us", "2021-09-27"),
    _transfer("uk_idta", "uk_idta", "GB", "uncertified_us"),
    _transfer("uk_addendum", "uk_addendum", "GB", "uncertified_us"),
    _transfer("uk_old_scc_2022_09_21", "scc_2010", "GB", "uncertified_us", "2022-09-21"),
    _transfer("uk_old_scc_2022_09_22", "scc_2010", "GB", "uncertified_us", "2022-09-22"),
]

# (day, transfer, the CRITICAL finding's code, or None when the mechanism is valid that day)
EXPECTED: list[tuple[dt.date, str, str | None]] = [
    # EU -> US adequacy: Privacy Shield to 15 July 2020 (C-311/18), none to 9 July 2023, the DPF from 10 July 2023
    (D(2020, 7, 15), "eu_adequacy_certified", None),
    (D(2020, 7, 15), "eu_adequacy_uncertified", "importer_not_privacy_shield_certified"),
    (D(2020, 7, 16), "eu_adequacy_certified", "no_us_adequacy"),
    (D(2023, 7, 9), "eu_adequacy_certified", "no_us_adequacy"),
    (D(2023, 7, 10), "eu_adequacy_certified", None),
    (D(2023, 7, 10), "eu_adequacy_uncertified", "importer_not_dpf_certified"),
    # UK -> US adequacy: only the UK Extension, from 12 October 2023, for importers certified for it
    (D(2023, 10, 11), "uk_adequacy_certified", "no_us_adequacy"),
    (D(2023, 10, 12), "uk_adequacy_certified", None),
    (D(2023, 10, 12), "uk_adequacy_eu_only", "importer_not_dpf_certified"),
    # Switzerland -> US adequacy: the Swiss-US DPF from 15 September 2024
    (D(2024, 9, 14), "ch_adequacy_certified", "no_us_adequacy"),
    (D(2024, 9, 15), "ch_adequacy_certified", None),
    # the 2021 SCCs from 27 June 2021
    (D(2021, 6, 26), "eu_scc_2021", "scc_2021_not_in_force"),
    (D(2021, 6, 27), "eu_scc_2021", None),
    # the pre-2021 SCCs: no new contract from 27 September 2021; none a basis from 27 December 2022
    (D(2022, 1, 10), "eu_old_scc_2021_09_26", None),
    (D(2022, 1, 10), "eu_old_scc_2021_09_27", "scc_2010_after_repeal"),
    (D(2022, 12, 26), "eu_old_scc_2021_09_26", None),
    (D(2022, 12, 27), "eu_old_scc_2021_09_26", "scc_2010_expired"),
    # UK: IDTA and Addendum from 21 March 2022; old SCCs for contracts up to 21 September 2022, until 21 March 2024
    (D(2022, 3, 20), "uk_idta", "uk_tool_not_in_force"),
    (D(2022, 3, 20), "uk_addendum", "uk_tool_not_in_force"),
    (D(2022, 3, 21), "uk_idta", None),
    (D(2022, 3, 21), "uk_addendum", None),
    (D(2022, 10, 3), "uk_old_scc_2022_09_21", None),
    (D(2022, 10, 3), "uk_old_scc_2022_09_22", "scc_2010_after_repeal"),
    (D(2024, 3, 20), "uk_old_scc_2022_09_21", None),
    (D(2024, 3, 21), "uk_old_scc_2022_09_21", "scc_2010_expired"),
]


@pytest.fixture
async def officer(db: Database, clock: Any) -> AsyncIterator[GraphQLClient]:
    """The seed with the test transfers, and a compliance officer's client."""
    seed = read_seed()
    seed = seed.model_copy(
        update={
            "organisations": seed.organisations + tuple(Organisation.model_validate(o) for o in IMPORTERS),
            "transfers": seed.transfers + tuple(Transfer.model_validate(t) for t in TRANSFERS),
        }
    )
    check_references(seed)
    await load_seed_map(db, seed, SECRET)
    async with client_as(app_of(db, clock), await token_for(db, Role.COMPLIANCE)) as client:
        yield client


async def register_on(api: GraphQLClient, day: dt.date) -> dict[str, dict[str, Any]]:
    found = (await api.query(REGISTER, asOf=day.isoformat()))["transferRegister"]["transfers"]
    return {t["key"]: t for t in found}


async def test_each_transfer_rule_on_either_side_of_its_boundary(officer: GraphQLClient) -> None:
    days = sorted({day for day, _, _ in EXPECTED})
    registers = {day: await register_on(officer, day) for day in days}
    for day, key, code in EXPECTED:
        entry = registers[day][key]
        critical = [f["code"] for f in entry["findings"] if f["severity"] == "CRITICAL"]
        if code is None:
            assert entry["valid"] and critical == [], (day, key, entry["findings"])
        else:
            assert not entry["valid"] and code in critical, (day, key, entry["findings"])


async def test_the_register_names_the_safeguard_and_recommends_only_what_was_in_force(
    officer: GraphQLClient,
) -> None:
    on_17_july_2020 = (await register_on(officer, D(2020, 7, 17)))["eu_to_us_sharpspring"]
    assert on_17_july_2020["safeguard"].startswith(
        "the EU-US Privacy Shield (Commission Implementing Decision"
    )
    (finding,) = on_17_july_2020["findings"]
    assert (finding["severity"], finding["code"]) == ("CRITICAL", "privacy_shield_invalidated")
    assert "2010/87/EU" in finding["fix"] and "transfer impact assessment" in finding["fix"]
    assert "2021/914" not in finding["fix"]
    today = await register_on(officer, D(2026, 11, 26))
    # Google LLC's DPF certification is in the seed (an assumption, organisations.yaml): the fix is the DPF
    google = next(f for f in today["eu_to_us_google_analytics"]["findings"] if f["severity"] == "CRITICAL")
    assert google["fix"].startswith("rely on the EU-US Data Privacy Framework")
    # SharpSpring, Inc. has no DPF certification on record: the fix is the 2021 SCCs
    sharpspring = today["eu_to_us_sharpspring"]["findings"][0]["fix"]
    assert "2021/914" in sharpspring and "Data Privacy Framework" not in sharpspring
    assert today["uk_adequacy_certified"]["safeguard"].startswith(
        "the UK Extension to the EU-US Data Privacy"
    )

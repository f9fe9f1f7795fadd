"""Countries and regions used by transfers: `EU` stands for the Union's member states, `EEA` adds three."""

from __future__ import annotations

from collections.abc import Iterable

EU = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
EEA = EU | {"IS", "LI", "NO"}
REGIONS = {"EU": EU, "EEA": EEA}


def in_region(code: str, country: str) -> bool:
    """Whether `country` (ISO alpha-2) is `code` or belongs to the region `code` names."""
    return country == code or country in REGIONS.get(code, ())


def country_of(region: str) -> str:
    """The country (ISO 3166-1 alpha-2) an ISO 3166-2 region code names: US-CA -> US."""
    return region.split("-", 1)[0]


def exports_from(from_countries: Iterable[str], country: str) -> bool:
    """Whether a transfer from `from_countries` can carry data of a subject located in `country`."""
    return any(in_region(code, country) for code in from_countries)

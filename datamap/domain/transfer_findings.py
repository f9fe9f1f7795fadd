"""The terms of a transfer's assessment: the facts of one transfer, a finding and its severity, the verdict; and
the helpers every rule shares (where an export comes from, what to do instead on a day). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from datamap.domain.transfer_law import Regime, contract_remedy, us_framework_on
from datamap.domain.vocabulary import TransferMechanism as M


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


_RANK = {severity: index for index, severity in enumerate(Severity)}


def rank(severity: Severity) -> int:
    """0 for the most severe."""
    return _RANK[severity]


@dataclass(frozen=True)
class Certification:
    """An importer's certification under a programme (e.g. the DPF List), holding both end days included."""

    program: M
    valid_from: dt.date
    valid_to: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class TransferFacts:
    """One transfer as the map records it; countries are ISO alpha-2 codes, `EU`/`EEA` for the regions."""

    key: str
    mechanism: M
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    importer_certifications: tuple[Certification, ...] = ()
    tia_review_date: dt.date | None = None  # next review of the transfer impact assessment, for SCCs
    valid_from: dt.date | None = None  # when the transfer started per the map
    contract_date: dt.date | None = None  # when the contract (SCCs, IDTA) was concluded; else `valid_from`

    def certified(self, program: M, on: dt.date) -> bool:
        return any(c.program is program and c.holds_on(on) for c in self.importer_certifications)

    def records(self, program: M) -> bool:
        return any(c.program is program for c in self.importer_certifications)

    def goes_to_us(self) -> bool:
        return "US" in upper(self.to_countries)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    fix: str
    # the entries concerned, as `kind:key` (`system:billing`, `purpose:billing`, `record:<id>`): the map findings'
    # (`map_findings.py`); empty where the finding names its one subject in its message
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Validity:
    valid: bool
    findings: tuple[Finding, ...]


def upper(countries: Sequence[str]) -> set[str]:
    return {c.strip().upper() for c in countries}


def where(t: TransferFacts, regime: Regime) -> str:
    return f"transfer {t.key}, exports from {regime.place}"


def remedy(t: TransferFacts, regime: Regime, on: dt.date) -> str:
    """What to do instead on `on`: the US framework then in force when the importer is certified under it, or the
    contractual safeguard then in force (`contract_remedy`); never an instrument not yet in force."""
    contract = contract_remedy(regime, on)
    fw = us_framework_on(regime, on)
    if (
        fw is not None
        and fw.mechanism is not t.mechanism
        and t.goes_to_us()
        and t.certified(fw.mechanism, on)
    ):
        return (
            f"rely on the {fw.name} ({fw.instrument}): the importer is certified on {on}; record mechanism "
            f"{fw.mechanism.value}; or {contract}"
        )
    return f"{contract}; or suspend the transfer"


def no_basis(t: TransferFacts, regime: Regime, on: dt.date, code: str, why: str) -> list[Finding]:
    """CRITICAL: the exports from `regime` have no transfer mechanism on `on` (GDPR / UK GDPR Art. 44, FADP Art. 16);
    the fix is what was in force that day."""
    return [Finding(Severity.CRITICAL, code, f"{where(t, regime)}: {why}", remedy(t, regime, on))]


def not_for_regime(t: TransferFacts, regime: Regime, on: dt.date, why: str) -> list[Finding]:
    """The mechanism belongs to another exporter's law."""
    return no_basis(
        t,
        regime,
        on,
        "exporter_not_covered",
        f"{why}; these exports have no mechanism under {regime.law} on {on}",
    )

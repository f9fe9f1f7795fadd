"""Whether a cross-border transfer's mechanism holds on a given date, under the exporter's law. Pure.

`assess` returns findings, each with a severity, a stable code, a message naming the transfer, the exporter's
regime and the rule, and a fix. A transfer is `valid` unless a finding is CRITICAL: then some of its data has no
transfer mechanism on that date (GDPR Art. 44; UK GDPR Art. 44; FADP Art. 16), for instance Privacy Shield after
its invalidation, a framework before it applies or without the importer's certification, the pre-2021 SCCs on a
contract concluded after their repeal or after the transition, a UK-only tool for EU exports. Everything else
leaves the mechanism valid and says what to do: a missing transfer impact assessment for SCCs is HIGH and an
overdue one MEDIUM, but the clauses still are a valid Art. 46 tool; the compliance officer ranks the work by
severity.

Each origin is judged under its own regime (`transfer_law.regimes_of`): EU/EEA exports under GDPR Chapter V, UK
exports under UK GDPR Chapter V (from 1 January 2021), Swiss exports under the FADP. The dates, with their
instruments, are in `transfer_law`. Fix texts recommend only what was in force on the day assessed. Adequacy
decisions other than the US frameworks are data of the map: an `adequacy` transfer elsewhere is not checked
against a country list. A certification holds from `valid_from` to `valid_to`, both days included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from datamap.domain.transfer_contracts import old_scc, scc_2021, standing, tia, uk_tool
from datamap.domain.transfer_findings import (
    Certification,
    Finding,
    Severity,
    TransferFacts,
    Validity,
    no_basis,
    not_for_regime,
    rank,
    upper,
    where,
)
from datamap.domain.transfer_law import (
    FRAMEWORKS,
    SAFE_HARBOR_INVALIDATED,
    Regime,
    UsFramework,
    contract_remedy,
    day,
    regimes_of,
    us_adequacy_gap,
    us_framework_on,
)
from datamap.domain.vocabulary import TransferMechanism as M

__all__ = [
    "Certification",
    "Finding",
    "Severity",
    "TransferFacts",
    "Validity",
    "assess",
    "register_health",
]

PRIVACY_SHIELDS = frozenset({M.EU_US_PRIVACY_SHIELD, M.SWISS_US_PRIVACY_SHIELD})
CONTRACTUAL = frozenset({M.SCC_2010, M.SCC_2021, M.UK_IDTA, M.UK_ADDENDUM})


def _codes(fw: UsFramework) -> tuple[str, str, str]:
    """Codes for: not yet in force, no longer in force, importer not certified."""
    if fw.mechanism in PRIVACY_SHIELDS:
        return (
            "privacy_shield_not_in_force",
            "privacy_shield_invalidated",
            "importer_not_privacy_shield_certified",
        )
    return "dpf_not_in_force", "dpf_ended", "importer_not_dpf_certified"


def _certified(t: TransferFacts, fw: UsFramework, regime: Regime, on: dt.date) -> list[Finding]:
    """A US framework covers importers certified under it on the day only (e.g. Decision 2023/1795, Annex I)."""
    if t.certified(fw.mechanism, on):
        return []
    held = (
        "the importer's recorded certification does not hold"
        if t.records(fw.mechanism)
        else "no certification of the importer is recorded"
    )
    return [
        Finding(
            Severity.CRITICAL,
            _codes(fw)[2],
            f"{where(t, regime)}: the {fw.name} covers certified importers only, and {held} on {on}",
            f"have the importer certify (or re-certify) under the {fw.name} and record it with its dates, or "
            + contract_remedy(regime, on),
        )
    ]


def _framework(t: TransferFacts, regime: Regime, on: dt.date) -> list[Finding]:
    """Privacy Shield, the DPF and its UK Extension: the exporter's own framework, between its dates, certified."""
    fw = FRAMEWORKS[t.mechanism]
    if fw.regime is not regime:
        return not_for_regime(t, regime, on, f"the {fw.name} covers exports under {fw.regime.law} only")
    not_yet, ended, _ = _codes(fw)
    if fw.start is not None and on < fw.start:
        why = f"relies on the {fw.name}, which applies from {day(fw.start)} ({fw.instrument}); on {on} it is no basis"
        return no_basis(t, regime, on, not_yet, why)
    if fw.end is not None and on >= fw.end:
        why = f"relies on the {fw.name}, but {fw.end_reason}; on {on} it is no basis for the transfer"
        return no_basis(t, regime, on, ended, why)
    return _certified(t, fw, regime, on)


def _adequacy(t: TransferFacts, regime: Regime, on: dt.date) -> list[Finding]:
    """Adequacy for the US is whichever framework held for the exporter's regime that day (GDPR Art. 45, UK GDPR
    Art. 45, FADP Art. 16(1)): none from 16 July 2020 to 9 July 2023 for EU exports, none before 12 October 2023
    for UK exports, none from 8 September 2020 to 14 September 2024 for Swiss exports."""
    if not t.goes_to_us():
        return []
    place = where(t, regime)
    if regime is Regime.EU and on < SAFE_HARBOR_INVALIDATED:
        return [
            Finding(
                Severity.LOW,
                "us_adequacy_not_assessed",
                f"{place}: adequacy for the US before 6 October 2015 was Safe Harbor (Decision 2000/520/EC), "
                f"whose certifications the map does not record; not checked for {on}",
                "record the importer's Safe Harbor certification outside the map if that time matters",
            )
        ]
    fw = us_framework_on(regime, on)
    if fw is None:
        why = f"relies on adequacy for the US, but no adequacy decision covered US importers on {on}: "
        return no_basis(t, regime, on, "no_us_adequacy", why + us_adequacy_gap(regime, on))
    return _certified(t, fw, regime, on) or [
        Finding(
            Severity.INFO,
            "adequacy_us_is_framework",
            f"{place}: adequacy for the US on {on} is the {fw.name} ({fw.instrument}), for certified importers; "
            "the importer is certified",
            f"record mechanism {fw.mechanism.value}, so the register follows that framework's own dates",
        )
    ]


def _us_only(t: TransferFacts) -> list[Finding]:
    """Privacy Shield and the DPF cover importers in the US only: other destinations have no mechanism."""
    elsewhere = sorted(upper(t.to_countries) - {"US"})
    if not elsewhere:
        return []
    return [
        Finding(
            Severity.CRITICAL,
            "destination_not_us",
            f"transfer {t.key}: {t.mechanism.value} covers transfers to the US only; the data going to "
            f"{', '.join(elsewhere)} has no mechanism",
            "record a mechanism for the destinations outside the US (adequacy, SCCs), or stop sending data there",
        )
    ]


_PER_REGIME: dict[M, Callable[[TransferFacts, Regime, dt.date], list[Finding]]] = {
    **{mechanism: _framework for mechanism in FRAMEWORKS},
    M.ADEQUACY: _adequacy,
    M.SCC_2010: old_scc,
    M.SCC_2021: scc_2021,
    M.UK_IDTA: uk_tool,
    M.UK_ADDENDUM: uk_tool,
}


def _mechanism_findings(t: TransferFacts, regimes: tuple[Regime, ...], on: dt.date) -> list[Finding]:
    rule = _PER_REGIME.get(t.mechanism)
    if rule is None:
        return standing(t)
    findings: list[Finding] = []
    holds_somewhere = False
    for regime in regimes:
        found = rule(t, regime, on)
        holds_somewhere |= not any(f.severity is Severity.CRITICAL for f in found)
        findings += found
    if t.mechanism in CONTRACTUAL and holds_somewhere:
        findings += tia(t, on)
    if t.mechanism in FRAMEWORKS:
        findings += _us_only(t)
    return findings


def assess(transfer: TransferFacts, on: dt.date) -> Validity:
    """Findings of `transfer`'s mechanism on `on`, most severe first; valid unless one is CRITICAL.

    A transfer from no EU/EEA, UK or Swiss country is outside GDPR, UK GDPR and FADP transfer rules (INFO
    `no_chapter_v_transfer`). An empty `from_countries` is treated as EU/EEA."""
    regimes = regimes_of(transfer.from_countries, on)
    if not regimes:
        origins = ", ".join(sorted(upper(transfer.from_countries)))
        finding = Finding(
            Severity.INFO,
            "no_chapter_v_transfer",
            f"transfer {transfer.key}: exported from {origins}, outside the EU/EEA, the UK and Switzerland; "
            "GDPR Chapter V does not apply",
            "none needed under the GDPR; check the exporter's own law for transfer rules",
        )
        return Validity(True, (finding,))
    findings = _mechanism_findings(transfer, regimes, on)
    ordered = tuple(sorted(findings, key=lambda f: rank(f.severity)))
    return Validity(not any(f.severity is Severity.CRITICAL for f in ordered), ordered)


def register_health(items: Sequence[tuple[TransferFacts, Validity]]) -> dict[str, int]:
    """Number of findings per severity over a register of assessed transfers, every severity present."""
    counts = {severity.value: 0 for severity in Severity}
    for _, validity in items:
        for finding in validity.findings:
            counts[finding.severity.value] += 1
    return counts

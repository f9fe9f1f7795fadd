"""Whether a cross-border transfer's mechanism holds on a given date (GDPR Chapter V, Swiss FADP). Pure.

`assess` returns findings, each with a severity, a stable code, a message naming the transfer and the rule, and a
fix. A transfer is `valid` unless a finding is CRITICAL: the mechanism itself is no basis on that date (Privacy
Shield after its invalidation, a framework before it applies or without the importer's certification, 2010 SCCs
after the transition). Everything else leaves the mechanism valid and says what to do: a missing transfer impact
assessment for SCCs is HIGH and an overdue one MEDIUM, but the clauses still are a valid Art. 46 tool, so
`valid` stays True; the compliance officer ranks the work by severity.

Each date names its source beside it (the CJEU judgment, the Commission's and the Swiss authorities' decisions);
[UNVERIFIED] marks a date not yet checked against the published text. Adequacy decisions are data of the map,
so an `adequacy` transfer is not checked against a country list here.
A certification holds from `valid_from` to `valid_to`, both days included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from datamap.domain.regions import EEA
from datamap.domain.vocabulary import TransferMechanism

SCHREMS_II = dt.date(
    2020, 7, 16
)  # CJEU judgment of 16 July 2020, C-311/18 (Schrems II): Privacy Shield decision 2016/1250 invalid
# FDPIC statement of 8 September 2020 finding the Swiss-US Privacy Shield inadequate [UNVERIFIED].
SWISS_PRIVACY_SHIELD_ENDED = dt.date(2020, 9, 8)
EU_US_DPF_IN_FORCE = dt.date(2023, 7, 10)  # Commission Implementing Decision (EU) 2023/1795
SWISS_US_DPF_IN_FORCE = dt.date(2024, 9, 15)  # Federal Council decision of 14 Aug 2024, DPO Annex 1
SCC_2021_IN_FORCE = dt.date(2021, 6, 27)  # Implementing Decision (EU) 2021/914 usable from this day
# Decision 2021/914 Art. 4: old SCC decisions repealed from this day [UNVERIFIED].
SCC_2010_REPEALED = dt.date(2021, 9, 27)
# Decision 2021/914 Art. 4: old SCCs concluded before the repeal held "until 27 December 2022" [UNVERIFIED].
# Read here as: no longer a basis on 27 December 2022 itself.
SCC_2010_TRANSITION_ENDS = dt.date(2022, 12, 27)

CHAPTER_V_EXPORTERS = EEA | {"CH", "EU", "EEA"}  # exporters under the GDPR (EU/EEA) or the Swiss FADP (CH)
EU_REGION = EEA | {"EU", "EEA"}
PRIVACY_SHIELDS = frozenset(
    {TransferMechanism.EU_US_PRIVACY_SHIELD, TransferMechanism.SWISS_US_PRIVACY_SHIELD}
)
FRAMEWORKS = frozenset({TransferMechanism.EU_US_DPF, TransferMechanism.SWISS_US_DPF})
US_MECHANISMS = PRIVACY_SHIELDS | FRAMEWORKS
SWISS_MECHANISMS = frozenset({TransferMechanism.SWISS_US_PRIVACY_SHIELD, TransferMechanism.SWISS_US_DPF})

SCC_FIX = "sign SCCs (Decision 2021/914) with a transfer impact assessment, or stop the transfer"
SWISS_SCC_FIX = (
    "sign SCCs (Decision 2021/914, with the Swiss amendments) with a transfer impact assessment, "
    "or stop the transfer"
)
EU_DPF_FIX = "rely on the EU-US Data Privacy Framework (adequacy decision of 10 July 2023)"
SWISS_DPF_FIX = "rely on the Swiss-US Data Privacy Framework (in force since 15 September 2024)"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Certification:
    """An importer's certification under a programme (e.g. the DPF List), holding both end days included."""

    program: TransferMechanism
    valid_from: dt.date
    valid_to: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class TransferFacts:
    """One transfer as the map records it; countries are ISO alpha-2 codes, `EU`/`EEA` for the regions."""

    key: str
    mechanism: TransferMechanism
    from_countries: tuple[str, ...]
    to_countries: tuple[str, ...]
    importer_certifications: tuple[Certification, ...] = ()
    tia_review_date: dt.date | None = None  # next review of the transfer impact assessment, for SCCs
    valid_from: dt.date | None = None  # when the transfer started per the map

    def certified(self, program: TransferMechanism, on: dt.date) -> bool:
        return any(c.program is program and c.holds_on(on) for c in self.importer_certifications)

    def records(self, program: TransferMechanism) -> bool:
        return any(c.program is program for c in self.importer_certifications)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class Validity:
    valid: bool
    findings: tuple[Finding, ...]


def _upper(countries: Sequence[str]) -> set[str]:
    return {c.strip().upper() for c in countries}


def _privacy_shield(t: TransferFacts, on: dt.date) -> list[Finding]:
    """Valid before the end date with the importer certified; not recording any certification is only LOW."""
    swiss = t.mechanism is TransferMechanism.SWISS_US_PRIVACY_SHIELD
    name = "Swiss-US Privacy Shield" if swiss else "EU-US Privacy Shield"
    if swiss:
        end, rule = SWISS_PRIVACY_SHIELD_ENDED, "the Swiss FDPIC found it inadequate on 8 September 2020"
        framework, start, fix = TransferMechanism.SWISS_US_DPF, SWISS_US_DPF_IN_FORCE, SWISS_DPF_FIX
    else:
        end, rule = SCHREMS_II, "the CJEU invalidated it on 16 July 2020 (C-311/18, Schrems II)"
        framework, start, fix = TransferMechanism.EU_US_DPF, EU_US_DPF_IN_FORCE, EU_DPF_FIX
    if on >= end:
        dpf = on >= start and t.certified(framework, on)
        message = (
            f"transfer {t.key}: relies on the {name}, but {rule}; on {on} it is no basis for the transfer"
        )
        if dpf:
            fix = f"{fix}: the importer is certified on {on}; record mechanism {framework.value}"
        else:
            fix = SWISS_SCC_FIX if swiss else SCC_FIX
        return [Finding(Severity.CRITICAL, "privacy_shield_invalidated", message, fix)]
    if t.certified(t.mechanism, on):
        return []
    if not t.records(t.mechanism):
        return [
            Finding(
                Severity.LOW,
                "certification_not_recorded",
                f"transfer {t.key}: the importer's {name} certification is not recorded; it could not be "
                f"checked for {on}",
                f"record the importer's {name} certification with its dates",
            )
        ]
    return [
        Finding(
            Severity.CRITICAL,
            "importer_not_privacy_shield_certified",
            f"transfer {t.key}: the {name} covers certified importers only, and the importer's recorded "
            f"certification does not hold on {on}",
            "have the importer (re-)certify, or " + (SWISS_SCC_FIX if swiss else SCC_FIX),
        )
    ]


def _framework(t: TransferFacts, on: dt.date) -> list[Finding]:
    """In force from the framework's date, and then only for importers certified on the day."""
    swiss = t.mechanism is TransferMechanism.SWISS_US_DPF
    name = "Swiss-US Data Privacy Framework" if swiss else "EU-US Data Privacy Framework"
    start = SWISS_US_DPF_IN_FORCE if swiss else EU_US_DPF_IN_FORCE
    scc = SWISS_SCC_FIX if swiss else SCC_FIX
    if on < start:
        rule = (
            "applies from 15 September 2024 (Federal Council decision of 14 August 2024)"
            if swiss
            else "applies from 10 July 2023 (Decision (EU) 2023/1795)"
        )
        return [
            Finding(
                Severity.CRITICAL,
                "dpf_not_in_force",
                f"transfer {t.key}: relies on the {name}, which {rule}; on {on} it is no basis",
                f"for the time before {start}, {scc}",
            )
        ]
    if t.certified(t.mechanism, on):
        return []
    return [
        Finding(
            Severity.CRITICAL,
            "importer_not_dpf_certified",
            f"transfer {t.key}: the {name} covers certified importers only, and no {t.mechanism.value} "
            f"certification of the importer holds on {on}",
            "have the importer certify (or re-certify) on the DPF List and record it, or " + scc,
        )
    ]


def _us_scope(t: TransferFacts) -> list[Finding]:
    """Privacy Shield and DPF cover US importers only, and exporters of their own regime only."""
    findings: list[Finding] = []
    elsewhere = sorted(_upper(t.to_countries) - {"US"})
    if elsewhere:
        findings.append(
            Finding(
                Severity.HIGH,
                "destination_not_us",
                f"transfer {t.key}: {t.mechanism.value} covers transfers to the US only; it goes to "
                f"{', '.join(elsewhere)}",
                "record another mechanism (adequacy, SCCs) for the destinations outside the US",
            )
        )
    origins = _upper(t.from_countries)
    swiss = t.mechanism in SWISS_MECHANISMS
    uncovered = sorted(origins & EU_REGION) if swiss else sorted(origins & {"CH"})
    if uncovered:
        other = "the EU-US instrument" if swiss else "the Swiss-US instrument"
        findings.append(
            Finding(
                Severity.HIGH,
                "exporter_not_covered",
                f"transfer {t.key}: {t.mechanism.value} does not cover exports from {', '.join(uncovered)}",
                f"record {other} (or SCCs) for the exports from {', '.join(uncovered)}",
            )
        )
    return findings


def _tia(t: TransferFacts, on: dt.date) -> list[Finding]:
    """Since Schrems II, SCCs need a transfer impact assessment (Clause 14; EDPB Recommendations 01/2020)."""
    if on < SCHREMS_II:
        return []
    if t.tia_review_date is None:
        return [
            Finding(
                Severity.HIGH,
                "tia_missing",
                f"transfer {t.key}: SCCs without a recorded transfer impact assessment on {on} "
                "(Clause 14 SCCs; CJEU C-311/18)",
                "carry out and document a transfer impact assessment (EDPB Recommendations 01/2020) and "
                "record its next review date",
            )
        ]
    if t.tia_review_date < on:
        return [
            Finding(
                Severity.MEDIUM,
                "tia_review_overdue",
                f"transfer {t.key}: the transfer impact assessment was due for review on {t.tia_review_date}; "
                f"it is {on}",
                "review the transfer impact assessment against the destination's current law and practice, "
                "and record the next review date",
            )
        ]
    return []


def _scc_2021(t: TransferFacts, on: dt.date) -> list[Finding]:
    if on < SCC_2021_IN_FORCE:
        return [
            Finding(
                Severity.CRITICAL,
                "scc_2021_not_in_force",
                f"transfer {t.key}: the 2021 SCCs (Decision (EU) 2021/914) apply from 27 June 2021; "
                f"on {on} they are no basis",
                "for the time before 27 June 2021, record the SCCs then in force (Decision 2010/87) or another "
                "mechanism",
            )
        ]
    return _tia(t, on)


def _scc_2010(t: TransferFacts, on: dt.date) -> list[Finding]:
    if on >= SCC_2010_TRANSITION_ENDS:
        return [
            Finding(
                Severity.CRITICAL,
                "scc_2010_expired",
                f"transfer {t.key}: the 2010 SCCs held only until 27 December 2022 (Decision (EU) 2021/914 "
                f"Art. 4); on {on} they are no basis",
                "migrate to the 2021 SCCs (Decision 2021/914, the right module) with a transfer impact "
                "assessment, or stop the transfer",
            )
        ]
    findings = _tia(t, on)
    if t.valid_from is not None and t.valid_from >= SCC_2010_REPEALED:
        findings.append(
            Finding(
                Severity.HIGH,
                "scc_2010_after_repeal",
                f"transfer {t.key}: started on {t.valid_from}, after the 2010 SCCs were repealed on "
                "27 September 2021; only contracts concluded before then kept them (Decision 2021/914 Art. 4)",
                "check the contract's date; if concluded on or after 27 September 2021, sign the 2021 SCCs",
            )
        )
    return findings


def _adequacy(t: TransferFacts, on: dt.date) -> list[Finding]:
    if "US" not in _upper(t.to_countries):
        return []
    return [
        Finding(
            Severity.INFO,
            "adequacy_us_is_dpf",
            f"transfer {t.key}: adequacy for the US on {on} covers DPF-certified importers only",
            "adequacy for the US means the DPF: record mechanism eu_us_dpf with the importer's certification",
        )
    ]


def _bcr(t: TransferFacts, on: dt.date) -> list[Finding]:
    return [
        Finding(
            Severity.LOW,
            "bcr_approval_required",
            f"transfer {t.key}: binding corporate rules are a basis only once approved by the competent "
            "supervisory authority (GDPR Art. 47)",
            "record the approving lead supervisory authority and the approval date, and check the importer is "
            "a member of the group",
        )
    ]


def _derogation(t: TransferFacts, on: dt.date) -> list[Finding]:
    return [
        Finding(
            Severity.MEDIUM,
            "derogation_not_for_regular_transfers",
            f"transfer {t.key}: GDPR Art. 49 derogations are for occasional, not repetitive transfers "
            "(EDPB Guidelines 2/2018)",
            "if the transfer is regular, put SCCs or another Art. 46 safeguard in place; otherwise document the "
            "Art. 49 ground in the Art. 30 record (Art. 49(6))",
        )
    ]


_RULES: dict[TransferMechanism, Callable[[TransferFacts, dt.date], list[Finding]]] = {
    TransferMechanism.EU_US_PRIVACY_SHIELD: _privacy_shield,
    TransferMechanism.SWISS_US_PRIVACY_SHIELD: _privacy_shield,
    TransferMechanism.EU_US_DPF: _framework,
    TransferMechanism.SWISS_US_DPF: _framework,
    TransferMechanism.SCC_2021: _scc_2021,
    TransferMechanism.SCC_2010: _scc_2010,
    TransferMechanism.ADEQUACY: _adequacy,
    TransferMechanism.BCR: _bcr,
    TransferMechanism.DEROGATION: _derogation,
}


def assess(transfer: TransferFacts, on: dt.date) -> Validity:
    """Findings of `transfer`'s mechanism on `on`, most severe first; valid unless one is CRITICAL.

    A transfer from no EU/EEA/Swiss country is outside Chapter V (INFO `no_chapter_v_transfer`), unless it claims
    a Privacy Shield or DPF, which is assessed anyway. An empty `from_countries` is treated as in scope.
    """
    origins = _upper(transfer.from_countries)
    if transfer.mechanism not in US_MECHANISMS and origins and not origins & CHAPTER_V_EXPORTERS:
        finding = Finding(
            Severity.INFO,
            "no_chapter_v_transfer",
            f"transfer {transfer.key}: exported from {', '.join(sorted(origins))}, outside the EU/EEA and "
            "Switzerland; GDPR Chapter V does not apply",
            "none needed under the GDPR; check the exporter's own law for transfer rules",
        )
        return Validity(True, (finding,))
    findings = _RULES[transfer.mechanism](transfer, on)
    if transfer.mechanism in US_MECHANISMS:
        findings += _us_scope(transfer)
    ordered = tuple(sorted(findings, key=lambda f: _RANK[f.severity]))
    return Validity(not any(f.severity is Severity.CRITICAL for f in ordered), ordered)


def register_health(items: Sequence[tuple[TransferFacts, Validity]]) -> dict[str, int]:
    """Number of findings per severity over a register of assessed transfers, every severity present."""
    counts = {severity.value: 0 for severity in Severity}
    for _, validity in items:
        for finding in validity.findings:
            counts[finding.severity.value] += 1
    return counts

"""Transfer rules for contractual and other safeguards: the pre-2021 and 2021 SCCs, the UK IDTA and Addendum, the
transfer impact assessment, BCRs and derogations. Pure; `transfer_validity.assess` applies them."""

from __future__ import annotations

import datetime as dt

from datamap.domain.transfer_findings import (
    Finding,
    Severity,
    TransferFacts,
    no_basis,
    not_for_regime,
    where,
)
from datamap.domain.transfer_law import (
    SCC_2021_IN_FORCE,
    SCC_OLD_REPEALED,
    SCC_OLD_TRANSITION_ENDS,
    SCHREMS_II,
    UK_OLD_SCC_NO_NEW_CONTRACTS,
    UK_OLD_SCC_TRANSITION_ENDS,
    UK_TRANSFER_TOOLS_IN_FORCE,
    Regime,
    day,
)
from datamap.domain.vocabulary import TransferMechanism as M


def old_scc(t: TransferFacts, regime: Regime, on: dt.date) -> list[Finding]:
    """The pre-2021 SCCs: EU/Swiss exports per Decision 2021/914 Art. 4 (no new contract from 27 September 2021,
    none a basis from 27 December 2022); UK exports per the UK transitional provisions (contracts concluded on or
    before 21 September 2022, until 21 March 2024)."""
    uk = regime is Regime.UK
    no_new, ends = (
        (UK_OLD_SCC_NO_NEW_CONTRACTS, UK_OLD_SCC_TRANSITION_ENDS)
        if uk
        else (SCC_OLD_REPEALED, SCC_OLD_TRANSITION_ENDS)
    )
    law = (
        "transitional provisions of the IDTA and the UK Addendum"
        if uk
        else "Commission Implementing Decision (EU) 2021/914, Art. 4"
    )
    last = f"on or before {day(no_new - dt.timedelta(days=1))}" if uk else f"before {day(no_new)}"
    if on >= ends:
        why = f"the pre-2021 SCCs held only until {day(ends)} ({law}); on {on} they are no basis"
        return no_basis(t, regime, on, "scc_2010_expired", why)
    concluded = t.contract_date or t.valid_from
    if concluded is None:
        if on < no_new:
            return []
        return [
            Finding(
                Severity.LOW,
                "contract_date_not_recorded",
                f"{where(t, regime)}: the contract's date is not recorded; the pre-2021 SCCs hold only for "
                f"contracts concluded {last} ({law})",
                "record the date the contract was concluded (contractDate)",
            )
        ]
    if concluded >= no_new:
        why = (
            f"the contract was concluded on {concluded}; only contracts concluded {last} could rely on the "
            f"pre-2021 SCCs ({law}), so on {on} it is no basis"
        )
        return no_basis(t, regime, on, "scc_2010_after_repeal", why)
    return []


def scc_2021(t: TransferFacts, regime: Regime, on: dt.date) -> list[Finding]:
    """Decision 2021/914 from 27 June 2021 (GDPR Art. 46(2)(c)); not on its own a UK GDPR safeguard."""
    if regime is Regime.UK:
        why = (
            f"the 2021 EU SCCs (Decision (EU) 2021/914) alone are no safeguard under UK GDPR Art. 46 on {on}"
        )
        return no_basis(t, regime, on, "scc_2021_not_uk_safeguard", why)
    if on < SCC_2021_IN_FORCE:
        why = (
            "the 2021 SCCs (Commission Implementing Decision (EU) 2021/914) apply from 27 June 2021; "
            f"on {on} they are no basis"
        )
        return no_basis(t, regime, on, "scc_2021_not_in_force", why)
    return []


def uk_tool(t: TransferFacts, regime: Regime, on: dt.date) -> list[Finding]:
    """The IDTA and the UK Addendum (UK GDPR Art. 46(2)(d), DPA 2018 s.119A) from 21 March 2022. For EU and Swiss
    exports the Addendum's underlying 2021 EU SCCs are judged; the IDTA is no tool of theirs."""
    idta = t.mechanism is M.UK_IDTA
    if regime is not Regime.UK:
        return (
            not_for_regime(t, regime, on, "the IDTA is a UK GDPR instrument")
            if idta
            else scc_2021(t, regime, on)
        )
    if on < UK_TRANSFER_TOOLS_IN_FORCE:
        name = "the IDTA" if idta else "the UK Addendum to the 2021 EU SCCs"
        why = f"{name} applies from 21 March 2022 (DPA 2018 s.119A); on {on} it is no basis"
        return no_basis(t, regime, on, "uk_tool_not_in_force", why)
    return []


def tia(t: TransferFacts, on: dt.date) -> list[Finding]:
    """Since Schrems II, contractual safeguards need a transfer impact assessment (CJEU C-311/18; Clause 14 of the
    2021 SCCs; EDPB Recommendations 01/2020; a transfer risk assessment under the UK GDPR)."""
    if on < SCHREMS_II:
        return []
    if t.tia_review_date is None:
        return [
            Finding(
                Severity.HIGH,
                "tia_missing",
                f"transfer {t.key}: contractual safeguards without a recorded transfer impact assessment on {on} "
                "(CJEU C-311/18; Clause 14 of the 2021 SCCs)",
                "carry out and document a transfer impact assessment (EDPB Recommendations 01/2020; for UK "
                "exports the ICO's transfer risk assessment) and record its next review date",
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


# Mechanisms that hold whatever the day, with what staff must check: BCRs (GDPR Art. 47) and derogations (Art. 49,
# read restrictively: EDPB Guidelines 2/2018).
_STANDING: dict[M, tuple[Severity, str, str, str]] = {
    M.BCR: (
        Severity.LOW,
        "bcr_approval_required",
        "binding corporate rules are a basis only once approved by the competent supervisory authority "
        "(GDPR Art. 47)",
        "record the approving lead supervisory authority and the approval date, and check the importer is a member "
        "of the group",
    ),
    M.DEROGATION: (
        Severity.MEDIUM,
        "derogation_not_for_regular_transfers",
        "GDPR Art. 49 derogations are for occasional, not repetitive transfers (EDPB Guidelines 2/2018)",
        "if the transfer is regular, put SCCs or another Art. 46 safeguard in place; otherwise document the "
        "Art. 49 ground in the Art. 30 record (Art. 49(6))",
    ),
}


def standing(t: TransferFacts) -> list[Finding]:
    """The note for a BCR or a derogation (valid; nothing depends on the day)."""
    severity, code, rule, fix = _STANDING[t.mechanism]
    return [Finding(severity, code, f"transfer {t.key}: {rule}", fix)]

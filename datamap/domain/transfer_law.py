"""The dated law of cross-border transfers: which regime an export falls under, which US framework held for it on a
day, and which contractual safeguard was in force then. Pure; `transfer_validity` applies it to one transfer.

Each date names its instrument beside it. Sources: /work/shared/research/law.md §3 (GDPR Chapter V, the DPF, the
2021 SCCs, the UK and Swiss notes). [UNVERIFIED] marks a date that law.md does not confirm from a primary text;
it is kept as the best available reading and must be checked before the product relies on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from datamap.domain.regions import EEA
from datamap.domain.vocabulary import TransferMechanism as M

# --- EU/EEA: GDPR Chapter V (Arts. 44-49) ------------------------------------------------------------------------
# CJEU judgment of 6 October 2015, C-362/14 (Schrems I): Safe Harbor (Decision 2000/520/EC) invalid. Safe Harbor
# certifications are not modelled, so US adequacy before this day is not assessed.
SAFE_HARBOR_INVALIDATED = dt.date(2015, 10, 6)
# Commission Implementing Decision (EU) 2016/1250 of 12 July 2016 (EU-US Privacy Shield). law.md gives the
# decision's number; the day is the decision's own date.
PRIVACY_SHIELD_ADOPTED = dt.date(2016, 7, 12)
# CJEU judgment of 16 July 2020, C-311/18 (Schrems II): Decision 2016/1250 invalid; SCCs stay valid subject to a
# case-by-case assessment and supplementary measures (the transfer impact assessment).
SCHREMS_II = dt.date(2020, 7, 16)
# Commission Implementing Decision (EU) 2023/1795 of 10 July 2023 (EU-US DPF), in force that day, for importers
# self-certified on the DPF List only.
EU_US_DPF_IN_FORCE = dt.date(2023, 7, 10)
# Commission Implementing Decision (EU) 2021/914 of 4 June 2021 (OJ L 199, 7.6.2021): the 2021 SCCs, usable from
# 27 June 2021. Its Art. 4: Decisions 2001/497/EC and 2010/87/EU repealed with effect from 27 September 2021;
# contracts concluded before then on them deemed to provide appropriate safeguards "until 27 December 2022"
# (law.md §3.3 marks the repeal and transition dates [UNVERIFIED]). Read here as: no new contract on the old
# SCCs from 27 September 2021 on, and no old contract a basis from 27 December 2022 on.
SCC_2021_IN_FORCE = dt.date(2021, 6, 27)
SCC_OLD_REPEALED = dt.date(2021, 9, 27)
SCC_OLD_TRANSITION_ENDS = dt.date(2022, 12, 27)

# --- UK: UK GDPR Chapter V --------------------------------------------------------------------------------------
# The UK GDPR (and its own Chapter V) applies from the end of the Brexit transition period, 31 December 2020 at
# 23:00 GMT; until then the EU GDPR applied in the UK. [UNVERIFIED: not in law.md; from the European Union
# (Withdrawal) Act 2018 and the DPPEC Regulations 2019.] Before this day a UK export is judged as an EU one.
UK_GDPR_APPLIES = dt.date(2021, 1, 1)
# The IDTA and the UK Addendum to the 2021 EU SCCs, issued under DPA 2018 s.119A, in force 21 March 2022
# (law.md §3.3 [UNVERIFIED date]).
UK_TRANSFER_TOOLS_IN_FORCE = dt.date(2022, 3, 21)
# Their transitional provisions: contracts concluded on or before 21 September 2022 on the old SCCs keep providing
# appropriate safeguards until 21 March 2024. [UNVERIFIED: not in law.md; "on or before" is the provisions' wording
# as we recall it.] Read as: a contract concluded from 22 September 2022 on is no basis, and none is from
# 21 March 2024 on (the reading of "until" used for the EU transition above).
UK_OLD_SCC_NO_NEW_CONTRACTS = dt.date(2022, 9, 22)
UK_OLD_SCC_TRANSITION_ENDS = dt.date(2024, 3, 21)
# Data Protection (Adequacy) (United States of America) Regulations 2023 (SI 2023/1028): the UK Extension to the
# EU-US DPF ("data bridge"), in force 12 October 2023, for US organisations certified for the UK Extension only.
UK_EXTENSION_IN_FORCE = dt.date(2023, 10, 12)

# --- Switzerland: FADP ------------------------------------------------------------------------------------------
# FDPIC statement of 8 September 2020 finding the Swiss-US Privacy Shield inadequate [UNVERIFIED date, law.md §3.2].
# The Swiss-US Privacy Shield's start is not in law.md; it is not checked.
SWISS_PRIVACY_SHIELD_ENDED = dt.date(2020, 9, 8)
# Federal Council decision of 14 August 2024 adding the US (DPF-certified organisations only) to Annex 1 of the Data
# Protection Ordinance, in force 15 September 2024 (law.md §3.2).
SWISS_US_DPF_IN_FORCE = dt.date(2024, 9, 15)
# law.md §3.3 gives no Swiss dates for SCCs ("EU SCCs with Swiss amendments"): Swiss exports follow the EU dates
# above. [UNVERIFIED for Switzerland: the FDPIC's own recognition and transition dates may differ.]

UK_CODES = frozenset({"GB", "UK"})


class Regime(StrEnum):
    """The transfer law an export falls under, by where the exporter sits."""

    EU = "eu"
    UK = "uk"
    CH = "ch"

    @property
    def place(self) -> str:
        return _PLACES[self]

    @property
    def law(self) -> str:
        return _LAWS[self]


_PLACES = {Regime.EU: "the EU/EEA", Regime.UK: "the UK", Regime.CH: "Switzerland"}
_LAWS = {Regime.EU: "GDPR Chapter V", Regime.UK: "UK GDPR Chapter V", Regime.CH: "the Swiss FADP"}


def regimes_of(from_countries: Sequence[str], on: dt.date) -> tuple[Regime, ...]:
    """The regimes of a transfer's origins on `on`, in a fixed order; empty when none applies (e.g. a US export).

    ISO codes, `EU`/`EEA` for the regions, `GB` or `UK` for the UK (judged as the EU before `UK_GDPR_APPLIES`).
    No origin at all is read as the EU, so an incomplete entry is still checked."""
    found: set[Regime] = set()
    for raw in from_countries:
        code = raw.strip().upper()
        if code in EEA or code in {"EU", "EEA"}:
            found.add(Regime.EU)
        elif code in UK_CODES:
            found.add(Regime.UK if on >= UK_GDPR_APPLIES else Regime.EU)
        elif code == "CH":
            found.add(Regime.CH)
    if not from_countries:
        found.add(Regime.EU)
    return tuple(r for r in Regime if r in found)


@dataclass(frozen=True)
class UsFramework:
    """A US adequacy framework: for one regime's exports, between its dates, to importers certified under it."""

    mechanism: M  # the transfer mechanism, and the certification programme of the importer
    name: str
    instrument: str
    regime: Regime
    start: dt.date | None  # first day it applies; None: not checked
    end: dt.date | None = None  # first day it no longer applies
    end_reason: str = ""

    def holds_on(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


FRAMEWORKS: dict[M, UsFramework] = {
    f.mechanism: f
    for f in (
        UsFramework(
            M.EU_US_PRIVACY_SHIELD,
            "EU-US Privacy Shield",
            "Commission Implementing Decision (EU) 2016/1250 of 12 July 2016",
            Regime.EU,
            PRIVACY_SHIELD_ADOPTED,
            SCHREMS_II,
            "the CJEU invalidated it on 16 July 2020 (C-311/18, Schrems II)",
        ),
        UsFramework(
            M.EU_US_DPF,
            "EU-US Data Privacy Framework",
            "Commission Implementing Decision (EU) 2023/1795 of 10 July 2023",
            Regime.EU,
            EU_US_DPF_IN_FORCE,
        ),
        UsFramework(
            M.UK_EXTENSION,
            "UK Extension to the EU-US Data Privacy Framework",
            "the Data Protection (Adequacy) (United States of America) Regulations 2023, SI 2023/1028",
            Regime.UK,
            UK_EXTENSION_IN_FORCE,
        ),
        UsFramework(
            M.SWISS_US_PRIVACY_SHIELD,
            "Swiss-US Privacy Shield",
            "listed by the FDPIC as adequate for certified US companies",
            Regime.CH,
            None,
            SWISS_PRIVACY_SHIELD_ENDED,
            "the Swiss FDPIC found it inadequate on 8 September 2020",
        ),
        UsFramework(
            M.SWISS_US_DPF,
            "Swiss-US Data Privacy Framework",
            "the Federal Council's decision of 14 August 2024 (Data Protection Ordinance, Annex 1)",
            Regime.CH,
            SWISS_US_DPF_IN_FORCE,
        ),
    )
}
# US adequacy for each regime's exports, oldest first (GDPR Art. 45; UK GDPR Art. 45; FADP Art. 16(1)).
US_ADEQUACY: dict[Regime, tuple[UsFramework, ...]] = {
    regime: tuple(f for f in FRAMEWORKS.values() if f.regime is regime) for regime in Regime
}
# Why there was no US adequacy for a regime before its first framework.
_NONE_BEFORE = {
    Regime.EU: "Safe Harbor was invalidated on 6 October 2015 (CJEU C-362/14, Schrems I)",
    Regime.UK: "the UK GDPR has no adequacy regulations for the US",
    Regime.CH: "",
}


def day(d: dt.date) -> str:
    """A date as the law's texts write it: 16 July 2020."""
    return f"{d.day} {d:%B %Y}"


def us_framework_on(regime: Regime, on: dt.date) -> UsFramework | None:
    """The US adequacy framework for `regime`'s exports on `on`, if any."""
    return next((f for f in US_ADEQUACY[regime] if f.holds_on(on)), None)


def us_adequacy_gap(regime: Regime, on: dt.date) -> str:
    """Why no US framework held for `regime`'s exports on `on` (when `us_framework_on` is None)."""
    frameworks = US_ADEQUACY[regime]
    ended = [f for f in frameworks if f.end is not None and f.end <= on]
    upcoming = [f for f in frameworks if f.start is not None and on < f.start]
    before = f"the {ended[-1].name}: {ended[-1].end_reason}" if ended else _NONE_BEFORE[regime]
    if not upcoming:
        return before
    nxt = upcoming[0]
    assert nxt.start is not None
    return f"{before}; the {nxt.name} applies only from {day(nxt.start)} ({nxt.instrument})"


def contract_remedy(regime: Regime, on: dt.date) -> str:
    """The contractual safeguard to sign for `regime`'s exports on `on`: only clauses in force on that day, with
    the assessment the law then asked for (from Schrems II on: a transfer impact assessment)."""
    assessed = on >= SCHREMS_II
    if regime is Regime.UK:  # UK GDPR Art. 46(2)(d); regimes_of gives UK only from UK_GDPR_APPLIES
        if on < UK_TRANSFER_TOOLS_IN_FORCE:
            return (
                "sign the pre-2021 EU SCCs as they apply under the UK GDPR (Decision 2010/87/EU; 2001/497/EC or "
                "2004/915/EC between controllers) with a transfer risk assessment (CJEU C-311/18)"
            )
        return (
            "sign the IDTA or the UK Addendum to the 2021 EU SCCs (both in force from 21 March 2022) with a "
            "transfer risk assessment"
        )
    swiss = " with the Swiss amendments" if regime is Regime.CH else ""
    if on < SCC_2021_IN_FORCE:  # GDPR Art. 46(2)(c); Decision 2021/914 applies from 27 June 2021
        clauses = (
            "sign the SCCs then in force (Commission Decision 2010/87/EU; 2001/497/EC or 2004/915/EC between "
            f"controllers){swiss}"
        )
        if assessed:
            return (
                f"{clauses}, with a transfer impact assessment and supplementary measures where needed "
                "(CJEU C-311/18, Schrems II)"
            )
        return clauses
    return (
        "sign the SCCs of Commission Implementing Decision (EU) 2021/914 (the module for the parties' roles)"
        f"{swiss} with a transfer impact assessment (Clause 14)"
    )

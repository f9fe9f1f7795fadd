"""What needs fixing in the map as of a day: the map's own rules, its transfers, its notice, and (from
`recorded_findings.py`) the recorded events it does not allow and the notes its entries flag. Pure.

Each finding has a severity, a code, the entries concerned (`kind:key`, `recorded_findings.entry`), a message and
a fix. The rules here: a third party receiving data for its own direct marketing without a name and postal
address (`direct_marketing_recipient_unnamed`), a routine recipient known only by its category
(`recipient_identity_unknown`), a stored category without a retention rule (`retention_rule_missing`), a
legitimate-interests purpose without the interest (`legitimate_interest_missing`), each transfer's findings on the
day as the transfer register judges them (`transfer_validity`'s codes), and a statement of the notice the map's
transfers contradict (`notice_contradicted`). `map_findings` assembles them all, most severe first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from datamap.domain.categories import covers
from datamap.domain.finding_rows import (
    FindingFlowRow,
    FindingPurposeRow,
    FindingRecipientRow,
    FindingSystemRow,
    MapFactsRow,
    NoticeStatementRow,
)
from datamap.domain.recorded_findings import (
    collected_not_stored,
    disclosed_beyond_flows,
    entry,
    flagged_notes,
)
from datamap.domain.report_rows import RetentionRow
from datamap.domain.transfer_findings import Finding, Severity, rank
from datamap.domain.transfer_law import FRAMEWORKS
from datamap.domain.transfer_safeguards import SafeguardStatus
from datamap.domain.vocabulary import FlowTrigger, LegalBasis, TransferMechanism

# --- recipients, retention, legal bases -----------------------------------------------------------------------


def recipient_identity_unknown(key: str, name: str) -> Finding:
    """CJEU C-154/21, para. 51: a person is owed the identity of the recipients, not just their categories,
    unless it is impossible to give (the one rule: the map findings and the access report use it)."""
    return Finding(
        Severity.MEDIUM,
        "recipient_identity_unknown",
        f"{name}: only a category of recipient is known; the person is owed the recipient's identity unless it "
        "is impossible to give (CJEU C-154/21).",
        f"Record the organisation behind {key} in the map, or why it cannot be named.",
        (entry("Recipient", key),),
    )


def recipients_known_by_category(
    recipients: Sequence[FindingRecipientRow], flows: Sequence[FindingFlowRow]
) -> list[Finding]:
    """The routine recipients (a flow in force reaches them as data is processed as usual) with no organisation:
    one reached only on an event (an authority, a successor) cannot be named before it happens."""
    routine = {f["recipient"] for f in flows if (f["trigger"] or FlowTrigger.ROUTINE) == FlowTrigger.ROUTINE}
    return [
        recipient_identity_unknown(r["key"], r["name"])
        for r in recipients
        if r["key"] in routine and r["organisation"] is None
    ]


def direct_marketing_unnamed(recipients: Sequence[FindingRecipientRow], day: dt.date) -> list[Finding]:
    """Cal. Civ. Code §1798.83(a)(2): a Shine-the-Light answer gives the names and addresses of the third parties
    that received personal information for their own direct marketing."""
    out = []
    for r in recipients:
        org = r["organisation"]
        missing = [
            word
            for word, value in (("name", org and org["name"]), ("postal address", org and org["address"]))
            if not value
        ]
        if not r["ownDirectMarketing"] or not missing:
            continue
        out.append(
            Finding(
                Severity.HIGH,
                "direct_marketing_recipient_unnamed",
                f"{r['key']} ({r['name']}) receives personal information for its own direct marketing, but the "
                f"map has no {' and no '.join(missing)} for it on {day}: a Shine-the-Light answer must give them "
                "(Cal. Civ. Code §1798.83(a)(2)).",
                f"Record the organisation behind {r['key']} with its name and postal address.",
                (entry("Recipient", r["key"]), *((entry("Organisation", org["key"]),) if org else ())),
            )
        )
    return out


def _applies(rule: RetentionRow, system: str, category: str) -> bool:
    return (not rule["systems"] or system in rule["systems"]) and any(
        covers(c, category) for c in rule["categories"]
    )


def retention_missing(
    systems: Sequence[FindingSystemRow], rules: Sequence[RetentionRow], day: dt.date
) -> list[Finding]:
    """GDPR Art. 5(1)(e), 30(1)(f): each category a system stores needs a rule there (for it or a category above
    it) saying how long it is kept."""
    bare: dict[str, list[str]] = defaultdict(list)
    for s in systems:
        for category in s["categories"]:
            if not any(_applies(rule, s["key"], category) for rule in rules):
                bare[category].append(s["key"])
    return [
        Finding(
            Severity.MEDIUM,
            "retention_rule_missing",
            f"{category} is stored in {', '.join(sorted(where))} with no retention rule there on {day}: the map "
            "cannot say how long it is kept (GDPR Art. 5(1)(e), 30(1)(f)).",
            f"Add a retention rule for {category} (a period, or the criteria that set it) where it is stored.",
            (entry("DataCategory", category), *(entry("System", s) for s in sorted(where))),
        )
        for category, where in sorted(bare.items())
    ]


def legitimate_interest_missing(purposes: Sequence[FindingPurposeRow]) -> list[Finding]:
    """GDPR Art. 6(1)(f) and 13(1)(d): processing on legitimate interests names the interest pursued."""
    return [
        Finding(
            Severity.MEDIUM,
            "legitimate_interest_missing",
            f"Purpose {p['key']} ({p['name']}) rests on legitimate interests but names no interest: the notice "
            "must state it (GDPR Art. 13(1)(d)) and the balancing of Art. 6(1)(f) starts from it.",
            f"Record the legitimate interest {p['key']} pursues, or the legal basis it actually has.",
            (entry("Purpose", p["key"]),),
        )
        for p in purposes
        if p["legalBasis"] == LegalBasis.LEGITIMATE_INTERESTS and not (p["legitimateInterest"] or "").strip()
    ]


# --- transfers and the notice ---------------------------------------------------------------------------------


def transfer_findings(statuses: Sequence[SafeguardStatus]) -> list[Finding]:
    """GDPR Chapter V (and the UK GDPR's, the FADP's): each transfer in force with what the transfer register finds
    on the day (`transfer_safeguards.safeguard_status`: no valid mechanism is CRITICAL), INFO left out."""
    return [
        replace(f, entries=(entry("Transfer", s.key),))
        for s in statuses
        for f in s.findings
        if f.severity is not Severity.INFO
    ]


def _mechanism(value: str) -> str:
    framework = FRAMEWORKS.get(TransferMechanism(value))
    return framework.name if framework is not None else value


def notice_contradicted(
    notice: NoticeStatementRow | None, statuses: Sequence[SafeguardStatus], day: dt.date
) -> list[Finding]:
    """GDPR Art. 13(1)(f), 14(1)(f): the notice names the safeguards transfers rely on. A mechanism it names is
    contradicted when the map judges it no valid mechanism for a transfer in force relying on it on the day, or
    when no transfer in force relies on it any more."""
    if notice is None:
        return []
    where = f"The notice ({notice['transfersRef'] or notice['title']})"
    fix = (
        f"Change the notice ({notice['transfersRef'] or 'its transfers section'}) to name the safeguards the "
        "transfers rely on on that day, once they have one (see the transfer findings), and publish it."
    )
    out = []
    for mechanism in notice["transfersRelyOn"]:
        relying = [s for s in statuses if s.mechanism == mechanism]
        invalid = [s for s in relying if not s.valid]
        keys = tuple(entry("Transfer", s.key) for s in invalid or relying)
        if invalid:
            why = next(f.message for f in invalid[0].findings if f.severity is Severity.CRITICAL)
            message = (
                f"{where} says transfers rely on the {_mechanism(mechanism)}; on {day} the map judges it no valid "
                f"mechanism for {', '.join(s.key for s in invalid)} ({why})."
            )
        elif not relying and statuses:
            used = ", ".join(sorted({_mechanism(s.mechanism) for s in statuses}))
            message = (
                f"{where} says transfers rely on the {_mechanism(mechanism)}; no transfer in force on {day} does: "
                f"the map's rely on {used}."
            )
        else:
            continue
        out.append(
            Finding(Severity.HIGH, "notice_contradicted", message, fix, (entry("Notice", "notice"), *keys))
        )
    return out


# --- all of them ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFindings:
    """The findings of the map on `as_of`, most severe first (those of `severity` or more severe when asked)."""

    as_of: dt.date
    findings: tuple[Finding, ...]
    severity: Severity | None = None

    def counts(self) -> dict[str, int]:
        """How many findings of each severity, every severity present."""
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts


def ordered(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Most severe first, then by code and message."""
    return tuple(sorted(findings, key=lambda f: (rank(f.severity), f.code, f.message)))


def map_findings(
    facts: MapFactsRow,
    statuses: Sequence[SafeguardStatus],
    day: dt.date,
    severity: Severity | None = None,
) -> MapFindings:
    """Every finding of the map on `day` (`statuses`: its transfers as the transfer register judges them)."""
    found = [
        *collected_not_stored(facts["collections"], facts["systems"], day),
        *disclosed_beyond_flows(facts["disclosures"], facts["flows"], facts["purposes"], day),
        *direct_marketing_unnamed(facts["recipients"], day),
        *recipients_known_by_category(facts["recipients"], facts["flows"]),
        *retention_missing(facts["systems"], facts["retention"], day),
        *legitimate_interest_missing(facts["purposes"]),
        *transfer_findings(statuses),
        *flagged_notes(facts["flags"], facts["flaggedEvents"]),
        *notice_contradicted(facts["notice"], statuses, day),
    ]
    if severity is not None:
        found = [f for f in found if rank(f.severity) <= rank(severity)]
    return MapFindings(day, ordered(found), severity)

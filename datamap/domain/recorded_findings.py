"""What recorded collections and disclosures raise against the map, and the notes the map's entries flag. Pure.

Recorded events happened, so they stay recorded; the findings say where the map does not allow them, as of the
day asked about (for one event just recorded: its own day), with `categories.unheld` (a category is allowed
where the map names it, an ancestor or a descendant, as for the seed's flows): a collection of a category its
system does not store (`collected_not_stored`), a disclosure of a category no flow to the recipient carries
(`disclosed_not_carried`) or for a purpose the flows carrying it do not have (`disclosed_off_purpose`). A flag
(`seed_entries.Entry.flag`) is a note the map's author marks for attention (`flagged_note`, the flag's own
severity); one that names countries concerns the recorded events of the people living there, and its finding
names them. The whole map's findings are assembled in `map_findings.py`; the events' in `event_findings`.

Findings name the entries concerned as `kind:key` (`entry`): `system:billing`, `purpose:billing`,
`data_category:user.government_id`, `record:<id>` for a recorded event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datamap.domain.categories import narrow, unheld
from datamap.domain.finding_rows import (
    EventFactsRow,
    FindingFlowRow,
    FindingPurposeRow,
    FindingSystemRow,
    FlaggedEventsRow,
    FlagRow,
    RecordedRow,
)
from datamap.domain.regions import in_region
from datamap.domain.transfer_findings import Finding, Severity

MAX_EXAMPLES = 5  # record ids a finding names at most
# How a finding names an entry: the graph's label (or `Flow`), as the map's kinds are spelt.
_KINDS = {
    "Organisation": "organisation",
    "DataCategory": "data_category",
    "SubjectCategory": "subject_category",
    "Source": "source",
    "System": "system",
    "Purpose": "purpose",
    "Recipient": "recipient",
    "Transfer": "transfer",
    "RetentionRule": "retention_rule",
    "Right": "right",
    "Deadline": "deadline",
    "ContactPoint": "contact_point",
    "Flow": "flow",
    "Notice": "notice",
}


def entry(label: str, key: str) -> str:
    """An entry as findings name it: `entry("System", "billing")` is `system:billing`."""
    return f"{_KINDS.get(label, label)}:{key}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _records(groups: Iterable[RecordedRow | FlaggedEventsRow]) -> tuple[str, ...]:
    ids = sorted({i for g in groups for i in g["examples"]})
    return tuple(f"record:{i}" for i in ids[:MAX_EXAMPLES])


def _listed(groups: Sequence[RecordedRow]) -> str:
    return ", ".join(f"{g['category']} ({_count(g['records'], 'record')})" for g in groups)


def _categories(groups: Sequence[RecordedRow]) -> tuple[str, ...]:
    return tuple(entry("DataCategory", g["category"]) for g in groups)


# --- recorded events ------------------------------------------------------------------------------------------


def collected_not_stored(
    groups: Sequence[RecordedRow], systems: Sequence[FindingSystemRow], day: dt.date
) -> list[Finding]:
    """GDPR Art. 5(1)(b), 30(1)(c): data recorded into a system of a category the map does not have it store on
    the day is held there for no purpose the record of processing states."""
    stored = {s["key"]: s["categories"] for s in systems}
    found: dict[str, list[RecordedRow]] = defaultdict(list)
    for g in groups:
        if unheld(stored.get(g["target"], ()), [g["category"]]):
            found[g["target"]].append(g)
    out = []
    for system, held in sorted(found.items()):
        known = system in stored
        out.append(
            Finding(
                Severity.HIGH,
                "collected_not_stored",
                f"Recorded collections into {system} hold {_listed(held)}, "
                + (f"which {system} does not store" if known else f"and {system} is not in the map")
                + f" on {day}: data kept for no purpose the record of processing states (GDPR Art. 5(1)(b), "
                "30(1)(c)).",
                f"Stop collecting it into {system} and erase what is held there; or, if {system} must hold it, "
                "add the category to the system with the purpose and the retention rule it needs.",
                (entry("System", system), *_categories(held), *_records(held)),
            )
        )
    return out


def _not_carried(recipient: str, purpose: str, held: Sequence[RecordedRow], day: dt.date) -> Finding:
    return Finding(
        Severity.HIGH,
        "disclosed_not_carried",
        f"Recorded disclosures to {recipient} for {purpose} hold {_listed(held)}, which no flow to {recipient} "
        f"carries on {day}: a disclosure the record of processing does not state (GDPR Art. 5(1)(b), 30(1)(d)).",
        f"Stop disclosing it to {recipient}; or, if it must go there, add it to a flow to {recipient} with its "
        "purpose, and say so in the notice (Art. 13(1)(e)).",
        (entry("Recipient", recipient), entry("Purpose", purpose), *_categories(held), *_records(held)),
    )


def _off_purpose(
    recipient: str, purpose: str, held: Sequence[RecordedRow], purposes: set[str], day: dt.date
) -> Finding:
    why = (
        f"which no flow to {recipient} carries for it (a flow carries a category for those of its purposes that "
        "process it)"
        if purpose in purposes
        else f"and {purpose} is the purpose of no flow to {recipient} (theirs: {', '.join(sorted(purposes)) or 'none'})"
    )
    return Finding(
        Severity.HIGH,
        "disclosed_off_purpose",
        f"Recorded disclosures to {recipient} for {purpose} hold {_listed(held)}, {why} on {day}: processing for "
        "a purpose the map does not state for them (GDPR Art. 5(1)(b)).",
        f"Stop disclosing to {recipient} for {purpose}; or record {purpose} on the flow that carries the data "
        "there, with its legal basis.",
        (entry("Recipient", recipient), entry("Purpose", purpose), *_categories(held), *_records(held)),
    )


def disclosed_beyond_flows(
    groups: Sequence[RecordedRow],
    flows: Sequence[FindingFlowRow],
    purposes: Sequence[FindingPurposeRow],
    day: dt.date,
) -> list[Finding]:
    """GDPR Art. 5(1)(b): a recorded disclosure must be one the map's flows to the recipient allow on the day: its
    categories carried by a flow there (`disclosed_not_carried`), by a flow for its purpose, which the purpose
    processes (`disclosed_off_purpose`; as lineage reads a flow: each purpose for the categories it processes)."""
    flows_to: dict[str, list[FindingFlowRow]] = defaultdict(list)
    for f in flows:
        flows_to[f["recipient"]].append(f)
    processed = {p["key"]: p["categories"] for p in purposes}
    pairs: dict[tuple[str, str], list[RecordedRow]] = defaultdict(list)
    for g in groups:
        pairs[(g["target"], g["purpose"] or "no purpose")].append(g)
    out = []
    for (recipient, purpose), held in sorted(pairs.items()):
        there = flows_to.get(recipient, [])
        theirs = {p for f in there for p in f["purposes"]}
        carried = [c for f in there for c in f["categories"]]
        for_purpose = [
            c
            for f in there
            if purpose in f["purposes"]
            for c in narrow(f["categories"], processed.get(purpose, ()))
        ]
        not_carried = [g for g in held if unheld(carried, [g["category"]])]
        off = (
            held
            if purpose not in theirs
            else [g for g in held if g not in not_carried and unheld(for_purpose, [g["category"]])]
        )
        if not_carried:
            out.append(_not_carried(recipient, purpose, not_carried, day))
        if off:
            out.append(_off_purpose(recipient, purpose, off, theirs, day))
    return out


# --- flags ----------------------------------------------------------------------------------------------------


def _concerns(flag: FlagRow, events: FlaggedEventsRow) -> bool:
    country = events["country"]
    return (
        (events["kind"], events["key"]) == (flag["kind"], flag["key"])
        and country is not None
        and any(in_region(code, country.upper()) for code in flag["countries"])
    )


def flagged_notes(flags: Sequence[FlagRow], events: Sequence[FlaggedEventsRow]) -> list[Finding]:
    """Each note the map flags, with its severity; one naming countries with the recorded events (disclosures
    for a purpose or to a recipient, collections into a system) of the people living there."""
    out = []
    for flag in sorted(flags, key=lambda f: (f["kind"], f["key"])):
        named = entry(flag["kind"], flag["key"])
        message = f"{named} is flagged in the map: {flag['flag'].strip()}"
        fix = "Settle what the flag says, then remove the flag from the entry"
        concerned = [e for e in events if _concerns(flag, e)]
        if flag["countries"]:
            where = ", ".join(flag["countries"])
            lives = ", ".join(sorted({e["country"] or "" for e in concerned}))
            count = _count(sum(e["records"] for e in concerned), "recorded event")
            message += f" It concerns the people living in {where}: {count}" + (
                f" ({lives})." if lives else "."
            )
            fix += f"; confirm each recorded event of people living in {where} had what the note asks for, or stop them"
        out.append(
            Finding(
                Severity(flag["severity"]), "flagged_note", message, fix + ".", (named, *_records(concerned))
            )
        )
    return out


# --- one recorded event ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedEvent:
    """A collection (`system`, `source`) or a disclosure (`recipient`, `purpose`) just recorded, with its id."""

    record_id: str
    categories: tuple[str, ...]
    system: str | None = None
    source: str | None = None
    recipient: str | None = None
    purpose: str | None = None

    def named(self) -> list[str]:
        """The entries whose flags can concern the event (`Entry.EVENT_FLAGS`), as `Label:key`."""
        pairs = [("System", self.system), ("Recipient", self.recipient), ("Purpose", self.purpose)]
        return sorted(f"{label}:{key}" for label, key in pairs if key is not None)

    def groups(self) -> list[RecordedRow]:
        target = self.system if self.system is not None else self.recipient
        return [
            {
                "target": target or "",
                "purpose": self.purpose,
                "category": c,
                "records": 1,
                "examples": [self.record_id],
            }
            for c in sorted(set(self.categories))
        ]


def event_findings(event: RecordedEvent, facts: EventFactsRow, day: dt.date) -> list[Finding]:
    """What one recorded event raises against the map on its day: the rules the whole map's recorded events are
    judged by, and the flags of the entries it names whose countries include where its subject lives."""
    groups = event.groups()
    found = (
        collected_not_stored(groups, facts["systems"], day)
        if event.system is not None
        else disclosed_beyond_flows(groups, facts["flows"], facts["purposes"], day)
    )
    events: list[FlaggedEventsRow] = [
        {
            "kind": f["kind"],
            "key": f["key"],
            "country": facts["country"],
            "records": 1,
            "examples": [event.record_id],
        }
        for f in facts["flags"]
    ]
    flags = [f for f in facts["flags"] if any(_concerns(f, e) for e in events)]
    return found + flagged_notes(flags, events)

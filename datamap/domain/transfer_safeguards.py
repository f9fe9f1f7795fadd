"""A transfer's safeguard described on a date: its name as the law gives it, whether it holds, the words for the
person (GDPR Art. 13(1)(f), 14(1)(f), 15(2): the safeguard and how to get a copy) and the note for staff (the
findings of `transfer_validity.assess`). Pure.

An invalid safeguard is never text for the person: `for_person` is None then, and the CRITICAL finding is for
staff to fix before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from datamap.domain.regions import in_region
from datamap.domain.report_rows import CertificationRow, TransferTermsRow
from datamap.domain.transfer_findings import Certification, Finding, Severity, TransferFacts
from datamap.domain.transfer_law import FRAMEWORKS, UK_CODES, regimes_of, us_framework_on
from datamap.domain.transfer_validity import assess
from datamap.domain.vocabulary import TransferMechanism as M

_LABELS: dict[M, str] = {
    M.ADEQUACY: "an adequacy decision (GDPR Art. 45)",
    M.SCC_2010: (
        "standard contractual clauses adopted by the European Commission before 2021 (Decisions 2001/497/EC, "
        "2004/915/EC, 2010/87/EU; GDPR Art. 46(2)(c))"
    ),
    M.SCC_2021: (
        "standard contractual clauses adopted by the European Commission (Implementing Decision (EU) 2021/914; "
        "GDPR Art. 46(2)(c))"
    ),
    M.UK_IDTA: "the International Data Transfer Agreement (UK GDPR Art. 46(2)(d))",
    M.UK_ADDENDUM: (
        "the European Commission's standard contractual clauses with the UK Addendum (UK GDPR Art. 46(2)(d))"
    ),
    M.BCR: "binding corporate rules approved by a supervisory authority (GDPR Art. 47)",
    M.DEROGATION: "a derogation for a specific situation (GDPR Art. 49(1))",
    **{m: f"the {fw.name} ({fw.instrument}), for certified importers only" for m, fw in FRAMEWORKS.items()},
}
# Art. 46 safeguards: Art. 13(1)(f) and 14(1)(f) tell the person how to obtain a copy.
_COPY_AVAILABLE = frozenset({M.SCC_2010, M.SCC_2021, M.UK_IDTA, M.UK_ADDENDUM, M.BCR})
_COUNTRY_NAMES = {
    "US": "the United States",
    "GB": "the United Kingdom",
    "UK": "the United Kingdom",
    "CH": "Switzerland",
    "IN": "India",
    "EU": "the EU",
    "EEA": "the EEA",
}


@dataclass(frozen=True)
class SafeguardStatus:
    """A transfer's safeguard on one day."""

    key: str
    mechanism: M
    safeguard: str  # the safeguard as the law names it, with its instrument
    on: dt.date
    valid: bool
    findings: tuple[Finding, ...]  # for staff, most severe first
    for_person: str | None  # what the person is told; None when no valid safeguard holds (fix it first)

    @property
    def staff_note(self) -> str:
        """For staff: "valid on D" with any open finding, or "NOT VALID on D (...)" with the first CRITICAL one."""
        critical = [f for f in self.findings if f.severity is Severity.CRITICAL]
        if critical:
            first = critical[0]
            return f"NOT VALID on {self.on} (CRITICAL {first.code}): {first.message}"
        open_ = [
            f"{f.severity.value.upper()} {f.code}" for f in self.findings if f.severity is not Severity.INFO
        ]
        return f"valid on {self.on}" + (f"; open: {', '.join(open_)}" if open_ else "")


def certifications_of(rows: Sequence[CertificationRow]) -> tuple[Certification, ...]:
    """An importer's certifications as the graph returns them (Certification nodes)."""
    return tuple(Certification(M(c["program"]), c["validFrom"], c.get("validTo")) for c in rows)


def transfer_facts(
    key: str,
    mechanism: str,
    from_countries: Sequence[str],
    to_countries: Sequence[str],
    certifications: Sequence[CertificationRow],
    *,
    tia_review_date: dt.date | None = None,
    valid_from: dt.date | None = None,
    contract_date: dt.date | None = None,
) -> TransferFacts:
    """A transfer's facts from the graph's values: the Transfer node's properties and its importer's
    Certification nodes."""
    return TransferFacts(
        key=key,
        mechanism=M(mechanism),
        from_countries=tuple(from_countries),
        to_countries=tuple(to_countries),
        importer_certifications=certifications_of(certifications),
        tia_review_date=tia_review_date,
        valid_from=valid_from,
        contract_date=contract_date,
    )


def facts_of(row: TransferTermsRow) -> TransferFacts:
    """A transfer's facts from its row (the register's and the record of processing's)."""
    return transfer_facts(
        row["key"],
        row["mechanism"],
        row["fromCountries"],
        row["toCountries"],
        row["certifications"],
        tia_review_date=row.get("tiaReviewDate"),
        valid_from=row.get("validFrom"),
        contract_date=row.get("contractDate"),
    )


def countries(codes: Sequence[str]) -> str:
    """Country codes in words where the map knows them: "the United States", else the ISO code."""
    return ", ".join(_COUNTRY_NAMES.get(c.strip().upper(), c) for c in codes)


def _for_country(t: TransferFacts, country: str | None) -> TransferFacts:
    """The transfer narrowed to the exports from the person's country, when it exports from there."""
    if country is None:
        return t
    code = country.strip().upper()
    mine = tuple(
        c
        for c in t.from_countries
        if (code in UK_CODES if c.strip().upper() in UK_CODES else in_region(c.strip().upper(), code))
    )
    return replace(t, from_countries=mine) if mine else t


def safeguard_label(transfer: TransferFacts, on: dt.date) -> str:
    """The safeguard's name: for `adequacy` to the US, the framework that was the US adequacy decision that day."""
    if transfer.mechanism is M.ADEQUACY and transfer.goes_to_us():
        for regime in regimes_of(transfer.from_countries, on):
            framework = us_framework_on(regime, on)
            if framework is not None:
                return _LABELS[framework.mechanism]
    return _LABELS[transfer.mechanism]


def safeguard_status(
    transfer: TransferFacts, on: dt.date, *, importer: str | None = None, country: str | None = None
) -> SafeguardStatus:
    """`transfer`'s safeguard on `on`. With `country` (the person's, ISO alpha-2), only the exports from there
    are judged; `importer` names the recipient in the person's text."""
    judged = _for_country(transfer, country)
    validity = assess(judged, on)
    label = safeguard_label(judged, on)
    to = countries(judged.to_countries)
    person: str | None = None
    if validity.valid:
        person = f"Transferred to {importer or 'a recipient'} in {to}, on the basis of {label}."
        if judged.mechanism in _COPY_AVAILABLE:
            person += " You may ask us for a copy of these safeguards."
    return SafeguardStatus(
        transfer.key, transfer.mechanism, label, on, validity.valid, validity.findings, person
    )

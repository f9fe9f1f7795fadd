"""California Shine-the-Light (Civ. Code §1798.83): the response to a customer, from recorded disclosures. Pure.

For the calendar year before the request: the statutory categories (e)(6)(A)-(AA) of personal information
disclosed to third parties for *their own* direct marketing, and the names and addresses of those third parties,
with examples of what they market when the name does not tell. Affiliates that are separate legal entities count
as third parties; service providers (processors) do not. A business that adopted an opt-in or opt-out policy
(§1798.83(c)(2)) answers instead with the customer's right to prevent such disclosure and a cost-free means.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from datamap.domain.categories import covers
from datamap.domain.documents import Document
from datamap.domain.report_rows import StlDisclosure, StlRecipient

# Cal. Civ. Code §1798.83(e)(6)(A): the categories of personal information. The statute numbers them (i) to (xxvii);
# the letters here and in seed/data_categories.yaml are this project's own labels, not yet checked item by item
# against the published text: check them before relying on them in correspondence.
STATUTORY_CATEGORIES: dict[str, str] = {
    "A": "Name and address",
    "B": "Electronic mail address",
    "C": "Age or date of birth",
    "D": "Names of children",
    "E": "Electronic mail or other addresses of children",
    "F": "Number of children",
    "G": "The age or gender of children",
    "H": "Height",
    "I": "Weight",
    "J": "Race",
    "K": "Religion",
    "L": "Occupation",
    "M": "Telephone number",
    "N": "Education",
    "O": "Political party affiliation",
    "P": "Medical condition",
    "Q": "Drugs, therapies, or medical products or equipment used",
    "R": "The kind of product the customer purchased, leased, or rented",
    "S": "Real property purchased, leased, or rented",
    "T": "The kind of service provided",
    "U": "Social security number",
    "V": "Bank account number",
    "W": "Credit card number",
    "X": "Debit card number",
    "Y": "Bank or investment account, debit card, or credit card balance",
    "Z": "Payment history",
    "AA": "Information pertaining to the customer's creditworthiness, assets, income, or liabilities",
}
THIRD_PARTY_ROLES = frozenset({"third_party", "affiliate", "joint_controller"})
DESIGNATED_DAYS = 30
OTHERWISE_DAYS = 150


def letter_order(letter: str) -> tuple[int, str]:
    return (len(letter), letter)


def preceding_calendar_year(received: dt.date) -> tuple[dt.date, dt.date]:
    """The window a request received on `received` covers: 1 January to 31 December of the year before."""
    return dt.date(received.year - 1, 1, 1), dt.date(received.year - 1, 12, 31)


def due_date(received: dt.date, at_designated_address: bool) -> dt.date:
    """30 days when sent to the designated address, at most 150 days otherwise."""
    return received + dt.timedelta(days=DESIGNATED_DAYS if at_designated_address else OTHERWISE_DAYS)


def counts_as_third_party(recipient: StlRecipient) -> bool:
    """A separate legal entity that is not our service provider: third parties and legal-entity affiliates."""
    return recipient.get("role") in THIRD_PARTY_ROLES and recipient.get("legalEntity", True) is not False


def statutory_letters(categories: Iterable[str], statutory: Mapping[str, str]) -> set[str]:
    """The §1798.83(e)(6) letters of disclosed categories: each category's own, and its sub-categories'."""
    found = set()
    for disclosed in categories:
        for key, letter in statutory.items():
            if covers(disclosed, key) or covers(key, disclosed):
                found.add(letter)
    return found


@dataclass(frozen=True)
class ThirdParty:
    key: str
    name: str
    address: str | None
    country: str | None
    marketing_examples: str | None
    categories: tuple[str, ...]  # statutory letters


@dataclass(frozen=True)
class StatutoryCategory:
    letter: str
    name: str


@dataclass
class ShineTheLightResponse:
    """What a customer (or the business-wide standard report) is told for one calendar year."""

    year: int
    route: str
    categories: list[StatutoryCategory]
    third_parties: list[ThirdParty]
    findings: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ShineTheLightResponse:
        raw = json.loads(text)
        return cls(
            year=raw["year"],
            route=raw["route"],
            categories=[StatutoryCategory(**c) for c in raw["categories"]],
            third_parties=[
                ThirdParty(**{**t, "categories": tuple(t["categories"])}) for t in raw["third_parties"]
            ],
            findings=raw["findings"],
        )


def build_response(
    year: int,
    route: str,
    disclosures: Sequence[StlDisclosure],
    statutory: Mapping[str, str],
) -> ShineTheLightResponse:
    """From disclosures (each with recipient, purpose, categories) made in `year`, the statutory response."""
    if route != "disclosure_report":
        return ShineTheLightResponse(year, route, [], [])
    per_party: dict[str, set[str]] = {}
    parties: dict[str, StlRecipient] = {}
    for d in disclosures:
        recipient, purpose = d["recipient"], d.get("purpose")
        if not (purpose and purpose.get("thirdPartyDirectMarketing")) or not counts_as_third_party(recipient):
            continue
        letters = statutory_letters(d["categories"], statutory)
        if letters:
            per_party.setdefault(recipient["key"], set()).update(letters)
            parties[recipient["key"]] = recipient
    findings: list[str] = []
    third_parties = []
    for key in sorted(per_party):
        r = parties[key]
        name = r.get("organisationName") or r["name"]
        if not r.get("organisationName"):
            findings.append(
                f"{key}: the map names no organisation; §1798.83(a)(2) requires each third party's name"
            )
        if not r.get("address"):
            findings.append(f"{key}: no postal address in the map; §1798.83(a)(2) requires it")
        third_parties.append(
            ThirdParty(
                key,
                name,
                r.get("address"),
                r.get("country"),
                r.get("marketingExamples"),
                tuple(sorted(per_party[key], key=letter_order)),
            )
        )
    disclosed = sorted({code for codes in per_party.values() for code in codes}, key=letter_order)
    return ShineTheLightResponse(
        year,
        route,
        [StatutoryCategory(x, STATUTORY_CATEGORIES[x]) for x in disclosed],
        third_parties,
        findings,
    )


def letter(
    response: ShineTheLightResponse,
    *,
    business: str,
    business_address: str | None,
    received: dt.date,
    first_received: dt.date | None = None,
) -> Document:
    """The response to the customer as a letter."""
    doc = Document(f"Your California privacy rights: disclosures in {response.year}")
    doc.section(
        "",
        f"{business}" + (f", {business_address}" if business_address else ""),
        f"In answer to your request received on {received.isoformat()} (California Civil Code §1798.83).",
    )
    if first_received is not None:
        doc.section(
            "",
            f"We answered a request of yours on {first_received.isoformat()} this calendar year. The law "
            "gives one response per calendar year; this is that response again.",
        )
    if response.route != "disclosure_report":
        choice = "first agree to it" if response.route == "opt_in_policy" else "have not told us to stop"
        doc.section(
            "Your right to prevent disclosure",
            f"We do not disclose your personal information to third parties for their direct marketing "
            f"unless you {choice}. You may prevent such disclosure at no cost by writing to us at the "
            "address above.",
        )
        return doc
    if not response.third_parties:
        doc.section(
            "Disclosures",
            f"In {response.year} we did not disclose personal information about you to any third party for "
            "that third party's own direct marketing purposes.",
        )
        return doc
    doc.section(
        "Categories of personal information disclosed",
        f"In {response.year} we disclosed these categories of personal information about you to third "
        "parties for their own direct marketing purposes:",
        items=[f"({c.letter}) {c.name}" for c in response.categories],
    )
    doc.section(
        "Third parties that received it",
        items=[
            f"{t.name}, {t.address or 'address not on record'}"
            + (f" (markets: {t.marketing_examples})" if t.marketing_examples else "")
            + f"; categories {', '.join(t.categories)}"
            for t in response.third_parties
        ],
    )
    return doc

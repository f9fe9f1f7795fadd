"""California Shine-the-Light (Civ. Code §1798.83): the response to a customer, from recorded disclosures. Pure.

For the calendar year before the request: the statutory categories (e)(6)(A)-(AA) of personal information
disclosed to third parties for *their own* direct marketing, and the names and addresses of those third parties,
with examples of what they market when the name does not tell. Affiliates that are separate legal entities count
as third parties; service providers (processors) do not. Whether a disclosure served the third party's own direct
marketing is what the business knows of that recipient (`ownDirectMarketing` in the map), whatever purpose the
disclosure was recorded under; only where the map does not say does the purpose decide. A business that adopted
an opt-in or opt-out policy (§1798.83(c)(2)) answers instead with the customer's right to prevent such disclosure
and a cost-free means.

Only a "customer" is owed the response: "an individual who is a resident of California who provides personal
information to a business during the creation of, or throughout the duration of, an established business
relationship if the business relationship is primarily for personal, family, or household purposes"
(§1798.83(e)(1)). A requester who is not one is still answered, and told why (`eligibility`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from datamap.domain.categories import covers
from datamap.domain.documents import Document
from datamap.domain.report_rows import StlDisclosure, StlRecipient
from datamap.domain.vocabulary import Relationship

# Cal. Civ. Code §1798.83(e)(6)(A): "the following categories of personal information", items (i) to (xxvii), in the
# statute's order (research, law.md: the items and their order confirmed; the letters A to AA that earlier versions
# used belong to the definition in (e)(7)). Each data category of seed/data_categories.yaml names its item
# (`statutoryCategory`).
STATUTORY_CATEGORIES: dict[str, str] = {
    "i": "Name and address",
    "ii": "Electronic mail address",
    "iii": "Age or date of birth",
    "iv": "Names of children",
    "v": "Electronic mail or other addresses of children",
    "vi": "Number of children",
    "vii": "The age or gender of children",
    "viii": "Height",
    "ix": "Weight",
    "x": "Race",
    "xi": "Religion",
    "xii": "Occupation",
    "xiii": "Telephone number",
    "xiv": "Education",
    "xv": "Political party affiliation",
    "xvi": "Medical condition",
    "xvii": "Drugs, therapies, or medical products or equipment used",
    "xviii": "The kind of product the customer purchased, leased, or rented",
    "xix": "Real property purchased, leased, or rented",
    "xx": "The kind of service provided",
    "xxi": "Social security number",
    "xxii": "Bank account number",
    "xxiii": "Credit card number",
    "xxiv": "Debit card number",
    "xxv": "Bank or investment account, debit card, or credit card balance",
    "xxvi": "Payment history",
    "xxvii": "Information pertaining to the customer's creditworthiness, assets, income, or liabilities",
}
_ITEM_ORDER = {item: index for index, item in enumerate(STATUTORY_CATEGORIES)}
# the labels responses recorded before used, and the item each stood for
_LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "AA"]
LEGACY_LETTERS = dict(zip(_LETTERS, STATUTORY_CATEGORIES, strict=True))
THIRD_PARTY_ROLES = frozenset({"third_party", "affiliate", "joint_controller"})
DESIGNATED_DAYS = 30
OTHERWISE_DAYS = 150


def item_order(item: str) -> int:
    """An item's place in (e)(6)(A)'s list."""
    return _ITEM_ORDER[item]


def citation(item: str) -> str:
    return f"§1798.83(e)(6)(A)({item})"


def preceding_calendar_year(received: dt.date) -> tuple[dt.date, dt.date]:
    """The window a request received on `received` covers: 1 January to 31 December of the year before."""
    return dt.date(received.year - 1, 1, 1), dt.date(received.year - 1, 12, 31)


def due_date(received: dt.date, at_designated_address: bool) -> dt.date:
    """30 days when sent to the designated address, at most 150 days otherwise."""
    return received + dt.timedelta(days=DESIGNATED_DAYS if at_designated_address else OTHERWISE_DAYS)


def counts_as_third_party(recipient: StlRecipient) -> bool:
    """A separate legal entity that is not our service provider: third parties and legal-entity affiliates."""
    return recipient.get("role") in THIRD_PARTY_ROLES and recipient.get("legalEntity", True) is not False


CALIFORNIA = "US-CA"


def eligibility(region: str | None, relationship: str | None) -> list[str]:
    """Why a requester is not a "customer" of §1798.83(e)(1); empty when they are."""
    reasons = []
    if region is None:
        reasons.append("the business's records do not show that you live in California (§1798.83(e)(1))")
    elif region != CALIFORNIA:
        reasons.append("the business's records show that you live outside California (§1798.83(e)(1))")
    if relationship == Relationship.BUSINESS:
        reasons.append(
            "your relationship with the business is on behalf of a business, not primarily for personal, "
            "family, or household purposes (§1798.83(e)(1))"
        )
    elif relationship != Relationship.PERSONAL:
        reasons.append(
            "the business's records show no established business relationship with you (§1798.83(e)(1))"
        )
    return reasons


def for_own_direct_marketing(disclosure: StlDisclosure) -> bool:
    """Whether a disclosure went to the recipient for its own direct marketing: what the business knows of the
    recipient decides (`ownDirectMarketing`); the recorded purpose only where the map does not say."""
    known = disclosure["recipient"].get("ownDirectMarketing")
    if known is not None:
        return bool(known)
    purpose = disclosure.get("purpose")
    return bool(purpose and purpose.get("thirdPartyDirectMarketing"))


def statutory_items(categories: Iterable[str], statutory: Mapping[str, str]) -> set[str]:
    """The §1798.83(e)(6)(A) items of disclosed categories: each category's own, and its sub-categories'."""
    found = set()
    for disclosed in categories:
        for key, item in statutory.items():
            if covers(disclosed, key) or covers(key, disclosed):
                found.add(item)
    return found


@dataclass(frozen=True)
class ThirdParty:
    key: str
    name: str
    address: str | None
    country: str | None
    marketing_examples: str | None
    categories: tuple[str, ...]  # items of §1798.83(e)(6)(A)


@dataclass(frozen=True)
class StatutoryCategory:
    item: str  # (i) to (xxvii) of §1798.83(e)(6)(A)
    name: str

    @property
    def citation(self) -> str:
        return citation(self.item)


@dataclass
class ShineTheLightResponse:
    """What a customer (or the business-wide standard report) is told for one calendar year."""

    year: int
    route: str
    categories: list[StatutoryCategory]
    third_parties: list[ThirdParty]
    findings: list[str] = field(default_factory=list)
    eligible: bool = True  # a "customer" of §1798.83(e)(1)
    reasons: list[str] = field(default_factory=list)  # why not, when not

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ShineTheLightResponse:
        raw = json.loads(text)
        return cls(
            year=raw["year"],
            route=raw["route"],
            categories=[_category(c) for c in raw["categories"]],
            third_parties=[
                ThirdParty(**{**t, "categories": tuple(LEGACY_LETTERS.get(c, c) for c in t["categories"])})
                for t in raw["third_parties"]
            ],
            findings=raw["findings"],
            eligible=raw.get("eligible", True),  # responses recorded before eligibility was checked
            reasons=raw.get("reasons", []),
        )


def _category(raw: Mapping[str, str]) -> StatutoryCategory:
    """A recorded category: `item`, or (recorded before) `letter`."""
    item = raw["item"] if "item" in raw else LEGACY_LETTERS[raw["letter"]]
    return StatutoryCategory(item, raw["name"])


def build_response(
    year: int,
    route: str,
    disclosures: Sequence[StlDisclosure],
    statutory: Mapping[str, str],
    reasons: Sequence[str] = (),
) -> ShineTheLightResponse:
    """From disclosures (each with recipient, purpose, categories) made in `year`, the statutory response;
    `reasons` why the requester is not a customer (then nothing is disclosed to them, and the reasons are)."""
    if reasons:
        return ShineTheLightResponse(year, route, [], [], eligible=False, reasons=list(reasons))
    if route != "disclosure_report":
        return ShineTheLightResponse(year, route, [], [])
    per_party: dict[str, set[str]] = {}
    parties: dict[str, StlRecipient] = {}
    for d in disclosures:
        recipient = d["recipient"]
        if not for_own_direct_marketing(d) or not counts_as_third_party(recipient):
            continue
        items = statutory_items(d["categories"], statutory)
        if items:
            per_party.setdefault(recipient["key"], set()).update(items)
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
                tuple(sorted(per_party[key], key=item_order)),
            )
        )
    disclosed = sorted({code for codes in per_party.values() for code in codes}, key=item_order)
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
    if not response.eligible:
        doc.section(
            "Why there is no disclosure report",
            "California Civil Code §1798.83 gives this right to a customer: a California resident whose "
            "established relationship with the business is primarily for personal, family, or household "
            "purposes. We have recorded your request and answer it, but the law does not give you this report "
            "because:",
            items=response.reasons,
        )
        return doc
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
        items=[f"{c.name} ({c.citation})" for c in response.categories],
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


def standard_report_document(
    response: ShineTheLightResponse, *, business: str, business_address: str | None
) -> Document:
    """The business-wide report of a year, as a report (it is about no one in particular): California customers'
    information disclosed to third parties for their own direct marketing (§1798.83(a)(2), (e)(1), (e)(6)(A))."""
    doc = Document(
        f"Shine-the-Light report {response.year}: personal information of California customers disclosed to "
        "third parties for their own direct marketing (California Civil Code §1798.83)"
    )
    doc.section(
        "Scope",
        f"{business}" + (f", {business_address}" if business_address else ""),
        f"Disclosures made from 1 January to 31 December {response.year} (California time) of personal "
        "information of customers: California residents whose established business relationship with us is "
        "primarily for personal, family, or household purposes (§1798.83(e)(1)).",
    )
    if response.route != "disclosure_report":
        doc.section(
            "Policy",
            "We do not disclose customers' personal information to third parties for their direct marketing "
            "unless the customer "
            + ("first agrees to it" if response.route == "opt_in_policy" else "has not told us to stop")
            + " (§1798.83(c)(2)).",
        )
        return doc
    doc.section(
        "Categories of personal information disclosed (§1798.83(e)(6)(A))",
        items=[f"{c.name} ({c.citation})" for c in response.categories] or ["none"],
    )
    doc.section(
        "Third parties that received it, and what they market (§1798.83(a)(2))",
        items=[
            f"{t.name}, {t.address or 'address not on record'}"
            + (f" (markets: {t.marketing_examples})" if t.marketing_examples else "")
            + f"; items {', '.join(t.categories)}"
            for t in response.third_parties
        ]
        or ["none"],
    )
    return doc

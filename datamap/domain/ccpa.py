"""CCPA right to know (Civ. Code §1798.110, §1798.115): what was collected and disclosed in a window. Pure.

The window is the 12 months before the request (§1798.130(a)(2)(B)), or, at the consumer's request, back to a
day on or after 1 January 2022 (§1798.130(a)(2)(B); 11 CCR §7024(h)). Categories are named by the terms of
§1798.140(v)(1) (`ccpa_categories`), and a disclosure counts as a sale (§1798.140(ad)), as sharing for
cross-context behavioural advertising (§1798.140(ah)) or as a disclosure for a business purpose (§1798.140(e)),
each reported apart (§1798.115(a)(2)-(3); §1798.110(a)(4)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from datamap.domain.ccpa_categories import CcpaCategory, terms_of
from datamap.domain.deadlines import add_months
from datamap.domain.lineage import subject_lineage
from datamap.domain.lineage_rows import DisclosurePurposeRow, DisclosureRow, RecipientRow, SubjectLineageRow
from datamap.domain.local_days import CALIFORNIA, day_start
from datamap.errors import ValidationError

THIRD_PARTY_ROLES = frozenset({"third_party", "affiliate", "joint_controller"})

# §1798.130(a)(2)(B); 11 CCR §7024(h): beyond the 12 months only for information collected on or after this day.
EARLIEST_LOOKBACK = dt.date(2022, 1, 1)

# Purposes that are cross-context behavioural advertising (§1798.140(k)): targeting by activity across other
# businesses' websites and services. The seed's "interest-based advertising" (notice §14) is that.
CROSS_CONTEXT_ADVERTISING_PURPOSES = frozenset({"interest_based_advertising"})
# Kinds of recipient whose business is advertising: a disclosure to one of them as a third party is sharing.
ADVERTISING_KINDS = frozenset({"advertising", "advertising_agency"})


def twelve_months_before(received: dt.date) -> tuple[dt.date, dt.date]:
    """The window: twelve months up to the day of receipt, both ends included (received 15 Apr 2020:
    16 Apr 2019 to 15 Apr 2020; from 29 Feb, the day after 28 Feb of the year before)."""
    return add_months(received, -12) + dt.timedelta(days=1), received


def window_of(received: dt.date, since: dt.date | None) -> tuple[dt.date, dt.date, str]:
    """The window of a request and the rule that sets it: by default the 12 months before receipt
    (§1798.130(a)(2)(B)); with `since`, from that day, never before 1 January 2022 (§1798.130(a)(2)(B);
    11 CCR §7024(h))."""
    if since is None:
        first, last = twelve_months_before(received)
        return first, last, "the 12 months before the request (Civ. Code §1798.130(a)(2)(B))"
    if since < EARLIEST_LOOKBACK:
        raise ValidationError(
            f"since: {since.isoformat()} is before 1 January 2022; beyond the 12 months a consumer may ask only "
            "for information collected on or after 1 January 2022 (Civ. Code §1798.130(a)(2)(B); 11 CCR §7024(h))"
        )
    if since > received:
        raise ValidationError(f"since: {since.isoformat()} is after receivedAt {received.isoformat()}")
    return (
        since,
        received,
        (
            f"since {since.isoformat()}, at the consumer's request (Civ. Code §1798.130(a)(2)(B); 11 CCR §7024(h))"
        ),
    )


class Ground(StrEnum):
    """How the CCPA counts one disclosure."""

    SOLD = "sold"  # §1798.140(ad): to a third party for monetary or other valuable consideration
    SHARED = "shared"  # §1798.140(ah): to a third party for cross-context behavioural advertising
    BUSINESS_PURPOSE = "business_purpose"  # §1798.140(e): for a business purpose (service providers)


GROUND_WORDS = {
    Ground.SOLD: "sold",
    Ground.SHARED: "shared for cross-context behavioral advertising",
    Ground.BUSINESS_PURPOSE: "disclosed for a business purpose",
}


def ground_of(recipient: RecipientRow, purpose: DisclosurePurposeRow | None) -> Ground:
    """Sharing first: a disclosure for cross-context behavioural advertising is sharing (§1798.140(ah)(1)), also
    to an ad provider that is our service provider, since such advertising is no business purpose
    (§1798.140(e)(6) excepts it; UNVERIFIED: law.md does not quote (e)(6) or (ah)). Then a disclosure to a
    third party for its own marketing: a sale where it is for consideration (§1798.140(ad)(1); the map does not
    record consideration, so it is reported as one). Else a disclosure for a business purpose (§1798.140(e))."""
    third_party = recipient["role"] in THIRD_PARTY_ROLES
    purpose_key = purpose["key"] if purpose is not None else None
    if purpose_key in CROSS_CONTEXT_ADVERTISING_PURPOSES or (
        third_party and recipient["kind"] in ADVERTISING_KINDS
    ):
        return Ground.SHARED
    own_marketing = (
        bool(purpose and purpose.get("thirdPartyDirectMarketing")) or recipient["ownDirectMarketing"]
    )
    if third_party and own_marketing:
        return Ground.SOLD
    return Ground.BUSINESS_PURPOSE


# How the CCPA calls a recipient in each role: a service provider (§1798.140(ag)) receives for a business purpose;
# the others are third parties (§1798.140(ai)) of the kind the map records.
_ROLE_WORDS = {
    "processor": "service providers",
    "affiliate": "affiliated companies",
    "joint_controller": "joint controllers",
    "authority": "public authorities",
    "successor": "successors in a corporate transaction",
}


def recipient_category(role: object, kind: object, ground: Ground = Ground.BUSINESS_PURPOSE) -> str:
    """A category of third parties (or of persons, for a business purpose) in words: the recipient's kind, with
    the role the CCPA gives it ("service providers: hosting", "third parties: marketing partner"). Whoever
    receives by a sale or sharing is a third party (§1798.140(ai)), whatever its role for other purposes."""
    words = (
        _ROLE_WORDS.get(str(role), "third parties") if ground is Ground.BUSINESS_PURPOSE else "third parties"
    )
    return f"{words}: {str(kind).replace('_', ' ')}"


@dataclass(frozen=True)
class DisclosedTo:
    """§1798.115(a)(2)-(3): the categories of personal information disclosed on one ground to one category of
    third parties (or of persons, for a business purpose)."""

    recipients: str
    ground: Ground
    categories: list[CcpaCategory]


def breakdown(disclosures: list[DisclosureRow], letters: Mapping[str, str | None]) -> list[DisclosedTo]:
    """Each ground and category of recipients with the categories disclosed to them: sold or shared "by
    category or categories of personal information for each category of third parties" (§1798.115(a)(2)),
    disclosed for a business purpose with "the categories of persons to whom it was disclosed"
    (§1798.115(a)(3)). Wording from law.md's summary of §1798.115(a); UNVERIFIED against the enacted text."""
    found: dict[tuple[Ground, str], set[str]] = {}
    for d in disclosures:
        recipient = d["recipient"]
        ground = ground_of(recipient, d.get("purpose"))
        key = (ground, recipient_category(recipient["role"], recipient["kind"], ground))
        found.setdefault(key, set()).update(d["categories"])
    order = list(Ground)
    return [
        DisclosedTo(recipients, ground, terms_of(categories, letters))
        for (ground, recipients), categories in sorted(
            found.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
        )
    ]


@dataclass
class RightToKnow:
    subject_id: str
    window_from: dt.date
    window_to: dt.date
    period: str
    categories_collected: list[CcpaCategory]
    sources: list[str]
    purposes: list[str]
    third_party_categories: list[str]
    sold: list[CcpaCategory]
    shared: list[CcpaCategory]
    disclosed_for_business_purpose: list[CcpaCategory]
    disclosed_to: list[DisclosedTo]


def build_right_to_know(
    row: SubjectLineageRow,
    received: dt.date,
    max_hops: int,
    letters: Mapping[str, str | None],
    since: dt.date | None = None,
) -> RightToKnow:
    """From a SUBJECT_LINEAGE row taken as of `received`: what happened within the request's window.
    `letters`: each data category's letter of §1798.140(v)(1)."""
    first, last, period = window_of(received, since)
    start = day_start(first, CALIFORNIA)
    inside: SubjectLineageRow = {
        **row,
        "records": [r for r in row["records"] if r["at"] >= start],
        "disclosures": [d for d in row["disclosures"] if d["at"] >= start],
    }
    lineage = subject_lineage(inside, as_of=last, category=None, max_hops=max_hops)
    by_ground: dict[Ground, set[str]] = {g: set() for g in Ground}
    for d in inside["disclosures"]:
        by_ground[ground_of(d["recipient"], d.get("purpose"))].update(d["categories"])
    return RightToKnow(
        subject_id=row["subjectId"],
        window_from=first,
        window_to=last,
        period=period,
        categories_collected=terms_of({c for r in inside["records"] for c in r["categories"]}, letters),
        sources=sorted({s.name for s in lineage.sources}),
        purposes=sorted({p.name for p in lineage.purposes}),
        third_party_categories=sorted(
            {
                recipient_category(r.details.get("role"), r.details.get("kind"))
                for r in lineage.recipients
                if r.details.get("role") in THIRD_PARTY_ROLES
            }
        ),
        sold=terms_of(by_ground[Ground.SOLD], letters),
        shared=terms_of(by_ground[Ground.SHARED], letters),
        disclosed_for_business_purpose=terms_of(by_ground[Ground.BUSINESS_PURPOSE], letters),
        disclosed_to=breakdown(inside["disclosures"], letters),
    )

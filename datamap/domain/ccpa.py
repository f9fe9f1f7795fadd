"""CCPA right to know (Civ. Code §1798.110, §1798.115): the 12 months before a request. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datamap.domain.deadlines import add_months
from datamap.domain.lineage import subject_lineage
from datamap.domain.lineage_rows import SubjectLineageRow
from datamap.domain.local_days import CALIFORNIA, day_start

THIRD_PARTY_ROLES = frozenset({"third_party", "affiliate", "joint_controller"})


def twelve_months_before(received: dt.date) -> tuple[dt.date, dt.date]:
    """The window: twelve months up to the day of receipt, both ends included (received 15 Apr 2020:
    16 Apr 2019 to 15 Apr 2020; from 29 Feb, the day after 28 Feb of the year before)."""
    return add_months(received, -12) + dt.timedelta(days=1), received


@dataclass
class RightToKnow:
    subject_id: str
    window_from: dt.date
    window_to: dt.date
    categories_collected: list[str]
    sources: list[str]
    purposes: list[str]
    third_party_categories: list[str]
    sold_or_shared: list[str]
    disclosed_for_business_purpose: list[str]


def build_right_to_know(row: SubjectLineageRow, received: dt.date, max_hops: int) -> RightToKnow:
    """From a SUBJECT_LINEAGE row taken as of `received`: what happened within the 12 months before it."""
    first, last = twelve_months_before(received)
    start = day_start(first, CALIFORNIA)
    inside: SubjectLineageRow = {
        **row,
        "records": [r for r in row["records"] if r["at"] >= start],
        "disclosures": [d for d in row["disclosures"] if d["at"] >= start],
    }
    lineage = subject_lineage(inside, as_of=last, category=None, max_hops=max_hops)
    sold: set[str] = set()
    business: set[str] = set()
    for d in inside["disclosures"]:
        recipient, purpose = d["recipient"], d.get("purpose")
        for_their_marketing = purpose is not None and purpose.get("thirdPartyDirectMarketing")
        for_their_marketing = for_their_marketing or recipient.get("ownDirectMarketing")
        target = sold if recipient["role"] in THIRD_PARTY_ROLES and for_their_marketing else business
        target.update(d["categories"])
    return RightToKnow(
        subject_id=row["subjectId"],
        window_from=first,
        window_to=last,
        categories_collected=sorted({c for r in inside["records"] for c in r["categories"]}),
        sources=sorted({s.name for s in lineage.sources}),
        purposes=sorted({p.name for p in lineage.purposes}),
        third_party_categories=sorted(
            {
                f"{r.details.get('role')}: {r.details.get('kind')}"
                for r in lineage.recipients
                if r.details.get("role") in THIRD_PARTY_ROLES
            }
        ),
        sold_or_shared=sorted(sold),
        disclosed_for_business_purpose=sorted(business),
    )

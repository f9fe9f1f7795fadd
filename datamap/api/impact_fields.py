"""Impact root fields: the map's flows (`flows`), and what reaches one recipient (`recipientImpact`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from datamap.api.identifiers import now_of, state_of
from datamap.api.types import impact as t
from datamap.domain.impact import DEFAULT_PAGE, MAX_PAGE
from datamap.services import impact


@strawberry.type
class ImpactQuery:
    @strawberry.field(
        description="The map's flows in force on `asOf` (default today): from a source or system (`from`), to a "
        "system or recipient (`to`), carrying a data category (with its sub-categories), for a purpose"
    )
    async def flows(
        self,
        info: Info,
        start: Annotated[str | None, strawberry.argument(name="from")] = None,
        end: Annotated[str | None, strawberry.argument(name="to")] = None,
        category: str | None = None,
        purpose: str | None = None,
        as_of: dt.date | None = None,
    ) -> list[t.Flow] | None:
        found = await impact.flows(
            state_of(info).db,
            now=now_of(info),
            start=start,
            end=end,
            category=category,
            purpose=purpose,
            as_of=as_of,
        )
        return [t.Flow.of(f) for f in found]

    @strawberry.field(
        description="What reaches a recipient: the map's paths on `asOf` (default: the period's last day, or today "
        "while it lasts), and the people whose data a recorded disclosure brought there in [from, to) (UTC days, "
        "at most ten years): their number, and a page of them by subject id"
    )
    async def recipient_impact(
        self,
        info: Info,
        recipient: str,
        start: Annotated[dt.date, strawberry.argument(name="from")],
        end: Annotated[dt.date, strawberry.argument(name="to", description="The first day after the period")],
        as_of: dt.date | None = None,
        limit: Annotated[
            int, strawberry.argument(description=f"People on the page, 1 to {MAX_PAGE}")
        ] = DEFAULT_PAGE,
        after: Annotated[str | None, strawberry.argument(description="The `next` of the page before")] = None,
    ) -> t.RecipientImpact | None:
        found = await impact.impact_on_recipient(
            state_of(info).db,
            recipient,
            start,
            end,
            now=now_of(info),
            as_of=as_of,
            limit=limit,
            after=after,
        )
        return t.RecipientImpact.of(found)

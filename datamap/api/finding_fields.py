"""The map findings root field (issue 11): a read of the map, naming no person."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from datamap.api.identifiers import now_of, state_of
from datamap.api.types.findings import MapFindings
from datamap.api.types.reports import SeverityEnum
from datamap.services import map_findings


@strawberry.type
class FindingQuery:
    @strawberry.field(
        description="What needs fixing in the map as of `asOf` (default today): recorded collections and "
        "disclosures the map does not allow (up to that day), direct-marketing third parties without a name and "
        "postal address, recipients known only by their category, stored categories without a retention rule, "
        "legitimate-interests purposes without the interest, transfers without a valid mechanism, the notes the "
        "map flags and the notice's statements the map contradicts"
    )
    async def map_findings(
        self,
        info: Info,
        as_of: dt.date | None = None,
        severity: Annotated[
            SeverityEnum | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only findings of this severity or more severe"),
        ] = None,
    ) -> MapFindings | None:
        found = await map_findings.map_findings(state_of(info).db, as_of, now=now_of(info), severity=severity)
        return MapFindings.of(found)

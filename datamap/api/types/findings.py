"""GraphQL types of the map findings: what needs fixing in the map as of a day."""

from __future__ import annotations

import datetime as dt

import strawberry

from datamap.api.types.reports import Finding, SeverityEnum
from datamap.domain import map_findings


@strawberry.type(description="How many findings of one severity")
class FindingCount:
    severity: SeverityEnum  # type: ignore[valid-type]
    count: int


@strawberry.type(description="What needs fixing in the map as of a day, most severe first")
class MapFindings:
    as_of: dt.date
    severity: SeverityEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="The least severity asked for (null: all)"
    )
    counts: list[FindingCount] = strawberry.field(description="The findings below, by severity")
    findings: list[Finding]

    @classmethod
    def of(cls, found: map_findings.MapFindings) -> MapFindings:
        return cls(
            as_of=found.as_of,
            severity=found.severity,
            counts=[FindingCount(severity=s, count=n) for s, n in found.counts().items()],
            findings=list(found.findings),
        )

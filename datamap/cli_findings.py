"""`datamap findings`: what needs fixing in the map as of a date (the `mapFindings` field's answer)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from datamap.cli_common import date_argument, in_phases
from datamap.clock import command_clock
from datamap.domain.transfer_findings import Severity

if TYPE_CHECKING:
    from datamap.domain.map_findings import MapFindings


def cmd_findings(args: argparse.Namespace, with_db: Callable[[Any], Any]) -> int:
    from datamap.services import map_findings

    now = command_clock().now()
    severity = Severity(args.severity) if args.severity else None
    found: MapFindings = in_phases(
        with_db,
        lambda db: map_findings.map_findings(db, args.as_of, now=now, severity=severity),
        "reading the map and what was recorded",
    )
    if args.json:
        print(json.dumps(as_json(found), ensure_ascii=False, indent=2))
        return 0
    counts = ", ".join(f"{severity} {n}" for severity, n in found.counts().items())
    print(f"map findings as of {found.as_of}: {counts}")
    for f in found.findings:
        print(f"[{f.severity.value}] {f.code}: {f.message}")
        if f.entries:
            print(f"  entries: {', '.join(f.entries)}")
        print(f"  fix: {f.fix}")
    return 0


def as_json(found: MapFindings) -> dict[str, Any]:
    """The findings as the `--json` output gives them, for scripts."""
    return {
        "asOf": found.as_of.isoformat(),
        "counts": found.counts(),
        "findings": [
            {
                "severity": f.severity.value,
                "code": f.code,
                "entries": list(f.entries),
                "message": f.message,
                "fix": f.fix,
            }
            for f in found.findings
        ],
    }


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "findings",
        help="what needs fixing in the map as of a date",
        description="The map findings, most severe first: recorded collections and disclosures the map does not "
        "allow, direct-marketing third parties without a name and postal address, recipients known only by "
        "their category, categories without a retention rule, legitimate interests not named, transfers without "
        "a valid mechanism, the notes the map flags, the notice's statements the map contradicts. Exit status 0 "
        "whatever is found.",
    )
    p.add_argument("--as-of", type=date_argument, help="the day (default today)")
    p.add_argument(
        "--severity",
        choices=[s.value for s in Severity],
        help="only findings of this severity or more severe",
    )
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=handler)

"""`datamap subject show`: what the graph holds about one person (the API's `subject`), never a raw identifier.

The lookup is audited as the API audits it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from datamap.cli_common import (
    add_json_argument,
    add_subject_arguments,
    person_read,
    print_json,
    subject_argument,
)
from datamap.clock import command_clock

if TYPE_CHECKING:
    from datamap.graph.subject_records import SubjectRow

EPILOG = "exit status: 0 found; 2 bad input (the API's message); 3 no such subject"


def cmd_subject(args: argparse.Namespace, with_db: Callable[[Any], Any], secret: Callable[[], bytes]) -> int:
    from datamap.services import map_browser

    now, key = command_clock().now(), secret()

    async def read(db: Any) -> SubjectRow:
        return await person_read(
            db,
            "subject",
            now,
            lambda: subject_argument(args, key),
            lambda lookup: map_browser.subject(db, lookup),
            lambda row: row.id,
        )

    row: SubjectRow = with_db(read)
    if args.json:
        print_json(subject_json(row))
        return 0
    print_subject(row)
    return 0


def subject_json(r: SubjectRow) -> dict[str, Any]:
    """The API's `Subject`: in order of time, identifiers only by kind."""
    return {
        "id": r.id,
        "country": r.country,
        "firstRecorded": r.created_at.isoformat(),
        "erasedAt": r.erased_at.isoformat() if r.erased_at else None,
        "identifierKinds": sorted(set(r.identifier_kinds)),
        "subjectCategories": [
            {"key": m.key, "name": m.name, "since": m.since.isoformat()}
            for m in sorted(r.memberships, key=lambda m: m.since)
        ],
        "records": [
            {
                "id": x.id,
                "system": x.system,
                "systemName": x.system_name,
                "source": x.source,
                "categories": list(x.categories),
                "at": x.at.isoformat(),
            }
            for x in sorted(r.records, key=lambda x: x.at)
        ],
        "disclosures": [
            {
                "id": d.id,
                "recipient": d.recipient,
                "recipientName": d.recipient_name,
                "role": d.role.value,
                "purpose": d.purpose,
                "categories": list(d.categories),
                "at": d.at.isoformat(),
            }
            for d in sorted(r.disclosures, key=lambda d: d.at)
        ],
    }


def print_subject(r: SubjectRow) -> None:
    print(
        f"subject {r.id}: country {r.country or 'unknown'}, first recorded {r.created_at:%Y-%m-%d %H:%M} UTC"
    )
    if r.erased_at is not None:
        print(f"erased at {r.erased_at.isoformat()}")
    print(f"identifiers held (as keyed hashes): {', '.join(sorted(set(r.identifier_kinds))) or 'none'}")
    for m in sorted(r.memberships, key=lambda m: m.since):
        print(f"subject category {m.key} ({m.name}) since {m.since:%Y-%m-%d}")
    print(f"records ({len(r.records)})")
    for x in sorted(r.records, key=lambda x: x.at):
        print(f"  {x.at:%Y-%m-%d %H:%M}  {x.system} from {x.source}: {', '.join(x.categories)}")
    print(f"disclosures ({len(r.disclosures)})")
    for d in sorted(r.disclosures, key=lambda d: d.at):
        print(
            f"  {d.at:%Y-%m-%d %H:%M}  {d.recipient} ({d.role.value}) for {d.purpose}: {', '.join(d.categories)}"
        )


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "subject",
        help="what the graph holds about one person (subject)",
        description="One person as the graph holds them: categories, records, disclosures; identifiers only "
        "by kind. The lookup is recorded in the audit trail (principal local:cli).",
        epilog=EPILOG,
    )
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser(
        "show",
        help="what the graph holds about one person",
        description="What the graph holds about one person, in order of time; identifiers only by kind.",
        epilog=EPILOG,
    )
    add_subject_arguments(show)
    add_json_argument(show)
    show.set_defaults(func=handler)

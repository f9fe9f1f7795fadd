"""`datamap lineage subject|category`: where one person's data went, where a category's data goes by the map.

The same use cases as the API's `subjectLineage` and `categoryLineage` (`services/lineage.py`); a person's lineage
is audited as the API audits it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from datamap.cli_common import (
    add_json_argument,
    add_subject_arguments,
    date_argument,
    person_read,
    print_json,
    subject_argument,
)
from datamap.clock import command_clock

if TYPE_CHECKING:
    from datamap.domain.lineage_types import Lineage, Reached

EPILOG = "exit status: 0 found; 2 bad input (the API's message); 3 no such subject or category"
KINDS = ("sources", "systems", "purposes", "recipients", "transfers")
CONTINGENT_KINDS = ("systems", "purposes", "recipients", "transfers")


def cmd_lineage(args: argparse.Namespace, with_db: Callable[[Any], Any], secret: Callable[[], bytes]) -> int:
    from datamap.services import lineage

    now = command_clock().now()
    found: Lineage
    if args.of == "category":
        found = with_db(lambda db: lineage.lineage_of_category(db, args.category, args.as_of, now=now))
        about = f"category {args.category}"
    else:
        key = secret()

        async def read(db: Any) -> Lineage:
            return await person_read(
                db,
                "subjectLineage",
                now,
                lambda: subject_argument(args, key),
                lambda lookup: lineage.lineage_of_subject(
                    db, lookup, now=now, category=args.category, as_of=args.as_of, max_hops=args.max_hops
                ),
                lambda lin: lin.subject_id,
            )

        found = with_db(read)
        about = f"subject {found.subject_id}" + (f", category {args.category}" if args.category else "")
    if args.json:
        print_json(lineage_json(found, args.category if args.of == "category" else None))
        return 0
    print_lineage(found, about, paths=args.paths)
    return 0


# --- JSON: the API's SubjectLineage and CategoryLineage -------------------------------------------------------------


def reached_json(n: Reached) -> dict[str, Any]:
    common: dict[str, Any] = {
        "key": n.key,
        "name": n.name,
        "categories": sorted(n.categories),
        "observed": n.observed,
        "firstObserved": n.first_observed.isoformat() if n.first_observed else None,
        "pathCount": n.path_count,
        "when": n.when,
        "onEvent": [{"category": c, "when": w} for c, w in n.on_event.items()],
        "paths": [
            {
                "steps": [
                    {
                        "kind": s.kind.value,
                        "key": s.key,
                        "name": s.name,
                        "via": s.via,
                        "at": s.at.isoformat() if s.at else None,
                    }
                    for s in p.steps
                ],
                "observed": p.observed,
                "categories": list(p.categories),
            }
            for p in n.paths
        ],
    }
    facts, terms = n.facts, n.transfer
    kind = n.kind.value
    if kind == "source":
        return {**common, "kind": facts.kind}
    if kind == "system":
        return {**common, "country": facts.country, "operator": facts.operator}
    if kind == "purpose":
        return {**common, "legalBasis": facts.legal_basis}
    if terms is not None:

        def party(p: Any) -> dict[str, Any]:
            return {"key": p.key, "name": p.name, "country": p.country}

        return {
            **common,
            "mechanism": terms.mechanism,
            "exporter": party(terms.exporter),
            "importer": party(terms.importer),
            "fromCountries": list(terms.from_countries),
            "toCountries": list(terms.to_countries),
            "validFrom": terms.valid_from.isoformat() if terms.valid_from else None,
            "validTo": terms.valid_to.isoformat() if terms.valid_to else None,
        }
    return {
        **common,
        "role": facts.role,
        "kind": facts.kind,
        "country": facts.country,
        "organisation": facts.organisation,
        "organisationName": facts.organisation_name,
    }


def lineage_json(lin: Lineage, category: str | None) -> dict[str, Any]:
    head: dict[str, Any] = (
        {"category": category}
        if category is not None
        else {
            "subjectId": lin.subject_id,
            "erasedAt": lin.erased_at.isoformat() if lin.erased_at else None,
        }
    )
    return {
        **head,
        "asOf": lin.as_of.isoformat(),
        **{kind: [reached_json(n) for n in getattr(lin, kind)] for kind in KINDS},
        "contingent": {
            kind: [reached_json(n) for n in getattr(lin.contingent, kind)] for kind in CONTINGENT_KINDS
        },
        "truncated": lin.truncated,
    }


# --- text -----------------------------------------------------------------------------------------------------------


def _facts(n: Reached) -> str:
    """What distinguishes the node, in brackets: a recipient's role and country, a purpose's legal basis, ..."""
    facts, terms = n.facts, n.transfer
    if terms is not None:
        return (
            f" [{terms.mechanism}: {terms.exporter.key} -> {terms.importer.key}, "
            f"{'/'.join(terms.from_countries)} -> {'/'.join(terms.to_countries)}]"
        )
    shown = [
        v
        for v in (facts.role, facts.kind, facts.legal_basis, facts.country, facts.organisation_name)
        if v is not None
    ]
    return f" [{', '.join(shown)}]" if shown else ""


def _print_nodes(title: str, nodes: Sequence[Reached], paths: bool, indent: str = "") -> None:
    if not nodes:
        return
    print(f"{indent}{title} ({len(nodes)})")
    for n in nodes:
        seen = f", observed from {n.first_observed:%Y-%m-%d}" if n.first_observed else ""
        when = f", on: {', '.join(n.when)}" if n.when else ""
        print(f"{indent}  {n.key}: {n.name}{_facts(n)}{seen}{when}")
        print(f"{indent}    categories: {', '.join(sorted(n.categories)) or 'none'}")
        for category, events in n.on_event.items():
            print(f"{indent}    {category} only on: {', '.join(events)}")
        if paths:
            for p in n.paths:
                steps = " -> ".join(s.key + (f" ({s.via})" if s.via else "") for s in p.steps)
                print(f"{indent}    path{' (observed)' if p.observed else ''}: {steps}")
            if n.path_count > len(n.paths):
                print(f"{indent}    ... {n.path_count - len(n.paths)} more paths")


def print_lineage(lin: Lineage, about: str, *, paths: bool = False) -> None:
    print(f"lineage of {about} as of {lin.as_of}")
    if lin.erased_at is not None:
        print(f"erased at {lin.erased_at.isoformat()}: nothing else of the subject remains")
        return
    for kind in KINDS:
        _print_nodes(kind, getattr(lin, kind), paths)
    contingent = lin.contingent
    if any(getattr(contingent, kind) for kind in CONTINGENT_KINDS):
        print("only on an event (the map's contingent flows, nothing recorded)")
        for kind in CONTINGENT_KINDS:
            _print_nodes(kind, getattr(contingent, kind), paths, indent="  ")
    if lin.truncated:
        print("truncated: --max-hops cut off places the data reaches")


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "lineage",
        help="where a person's data went, where a category's data goes",
        description="Lineage as of a day: the sources, systems, purposes, recipients and transfers data reached "
        "(subject: recorded events and the map; category: the map), and where it may go only on an event.",
        epilog=EPILOG,
    )
    of = p.add_subparsers(dest="of", required=True)
    subject = of.add_parser(
        "subject",
        help="where one person's data went (subjectLineage); the lookup is in the audit trail",
        description="Where one person's data went: what was recorded about them, and where the map's flows "
        "take it. The lookup is recorded in the audit trail (principal local:cli).",
        epilog=EPILOG,
    )
    add_subject_arguments(subject)
    subject.add_argument("--category", help="only this data category (and those under it)")
    subject.add_argument("--max-hops", type=int, help="bound on path length (default 6)")
    category = of.add_parser(
        "category",
        help="where a data category's data goes by the map (categoryLineage)",
        description="Where data of a category (and its sub-categories) goes according to the map.",
        epilog=EPILOG,
    )
    category.add_argument("category", help="a dotted data category key, e.g. user.contact.email")
    for parser in (subject, category):
        parser.add_argument("--as-of", type=date_argument, help="the day (default today)")
        parser.add_argument("--paths", action="store_true", help="show the paths that led to each place")
        add_json_argument(parser)
        parser.set_defaults(func=handler)

"""`datamap fides export|import`: the map as a fideslang manifest, and a manifest read into the map."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datamap.cli_common import date_argument, in_phases
from datamap.clock import command_clock


def cmd_fides(args: argparse.Namespace, with_db: Callable[[Any], Any], secret: Callable[[], bytes]) -> int:
    from datamap.services import fides

    if args.action == "export":
        done: fides.ManifestExport = in_phases(
            with_db,
            lambda db: fides.export_manifest(db, Path(args.output), args.as_of),
            f"exporting the map into {args.output}",
        )
        print(
            f"wrote a fideslang manifest to {done.file}{f' as of {args.as_of}' if args.as_of else ''}: "
            f"{done.systems} systems, {done.extensions} extensions of the default taxonomy"
        )
        for note in done.notes:
            print(f"note: {note}")
        return 0
    key, now = secret(), command_clock().now()
    result: fides.ManifestImport = in_phases(
        with_db,
        lambda db: fides.import_manifest(db, Path(args.file), key, now, dry_run=args.dry_run),
        f"{'checking' if args.dry_run else 'importing'} {args.file}",
    )
    for line in result.plan.added:
        print(f"add: {line}")
    for note in result.plan.notes:
        print(f"note: {note}")
    if not result.plan.added:
        print(f"{args.file}: the map already holds everything the manifest says; nothing written")
    elif result.written:
        print(f"{args.file}: imported, {len(result.plan.added)} additions loaded")
    else:
        print(f"{args.file}: dry run, nothing written ({len(result.plan.added)} additions)")
    return 0


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "fides",
        help="the map as a fideslang manifest: export it, import one",
        description="export: write the map as a fideslang manifest (organization, systems with privacy "
        "declarations, the extensions of fideslang's default taxonomy); import: add a manifest's systems and "
        "declarations to the map.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    export = actions.add_parser(
        "export",
        help="write the map as a fideslang manifest",
        description="Each system with one privacy declaration per purpose that uses it (the categories it stores "
        "for it, the data use, the data subjects); purposes become data uses by the table in "
        "datamap/domain/fides_mapping.py. YAML, or JSON for a file ending in .json.",
    )
    export.add_argument("--output", required=True, help="the manifest file to write")
    export.add_argument(
        "--as-of", type=date_argument, help="only the entries that hold on this day (YYYY-MM-DD)"
    )
    load = actions.add_parser(
        "import",
        help="add a fideslang manifest's systems and declarations to the map",
        description="Adds, never removes: new systems, the purposes their declarations' data uses stand for, "
        "new data categories and subjects (what is new holds from today). Anything without a counterpart (a data "
        "use no purpose maps to) is named and nothing is written. Loads like `datamap seed load`, so a map changed "
        "through the API is refused.",
    )
    load.add_argument("file", help="the manifest (YAML or JSON)")
    load.add_argument("--dry-run", action="store_true", help="check and list the additions, write nothing")
    for parser in (export, load):
        parser.set_defaults(func=handler)

"""`datamap map export|diff`: the map as code, reviewable in pull requests."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datamap.cli_common import date_argument, in_phases

DIFF_EXIT = "exit status: 0 when loading the folder would change nothing, 1 when it would, 2 on an error"


def cmd_map(args: argparse.Namespace, with_db: Callable[[Any], Any]) -> int:
    from datamap.domain.map_diff import MapDiff
    from datamap.services import map_export

    if args.action == "export":
        done: map_export.FolderExport = in_phases(
            with_db,
            lambda db: map_export.export_folder(db, Path(args.folder), args.as_of),
            f"exporting the map into {args.folder}",
        )
        seed = done.seed
        print(
            f"wrote {len(done.files)} seed files to {done.folder}{f' as of {args.as_of}' if args.as_of else ''}: "
            f"{len(seed.data_categories)} data categories, {len(seed.systems)} systems, {len(seed.purposes)} "
            f"purposes, {len(seed.recipients)} recipients, {len(seed.flows)} flows, {len(seed.transfers)} transfers"
        )
        for note in done.notes:
            print(f"note: {note}")
        return 0
    diff: MapDiff = in_phases(
        with_db, lambda db: map_export.diff_folder(db, Path(args.dir)), f"comparing {args.dir} with the graph"
    )
    if diff.equal:
        print(f"{args.dir}: loading it would change nothing in the graph's map")
        return 0
    print(
        f"{args.dir}: {len(diff.changes)} entries differ from the graph's map (changes read graph -> folder)"
    )
    for line in diff.lines():
        print(line)
    return 1


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "map",
        help="the map as code: export the graph's map as seed files, diff a folder against the graph",
        description="export: write the graph's map as seed YAML files (`datamap seed load --folder DIR` loads "
        "them); diff: list what loading a folder would change.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    export = actions.add_parser(
        "export",
        help="write the graph's map into a folder as seed files",
        description="Every map entry as its latest version (earlier versions are reported, not written); with "
        "--as-of, the entries that hold on that day, as they were then. Example "
        "subjects are not exported (the graph holds people only as keyed hashes): a subjects.yaml already in the "
        "folder is kept. Whatever the graph holds that the seed format cannot carry is reported as a note.",
    )
    export.add_argument("--folder", required=True, help="the folder to write (created when missing)")
    export.add_argument(
        "--as-of", type=date_argument, help="only the entries that hold on this day (YYYY-MM-DD)"
    )
    diff = actions.add_parser(
        "diff",
        help="what loading a seed folder would change in the graph",
        description="Entries added, changed (field by field) and only in the graph (seed load deletes nothing), "
        "by kind and key. Example subjects are not compared.",
        epilog=DIFF_EXIT,
    )
    diff.add_argument("dir", help="the seed folder")
    for parser in (export, diff):
        parser.set_defaults(func=handler)

"""Map as code: the graph's map written as a seed folder (`datamap map export`), and what loading a folder would
change in the graph (`datamap map diff`).

The folder is the seed format (`seed/README.md`): `datamap seed load --folder DIR` writes the same map again. The
YAML files' comments are not kept (the graph does not hold them). The example subjects cannot come from the graph
(it holds people only as keyed hashes): a `subjects.yaml` already in the folder is kept as it is, otherwise an
empty one is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from datamap.domain.map_diff import MapDiff, diff_maps
from datamap.domain.map_export import MapExport, map_of_rows, seed_documents
from datamap.domain.seed_model import SeedMap, parse_seed
from datamap.errors import ValidationError
from datamap.graph.database import Database, unbounded
from datamap.graph.map_export_queries import read_map
from datamap.services.seed import read_documents, read_seed

SUBJECTS_FILE = "subjects.yaml"


@dataclass(frozen=True)
class FolderExport:
    folder: Path
    seed: SeedMap
    files: tuple[str, ...]  # the files written
    notes: tuple[str, ...]  # what the graph holds that the folder does not, and what was left out


class _SeedDumper(yaml.SafeDumper):
    """YAML as the seed files are written: list items indented under their key, text with line breaks as
    literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_SeedDumper.add_representer(str, _text)


def render(document: Any, header: str) -> str:
    """One seed file's text."""
    body = yaml.dump(
        document, Dumper=_SeedDumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False
    )
    return header + body


async def export_map(db: Database, as_of: dt.date | None) -> MapExport:
    """The graph's map as a seed: every entry as its latest version, or those that hold on `as_of` as they were.
    An operator's command, not a request: the read has no per-query time limit, as `seed load` has none."""
    with unbounded():
        rows = await read_map(db, as_of)
    return map_of_rows(rows, as_of)


async def export_folder(db: Database, folder: Path, as_of: dt.date | None) -> FolderExport:
    """Write the map into `folder` as seed files, after checking that they load; nothing written otherwise."""
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"--folder {folder}: not a folder")
    existing = read_documents(folder) if folder.is_dir() else {}
    export = await export_map(db, as_of)
    documents = seed_documents(export.seed)
    others = sorted(set(existing) - set(documents) - {SUBJECTS_FILE})
    if others:
        raise ValidationError(
            f"--folder {folder}: holds YAML files that are no seed file ({', '.join(others)}); `seed load` would "
            "refuse the folder: remove them or export into another folder"
        )
    notes = list(export.notes)
    if SUBJECTS_FILE in existing:
        notes.append(
            f"{SUBJECTS_FILE}: kept as it was in {folder} (the graph holds no example subjects to write)"
        )
    else:
        documents[SUBJECTS_FILE] = {"subjects": []}
    header = (
        f"# Written by `datamap map export`{f' as of {as_of}' if as_of else ''} from the graph (comments are not "
        "kept).\n"
    )
    texts = {name: render(document, header) for name, document in documents.items()}
    try:  # what is written must load: checked on the very text, before any file is touched
        parse_seed({**existing, **{name: yaml.safe_load(text) for name, text in texts.items()}})
    except ValidationError as exc:
        raise ValidationError(f"the export into {folder} would not load, nothing written: {exc}") from None
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return FolderExport(folder=folder, seed=export.seed, files=tuple(sorted(texts)), notes=tuple(notes))


async def diff_folder(db: Database, folder: Path) -> MapDiff:
    """What `seed load --folder folder` would change in the graph's map (the folder is validated first)."""
    proposed = read_seed(folder)
    current = await export_map(db, None)
    return diff_maps(proposed, current.seed, current.api_changes)

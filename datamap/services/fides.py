"""The map as a fideslang manifest (`datamap fides export`), and a manifest read into the map (`datamap fides
import`).

Export: the graph's map read back as a seed (`map_export.export_map`, as of a day or not), translated
(`domain/fides_mapping.py`), checked with fideslang's own `Taxonomy` on the very text, then written: YAML, or JSON
for a file ending in `.json`.

Import: the manifest checked with fideslang's `Taxonomy`, the current map read back as a seed, the manifest's
additions merged into it (`domain/fides_import.py`), the whole validated by the seed's model (`parse_seed`), then
written by the seed's loader (`seed.load_seed_map`: one transaction, the same writer as `datamap seed load`). So
the same rule holds: a graph whose map was changed through the API is refused (its versions would be
overwritten); import into a map only `seed load` and imports wrote. Anything without a counterpart refuses the
whole manifest, nothing written; `dry_run` does everything but the write.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from datamap.domain.fides_import import ImportPlan, plan_import
from datamap.domain.fides_mapping import manifest_of, read_taxonomy, taxonomy_of
from datamap.domain.map_export import seed_documents
from datamap.domain.seed_model import SeedMap, parse_seed
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services.map_export import SUBJECTS_FILE, export_map, render
from datamap.services.seed import load_seed_map

SUBJECTS_NOTE = "subjects:"  # map_export's note on the people the graph holds: no part of the map


@dataclass(frozen=True)
class ManifestExport:
    file: Path
    systems: int
    extensions: int  # data categories, uses and subjects the default taxonomy lacks
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ManifestImport:
    file: Path
    plan: ImportPlan
    written: bool  # False on a dry run, or when the map has it all


def _text(document: dict[str, object], file: Path, as_of: dt.date | None) -> str:
    if file.suffix.lower() == ".json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    day = f" as of {as_of}" if as_of else ""
    return render(
        document, f"# A fideslang manifest written by `datamap fides export`{day} from the graph's map.\n"
    )


async def export_manifest(db: Database, file: Path, as_of: dt.date | None) -> ManifestExport:
    """Write the map into `file` as a fideslang manifest, after fideslang's models accepted the very text."""
    if file.is_dir():
        raise ValidationError(f"--output {file}: a folder; give a file name (.yaml, .yml or .json)")
    exported = await export_map(db, as_of)
    fides = taxonomy_of(exported.seed)
    text = _text(manifest_of(fides.taxonomy), file, as_of)
    read_taxonomy(yaml.safe_load(text), f"the manifest for {file}")  # what is written must be fideslang's
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    taxonomy = fides.taxonomy
    return ManifestExport(
        file=file,
        systems=len(taxonomy.system),
        extensions=len(taxonomy.data_category) + len(taxonomy.data_use) + len(taxonomy.data_subject),
        notes=fides.notes,
    )


def read_manifest(file: Path) -> object:
    """The manifest file's document (YAML or JSON), not yet validated."""
    if not file.is_file():
        raise ValidationError(f"{file}: no such file")
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{file}: neither YAML nor JSON: {exc}") from None


def _loadable(seed: SeedMap, file: Path) -> SeedMap:
    """The merged map validated as a whole by the seed's model, as `seed load` would validate its files."""
    documents = {**seed_documents(seed), SUBJECTS_FILE: {"subjects": []}}
    try:
        return parse_seed(documents)
    except ValidationError as exc:
        raise ValidationError(
            f"{file}: the map with the import would not be valid, nothing written: {exc}"
        ) from None


async def import_manifest(
    db: Database, file: Path, secret: bytes, now: dt.datetime, *, dry_run: bool = False
) -> ManifestImport:
    """Merge the manifest's systems and declarations into the map and load it; what is new holds from today."""
    taxonomy = read_taxonomy(read_manifest(file), str(file))
    current = await export_map(db, None)
    if current.api_changes:
        raise ValidationError(
            f"{file}: the map in the graph has {current.api_changes} changes made through the API; an import loads "
            "through `seed load`, which would overwrite their versions. Add the systems through the API's "
            "upsertSystem and upsertPurpose mutations instead"
        )
    lost = [n for n in current.notes if not n.startswith(SUBJECTS_NOTE)]
    if lost:
        raise ValidationError(
            f"{file}: the graph's map holds what the seed format cannot carry, and loading would lose it: "
            + "; ".join(lost)
        )
    plan = plan_import(
        current.seed, taxonomy, ref=f"fideslang manifest {file.name}", day=now.astimezone(dt.UTC).date()
    )
    if plan.problems:
        raise ValidationError(f"{file}: not imported, nothing written: " + "; ".join(plan.problems))
    seed = _loadable(plan.seed, file)
    write = bool(plan.added) and not dry_run
    if write:
        await load_seed_map(db, seed, secret)
    return ManifestImport(file=file, plan=plan, written=write)

"""Load the seed folder into the graph: validate everything first, then write it all in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from datamap import resources
from datamap.domain.identifiers import parse_identifiers
from datamap.domain.seed_model import SeedMap, parse_seed
from datamap.domain.subject_events import Collection, Disclosure
from datamap.errors import ValidationError
from datamap.graph.database import Database, Transaction, unbounded
from datamap.graph.map_versions import read_map_edits
from datamap.graph.map_writer import write_map
from datamap.services.recording import Event, rows_for, write_events

SEED_DIR = resources.seed_dir()  # the checkout's seed/, or an installed wheel's copy


def read_seed(folder: Path = SEED_DIR) -> SeedMap:
    """Read and validate every `*.yaml` file of `folder`; raise `ValidationError` naming file and entry."""
    if not folder.is_dir():
        raise ValidationError(f"seed folder {folder} does not exist")
    return parse_seed(read_documents(folder))


def read_documents(folder: Path) -> dict[str, Any]:
    """Every `*.yaml` file of `folder` as YAML data, by file name (not validated)."""
    documents: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            documents[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValidationError(f"seed/{path.name}: not valid YAML: {exc}") from None
    return documents


def subject_rows(seed: SeedMap, secret: bytes) -> list[dict[str, Any]]:
    """The example subjects' records and disclosures as graph rows; errors name the subject."""
    rows: list[dict[str, Any]] = []
    for s in seed.subjects:
        try:
            ids = parse_identifiers(
                email=s.identifiers.email, phone=s.identifiers.phone, external_id=s.identifiers.external_id
            )
            common: dict[str, Any] = {
                "identifiers": ids,
                "subject_categories": s.subject_categories,
                "country": s.country,
                "region": s.region,
                "relationship": s.relationship,
            }
            events: list[Event] = [
                Collection(system=r.system, source=r.source, categories=r.categories, at=r.at, **common)
                for r in s.records
            ]
            events += [
                Disclosure(
                    recipient=d.recipient, purpose=d.purpose, categories=d.categories, at=d.at, **common
                )
                for d in s.disclosures
            ]
            rows += rows_for(events, secret, range(len(rows) + 1, len(rows) + len(events) + 1))
        except ValidationError as exc:
            raise ValidationError(f"seed/subjects.yaml: subject {s.key!r}: {exc}") from None
    return rows


async def load_seed(db: Database, secret: bytes, folder: Path = SEED_DIR) -> SeedMap:
    """Validate, then write map and example subjects in one transaction (all or nothing, idempotent)."""
    return await load_seed_map(db, read_seed(folder), secret)


async def load_seed_map(db: Database, seed: SeedMap, secret: bytes) -> SeedMap:
    """Write an already validated seed in one transaction."""
    rows = subject_rows(seed, secret)

    async def work(tx: Transaction) -> None:
        edits = await read_map_edits(tx, lock=True)
        if edits is not None:  # loading would overwrite versions the API wrote (graph/map_versions.py)
            raise ValidationError(
                f"seed load: the map in the graph has {edits['changes']} changes made through the API (the last "
                f"at {edits['changedAt']}); loading the seed would overwrite their versions. Change the map "
                "through the API's upsert and retireMapEntry mutations instead"
            )
        await write_map(tx, seed)
        await write_events(tx, rows)

    with unbounded():  # a load is an operator's command, not a request: no per-query time limit
        await db.transaction(work)
    return seed

"""A first load into an empty local database through Neo4j's offline importer (`datamap import --initial FILE`).

The same JSON lines as `datamap import` (`bulk_import.read_events`: every line validated and hashed, or
`FILE:LINE: reason` and nothing written), every key checked against the seed map, and the graph the online path
gives for the same file into a database holding the seed: the seed's example subjects first, then the file in
the same batches, resolved and merged as the online writer does (`initial_graph.py`). Then:

1. refuse a database that holds any node (`admin_import.require_empty`), before anything is written;
2. write the CSV files (`initial_csv.py`) in a private folder of the server's home, batch by batch as the rows
   are resolved (`convert`: memory for what later batches need, not for every record), stop the server and run
   the importer, which creates the whole database: the subject layer, the record tallies, the schema's version
   node, and the map's nodes the records point at (by key only);
3. start the server, apply the schema (constraints and indexes; no upgrade step runs) and load the seed as
   `seed load` does (`seed.load_seed_map`) without its example subjects, which came through the CSV files: the
   map's nodes get their properties, and their relationships are written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamap.config import Neo4jSettings
from datamap.domain.seed_model import SeedMap
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema, read_statements
from datamap.localdb.admin_import import CsvInput, import_full, require_empty
from datamap.localdb.server import LocalNeo4j
from datamap.services.bulk_import import BATCH_SIZE, read_events
from datamap.services.initial_csv import CsvFiles, CsvOutput
from datamap.services.initial_graph import MapKeys, SubjectLayer
from datamap.services.seed import load_seed_map, read_seed, subject_rows


@dataclass(frozen=True)
class InitialResult:
    """What the import wrote, and where its time went (seconds)."""

    subjects: int
    records: int
    conversion: float  # rows resolved, merged and tallied, CSV written
    importer: float  # Neo4j's importer
    startup: float  # server started, schema applied, map written

    @property
    def total(self) -> float:
        return self.conversion + self.importer + self.startup


def settings_of(server: LocalNeo4j) -> Neo4jSettings:
    return Neo4jSettings(
        uri=server.uri, user="neo4j", password=server.password, database="neo4j", managed=False
    )


async def import_initial_file(
    server: LocalNeo4j,
    path: Path,
    secret: bytes,
    *,
    batch_size: int = BATCH_SIZE,
    seed: SeedMap | None = None,
    progress: Callable[[int], Any] | None = None,
) -> InitialResult:
    """Validate the whole file (`FILE:LINE: reason` on the first bad line), then import it as `import_initial`.

    `batch_size`: the batches `datamap import --batch-size` would write (subjects resolve batch by batch)."""
    file = read_events(path, secret, progress=progress)
    rows = file.rows
    batches = (rows[start : start + batch_size] for start in range(0, len(rows), batch_size))
    return await import_initial(server, batches, secret, seed=seed, where=str(path))


async def import_initial(
    server: LocalNeo4j,
    batches: Iterable[list[dict[str, Any]]],
    secret: bytes,
    *,
    seed: SeedMap | None = None,
    where: str = "rows",
) -> InitialResult:
    """Create the local database of `server` from validated rows (from `subject_events.to_row`, each with a
    unique `line`), in the batches the online path would write them, on the seed map (default: the seed folder).

    Refuses (`ValidationError`) a database holding any node, and a row naming a key the map lacks
    (`{where}:LINE: reason`), before anything is written. Leaves the server running. The server's start, stop
    and the importer block the event loop: this is an operator's command, nothing else runs beside it."""
    seed = seed or read_seed()
    existed = require_empty(server)
    started = time.perf_counter()
    server.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix="initial-import-", dir=server.home))
    try:
        converted = convert(folder, seed, secret, batches, where)
        conversion = time.perf_counter() - started
        server.stop()
        importer = import_full(
            server,
            [CsvInput(label, p) for label, p in converted.files.nodes.items()],
            [CsvInput(kind, p) for kind, p in converted.files.relationships.items()],
            overwrite=existed,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    server.start()
    await _schema_and_map(settings_of(server), seed, secret)
    startup = time.perf_counter() - started
    return InitialResult(converted.subjects, converted.records, conversion, importer, startup)


@dataclass(frozen=True)
class Converted:
    files: CsvFiles
    subjects: int
    records: int


def convert(
    folder: Path, seed: SeedMap, secret: bytes, batches: Iterable[list[dict[str, Any]]], where: str = "rows"
) -> Converted:
    """The CSV files of the seed's example subjects (one batch, as `seed load` writes them), then the rows, in
    `folder`; each batch's records written as it is resolved (the layer keeps only what later batches need)."""
    version, _ = read_statements()
    layer = SubjectLayer(MapKeys.of(seed))
    out = CsvOutput(folder)
    try:
        for batch in itertools.chain([subject_rows(seed, secret)], batches):
            layer.add_batch(batch)
            out.add_batch(layer)
        files = out.finish(layer, seed, schema_version=version, now=dt.datetime.now(dt.UTC))
    except ValidationError as exc:
        raise ValidationError(f"{where}:{str(exc).removeprefix('line ')}") from None
    finally:
        out.close()
    return Converted(files, len(layer.subjects), layer.records)


async def _schema_and_map(settings: Neo4jSettings, seed: SeedMap, secret: bytes) -> None:
    db = Database(settings)
    try:
        await db.verify()
        await apply_schema(db)
        # the seed load as `seed load` does it, but for its example subjects: they came through the CSV files
        await load_seed_map(db, seed.model_copy(update={"subjects": ()}), secret)
    finally:
        await db.close()

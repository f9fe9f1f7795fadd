"""The CSV files of Neo4j's offline importer for a subject layer built in memory (`initial_graph.py`).

`CsvOutput` opens every file at once: each batch's records and identifiers are appended as the layer creates them
(`add_batch`), the subjects, memberships, tallies and the map's nodes at the end (`finish`).

Headers name each property with its type as the online writer stores it: instants as `datetime` (ISO 8601 at
offset +00:00, as `subject_writer` passes them to Cypher's `datetime()`), counts as `long`, categories as
`string[]`. An empty field is no property, as a null is in Cypher. Node ids are the subject's id, the
identifier's hash and the map entries' keys, each label its own id space.

The map's nodes appear by key only: the seed's writer (`graph/map_writer.write_map`) sets everything else once
the database runs. The schema's version node is written at the current version, so that starting the database
runs no upgrade step (the tallies here are already the current ones).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from datamap.domain.seed_model import SeedMap
from datamap.services.initial_graph import SubjectLayer

# label or type -> header; the rows of each come from `_rows`
NODE_HEADERS: dict[str, list[str]] = {
    "Subject": ["id:ID(Subject)", "createdAt:datetime", "country", "region", "relationship"],
    "Identifier": ["hash:ID(Identifier)", "kind"],
    "RecordTally": [
        "key:ID(RecordTally)",
        "group",
        "kind",
        "target",
        "purpose",
        "category",
        "country",
        "month",
        "records:long",
        "first",
        "last",
    ],
    "SchemaVersion": ["key:ID(SchemaVersion)", "version:long", "appliedAt:datetime"],
    "System": ["key:ID(System)"],
    "Recipient": ["key:ID(Recipient)"],
    "SubjectCategory": ["key:ID(SubjectCategory)"],
}
RELATIONSHIP_HEADERS: dict[str, list[str]] = {
    "IDENTIFIES": [":START_ID(Identifier)", ":END_ID(Subject)"],
    "MEMBER_OF": [":START_ID(Subject)", ":END_ID(SubjectCategory)", "since:datetime"],
    "HELD_IN": [
        ":START_ID(Subject)",
        ":END_ID(System)",
        "id",
        "categories:string[]",
        "source",
        "at:datetime",
    ],
    "DISCLOSED_TO": [
        ":START_ID(Subject)",
        ":END_ID(Recipient)",
        "id",
        "categories:string[]",
        "purpose",
        "at:datetime",
        "recipient",
    ],
}


@dataclass(frozen=True)
class CsvFiles:
    """The files written, by node label and by relationship type."""

    nodes: dict[str, Path]
    relationships: dict[str, Path]


def _at(value: dt.datetime) -> str:
    return value.isoformat()


class CsvOutput:
    """One file per label and per relationship type in `folder` (header first), open until `finish` or `close`."""

    def __init__(self, folder: Path) -> None:
        self.files = CsvFiles(
            nodes={name: folder / f"{name}.csv" for name in NODE_HEADERS},
            relationships={name: folder / f"{name}.csv" for name in RELATIONSHIP_HEADERS},
        )
        self._handles: dict[str, TextIO] = {}
        self._writers: dict[str, Any] = {}
        try:
            for name, header in (NODE_HEADERS | RELATIONSHIP_HEADERS).items():
                path = folder / f"{name}.csv"
                handle = self._handles[name] = path.open("w", encoding="utf-8", newline="")
                self._writers[name] = csv.writer(handle, lineterminator="\n")
                self._writers[name].writerow(header)
        except BaseException:
            self.close()
            raise

    def add_batch(self, layer: SubjectLayer) -> None:
        """The identifiers and records the layer created since the last batch (`SubjectLayer.take`)."""
        identifiers, held, disclosed = layer.take()
        w = self._writers
        w["Identifier"].writerows((h, kind) for h, kind, _ in identifiers)
        w["IDENTIFIES"].writerows((h, subject) for h, _, subject in identifiers)
        w["HELD_IN"].writerows(
            (subject, system, rid, ";".join(categories), source, _at(at))
            for subject, system, rid, categories, source, at in held
        )
        w["DISCLOSED_TO"].writerows(
            (subject, recipient, rid, ";".join(categories), purpose, _at(at), recipient)
            for subject, recipient, rid, categories, purpose, at in disclosed
        )

    def finish(
        self, layer: SubjectLayer, seed: SeedMap, *, schema_version: int, now: dt.datetime
    ) -> CsvFiles:
        """What is left of the layer, the schema's version and the map's nodes; the files closed."""
        self.add_batch(layer)
        w = self._writers
        subjects = layer.subjects.values()
        w["Subject"].writerows((s.id, _at(s.created), s.country, s.region, s.relationship) for s in subjects)
        w["MEMBER_OF"].writerows(
            (s.id, key, _at(since)) for s in subjects if s.memberships for key, since in s.memberships.items()
        )
        w["RecordTally"].writerows(
            (t.key, t.group, *t.parts, t.records, t.first, t.last) for t in layer.tallies.all()
        )
        w["SchemaVersion"].writerow(("datamap", schema_version, _at(now)))
        entries: dict[str, Iterable[Any]] = {
            "System": seed.systems,
            "Recipient": seed.recipients,
            "SubjectCategory": seed.subject_categories,
        }
        for name, found in entries.items():
            w[name].writerows((e.key,) for e in found)
        self.close()
        return self.files

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()

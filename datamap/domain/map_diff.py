"""What loading a seed folder would change in the map the graph holds: `datamap map diff DIR`. Pure.

Both sides are seed models: the folder as `seed load` reads it, the graph as `map export` reads it
(`domain/map_export.py`). Entries are matched by kind (the seed file) and key, and compared field by field as
the graph stores them: the order of a list does not count (the references an entry owns are relationships,
which have none). `seed load` upserts: an entry only in the graph is left there, so it is listed as such,
not as removed. The example subjects are not compared (the graph holds people only as keyed hashes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from datamap.domain.map_export import MAP_FILES
from datamap.domain.seed_model import SeedMap


class Change(StrEnum):
    ADDED = "added"  # in the folder only: loading adds it
    CHANGED = "changed"  # in both, fields differ: loading rewrites them
    ONLY_IN_GRAPH = "only_in_graph"  # in the graph only: loading leaves it as it is


@dataclass(frozen=True)
class FieldChange:
    field: str  # the seed's name (`validFrom`, `categories`)
    graph: Any  # as the graph holds it (JSON values; None: not set)
    folder: Any  # as the folder has it


@dataclass(frozen=True)
class EntryChange:
    kind: str  # the seed file without `.yaml`: `systems`, `flows`, ..., `notice`
    key: str
    change: Change
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class MapDiff:
    changes: tuple[EntryChange, ...]
    api_changes: int = 0  # changes made through the API: `seed load` refuses the graph while it has any

    @property
    def equal(self) -> bool:
        return not self.changes

    def lines(self) -> list[str]:
        """The differences for a person: `+` added, `~` changed (graph -> folder), `=` only in the graph."""
        out = []
        if self.api_changes and self.changes:
            out.append(
                f"! the graph's map has {self.api_changes} changes made through the API: `seed load` refuses to "
                "overwrite them; make these changes through the API, or `map export` the graph into the folder"
            )
        for c in self.changes:
            if c.change is Change.ADDED:
                out.append(f"+ {c.kind} {c.key}: new, loading adds it")
            elif c.change is Change.ONLY_IN_GRAPH:
                out.append(
                    f"= {c.kind} {c.key}: in the graph only, loading leaves it (seed load deletes nothing)"
                )
            else:
                out.append(f"~ {c.kind} {c.key}:")
                out += [f"    {f.field}: {_shown(f.graph)} -> {_shown(f.folder)}" for f in c.fields]
        return out


def _shown(value: Any) -> str:
    return "(not set)" if value is None else json.dumps(value, ensure_ascii=False)


def _comparable(entry: BaseModel) -> dict[str, Any]:
    """An entry's fields as the graph keeps them: JSON values, lists without order."""
    data = entry.model_dump(mode="json", by_alias=True)
    return {
        name: sorted(value, key=lambda v: json.dumps(v, sort_keys=True)) if isinstance(value, list) else value
        for name, value in data.items()
    }


def _compare(kind: str, key: str, graph: BaseModel, folder: BaseModel) -> EntryChange | None:
    before, after = _comparable(graph), _comparable(folder)
    fields = tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in before | after
        if before.get(name) != after.get(name)
    )
    return EntryChange(kind, key, Change.CHANGED, fields) if fields else None


def diff_maps(folder: SeedMap, graph: SeedMap, api_changes: int = 0) -> MapDiff:
    """What `seed load` of `folder` would change in `graph`, kind by kind (in the seed's file order), by key."""
    changes: list[EntryChange] = []
    notice = _compare("notice", "notice", graph.notice, folder.notice)
    if notice is not None:
        changes.append(notice)
    for kind in MAP_FILES:
        ours = {e.key: e for e in getattr(folder, kind)}
        theirs = {e.key: e for e in getattr(graph, kind)}
        for key in sorted(ours.keys() | theirs.keys()):
            if key not in theirs:
                changes.append(EntryChange(kind, key, Change.ADDED))
            elif key not in ours:
                changes.append(EntryChange(kind, key, Change.ONLY_IN_GRAPH))
            else:
                changed = _compare(kind, key, theirs[key], ours[key])
                if changed is not None:
                    changes.append(changed)
    return MapDiff(tuple(changes), api_changes)

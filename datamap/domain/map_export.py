"""The map as the graph holds it, back in the seed's model: what `datamap map export` writes. Pure.

`graph/map_export_queries.py` returns every map entry as its stored properties plus the references it owns, named
like the seed's fields. Here they become seed entries again, validated by the seed's own models, so the YAML written
is the seed format and `datamap seed load` of it writes the same graph. Nothing is invented:

- the seed format holds one version of each entry: the one exported is the latest (or, as of a day, the one
  in force then), and an entry's earlier versions are reported, not exported. Loaded, that version holds for the
  entry's whole lifetime (`validFrom`), as every entry of a seed does;
- the versions' bookkeeping (`map_changes.VERSION_PROPERTIES`) and what the writer derives (the notice's key and
  validFrom, a certification's key and organisation) are dropped: loading writes them again;
- a property the seed format has no field for is reported by name, and not exported;
- the example subjects are not exported: the graph holds people only as keyed hashes of their identifiers;
- as of a date, a reference to an entry that does not hold that day is dropped and reported, and an entry that
  cannot stand without it (a system without its operator, a flow without one of its ends) is left out, reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticError

from datamap.domain.categories import ancestors
from datamap.domain.map_changes import VERSION_PROPERTIES
from datamap.domain.seed_entries import Certification, Notice
from datamap.domain.seed_model import LIST_FILES, SeedMap, _describe, check_references
from datamap.domain.transfer_findings import Certification as HeldCertification
from datamap.errors import ValidationError

# The seed files that hold map entries, in an order where every reference points to a file before its own.
MAP_FILES: tuple[str, ...] = tuple(name for name in LIST_FILES if name != "subjects")

EARLIER = "earlierVersions"  # the statement's count of an entry's versions before the one exported
# Properties the writer (`graph/map_writer.py`) derives: dropped without a word, it derives them again on load.
_BOOKKEEPING = VERSION_PROPERTIES | {EARLIER}
_DERIVED: dict[str, frozenset[str]] = {
    "notice": frozenset({"key", "validFrom"}),
    "certifications": frozenset({"key", "organisation"}),
}

_END = "end"  # a flow's end: a mapping {source|system|recipient: key}
# seed file -> (field, the seed file its keys name); every reference an entry makes (`seed_model.check_references`)
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "systems": (("operator", "organisations"), ("categories", "data_categories")),
    "purposes": (
        ("categories", "data_categories"),
        ("subjectCategories", "subject_categories"),
        ("systems", "systems"),
        ("controllerOrganisations", "organisations"),
    ),
    "recipients": (("organisation", "organisations"),),
    "flows": (("from", _END), ("to", _END), ("categories", "data_categories"), ("purposes", "purposes")),
    "transfers": (
        ("exporter", "organisations"),
        ("importer", "organisations"),
        ("onBehalfOf", "organisations"),
        ("categories", "data_categories"),
    ),
    "retention": (("categories", "data_categories"), ("systems", "systems")),
}


@dataclass(frozen=True)
class MapRows:
    """The graph's map: each entry's properties and references, by seed file name (`MAP_FILES`)."""

    notice: Mapping[str, Any] | None
    entries: Mapping[str, tuple[Mapping[str, Any], ...]]
    subjects: int  # people in the graph: only keyed hashes of their identifiers, no seed entry can be made
    api_changes: int = 0  # changes made to the map through the API (`seed load` refuses to overwrite them)


@dataclass(frozen=True)
class MapExport:
    """The map as a seed (no example subjects), and what the graph held that the seed does not carry, or the
    other way round."""

    seed: SeedMap
    notes: tuple[str, ...]
    api_changes: int = 0


class _Reader:
    """Turns property maps into seed entries, collecting notes; `kept` holds the keys exported so far."""

    def __init__(self, as_of: dt.date | None) -> None:
        self.as_of = as_of
        self.day = f" on {as_of}" if as_of else ""
        self.notes: list[str] = []
        self.unknown: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.kept: dict[str, set[str]] = defaultdict(set)

    def fields(self, file: str, model: type[Any], props: Mapping[str, Any]) -> dict[str, Any]:
        """The properties the seed model has a field for; the others, unless derived, are noted."""
        known = {field.alias or name for name, field in model.model_fields.items()}
        for name in sorted(set(props) - known - _BOOKKEEPING - _DERIVED.get(file, frozenset())):
            self.unknown[(file, name)].append(str(props.get("key", file)))
        return {name: value for name, value in props.items() if name in known}

    def dangling(self, file: str, fields: dict[str, Any]) -> list[str]:
        """Drop the references to entries not exported (they do not hold on the day); say which."""
        lost: list[str] = []
        for name, target in REFERENCES.get(file, ()):
            value = fields.get(name)
            if isinstance(value, list):
                fields[name] = [v for v in value if v in self.kept[target]]
                lost += [f"{name} {v!r}" for v in value if v not in self.kept[target]]
            elif isinstance(value, dict):
                ((kind, key),) = value.items()
                if key not in self.kept[f"{kind}s"]:
                    del fields[name]
                    lost.append(f"{name} {kind} {key!r}")
            elif value is not None and value not in self.kept[target]:
                del fields[name]
                lost.append(f"{name} {value!r}")
        return lost

    def entry(self, file: str, props: Mapping[str, Any]) -> Any | None:
        """One seed entry, or None when it cannot stand without the references it lost."""
        model = LIST_FILES[file]
        key = str(props.get("key"))
        fields = self.fields(file, model, props)
        earlier = int(props.get(EARLIER) or 0)
        if earlier:
            which = (
                f"the one in force{self.day}"
                if self.as_of
                else f"the latest (version {props.get('version')})"
            )
            self.notes.append(
                f"{file} {key!r}: {earlier} earlier version{'s' if earlier > 1 else ''} not exported, only {which}: "
                "the seed format holds one version"
            )
        if file == "organisations":
            fields["certifications"] = self.certifications(props.get("certifications") or ())
        lost = self.dangling(file, fields)
        try:
            entry = model.model_validate(fields)
        except PydanticError as exc:
            if lost:
                self.notes.append(
                    f"{file} {key!r} left out: it names {', '.join(lost)}, not in the map{self.day}"
                )
                return None
            raise ValidationError(
                f"the graph's {file} entry {key!r} is not a seed entry: {_describe(exc)}"
            ) from None
        if lost:
            self.notes.append(f"{file} {key!r}: {', '.join(lost)} left out, not in the map{self.day}")
        self.kept[file].add(key)
        return entry

    def certifications(self, rows: Any) -> list[Certification]:
        """An organisation's certifications; as of a day, those holding on it (both end days included)."""
        out = []
        for props in rows:
            cert = Certification.model_validate(self.fields("certifications", Certification, props))
            held = HeldCertification(cert.program, cert.valid_from, cert.valid_to)
            if self.as_of is None or held.holds_on(self.as_of):
                out.append(cert)
        return out

    def finish(self) -> tuple[str, ...]:
        for (file, name), keys in sorted(self.unknown.items()):
            self.notes.append(
                f"{file}: property {name!r} has no field in the seed format, not exported "
                f"({len(keys)} {'entries' if len(keys) > 1 else 'entry'}: {', '.join(keys[:5])}"
                f"{', ...' if len(keys) > 5 else ''})"
            )
        return tuple(self.notes)


def _categories(rows: tuple[Mapping[str, Any], ...], reader: _Reader) -> list[Mapping[str, Any]]:
    """The data categories whose parents are exported too (as of a day, a parent may not hold)."""
    held = {str(r.get("key")) for r in rows}
    out = []
    for row in rows:
        missing = [a for a in ancestors(str(row.get("key"))) if a not in held]
        if missing:
            reader.notes.append(
                f"data_categories {row.get('key')!r} left out: parent {missing[0]!r} not in the map"
            )
        else:
            out.append(row)
    return out


def map_of_rows(rows: MapRows, as_of: dt.date | None) -> MapExport:
    """The seed the graph's map makes; `ValidationError` when the graph holds no map or no loadable one."""
    if rows.notice is None:
        raise ValidationError("the graph holds no map: load one first (`datamap seed load`)")
    reader = _Reader(as_of)
    notice = Notice.model_validate(reader.fields("notice", Notice, rows.notice))
    parsed: dict[str, tuple[Any, ...]] = {}
    for file in MAP_FILES:
        found = rows.entries.get(file, ())
        if file == "data_categories":
            found = tuple(_categories(found, reader))
        entries = (reader.entry(file, props) for props in found)
        parsed[file] = tuple(e for e in entries if e is not None)
    if rows.subjects:
        reader.notes.append(
            f"subjects: the graph holds {rows.subjects} people, only as keyed hashes of their identifiers; "
            "example subjects cannot be made from them and are not exported"
        )
    seed = SeedMap(notice=notice, subjects=(), **parsed)
    try:
        check_references(seed)
    except ValidationError as exc:
        raise ValidationError(f"the map{reader.day} is not a loadable seed: {exc}") from None
    return MapExport(seed=seed, notes=reader.finish(), api_changes=rows.api_changes)


_LAST = ("note", "validFrom", "validTo")  # provenance after the entry's own fields, as the seed files have it


def document_entry(entry: Any) -> dict[str, Any]:
    """An entry as the seed files write it: field names as in YAML, unknown and default values left out."""
    data: dict[str, Any] = entry.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude_defaults=True
    )
    return {**{k: v for k, v in data.items() if k not in _LAST}, **{k: data[k] for k in _LAST if k in data}}


def seed_documents(seed: SeedMap) -> dict[str, Any]:
    """The seed's YAML documents by file name (`notice.yaml`, `systems.yaml`, ...), subjects.yaml left out."""
    documents: dict[str, Any] = {"notice.yaml": {"notice": document_entry(seed.notice)}}
    for file in MAP_FILES:
        documents[f"{file}.yaml"] = {file: [document_entry(e) for e in getattr(seed, file)]}
    return documents

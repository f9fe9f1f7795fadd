"""The subject layer an import would write, built in memory for Neo4j's offline importer (`initial_import.py`).

The rows come in the batches `bulk_import.import_batches` would write, and each batch is resolved and merged
exactly as `recording.write_events` and `subject_writer.WRITE_SUBJECTS` do it into an empty graph holding only
the map: rows sharing identifiers are one subject (`identifier_groups`), the subject their identifiers already
point to or a new one (`new_subject_id`); each subject row (`recording.per_subject`) moves the subject's first
instant back, sets country, region and relationship where given (a new country without a region ends a region
of another country), adds identifiers and memberships (the earliest `since`), and creates each record once (the
first met). The record tallies follow through `domain/record_tally_rows.py`, including the per-country tallies
moved when a subject's country changes. Nothing here does I/O.

Built for a million subjects and more: each batch's new records and identifiers are handed out (`take`) to be
written at once and are not kept; what later batches need is kept compact: per subject its attributes and, per
record, 22 bytes (`RECORD`: the record's id, its tally target and month), enough to find a record met again and
to move its tallies when the subject's country changes.
"""

from __future__ import annotations

import datetime as dt
import struct
import sys
from dataclasses import dataclass
from typing import Any

from datamap.domain.record_tally_rows import TallyLedger, tally_month
from datamap.domain.seed_model import SeedMap
from datamap.domain.subject_events import assign_subject, identifier_groups, new_subject_id
from datamap.errors import ValidationError
from datamap.services.recording import per_subject

COLLECTION, DISCLOSURE = "collection", "disclosure"

# A record as the graph holds it: (subject id, target key, id, categories, source or purpose, at)
Record = tuple[str, str, str, list[str], str, dt.datetime]
# A record as a subject keeps it: its id (16 bytes), its tally target's code, its month's code
RECORD = struct.Struct("<16sIH")
SEEN = 20  # the bytes of a kept record that identify it (id and target)


def _shared(value: Any) -> Any:
    """One string object for all equal ones (countries, regions, keys: a million subjects hold few)."""
    return sys.intern(value) if type(value) is str else value


class SubjectNode:
    """A subject as the graph will hold it; `records`: those written so far, `RECORD` after `RECORD`."""

    __slots__ = ("country", "created", "id", "memberships", "records", "region", "relationship")

    def __init__(self, subject_id: str, created: dt.datetime) -> None:
        self.id = subject_id
        self.created = created
        self.country: str | None = None
        self.region: str | None = None
        self.relationship: str | None = None
        self.memberships: dict[str, dt.datetime] | None = None  # subject category -> since
        self.records = b""


@dataclass(frozen=True)
class MapKeys:
    """The keys of the map the rows may name (the seed's)."""

    categories: frozenset[str]
    systems: frozenset[str]
    sources: frozenset[str]
    recipients: frozenset[str]
    purposes: frozenset[str]
    subject_categories: frozenset[str]

    @classmethod
    def of(cls, seed: SeedMap) -> MapKeys:
        return cls(
            categories=frozenset(c.key for c in seed.data_categories),
            systems=frozenset(s.key for s in seed.systems),
            sources=frozenset(s.key for s in seed.sources),
            recipients=frozenset(r.key for r in seed.recipients),
            purposes=frozenset(p.key for p in seed.purposes),
            subject_categories=frozenset(c.key for c in seed.subject_categories),
        )

    def check(self, row: dict[str, Any]) -> None:
        """Raise `ValidationError` naming the keys of the row the map does not hold."""
        missing = {
            "categories": [c for c in row["categories"] if c not in self.categories],
            "subjectCategories": [c for c in row["subjectCategories"] if c not in self.subject_categories],
        }
        if "system" in row:
            missing["systems"] = [] if row["system"] in self.systems else [row["system"]]
            missing["sources"] = [] if row["source"] in self.sources else [row["source"]]
        else:
            missing["recipients"] = [] if row["recipient"] in self.recipients else [row["recipient"]]
            missing["purposes"] = [] if row["purpose"] in self.purposes else [row["purpose"]]
        if any(missing.values()):
            detail = "; ".join(
                f"{kind}: {', '.join(map(repr, keys))}" for kind, keys in missing.items() if keys
            )
            raise ValidationError(f"unknown keys in the map: {detail}")


class SubjectLayer:
    """The subjects, identifiers, memberships, records and tallies written so far (`add_batch`); the records and
    identifiers each batch created are taken out with `take`."""

    def __init__(self, keys: MapKeys) -> None:
        self.keys = keys
        self.subjects: dict[str, SubjectNode] = {}
        self.identifiers: dict[str, SubjectNode] = {}  # hash -> its subject
        self.tallies = TallyLedger()
        self.records = 0
        self.new_identifiers: list[tuple[str, str, str]] = []  # (hash, kind, subject id)
        self.new_held: list[Record] = []
        self.new_disclosed: list[Record] = []
        self._targets: list[tuple[str, str, str | None]] = []  # code -> (kind, target, purpose)
        self._target_codes: dict[tuple[str, str, str | None], int] = {}
        self._months: list[str] = []
        self._month_codes: dict[str, int] = {}

    def take(self) -> tuple[list[tuple[str, str, str]], list[Record], list[Record]]:
        """The identifiers, collections and disclosures created since the last `take` (then forgotten here)."""
        taken = self.new_identifiers, self.new_held, self.new_disclosed
        self.new_identifiers, self.new_held, self.new_disclosed = [], [], []
        return taken

    def add_batch(self, rows: list[dict[str, Any]]) -> None:
        """One batch as `recording.write_events` writes it; rows are checked against the map first."""
        for row in rows:
            try:
                self.keys.check(row)
            except ValidationError as exc:
                raise ValidationError(f"line {row['line']}: {exc}") from None
        for members in identifier_groups(rows):
            hashes = sorted({h for m in members for h in rows[m]["hashes"]})
            found = sorted({self.identifiers[h].id for h in hashes if h in self.identifiers})
            if len(found) > 1:
                kinds = sorted({i["kind"] for m in members for i in rows[m]["identifiers"]})
                raise ValidationError(
                    f"line {rows[members[0]]['line']}: its identifiers ({', '.join(kinds)}) belong to "
                    f"{len(found)} different subjects already; record them separately"
                )
            subject_id = found[0] if found else new_subject_id(hashes)
            for m in members:
                assign_subject(rows[m], subject_id)
        for subject in per_subject(rows):
            self._write(subject)
        self.tallies.commit()

    def _write(self, row: dict[str, Any]) -> None:
        s = self.subjects.get(row["id"])
        if s is None:
            s = self.subjects[row["id"]] = SubjectNode(row["id"], row["first"])
        before = s.country
        s.created = min(s.created, row["first"])
        country = row["country"]
        if country is not None:
            s.country = _shared(country)
        ends_region = (
            row["region"] is None
            and country is not None
            and s.region is not None
            and not s.region.startswith(country + "-")
        )
        region = None if ends_region else (row["region"] or s.region)
        s.region = _shared(region)
        relationship = row["relationship"] or s.relationship
        s.relationship = _shared(relationship)
        for ident in row["identifiers"]:
            if ident["hash"] not in self.identifiers:
                self.identifiers[ident["hash"]] = s
                self.new_identifiers.append((ident["hash"], ident["kind"], s.id))
        if row["memberships"]:
            memberships = s.memberships
            if memberships is None:
                memberships = s.memberships = {}
            for m in row["memberships"]:
                since = memberships.get(m["key"])
                memberships[_shared(m["key"])] = m["since"] if since is None else min(since, m["since"])
        if before != s.country:
            self._move(s, before)
        kept = s.records
        seen = {kept[i : i + SEEN] for i in range(0, len(kept), RECORD.size)}
        added = bytearray()
        for c in row["collections"]:
            record = (s.id, c["system"], c["id"], c["categories"], c["source"], c["at"])
            self._record(s, seen, added, self.new_held, COLLECTION, None, record)
        for d in row["disclosures"]:
            record = (s.id, d["recipient"], d["id"], d["categories"], d["purpose"], d["at"])
            self._record(s, seen, added, self.new_disclosed, DISCLOSURE, d["purpose"], record)
        if added:
            s.records = kept + added

    def _move(self, s: SubjectNode, before: str | None) -> None:
        """The subject's records already written leave their country's tallies for the new country's."""
        for record_id, code, month_code in RECORD.iter_unpack(s.records):
            kind, target, purpose = self._targets[code]
            month, rid = self._months[month_code], record_id.hex()
            self.tallies.add(kind, target, purpose, (), before, month, rid, -1)
            self.tallies.add(kind, target, purpose, (), s.country, month, rid, 1)

    def _record(
        self,
        s: SubjectNode,
        seen: set[bytes],
        added: bytearray,
        out: list[Record],
        kind: str,
        purpose: str | None,
        record: Record,
    ) -> None:
        _, target, record_id, categories, _, at = record
        code = self._target_code(kind, target, purpose)
        month = tally_month(at)
        packed = RECORD.pack(bytes.fromhex(record_id), code, self._month_code(month))
        if packed[:SEEN] in seen:
            return
        seen.add(packed[:SEEN])
        added += packed
        out.append(record)
        self.records += 1
        self.tallies.add(kind, target, purpose, categories, s.country, month, record_id, 1)

    def _target_code(self, kind: str, target: str, purpose: str | None) -> int:
        code = self._target_codes.get((kind, target, purpose))
        if code is None:
            code = self._target_codes[(kind, target, purpose)] = len(self._targets)
            self._targets.append((kind, target, purpose))
        return code

    def _month_code(self, month: str) -> int:
        code = self._month_codes.get(month)
        if code is None:
            code = self._month_codes[month] = len(self._months)
            self._months.append(month)
        return code

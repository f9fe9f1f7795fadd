"""Bulk import of the subject layer from JSON lines: validate every line first, then write in batches.

Each line is one event:
  {"type": "collection", "subject": {"email": ...}, "categories": [...], "source": "...", "system": "...",
   "at": "2024-01-31T10:00:00Z", "subjectCategories": ["lead"], "country": "NL"}
  {"type": "disclosure", "subject": {...}, "categories": [...], "recipient": "...", "purpose": "...", "at": "..."}
Nothing is written unless every line is valid and every key exists. Batches are separate transactions, and
every event has a deterministic id: running the same file again after an interruption completes it without
duplicating anything. Lines about a subject on the suppression list (erasure requested) are skipped and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from datamap.domain.identifiers import parse_identifiers
from datamap.domain.subject_events import Collection, Disclosure, to_row
from datamap.errors import ValidationError
from datamap.graph.database import Database, Transaction, unbounded
from datamap.services.recording import Event, Written, check_keys, write_events

# Lines a transaction writes: larger batches share the record tallies' updates among more records (measured:
# about 30 tally updates a subject at 500 subjects a batch, 11 at 5,000) and commit less often, within the
# transaction memory a default Neo4j gives (a batch of 20,000 subjects, ~280,000 lines, went past 1 GiB).
BATCH_SIZE = 20000


class _Subject(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    email: str | None = None
    phone: str | None = None
    external_id: str | None = Field(default=None, alias="externalId")


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    type: Literal["collection", "disclosure"]
    subject: _Subject
    categories: list[str] = Field(min_length=1)
    at: dt.datetime
    source: str | None = None
    system: str | None = None
    recipient: str | None = None
    purpose: str | None = None
    subject_categories: list[str] = Field(default_factory=list, alias="subjectCategories")
    country: str | None = None
    region: str | None = None
    relationship: str | None = None


def parse_line(text: str) -> Event:
    """One JSON line as an event, or `ValidationError` saying what is wrong with it."""
    try:
        line = _Line.model_validate(orjson.loads(text))
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON ({exc})") from None
    except PydanticError as exc:
        raise ValidationError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    ids = parse_identifiers(
        email=line.subject.email, phone=line.subject.phone, external_id=line.subject.external_id
    )
    common: dict[str, Any] = {
        "identifiers": ids,
        "categories": line.categories,
        "at": line.at,
        "subject_categories": line.subject_categories,
        "country": line.country,
        "region": line.region,
        "relationship": line.relationship,
    }
    if line.type == "collection":
        if not line.source or not line.system:
            raise ValidationError("a collection needs 'source' and 'system'")
        return Collection(system=line.system, source=line.source, **common)
    if not line.recipient or not line.purpose:
        raise ValidationError("a disclosure needs 'recipient' and 'purpose'")
    return Disclosure(recipient=line.recipient, purpose=line.purpose, **common)


@dataclass(frozen=True)
class ImportFile:
    """A validated file: its events, and their graph rows numbered by file line."""

    path: Path
    events: list[Event]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ImportResult:
    written: int
    suppressed_lines: list[int]


def read_events(path: Path, secret: bytes, progress: Callable[[int], Any] | None = None) -> ImportFile:
    """Every event of the file, validated and hashed, or the first error as `FILE:LINE: reason`; `progress` is
    told the bytes of each line read (for a bar over the file's size)."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    events: list[Event] = []
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if progress is not None:
                progress(len(text.encode("utf-8")))
            if not text.strip():
                continue
            try:
                event = parse_line(text)
                rows.append(to_row(event, secret, line=number))
            except ValidationError as exc:
                raise ValidationError(f"{path}:{number}: {exc}") from None
            events.append(event)
    return ImportFile(path, events, rows)


async def import_events(
    db: Database,
    file: ImportFile,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], Any] | None = None,
) -> ImportResult:
    """Check every key once, then write in batches (each one transaction). Suppressed subjects are skipped."""
    if batch_size < 1:
        raise ValidationError(f"batch size: {batch_size}; give a positive number")

    async def check(tx: Transaction) -> None:
        await check_keys(tx, file.events)

    await db.transaction(check)
    batches = (file.rows[start : start + batch_size] for start in range(0, len(file.rows), batch_size))
    return await import_batches(db, batches, progress=progress)


async def import_batches(
    db: Database,
    batches: Iterable[list[dict[str, Any]]],
    *,
    progress: Callable[[int], Any] | None = None,
) -> ImportResult:
    """Write batches of validated rows (from `to_row`), each in one transaction, as they come: a stream of any
    length imports in bounded memory. The caller has checked the keys the rows name."""
    written, suppressed = 0, []
    for batch in batches:

        async def work(tx: Transaction, rows: list[dict[str, Any]] = batch) -> Written:
            return await write_events(tx, rows)

        with unbounded():  # an operator's import, not a request: no per-query time limit
            result = await db.transaction(work)
        written += len(result.records)
        suppressed += result.suppressed_lines
        if progress is not None:
            progress(len(batch))
    return ImportResult(written, suppressed)

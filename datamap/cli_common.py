"""What the command groups share: the principal the command line acts as, how a person and a day are named,
`--json` output, progress bars, the audit of a lookup of a person, and documents written to a file.

Exit status, for every command: 0 done; 1 a check found something (`audit verify`, `map diff`, a certificate no
longer intact); 2 bad input or any other error, with the message the API would give; 3 not found (an unknown
subject, request, task or hold: the API's `NOT_FOUND`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from datamap.domain import day_range
from datamap.domain.access import Principal, Role
from datamap.errors import ValidationError

if TYPE_CHECKING:
    from tqdm import tqdm

    from datamap.domain.documents import Document
    from datamap.graph.database import Database
    from datamap.services.subjects import SubjectLookup

T = TypeVar("T")

CLI_PRINCIPAL = Principal("cli", Role.ADMIN, kind="local")  # audit events name it `local:cli`

EXIT_ERROR = 2
EXIT_NOT_FOUND = 3

DOCUMENT_FORMATS = ("text", "html", "pdf")


# --- arguments ------------------------------------------------------------------------------------------------------


def add_subject_arguments(parser: argparse.ArgumentParser, who: str = "the person") -> None:
    """--email, --phone, --external-id: one or more identifiers of one person (the API's SubjectInput)."""
    group = parser.add_argument_group(f"{who} (one or more identifiers of the same person)")
    group.add_argument("--email")
    group.add_argument("--phone", help="with country code, e.g. '+1 415 555 0134'")
    group.add_argument("--external-id")


def subject_argument(args: argparse.Namespace, secret: bytes, where: str = "subject") -> SubjectLookup:
    """The subject named by --email, --phone and --external-id; errors as the API words them."""
    from datamap.services.subjects import lookup_of

    return lookup_of(secret, email=args.email, phone=args.phone, external_id=args.external_id, where=where)


def date_argument(text: str) -> dt.date:
    try:
        return day_range.parse_day(text, "date")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("date: ")) from None


def datetime_argument(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time (2026-11-20T09:00:00Z)") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (add Z or +01:00)")
    return value


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (the API's field names), for scripts")


# --- output ---------------------------------------------------------------------------------------------------------


def camel(name: str) -> str:
    """`first_observed` -> `firstObserved`: the API's spelling of a field."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def plain(value: Any) -> Any:
    """`value` as JSON data: dataclasses as objects with the API's field names (their public, shown fields),
    enums by value, days and instants in ISO 8601, sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.repr and not f.name.startswith("_")
        }
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def print_json(value: Any) -> None:
    print(json.dumps(plain(value), ensure_ascii=False, indent=2))


def joined(values: Iterable[str], empty: str = "none") -> str:
    listed = list(values)
    return ", ".join(listed) if listed else empty


def write_document(document: Document, form: str, output: str | None) -> str | None:
    """The document as text, HTML or PDF: into `output`, or on standard output (PDF only into a file). Returns
    what the command says about the file written (None when printed)."""
    if form == "pdf":
        if not output:
            raise ValidationError("--format pdf: give --output FILE (a PDF is not printed on a terminal)")
        from datamap.services.document_pdf import render

        Path(output).write_bytes(render(document.html()))
        return f"wrote {output} (PDF)"
    content = document.html() if form == "html" else document.text()
    if not output:
        print(content, end="")
        return None
    Path(output).write_text(content, encoding="utf-8")
    return f"wrote {output} ({form})"


def add_document_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--output",
        metavar="FILE",
        help=f"write {what} into FILE (with --format); without it the summary (or --json) is printed",
    )
    parser.add_argument(
        "--format",
        choices=DOCUMENT_FORMATS,
        default="text",
        help="the document's format with --output: text, html or pdf (default text)",
    )


# --- progress -------------------------------------------------------------------------------------------------------


@contextmanager
def progress(
    total: int | None = None,
    *,
    unit: str = "it",
    desc: str | None = None,
    quiet: bool = False,
    bar_format: str | None = None,
    unit_scale: bool = False,
) -> Iterator[tqdm[Any]]:
    """A progress bar on standard error; silent when standard error is not a terminal (a pipe, a log, a test)
    or with `quiet`. The one way the commands show progress."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    with tqdm(
        total=total,
        unit=unit,
        desc=desc,
        disable=disable,
        file=sys.stderr,
        dynamic_ncols=True,
        bar_format=bar_format,
        unit_scale=unit_scale,
    ) as bar:
        yield bar


class Phases:
    """A bar over the named phases of one operation, each named while it runs."""

    def __init__(self, bar: tqdm[Any], names: Sequence[str]) -> None:
        self.bar, self.names, self.done = bar, list(names), 0
        bar.set_description_str(self.names[0])

    def next(self) -> None:
        self.done += 1
        self.bar.update(1)
        if self.done < len(self.names):
            self.bar.set_description_str(self.names[self.done])


@contextmanager
def phases(*names: str, quiet: bool = False) -> Iterator[Phases]:
    shown = "{desc} |{bar}| {n_fmt}/{total_fmt} steps [{elapsed}]"
    with progress(len(names), unit="step", desc=names[0], quiet=quiet, bar_format=shown) as bar:
        yield Phases(bar, names)


def in_phases(
    with_db: Callable[[Callable[[Database], Awaitable[T]]], T],
    work: Callable[[Database], Awaitable[T]],
    doing: str,
    *,
    quiet: bool = False,
) -> T:
    """`with_db(work)` under a bar of two phases: connecting to Neo4j (and applying the schema), then `doing`."""
    with phases("connecting to Neo4j", doing, quiet=quiet) as step:

        async def run(db: Database) -> T:
            step.next()
            done = await work(db)
            step.next()
            return done

        return with_db(run)


# --- the audit of a lookup of a person ------------------------------------------------------------------------------

Named = tuple[str | None, str | None]  # (subject id, request id) an answer is about


async def audited(
    db: Database,
    operation: str,
    now: dt.datetime,
    answer: Callable[[], Awaitable[T | None]],
    names_of: Callable[[T], Iterable[Named]],
) -> T | None:
    """`answer()`, recorded as the API records a lookup of a person (`services.audit.audited_read`): the
    operation is the API field's name; the principal is `local:cli`."""
    from datamap.services import audit

    async def record(events: list[Any], at: dt.datetime) -> None:
        await audit.record_read(db, events, at)

    return await audit.audited_read(CLI_PRINCIPAL, operation, now, answer, names_of, record)


def about_subject(subject_id: str | None) -> list[Named]:
    return [(subject_id or None, None)]


async def person_read(
    db: Database,
    operation: str,
    now: dt.datetime,
    lookup: Callable[[], SubjectLookup],
    read: Callable[[SubjectLookup], Awaitable[T | None]],
    subject_id_of: Callable[[T], str | None],
) -> T:
    """A lookup of one person, audited as the API audits its field `operation`; `NotFound` (exit 3) when the
    graph holds no such person, after its `not found` event. A bad identifier is refused, and recorded so."""
    looked: list[SubjectLookup] = []

    async def answer() -> T | None:
        looked.append(lookup())
        return await read(looked[0])

    found = await audited(db, operation, now, answer, lambda f: about_subject(subject_id_of(f)))
    if found is None:
        raise looked[0].unknown()
    return found

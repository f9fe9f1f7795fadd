"""`datamap report ...`: the record of processing, the transfer register, the Shine-the-Light standard report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from datamap.cli_erasure import date_argument
from datamap.clock import command_clock


def cmd_report(args: argparse.Namespace, with_db: Callable[[Any], Any]) -> int:
    from datamap.domain.ropa import RecordOfProcessing
    from datamap.services.reports import map_reports, stl_standard

    now = command_clock().now()
    if args.report == "ropa":
        record: RecordOfProcessing = with_db(
            lambda db: map_reports.record_of_processing(db, args.as_of, now=now)
        )
        formats: dict[str, Callable[[], str | bytes]] = {
            "csv": record.to_csv,
            "xlsx": record.to_xlsx,
            "json": record.to_json,
        }
        data = formats[args.format]()
        if args.output:
            mode = "wb" if isinstance(data, bytes) else "w"
            with open(args.output, mode) as handle:
                handle.write(data)
            print(
                f"wrote {args.output}: {len(record.controller_record)} controller activities, "
                f"{len(record.processor_record)} processor activities, as of {record.as_of}"
            )
        elif isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            print(data, end="")
        return 0
    if args.report == "transfers":
        register: map_reports.TransferRegister = with_db(
            lambda db: map_reports.transfer_register(db, args.as_of, now=now)
        )
        print(
            f"transfer register as of {register.as_of}: "
            + ", ".join(f"{k} {v}" for k, v in register.health.items())
        )
        for entry in register.entries:
            state = "valid" if entry.valid else "NOT VALID"
            print(f"{entry.key}: {entry.mechanism} {state}")
            for f in entry.findings:
                print(f"  [{f.severity.value}] {f.message} Fix: {f.fix}")
        return 0
    found: stl_standard.StandardResponse = with_db(
        lambda db: stl_standard.standard_report(db, args.year, now=now)
    )
    letter = found.letter()
    print(letter.html() if args.html else letter.text(), end="")
    return 0


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "report",
        help="the record of processing, the transfer register, Shine-the-Light",
        description="Reports computed from the graph as of a date.",
    )
    reports = p.add_subparsers(dest="report", required=True)
    ropa = reports.add_parser("ropa", help="the record of processing activities (Art. 30)")
    ropa.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    ropa.add_argument("--as-of", type=date_argument)
    ropa.add_argument("--output", help="file to write (needed for xlsx on a terminal)")
    transfers = reports.add_parser("transfers", help="the transfer register with each mechanism's validity")
    transfers.add_argument("--as-of", type=date_argument)
    standard = reports.add_parser(
        "shine-the-light", help="the business-wide Shine-the-Light report of a year"
    )
    standard.add_argument("--year", type=int, required=True)
    standard.add_argument("--html", action="store_true")
    for parser in (ropa, transfers, standard):
        parser.set_defaults(func=handler)

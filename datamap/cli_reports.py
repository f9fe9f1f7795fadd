"""`datamap report ...`: the record of processing, the transfer register, a person's access report (GDPR Art. 15)
and CCPA right to know, Shine-the-Light per customer and business-wide.

The same use cases as the API's `ropa`, `transferRegister`, `accessReport`, `ccpaRightToKnow`,
`shineTheLightReport` / `answerShineTheLightRequest` and `shineTheLightStandardReport` /
`issueShineTheLightStandardReport`. A report about a person is audited as the API audits it; answering or issuing
records the answer with its own audit event (the service does that).

A report about a person prints a summary (with what staff should see before sending, never in the document) and
the document; `--output FILE --format text|html|pdf` writes the document alone into a file, `--json` prints the
report's data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from datamap.cli_common import (
    CLI_PRINCIPAL,
    add_document_arguments,
    add_json_argument,
    add_subject_arguments,
    date_argument,
    in_phases,
    joined,
    person_read,
    plain,
    print_json,
    subject_argument,
    write_document,
)
from datamap.clock import command_clock
from datamap.errors import ValidationError

if TYPE_CHECKING:
    import datetime as dt

    from datamap.domain.access_report import AccessReport
    from datamap.domain.ccpa import RightToKnow
    from datamap.domain.documents import Document
    from datamap.domain.transfer_findings import Finding
    from datamap.services.reports.shine_the_light import CustomerResponse
    from datamap.services.reports.stl_standard import StandardResponse

WithDb = Callable[[Any], Any]
EPILOG = "exit status: 0 done; 2 bad input (the API's message); 3 no such subject"


def cmd_report(args: argparse.Namespace, with_db: WithDb, secret: Callable[[], bytes] | None = None) -> int:
    now = command_clock().now()
    if args.report == "ropa":
        return _ropa(args, with_db, now)
    if args.report == "transfers":
        return _transfers(args, with_db, now)
    if args.report == "shine-the-light":
        return _shine_the_light(args, with_db, secret, now)
    if secret is None:
        raise ValidationError(f"report {args.report}: needs the hash secret")  # cli.py always passes it
    if args.report == "access":
        return _access(args, with_db, secret(), now)
    return _ccpa(args, with_db, secret(), now)


def _ropa(args: argparse.Namespace, with_db: WithDb, now: dt.datetime) -> int:
    from datamap.domain.ropa import RecordOfProcessing
    from datamap.services.reports import map_reports

    record: RecordOfProcessing = in_phases(
        with_db, lambda db: map_reports.record_of_processing(db, args.as_of, now=now), "reading the record"
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
        if sys.stdout.isatty():
            raise ValidationError(
                "--format xlsx: give --output FILE (a workbook is not printed on a terminal)"
            )
        sys.stdout.buffer.write(data)
    else:
        print(data, end="")
    return 0


def _transfers(args: argparse.Namespace, with_db: WithDb, now: dt.datetime) -> int:
    from datamap.services.reports import map_reports

    register: map_reports.TransferRegister = in_phases(
        with_db, lambda db: map_reports.transfer_register(db, args.as_of, now=now), "reading the transfers"
    )
    if args.json:
        print_json({"asOf": register.as_of, "health": register.health, "transfers": register.entries})
        return 0
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


def _print_findings(findings: Iterable[Finding], heading: str) -> None:
    listed = list(findings)
    if listed:
        print(heading)
    for f in listed:
        print(f"  [{f.severity.value}] {f.message} Fix: {f.fix}")


def _document_out(args: argparse.Namespace, document: Document) -> None:
    """The document into --output (then a line saying so), or printed after the summary."""
    if args.output:
        written = write_document(document, args.format, args.output)
        print(written)
        return
    if args.format != "text":
        raise ValidationError(f"--format {args.format}: give --output FILE as well")
    print()
    write_document(document, "text", None)


def _access(args: argparse.Namespace, with_db: WithDb, key: bytes, now: dt.datetime) -> int:
    from datamap.domain.access_report import access_document
    from datamap.services.reports import subject_reports

    async def read(db: Any) -> AccessReport:
        return await person_read(
            db,
            "accessReport",
            now,
            lambda: subject_argument(args, key),
            lambda lookup: subject_reports.access_report(db, lookup, args.as_of, now=now),
            lambda r: r.subject_id,
        )

    report: AccessReport = with_db(read)
    if args.json:
        print_json(report)
        return 0
    print(f"access report ({report.law}, Art. 15) of subject {report.subject_id} as of {report.as_of}")
    print(
        f"purposes: {joined(p.key + (f' ({p.legal_basis})' if p.legal_basis else '') for p in report.purposes)}"
    )
    print(f"categories: {joined(report.categories)}")
    print(f"recipients named: {joined(r.key for r in report.recipients)}")
    print(f"recipients by category: {joined(report.recipient_categories)}")
    print(
        "transfers: "
        + joined(f"{t.key} ({t.mechanism}{'' if t.valid else ', NOT VALID'})" for t in report.transfers)
    )
    print(f"sources: {joined(s['key'] for s in report.sources)}")
    _print_findings(report.findings, "for staff before sending (never in the document):")
    _document_out(args, access_document(report))
    return 0


def _categories(values: Iterable[Any]) -> str:
    return joined(c.text() for c in values)


def _ccpa(args: argparse.Namespace, with_db: WithDb, key: bytes, now: dt.datetime) -> int:
    from datamap.domain.outgoing_documents import right_to_know_document
    from datamap.services.reports import subject_reports

    async def read(db: Any) -> RightToKnow:
        return await person_read(
            db,
            "ccpaRightToKnow",
            now,
            lambda: subject_argument(args, key),
            lambda lookup: subject_reports.right_to_know(
                db, lookup, args.received_at, now=now, since=args.since
            ),
            lambda r: r.subject_id,
        )

    found: RightToKnow = with_db(read)
    if args.json:
        print_json(found)
        return 0
    print(
        f"CCPA right to know (Civ. Code §1798.110) of subject {found.subject_id}, received "
        f"{args.received_at}: {found.window_from} to {found.window_to} ({found.period})"
    )
    print(f"categories collected: {_categories(found.categories_collected)}")
    print(f"sources: {joined(found.sources)}")
    print(f"purposes: {joined(found.purposes)}")
    print(f"third parties: {joined(found.third_party_categories)}")
    print(f"sold: {_categories(found.sold)}")
    print(f"shared: {_categories(found.shared)}")
    print(f"disclosed for a business purpose: {_categories(found.disclosed_for_business_purpose)}")
    _document_out(args, right_to_know_document(found))
    return 0


def _stl_json(found: CustomerResponse | StandardResponse) -> dict[str, Any]:
    """The API's `ShineTheLightReport` fields: the response, and the request or issue it belongs to."""
    from datamap.services.reports.shine_the_light import CustomerResponse

    response = plain(found.response)
    if isinstance(found, CustomerResponse):
        return {
            **response,
            "recorded": found.recorded,
            "digest": found.digest,
            "requestId": found.request_id if found.recorded else None,
            "subjectId": found.subject_id,
            "received": found.received.isoformat(),
            "due": found.due.isoformat(),
            "repeated": found.repeated,
            "firstReceived": found.first_received.isoformat(),
            "business": found.business,
        }
    return {
        **response,
        "recorded": found.issued_at is not None,
        "issuedAt": found.issued_at.isoformat() if found.issued_at else None,
        "digest": found.digest,
        "business": found.business,
    }


def _shine_the_light(
    args: argparse.Namespace, with_db: WithDb, secret: Callable[[], bytes] | None, now: dt.datetime
) -> int:
    from datamap.services.reports import shine_the_light as stl_service
    from datamap.services.reports import stl_standard

    customer = any(v is not None for v in (args.email, args.phone, args.external_id))
    if customer == (args.year is not None):
        raise ValidationError(
            "shine-the-light: give --year YEAR (the business-wide report) or a customer (--email, --phone, "
            "--external-id) with --received-at DATE, not both"
        )
    found: CustomerResponse | StandardResponse
    if not customer:
        if args.answer or args.received_at is not None:
            raise ValidationError("--answer and --received-at: only for a customer's request")
        found = with_db(
            lambda db: (
                stl_standard.issue_standard_report(db, args.year, principal=CLI_PRINCIPAL, now=now)
                if args.issue
                else stl_standard.standard_report(db, args.year, now=now)
            )
        )
    else:
        if args.issue:
            raise ValidationError("--issue: only for the business-wide report (--year)")
        if args.received_at is None:
            raise ValidationError(
                "--received-at: required for a customer's request (the day it was received)"
            )
        if secret is None:
            raise ValidationError("shine-the-light: needs the hash secret")  # cli.py always passes it
        key = secret()

        async def answer(db: Any) -> CustomerResponse:
            if args.answer:  # a mutation: the service records it with its audit event
                return await stl_service.answer_request(
                    db,
                    subject_argument(args, key, "customer"),
                    args.received_at,
                    at_designated_address=args.at_designated_address,
                    principal=CLI_PRINCIPAL,
                    now=now,
                )
            return await person_read(
                db,
                "shineTheLightReport",
                now,
                lambda: subject_argument(args, key, "customer"),
                lambda lookup: stl_service.answer_request(
                    db,
                    lookup,
                    args.received_at,
                    at_designated_address=args.at_designated_address,
                    principal=None,
                    now=now,
                ),
                lambda r: r.subject_id,
            )

        found = with_db(answer)
    if args.json:
        print_json(_stl_json(found))
        return 0
    if args.html:  # the business-wide report's HTML alone, as this option always printed it
        print(found.letter().html(), end="")
        return 0
    _print_stl_summary(found)
    _document_out(args, found.letter())
    return 0


def _print_stl_summary(found: CustomerResponse | StandardResponse) -> None:
    from datamap.services.reports.shine_the_light import CustomerResponse

    response = found.response
    if isinstance(found, CustomerResponse):
        state = (
            f"recorded as request {found.request_id}" if found.recorded else "a preview, nothing recorded"
        ) + (f"; the answer first given to the request of {found.first_received}" if found.repeated else "")
        print(
            f"Shine-the-Light answer to customer {found.subject_id}, received {found.received}, due {found.due}: "
            f"{state}"
        )
        if not response.eligible:
            print(f"not a customer of §1798.83(e)(1): {'; '.join(response.reasons)}")
    else:
        state = (
            f"issued {found.issued_at.isoformat()}, sha256 {found.digest}"
            if found.issued_at
            else "a preview of the data as they stand (--issue issues it)"
        )
        print(f"Shine-the-Light report {response.year} (business-wide): {state}")
    print(
        f"disclosures of {response.year}: {len(response.third_parties)} third parties, "
        f"{len(response.categories)} categories (route {response.route})"
    )
    for finding in response.findings:
        print(f"  finding: {finding}")


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "report",
        help="RoPA, transfer register, access report, CCPA right to know, Shine-the-Light",
        description="Reports computed from the graph as of a date. A report about a person is recorded in the "
        "audit trail (principal local:cli).",
        epilog=EPILOG,
    )
    reports = p.add_subparsers(dest="report", required=True)
    ropa = reports.add_parser("ropa", help="the record of processing activities (Art. 30)")
    ropa.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    ropa.add_argument("--as-of", type=date_argument)
    ropa.add_argument("--output", help="file to write (needed for xlsx on a terminal)")

    transfers = reports.add_parser("transfers", help="the transfer register with each mechanism's validity")
    transfers.add_argument("--as-of", type=date_argument)
    add_json_argument(transfers)

    access = reports.add_parser(
        "access",
        help="a person's GDPR access report, Art. 15 (accessReport)",
        description="The Art. 15 report of one person as of a day: a summary with what staff should see before "
        "sending, and the document (text, HTML or PDF into --output).",
        epilog=EPILOG,
    )
    add_subject_arguments(access)
    access.add_argument("--as-of", type=date_argument, help="the day (default today)")
    add_document_arguments(access, "the access report")
    add_json_argument(access)

    ccpa = reports.add_parser(
        "ccpa",
        help="a person's CCPA right-to-know response (ccpaRightToKnow)",
        description="What the business collected, sold, shared and disclosed about one person in the 12 months "
        "(California's days) before the request, or back to --since (not before 1 January 2022).",
        epilog=EPILOG,
    )
    add_subject_arguments(ccpa)
    ccpa.add_argument("--received-at", type=date_argument, required=True, help="the day the request came")
    ccpa.add_argument("--since", type=date_argument, help="back to this day (§1798.130(a)(2)(B))")
    add_document_arguments(ccpa, "the response")
    add_json_argument(ccpa)

    standard = reports.add_parser(
        "shine-the-light",
        help="Shine-the-Light: a customer's answer, or the business-wide report of a year",
        description="Civ. Code §1798.83. With a customer (--email, --phone, --external-id) and --received-at: "
        "the answer to their request, a preview unless --answer records it (once per customer and calendar "
        "year). With --year: the business-wide report, a preview unless --issue issues it (once, for a year "
        "that has ended).",
        epilog=EPILOG,
    )
    add_subject_arguments(standard, "the customer")
    standard.add_argument("--received-at", type=date_argument, help="a customer's request: the day it came")
    standard.add_argument(
        "--not-at-designated-address",
        dest="at_designated_address",
        action="store_false",
        help="the request did not come to the designated address (due in 150 days, not 30)",
    )
    standard.add_argument(
        "--answer", action="store_true", help="record the answer (answerShineTheLightRequest)"
    )
    standard.add_argument("--year", type=int, help="the business-wide report of this calendar year")
    standard.add_argument(
        "--issue",
        action="store_true",
        help="issue the business-wide report (issueShineTheLightStandardReport)",
    )
    standard.add_argument("--html", action="store_true", help="print the document's HTML alone")
    add_document_arguments(standard, "the letter or report")
    add_json_argument(standard)
    for parser in (ropa, transfers, access, ccpa, standard):
        parser.set_defaults(func=handler)

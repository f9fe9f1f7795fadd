"""`datamap erasure ...`: plan, request, approve, status and certificate from the command line.

The command line acts as the local principal `local:cli` (an admin): what it opens and changes names it.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datamap.clock import command_clock
from datamap.domain import day_range
from datamap.domain.access import Principal, Role
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_records import ErasureTaskRecord, RequestStatus
from datamap.errors import ValidationError

if TYPE_CHECKING:
    from datamap.services.subjects import SubjectLookup

CLI_PRINCIPAL = Principal("cli", Role.ADMIN, kind="local")


def add_subject_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email")
    parser.add_argument("--phone", help="with country code, e.g. '+1 415 555 0134'")
    parser.add_argument("--external-id")


def subject_argument(args: argparse.Namespace, secret: bytes) -> SubjectLookup:
    """The subject named by --email, --phone and --external-id."""
    from datamap.services.subjects import lookup_of

    return lookup_of(secret, email=args.email, phone=args.phone, external_id=args.external_id)


def date_argument(text: str) -> dt.date:
    try:
        return day_range.parse_day(text, "date")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("date: ")) from None


def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time (2026-11-20T09:00:00Z)") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (add Z or +01:00)")
    return value


@dataclass(frozen=True)
class _TaskLine:
    """What the task table shows of a planned task or of a request's task."""

    stage: int
    key: str
    categories: Sequence[str]
    restricted_until: dt.date | None
    status: str = ""


def _print_tasks(tasks: Iterable[_TaskLine]) -> None:
    print(f"{'stage':>5}  {'task':<52} {'status':<10} categories / until")
    for t in tasks:
        until = f" until {t.restricted_until}" if t.restricted_until else ""
        print(f"{t.stage:>5}  {t.key:<52} {t.status:<10} {len(t.categories)} categories{until}")


def _request_task_lines(tasks: Iterable[ErasureTaskRecord]) -> list[_TaskLine]:
    return [
        _TaskLine(
            t.stage,
            t.key,
            t.categories,
            t.restricted_until,
            t.status.value + ("+verified" if t.verified else ""),
        )
        for t in tasks
    ]


def cmd_erasure(args: argparse.Namespace, with_db: Callable[[Any], Any], secret: Callable[[], bytes]) -> int:
    from datamap.services import erasure

    now = command_clock().now()
    today = now.date()
    if args.action == "plan":
        found = with_db(lambda db: erasure.plan(db, subject_argument(args, secret()), args.as_of, now=now))
        if found is None:
            print("no such subject in the graph")
            return 1
        _print_tasks(_TaskLine(t.stage, t.key, t.categories, t.restricted_until) for t in found.tasks)
        for warning in found.warnings:
            print(f"warning: {warning}")
        print(f"Art. 19 recipients: {', '.join(r.key for r in found.recipients) or 'none'}")
        return 0
    if args.action == "request":
        given = erasure.ErasureRequestInput(
            subject=subject_argument(args, secret()),
            received_at=args.received_at,
            jurisdiction=Jurisdiction(args.jurisdiction),
            channel=args.channel,
            identity_method=args.identity_method,
            identity_reference=args.identity_reference,
            from_email=args.from_email,
            idempotency_key=args.idempotency_key,
        )
        view = with_db(lambda db: erasure.request_erasure(db, given, principal=CLI_PRINCIPAL, now=now))
        print(f"request {view.request.id}: {len(view.tasks)} tasks, deadline {view.deadline}")
        if view.status is RequestStatus.AWAITING_APPROVAL:
            print(
                "the identity is not verified: nothing runs, suppression included, until a second compliance "
                f"principal approves it (approveErasureRequest, or `datamap erasure approve {view.request.id}`"
                " by another principal)"
            )
        return 0
    if args.action == "approve":
        view = with_db(
            lambda db: erasure.approve_request(db, args.id, args.reason, principal=CLI_PRINCIPAL, now=now)
        )
        print(f"request {args.id}: approved, {view.status.value}, deadline {view.deadline}")
        return 0
    if args.action == "status":
        if args.id:
            view = with_db(lambda db: erasure.get_request(db, args.id, principal=CLI_PRINCIPAL, today=today))
            print(
                f"request {args.id}: {view.status.value}, deadline {view.deadline}"
                + (" (OVERDUE)" if view.overdue else "")
            )
            request = view.request
            if request.opened_by:
                print(
                    f"opened by {request.opened_by}"
                    + (f", approved by {request.approved_by}" if request.approved_by else "")
                )
            _print_tasks(_request_task_lines(view.tasks))
            return 0
        status = RequestStatus(args.status) if args.status else None
        views = with_db(
            lambda db: erasure.list_requests(
                db, status, True if args.overdue else None, principal=CLI_PRINCIPAL, today=today
            )
        )
        for v in views:
            print(
                f"{v.request.id}  {v.status.value:<22} deadline {v.deadline}"
                + ("  OVERDUE" if v.overdue else "")
            )
        return 0
    cert = with_db(
        lambda db: erasure.completion_certificate(db, args.id, principal=CLI_PRINCIPAL, today=today)
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(cert.document)
    else:
        print(cert.document)
    print(
        f"sha256 {cert.digest} ({'intact' if cert.intact else 'ALTERED since completion: ' + cert.stored_digest})"
    )
    return 0 if cert.intact else 1


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "erasure",
        help="plan, request, follow and certify erasure",
        description="Erasure of one subject: the plan, a request, its approval, its status, its certificate. "
        "The command acts as the local principal local:cli.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    plan = actions.add_parser("plan", help="every place the subject's data is or went, as ordered tasks")
    add_subject_arguments(plan)
    plan.add_argument("--as-of", type=date_argument)
    request = actions.add_parser("request", help="open a request (its tasks are the plan now)")
    add_subject_arguments(request)
    request.add_argument("--received-at", type=_datetime, required=True)
    request.add_argument("--jurisdiction", choices=[j.value for j in Jurisdiction], default="gdpr")
    request.add_argument(
        "--channel", choices=["email", "web_form", "post", "phone", "in_person"], required=True
    )
    request.add_argument("--from-email", help="the address an emailed request came from")
    request.add_argument(
        "--identity-method",
        default="not_verified",
        choices=[
            "email_confirmation",
            "account_login",
            "government_id",
            "proof_of_address",
            "other",
            "not_verified",
        ],
    )
    request.add_argument("--identity-reference", default="")
    request.add_argument(
        "--idempotency-key", help="the same key again gives the first request instead of opening a second"
    )
    approve = actions.add_parser(
        "approve",
        help="approve a request whose identity is not verified (not one this command opened itself)",
    )
    approve.add_argument("id")
    approve.add_argument("--reason", required=True, help="why it may proceed")
    status = actions.add_parser("status", help="one request with its tasks, or the list of requests")
    status.add_argument("--id")
    status.add_argument("--status", choices=[s.value for s in RequestStatus])
    status.add_argument("--overdue", action="store_true")
    cert = actions.add_parser("certificate", help="the completion certificate (JSON) and its digest")
    cert.add_argument("id")
    cert.add_argument("--output", help="write the document to this file")
    for parser in (plan, request, approve, status, cert):
        parser.set_defaults(func=handler)

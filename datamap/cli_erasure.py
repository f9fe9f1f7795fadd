"""`datamap erasure ...`: plan, request, approve, status, outcome, verify, extend, hold, release and certificate.

The command line acts as the local principal `local:cli` (an admin): what it opens and changes names it, and
every lookup of a person is audited as the API audits it (`cli_common.audited`). The rules that need a second
principal (approving a request this command opened, verifying an outcome it recorded) hold here too.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datamap.cli_common import (
    CLI_PRINCIPAL,
    add_json_argument,
    add_subject_arguments,
    audited,
    date_argument,
    datetime_argument,
    joined,
    person_read,
    print_json,
    subject_argument,
)
from datamap.clock import command_clock
from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_records import ErasureTaskRecord, LegalHoldRecord, Outcome, RequestStatus

if TYPE_CHECKING:
    from datamap.domain.erasure_plan import ErasurePlan, PlannedTask
    from datamap.services.erasure import Certificate, RequestView


WithDb = Callable[[Any], Any]


@dataclass(frozen=True)
class _TaskLine:
    """What the task table shows of a planned task or of a request's task."""

    stage: int
    key: str
    categories: Sequence[str]
    restricted_until: dt.date | None
    status: str = ""


def _print_tasks(tasks: Iterable[_TaskLine]) -> None:
    print(f"{'stage':>5}  {'task':<52} {'status':<13} categories / until")
    for t in tasks:
        until = f" until {t.restricted_until}" if t.restricted_until else ""
        print(f"{t.stage:>5}  {t.key:<52} {t.status:<13} {len(t.categories)} categories{until}")


def _task_status(t: ErasureTaskRecord) -> str:
    return t.status.value + ("+verified" if t.verified else "")


def _request_task_lines(tasks: Iterable[ErasureTaskRecord]) -> list[_TaskLine]:
    return [_TaskLine(t.stage, t.key, t.categories, t.restricted_until, _task_status(t)) for t in tasks]


# --- JSON, with the API's field names -------------------------------------------------------------------------------


def _planned_json(t: PlannedTask | ErasureTaskRecord) -> dict[str, Any]:
    return {
        "key": t.key,
        "action": t.action.value,
        "targetKind": t.target_kind.value,
        "target": t.target,
        "targetName": t.target_name,
        "role": t.role,
        "categories": list(t.categories),
        "legalGround": t.legal_ground,
        "dependsOn": list(t.depends_on),
        "stage": t.stage,
        "observed": t.observed,
        "restrictedUntil": t.restricted_until.isoformat() if t.restricted_until else None,
        "exception": t.exception,
    }


def _instant(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def task_json(t: ErasureTaskRecord) -> dict[str, Any]:
    """A request's task as the API's `ErasureTask`."""
    return {
        **_planned_json(t),
        "id": t.id,
        "status": t.status.value,
        "verified": t.verified,
        "attempts": t.attempts,
        "claimedAt": _instant(t.claimed_at),
        "claimedEvidence": t.claimed_evidence,
        "verifiedAt": _instant(t.verified_at),
        "verifiedEvidence": t.verified_evidence,
        "claimedBy": t.claimed_by,
        "verifiedBy": t.verified_by,
        "history": [
            {
                "type": e.type.value,
                "outcome": e.outcome.value if e.outcome else None,
                "evidenceDigest": e.evidence_digest,
                "idempotencyKey": e.idempotency_key,
                "at": e.at.isoformat(),
                "principal": e.principal,
                "role": e.role,
            }
            for e in sorted(t.history, key=lambda e: e.at)
        ],
    }


def request_json(v: RequestView) -> dict[str, Any]:
    """A request as the API's `ErasureRequest`."""
    r = v.request
    return {
        "id": r.id,
        "subjectId": r.subject_id,
        "jurisdiction": r.jurisdiction.value,
        "channel": r.channel,
        "identityMethod": r.identity_method,
        "receivedAt": r.received_at.isoformat(),
        "deadline": r.deadline.isoformat(),
        "extendedDeadline": r.extended_deadline.isoformat() if r.extended_deadline else None,
        "extensionReason": r.extension_reason,
        "effectiveDeadline": v.deadline.isoformat(),
        "receiptConfirmationDue": r.receipt_confirmation_due.isoformat()
        if r.receipt_confirmation_due
        else None,
        "status": v.status.value,
        "overdue": v.overdue,
        "completedAt": _instant(r.completed_at),
        "warnings": list(r.warnings),
        "art19Recipients": list(r.art19_recipients),
        "openedBy": r.opened_by,
        "approvedBy": r.approved_by,
        "approvedAt": _instant(r.approved_at),
        "tasks": [task_json(t) for t in v.tasks],
    }


def plan_json(plan: ErasurePlan) -> dict[str, Any]:
    """A plan as the API's `ErasurePlan`."""
    return {
        "subjectId": plan.subject_id,
        "asOf": plan.as_of.isoformat(),
        "tasks": [_planned_json(t) for t in plan.tasks],
        "recipients": [
            {
                "key": r.key,
                "name": r.name,
                "role": r.role,
                "country": r.country,
                "categories": list(r.categories),
                "observed": r.observed,
                "why": r.why,
            }
            for r in plan.recipients
        ],
        "warnings": list(plan.warnings),
    }


def hold_json(hold: LegalHoldRecord) -> dict[str, Any]:
    """A legal hold as the API's `LegalHold`, with the subject it is on."""
    return {
        "id": hold.id,
        "subjectId": hold.subject_id,
        "categories": list(hold.categories),
        "systems": list(hold.systems),
        "reason": hold.reason,
        "until": hold.until.isoformat() if hold.until else None,
        "placedAt": hold.placed_at.isoformat(),
        "liftedAt": _instant(hold.lifted_at),
    }


def certificate_json(cert: Certificate) -> dict[str, Any]:
    return {
        "requestId": cert.request_id,
        "subjectId": cert.subject_id,
        "document": cert.document,
        "digest": cert.digest,
        "storedDigest": cert.stored_digest,
        "intact": cert.intact,
    }


# --- the actions ----------------------------------------------------------------------------------------------------


def _print_request(view: RequestView) -> None:
    request = view.request
    extended = f" (extended from {request.deadline})" if request.extended_deadline else ""
    print(
        f"request {request.id}: {view.status.value}, deadline {view.deadline}{extended}"
        + (" (OVERDUE)" if view.overdue else "")
    )
    if request.opened_by:
        print(
            f"opened by {request.opened_by}"
            + (f", approved by {request.approved_by}" if request.approved_by else "")
        )
    _print_tasks(_request_task_lines(view.tasks))
    if view.tasks:
        print(f"a task's id is the request's and its name: {view.tasks[-1].id}")


def _print_task(task: ErasureTaskRecord, what: str) -> None:
    print(f"task {task.id} ({task.key}): {what}; now {_task_status(task)}")
    if task.claimed_by:
        print(
            f"claimed by {task.claimed_by} at {task.claimed_at}: {task.claimed_evidence or ''}".rstrip(": ")
        )
    if task.verified_by:
        print(f"verified by {task.verified_by} at {task.verified_at}")


def cmd_erasure(args: argparse.Namespace, with_db: WithDb, secret: Callable[[], bytes]) -> int:
    from datamap.services import erasure

    now = command_clock().now()
    if args.action == "plan":
        key = secret()

        async def read_plan(db: Any) -> ErasurePlan:
            return await person_read(
                db,
                "erasurePlan",
                now,
                lambda: subject_argument(args, key),
                lambda lookup: erasure.plan(db, lookup, args.as_of, now=now),
                lambda p: p.subject_id,
            )

        found: ErasurePlan = with_db(read_plan)
        if args.json:
            print_json(plan_json(found))
            return 0
        print(f"erasure plan of subject {found.subject_id} as of {found.as_of}")
        _print_tasks(_TaskLine(t.stage, t.key, t.categories, t.restricted_until) for t in found.tasks)
        for warning in found.warnings:
            print(f"warning: {warning}")
        print(f"Art. 19 recipients: {joined(r.key for r in found.recipients)}")
        return 0
    if args.action == "request":
        given = erasure.ErasureRequestInput(
            subject=subject_argument(args, secret(), "input.subject"),
            received_at=args.received_at,
            jurisdiction=Jurisdiction(args.jurisdiction),
            channel=args.channel,
            identity_method=args.identity_method,
            identity_reference=args.identity_reference,
            from_email=args.from_email,
            idempotency_key=args.idempotency_key,
        )
        view = with_db(lambda db: erasure.request_erasure(db, given, principal=CLI_PRINCIPAL, now=now))
        if args.json:
            print_json(request_json(view))
            return 0
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
        if args.json:
            print_json(request_json(view))
            return 0
        print(f"request {args.id}: approved, {view.status.value}, deadline {view.deadline}")
        return 0
    if args.action == "status":
        return _status(args, with_db, now)
    if args.action in ("outcome", "verify"):
        return _task_change(args, with_db, now)
    if args.action == "extend":
        view = with_db(
            lambda db: erasure.extend_deadline(
                db, args.id, args.reason, months=args.months, principal=CLI_PRINCIPAL, now=now
            )
        )
        if args.json:
            print_json(request_json(view))
            return 0
        print(
            f"request {args.id}: deadline extended to {view.deadline} (first deadline "
            f"{view.request.deadline}), {view.status.value}"
        )
        return 0
    if args.action in ("hold", "release"):
        return _hold(args, with_db, secret, now)
    return _certificate(args, with_db, now)


def _status(args: argparse.Namespace, with_db: WithDb, now: dt.datetime) -> int:
    from datamap.services import erasure

    if args.id:
        view: RequestView = with_db(
            lambda db: audited(
                db,
                "erasureRequest",
                now,
                lambda: erasure.get_request(db, args.id, principal=CLI_PRINCIPAL, now=now),
                lambda v: [(v.request.subject_id, v.request.id)],
            )
        )
        if args.json:
            print_json(request_json(view))
        else:
            _print_request(view)
        return 0
    status = RequestStatus(args.status) if args.status else None
    views: list[RequestView] = with_db(
        lambda db: audited(
            db,
            "erasureRequests",
            now,
            lambda: erasure.list_requests(
                db, status, True if args.overdue else None, principal=CLI_PRINCIPAL, now=now
            ),
            lambda found: [(v.request.subject_id, v.request.id) for v in found] or [(None, None)],
        )
    )
    if args.json:
        print_json([request_json(v) for v in views])
        return 0
    for v in views:
        print(
            f"{v.request.id}  {v.status.value:<22} deadline {v.deadline}" + ("  OVERDUE" if v.overdue else "")
        )
    if not views:
        print("no erasure requests" + (" of that status" if status or args.overdue else ""))
    return 0


def _task_change(args: argparse.Namespace, with_db: WithDb, now: dt.datetime) -> int:
    from datamap.services import erasure

    task: ErasureTaskRecord
    if args.action == "outcome":
        task = with_db(
            lambda db: erasure.record_outcome(
                db,
                args.task,
                Outcome(args.outcome),
                args.evidence,
                args.idempotency_key,
                principal=CLI_PRINCIPAL,
                now=now,
            )
        )
        what = f"outcome {args.outcome} recorded"
    else:
        confirmed = not args.reject
        task = with_db(
            lambda db: erasure.verify_task(
                db, args.task, args.evidence, confirmed, principal=CLI_PRINCIPAL, now=now
            )
        )
        what = "outcome verified" if confirmed else "claimed outcome rejected"
    if args.json:
        print_json(task_json(task))
    else:
        _print_task(task, what)
    return 0


def _hold(args: argparse.Namespace, with_db: WithDb, secret: Callable[[], bytes], now: dt.datetime) -> int:
    from datamap.services import erasure

    hold: LegalHoldRecord
    if args.action == "hold":
        subject = subject_argument(args, secret())
        hold = with_db(
            lambda db: erasure.place_legal_hold(
                db,
                subject,
                categories=args.category,
                reason=args.reason,
                until=args.until,
                systems=args.system or [],
                principal=CLI_PRINCIPAL,
                now=now,
            )
        )
    else:
        hold = with_db(
            lambda db: erasure.lift_legal_hold(db, args.hold, args.reason, principal=CLI_PRINCIPAL, now=now)
        )
    if args.json:
        print_json(hold_json(hold))
        return 0
    if hold.lifted_at is not None:
        print(f"legal hold {hold.id} on subject {hold.subject_id}: lifted at {hold.lifted_at}")
        print("plans made from now on erase what it kept")
        return 0
    systems = f" in {', '.join(hold.systems)}" if hold.systems else ""
    print(
        f"legal hold {hold.id} on subject {hold.subject_id}: {', '.join(hold.categories)}{systems} kept "
        f"restricted {f'until {hold.until}' if hold.until else 'until released'}"
    )
    print(f"`datamap erasure release {hold.id} --reason ...` ends it")
    return 0


def _certificate(args: argparse.Namespace, with_db: WithDb, now: dt.datetime) -> int:
    from datamap.services import erasure

    cert: Certificate = with_db(
        lambda db: audited(
            db,
            "erasureCertificate",
            now,
            lambda: erasure.completion_certificate(db, args.id, principal=CLI_PRINCIPAL, now=now),
            lambda c: [(c.subject_id, c.request_id)],
        )
    )
    if args.json:
        print_json(certificate_json(cert))
        return 0 if cert.intact else 1
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(cert.document)
    else:
        print(cert.document)
    print(
        f"sha256 {cert.digest} ({'intact' if cert.intact else 'ALTERED since completion: ' + cert.stored_digest})"
    )
    return 0 if cert.intact else 1


EPILOG = (
    "exit status: 0 done; 1 a certificate no longer intact; 2 bad input (the API's message); "
    "3 no such subject, request, task or hold"
)


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "erasure",
        help="plan, request, follow, record, verify, extend, hold and certify erasure",
        description="Erasure of one subject: the plan, a request, its approval, its status, the outcomes of its "
        "tasks and their verification, an extended deadline, legal holds, the certificate. The command acts as "
        "the local principal local:cli; each lookup of a person is in the audit trail.",
        epilog=EPILOG,
    )
    actions = p.add_subparsers(dest="action", required=True)

    def action(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(
            name, help=help, description=description or help, epilog=EPILOG
        )
        add_json_argument(parser)
        parser.set_defaults(func=handler)
        return parser

    plan = action("plan", "every place the subject's data is or went, as ordered tasks (erasurePlan)")
    add_subject_arguments(plan)
    plan.add_argument("--as-of", type=date_argument, help="the day (default today)")

    request = action("request", "open a request; its tasks are the plan now (requestErasure)")
    add_subject_arguments(request)
    request.add_argument("--received-at", type=datetime_argument, required=True)
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

    approve = action(
        "approve",
        "approve a request whose identity is not verified, not one this command opened (approveErasureRequest)",
    )
    approve.add_argument("id", help="the request")
    approve.add_argument("--reason", required=True, help="why it may proceed")

    status = action(
        "status",
        "one request with its tasks, or the list of requests (erasureRequest, erasureRequests)",
    )
    status.add_argument("--id", help="the request (default: list them)")
    status.add_argument("--status", choices=[s.value for s in RequestStatus])
    status.add_argument("--overdue", action="store_true")

    outcome = action(
        "outcome",
        "record the outcome a system or vendor reports for a task (recordErasureOutcome)",
        "Record the outcome a system or vendor reports for a task; the same --idempotency-key again changes "
        "nothing. Another principal verifies it (`datamap erasure verify` cannot verify this command's own).",
    )
    outcome.add_argument(
        "task", help="the task's id, REQUEST/TASK (`datamap erasure status --id REQUEST` lists the tasks)"
    )
    outcome.add_argument("--outcome", choices=[o.value for o in Outcome], required=True)
    outcome.add_argument("--evidence", required=True, help="what the system or vendor says")
    outcome.add_argument("--idempotency-key", required=True, help="a retried call with it is applied once")

    verify = action(
        "verify",
        "confirm a claimed outcome with evidence, or reject it (verifyErasureTask)",
        "Confirm (or with --reject, reject) the outcome claimed for a task; not by the principal that recorded "
        "it. The last verification completes the request.",
    )
    verify.add_argument("task", help="the task's id, REQUEST/TASK")
    verify.add_argument("--evidence", required=True, help="what proves it (or why the claim is rejected)")
    verify.add_argument(
        "--reject",
        action="store_true",
        help="the claim does not hold: reject it (the task is FAILED, to be run again)",
    )

    extend = action(
        "extend",
        "extend a request's deadline, with reasons (extendDeadline)",
        "Extend the deadline within the first period: GDPR by --months 1 or 2 (default: to the latest), two "
        "further months in all (Art. 12(3)); CCPA once by 45 days.",
    )
    extend.add_argument("id", help="the request")
    extend.add_argument("--reason", required=True, help="why (the person is told)")
    extend.add_argument("--months", type=int, help="GDPR: 1 or 2")

    hold = action(
        "hold",
        "keep some of a subject's categories restricted, not erased (placeLegalHold)",
        "Place a legal hold (GDPR Art. 17(3)(e)): the categories stay restricted, not erased, until --until or "
        "until released.",
    )
    add_subject_arguments(hold)
    hold.add_argument(
        "--category", action="append", required=True, help="a data category it covers (repeat for more)"
    )
    hold.add_argument("--system", action="append", help="only in this system (repeat for more; default all)")
    hold.add_argument("--reason", required=True, help="the claim or proceeding")
    hold.add_argument("--until", type=date_argument, help="the last day it holds (default: until released)")

    release = action("release", "end a legal hold; plans made afterwards erase what it kept (liftLegalHold)")
    release.add_argument("hold", help="the hold's id (printed by `datamap erasure hold`)")
    release.add_argument("--reason", required=True, help="why the hold ends")

    cert = action("certificate", "the completion certificate (JSON) and its digest (erasureCertificate)")
    cert.add_argument("id", help="the request")
    cert.add_argument("--output", help="write the document to this file")

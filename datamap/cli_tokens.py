"""`datamap token ...`: issue, list and revoke API tokens (an admin's job, from the machine the service runs on)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from datamap.clock import command_clock
from datamap.domain.access import Role
from datamap.services.authentication import CACHE_SECONDS

CLI_PRINCIPAL = "cli"  # who issued or revoked a token from the command line


def _expires(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days")
    return int(text)


def cmd_token(args: argparse.Namespace, with_db: Callable[[Any], Any]) -> int:
    from datamap.graph.api_tokens import ApiTokenRow
    from datamap.services import tokens

    now = command_clock().now()
    if args.action == "create":
        token, row = with_db(
            lambda db: tokens.create(
                db,
                name=args.name,
                role=Role(args.role),
                now=now,
                recipient=args.recipient,
                expires_days=args.expires,
                created_by=CLI_PRINCIPAL,
            )
        )
        scope = f", recipient {row.recipient}" if row.recipient else ""
        until = f", expires {row.expires_at.isoformat(timespec='seconds')}" if row.expires_at else ""
        print(f"token {row.name}: role {row.role.value}{scope}{until}. It is shown once; keep it now:")
        print(token)
        return 0
    if args.action == "revoke":
        revoked: ApiTokenRow = with_db(lambda db: tokens.revoke(db, args.name, now=now, by=CLI_PRINCIPAL))
        print(f"token {revoked.name} revoked; a running service refuses it within {CACHE_SECONDS:g} seconds")
        return 0
    rows: list[ApiTokenRow] = with_db(tokens.listed)
    print(f"{'name':<32} {'role':<17} {'recipient':<24} {'created':<20} state")
    for r in rows:
        state = (
            f"revoked {r.revoked_at:%Y-%m-%d}"
            if r.revoked_at
            else f"expires {r.expires_at:%Y-%m-%d}"
            if r.expires_at
            else "active"
        )
        print(
            f"{r.name:<32} {r.role.value:<17} {r.recipient or '-':<24} {r.created_at:%Y-%m-%d %H:%M}     {state}"
        )
    return 0


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "token",
        help="API tokens: create, list, revoke",
        description="API tokens for `Authorization: Bearer <token>`. The graph keeps only their digests.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="issue a token; it is printed once, alone on the last line")
    create.add_argument(
        "--name", required=True, help="unique: who or what uses it (e.g. ci, jane@example.com)"
    )
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--recipient", help="scope an erasure_operator token to one recipient (a vendor)")
    create.add_argument("--expires", type=_expires, metavar="DAYS", help="expire after this many days")
    revoke = actions.add_parser("revoke", help="revoke a token by name (takes effect within seconds)")
    revoke.add_argument("--name", required=True)
    listed = actions.add_parser("list", help="every token: name, role, scope, state (never the token)")
    for parser in (create, revoke, listed):
        parser.set_defaults(func=handler)

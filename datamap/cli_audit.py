"""`datamap audit verify`: check the audit trail's hash chain from the first event to the head."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from datamap.cli_common import in_phases


def cmd_audit(args: argparse.Namespace, with_db: Callable[[Any], Any]) -> int:
    from datamap.services import audit

    check: audit.ChainCheck = in_phases(with_db, audit.check_chain, "checking every event of the trail")
    if check.whole:
        print(f"audit trail intact: {check.events} events, each chained to the one before")
        return 0
    print(f"audit trail BROKEN ({check.events} events):")
    for problem in check.problems:
        print(f"  {problem}")
    return 1


def add_parser(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser("audit", help="the audit trail: verify its hash chain")
    actions = p.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="exit 0 when the chain is whole, 1 naming each break")
    verify.set_defaults(func=handler)

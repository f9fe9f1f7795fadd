"""The commands of issue 13 (lineage, subject, the reports about a person, the erasure workflow's steps), each run
against the test Neo4j with its text output and its --json, and the exit statuses and progress bars they share.

Most commands run in this process (`datamap.cli.main`, in a worker thread with its own event loop) so that one
seeded graph serves many of them; a few run as a user would, as a process, to check what only a process shows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from datamap.cli import main
from datamap.clock import CLOCK_VARIABLE
from datamap.config import Neo4jSettings
from datamap.domain.access import Principal, Role
from datamap.domain.erasure_records import Outcome
from datamap.graph.database import Database
from datamap.services import audit, erasure
from tests.conftest import NOW, SECRET, TODAY, assert_clear_error, datamap_command

pytestmark = pytest.mark.neo4j

JORDAN = ("--email", "jordan.reyes@example.com")  # the seed's California customer representative
SAM = ("--email", "sam.devries@example.com")  # the seed's Belgian visitor turned lead
NOBODY = ("--email", "nobody@example.com")
OPS = Principal(
    "ops", Role.ERASURE_OPERATOR
)  # a second principal: the command line cannot verify its own claims


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)

    def ok(self, *phrases: str) -> str:
        assert self.code == 0, self.err
        for phrase in phrases:
            assert phrase in self.out, (phrase, self.out)
        return self.out

    def refused(self, code: int, *phrases: str) -> None:
        assert self.code == code and "Traceback" not in self.err, (self.code, self.err)
        for phrase in phrases:
            assert phrase in self.err, (phrase, self.err)


Cli = Callable[..., Awaitable[Ran]]


def environment_for(settings: Neo4jSettings) -> dict[str, str]:
    return {
        "DATAMAP_NEO4J_URI": settings.uri,
        "DATAMAP_NEO4J_USER": settings.user,
        "DATAMAP_NEO4J_PASSWORD": settings.password,
        "DATAMAP_HASH_SECRET": SECRET.decode(),
    }


@pytest.fixture
def cli(
    seeded: Database,
    neo4j_settings: Neo4jSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """`datamap ARGS` in this process, on the suite's clock, against the seeded test graph."""
    for name, value in environment_for(neo4j_settings).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(CLOCK_VARIABLE, NOW.isoformat())

    def call(args: tuple[str, ...]) -> int:
        try:
            return main(list(args))
        except SystemExit as exc:  # argparse: --help, or an argument it refuses
            return int(exc.code or 0)

    async def run(*args: str) -> Ran:
        capsys.readouterr()
        code = await asyncio.to_thread(call, args)  # the command runs its own event loop
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


async def cli_events(db: Database) -> list[tuple[str, str, str | None]]:
    """(operation, outcome, subject id) of every audit event the command line wrote, oldest first."""
    found = await audit.events(db, principal="local:cli")
    return [
        (e.entry.operation, e.entry.outcome, e.entry.subject_id) for e in sorted(found, key=lambda e: e.seq)
    ]


async def test_lineage_and_subject_show_with_text_and_json(cli: Cli, seeded: Database) -> None:
    text = (await cli("lineage", "subject", *JORDAN)).ok(
        "lineage of subject s_", "recipients (", "marketing_partners", "observed from 2019-06-03"
    )
    subject_id = text.split("lineage of subject ", 1)[1].split(" ", 1)[0]
    found = (await cli("lineage", "subject", *JORDAN, "--json")).json()
    assert found["subjectId"] == subject_id and found["asOf"] == TODAY.isoformat()
    partners = next(r for r in found["recipients"] if r["key"] == "marketing_partners")
    assert partners["observed"] and partners["firstObserved"].startswith("2019-06-03")
    assert partners["role"] == "third_party" and partners["paths"][0]["steps"][0]["kind"] == "subject"
    (await cli("lineage", "subject", *JORDAN, "--category", "user.financial", "--paths")).ok(
        "category user.financial", "path (observed): "
    )
    (await cli("lineage", "subject", *NOBODY)).refused(3, "subject: the graph holds no such subject")
    (await cli("lineage", "subject", "--email", "not an address")).refused(2, "subject.email")
    (await cli("lineage", "subject", *JORDAN, "--max-hops", "99")).refused(2, "maxHops: 99 is out of range")

    (await cli("lineage", "category", "user.contact.email")).ok(
        "lineage of category user.contact.email as of", "sources (", "account_registration"
    )
    by_map = (await cli("lineage", "category", "user.contact.email", "--json")).json()
    assert by_map["category"] == "user.contact.email" and "subjectId" not in by_map
    assert any(s["key"] == "customer_accounts" for s in by_map["systems"])
    (await cli("lineage", "category", "user.no_such")).refused(3, "no data category 'user.no_such'")

    (await cli("subject", "show", *JORDAN)).ok(
        f"subject {subject_id}: country US", "identifiers held (as keyed hashes): email, external_id, phone"
    )
    shown = (await cli("subject", "show", *JORDAN, "--json")).json()
    assert shown["id"] == subject_id and len(shown["disclosures"]) == 5 and len(shown["records"]) == 3
    assert "jordan" not in json.dumps(shown).lower()  # never a raw identifier
    (await cli("subject", "show", *NOBODY, "--json")).refused(3, "no such subject")

    # each lookup of a person is in the audit trail as the API records it: field name, outcome, the person
    assert await cli_events(seeded) == [
        ("subjectLineage", "found", subject_id),
        ("subjectLineage", "found", subject_id),
        ("subjectLineage", "found", subject_id),
        ("subjectLineage", "not found", None),
        ("subjectLineage", "refused: BAD_USER_INPUT", None),
        ("subjectLineage", "refused: BAD_USER_INPUT", None),
        ("subject", "found", subject_id),
        ("subject", "found", subject_id),
        ("subject", "not found", None),
    ]


async def test_reports_about_a_person_with_text_json_and_documents(
    cli: Cli, seeded: Database, tmp_path: Path
) -> None:
    summary = (await cli("report", "access", *JORDAN)).ok(
        "access report (GDPR, Art. 15) of subject s_",
        "recipients named: email_delivery_providers, marketing_partners",
        "for staff before sending (never in the document):",
        "C-154/21",
    )
    assert (
        summary.count("C-154/21") >= 2
    )  # the staff's findings, then the document (whose text cites nothing)
    report = (await cli("report", "access", *JORDAN, "--json")).json()
    assert report["law"] == "GDPR" and "marketing_partners" in [r["key"] for r in report["recipients"]]
    html, pdf = tmp_path / "access.html", tmp_path / "access.pdf"
    (await cli("report", "access", *JORDAN, "--output", str(html), "--format", "html")).ok(
        f"wrote {html} (html)"
    )
    assert html.read_text().startswith("<!doctype html>") and "for staff" not in html.read_text()
    (await cli("report", "access", *JORDAN, "--output", str(pdf), "--format", "pdf")).ok(f"wrote {pdf} (PDF)")
    assert pdf.read_bytes().startswith(b"%PDF-")
    (await cli("report", "access", *JORDAN, "--format", "pdf")).refused(2, "--format pdf: give --output FILE")
    (await cli("report", "access", *NOBODY)).refused(3, "no such subject")

    received = TODAY.isoformat()
    (await cli("report", "ccpa", *JORDAN, "--received-at", received, "--since", "2022-01-01")).ok(
        "CCPA right to know (Civ. Code §1798.110) of subject s_", "2022-01-01 to", "Your right to know"
    )
    know = (await cli("report", "ccpa", *JORDAN, "--received-at", received, "--json")).json()
    assert know["windowTo"] == received and "categoriesCollected" in know
    (await cli("report", "ccpa", *JORDAN, "--received-at", received, "--since", "2021-12-31")).refused(
        2, "2022"
    )

    preview = (await cli("report", "shine-the-light", *JORDAN, "--received-at", received)).ok(
        "Shine-the-Light answer to customer s_",
        "a preview, nothing recorded",
        "not a customer of §1798.83(e)(1)",
    )
    assert "Your California privacy rights" in preview
    answered = (
        await cli("report", "shine-the-light", *JORDAN, "--received-at", received, "--answer", "--json")
    ).json()
    assert (
        answered["recorded"]
        and answered["requestId"]
        and not answered["eligible"]
        and not answered["repeated"]
    )
    again = (await cli("report", "shine-the-light", *JORDAN, "--received-at", received, "--answer")).ok(
        f"recorded as request {answered['requestId']}"
    )
    assert "the answer first given" in again
    letter = tmp_path / "stl.txt"
    (await cli("report", "shine-the-light", *JORDAN, "--received-at", received, "--output", str(letter))).ok(
        f"wrote {letter} (text)"
    )
    assert "Your California privacy rights" in letter.read_text()
    standard = (await cli("report", "shine-the-light", "--year", "2019", "--json")).json()
    assert standard["year"] == 2019 and not standard["recorded"] and standard["issuedAt"] is None
    (await cli("report", "shine-the-light", "--year", "2019", "--issue")).ok(
        "Shine-the-Light report 2019 (business-wide): issued", "sha256 "
    )
    (await cli("report", "shine-the-light", *JORDAN, "--year", "2019")).refused(2, "not both")

    register = (await cli("report", "transfers", "--as-of", "2026-11-26", "--json")).json()
    assert register["health"]["critical"] >= 1 and {"key", "valid", "findings"} <= set(
        register["transfers"][0]
    )

    subject_id = report["subjectId"]
    events = await cli_events(seeded)
    assert ("accessReport", "found", subject_id) in events and ("accessReport", "not found", None) in events
    assert ("ccpaRightToKnow", "found", subject_id) in events
    assert ("ccpaRightToKnow", "refused: BAD_USER_INPUT", None) in events
    assert ("shineTheLightReport", "found", subject_id) in events
    assert ("answerShineTheLightRequest", "ok", subject_id) in events
    assert ("answerShineTheLightRequest", "answered before", subject_id) in events
    assert ("issueShineTheLightStandardReport", "issued", None) in events


async def test_the_erasure_workflow_steps_with_text_and_json(cli: Cli, seeded: Database) -> None:
    opened = (
        await cli(
            "erasure",
            "request",
            *SAM,
            "--received-at",
            f"{TODAY - dt.timedelta(days=8)}T09:00:00Z",  # within the first period, which may be extended
            "--channel",
            "post",
            "--identity-method",
            "government_id",
            "--json",
        )
    ).json()
    request_id = opened["id"]
    status = (await cli("erasure", "status", "--id", request_id)).ok(
        f"request {request_id}: open", "a task's id is the request's and its name"
    )
    assert "suppress:subject" in status
    pending = [
        t
        for t in (await cli("erasure", "status", "--id", request_id, "--json")).json()["tasks"]
        if t["status"] == "pending" and t["stage"] == 1  # stage 0, the suppression entry, is done
    ]
    mine, theirs, rejected = (t["id"] for t in pending[:3])

    (
        await cli(
            "erasure",
            "outcome",
            mine,
            "--outcome",
            "done",
            "--evidence",
            "ticket 42",
            "--idempotency-key",
            "k1",
        )
    ).ok(f"task {mine}", "outcome done recorded; now done", "claimed by local:cli")
    replay = (
        await cli(
            "erasure",
            "outcome",
            mine,
            "--outcome",
            "done",
            "--evidence",
            "ticket 42",
            "--idempotency-key",
            "k1",
            "--json",
        )
    ).json()
    assert replay["id"] == mine and replay["status"] == "done" and replay["claimedBy"] == "local:cli"
    (await cli("erasure", "verify", mine, "--evidence", "checked")).refused(2, "separation of duties")
    (
        await cli(
            "erasure",
            "outcome",
            "nope/erase:x",
            "--outcome",
            "done",
            "--evidence",
            "e",
            "--idempotency-key",
            "k",
        )
    ).refused(3, "no erasure task 'nope/erase:x'")

    for task in (theirs, rejected):  # claimed by another principal, which the command line may verify
        await erasure.record_outcome(
            seeded, task, Outcome.DONE, "vendor says so", f"k-{task}", principal=OPS, now=NOW
        )
    (await cli("erasure", "verify", theirs, "--evidence", "screenshot of the empty record")).ok(
        "outcome verified; now done+verified", "verified by local:cli"
    )
    checked = (
        await cli("erasure", "verify", rejected, "--evidence", "still there", "--reject", "--json")
    ).json()
    assert checked["status"] == "failed" and not checked["verified"]

    once = (await cli("erasure", "extend", request_id, "--reason", "many systems", "--months", "1")).ok(
        f"request {request_id}: deadline extended to ", f"(first deadline {opened['deadline']})"
    )
    extended = (
        await cli("erasure", "extend", request_id, "--reason", "still many", "--months", "1", "--json")
    ).json()
    first_extension = once.split("deadline extended to ", 1)[1].split(" ", 1)[0]
    assert extended["deadline"] == opened["deadline"] < first_extension < extended["extendedDeadline"]
    (await cli("erasure", "extend", request_id, "--reason", "more", "--months", "1")).refused(2, "extend")
    (await cli("erasure", "extend", "nope", "--reason", "r")).refused(3, "no erasure request 'nope'")

    until = f"{TODAY.year + 4}-12-31"  # a hold still in force on the suite's day
    held = (
        await cli(
            "erasure",
            "hold",
            *JORDAN,
            "--category",
            "user.financial.payment_history",
            "--reason",
            "tax audit 2026",
            "--until",
            until,
        )
    ).ok("legal hold ", f"user.financial.payment_history kept restricted until {until}")
    hold_id = held.split("legal hold ", 1)[1].split(" ", 1)[0]
    (await cli("erasure", "plan", *JORDAN)).ok("restrict:billing:", f"until {until}")
    placed = (
        await cli("erasure", "hold", *JORDAN, "--category", "user.name", "--reason", "claim", "--json")
    ).json()
    assert placed["until"] is None and placed["liftedAt"] is None and placed["categories"] == ["user.name"]
    (await cli("erasure", "release", hold_id, "--reason", "audit closed")).ok(
        f"legal hold {hold_id}", "lifted at"
    )
    released = (await cli("erasure", "release", placed["id"], "--reason", "settled", "--json")).json()
    assert released["liftedAt"].startswith(TODAY.isoformat())
    (await cli("erasure", "release", hold_id, "--reason", "again")).refused(3, "no legal hold")
    (await cli("erasure", "hold", *NOBODY, "--category", "user.name", "--reason", "r")).refused(
        3, "no such subject"
    )
    (await cli("erasure", "plan", *NOBODY)).refused(3, "no such subject")

    events = await cli_events(seeded)
    operations = [op for op, _, _ in events]
    for op in (
        "requestErasure",
        "erasureRequest",
        "recordErasureOutcome",
        "verifyErasureTask",
        "extendDeadline",
        "placeLegalHold",
        "liftLegalHold",
        "erasurePlan",
    ):
        assert op in operations, op
    assert ("recordErasureOutcome", "ok: replayed", opened["subjectId"]) in events
    assert ("verifyErasureTask", "refused: FORBIDDEN", opened["subjectId"]) in events
    assert ("erasurePlan", "not found", None) in events


NEW_COMMANDS = [
    ["lineage", "subject"],
    ["lineage", "category"],
    ["subject", "show"],
    ["report", "access"],
    ["report", "ccpa"],
    ["report", "shine-the-light"],
    ["erasure", "outcome"],
    ["erasure", "verify"],
    ["erasure", "extend"],
    ["erasure", "hold"],
    ["erasure", "release"],
]


@pytest.mark.parametrize("command", NEW_COMMANDS, ids=" ".join)
def test_every_new_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    shown = capsys.readouterr().out
    assert done.value.code == 0 and f"usage: datamap {' '.join(command)}" in shown
    assert "--json" in shown and "exit status" in shown


def test_a_progress_bar_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from datamap.cli_common import phases, progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        with phases("reading", "writing") as step:
            step.next()
            step.next()
        with progress(3, unit="event", desc="importing") as bar:
            bar.update(3)
        written = stream.getvalue()
        assert (
            ("writing |" in written and "2/2 steps" in written and "3/3" in written) if shown else not written
        )
    with phases("one", quiet=True) as step:  # --quiet: none on a terminal either
        step.next()
    assert "one" not in stream.getvalue()


def test_a_process_gives_the_exit_statuses_and_no_bar_into_a_pipe(
    seeded: Database, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    env = {**os.environ, **environment_for(neo4j_settings)}
    shown = datamap_command("subject", "show", *JORDAN, "--json", env=env)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert json.loads(shown.stdout)["identifierKinds"] == ["email", "external_id", "phone"]
    unknown = datamap_command("lineage", "subject", *NOBODY, "--json", env=env)
    assert unknown.returncode == 3 and unknown.stdout == "", unknown.stderr
    assert unknown.stderr == (
        "datamap: error: subject: the graph holds no such subject (never recorded, or erased)\n"
    )
    future = datamap_command("report", "ccpa", *JORDAN, "--received-at", "2099-01-01", env=env)
    assert_clear_error(future, "receivedAt")
    exported = datamap_command("fides", "export", "--output", str(tmp_path / "fides.yaml"), env=env)
    assert exported.returncode == 0 and exported.stderr == "", exported.stderr  # no bar into a pipe

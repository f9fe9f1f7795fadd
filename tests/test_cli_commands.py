"""The erasure and report commands, run as a user would, against the test Neo4j."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from datamap.config import Neo4jSettings
from datamap.graph.database import Database
from tests.conftest import SECRET, assert_clear_error, datamap_command

pytestmark = pytest.mark.neo4j


def environment_for(settings: Neo4jSettings) -> dict[str, str]:
    """The environment that points the `datamap` command at the test Neo4j."""
    return {
        **os.environ,
        "DATAMAP_NEO4J_URI": settings.uri,
        "DATAMAP_NEO4J_USER": settings.user,
        "DATAMAP_NEO4J_PASSWORD": settings.password,
        "DATAMAP_HASH_SECRET": SECRET.decode(),
    }


@pytest.fixture
def run(seeded: Database, neo4j_settings: Neo4jSettings):  # type: ignore[no-untyped-def]
    env = environment_for(neo4j_settings)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return datamap_command("erasure", *args, env=env)

    return call


def test_plan_request_status_and_certificate_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("plan", "--email", "jordan.reyes@example.com", "--as-of", "2026-11-26")
    assert plan.returncode == 0, plan.stderr
    assert "restrict:billing:tax_records" in plan.stdout and "until 2032-01-15" in plan.stdout
    assert "Art. 19 recipients:" in plan.stdout and "marketing_partners" in plan.stdout

    opened = run(
        "request",
        "--email",
        "jordan.reyes@example.com",
        "--received-at",
        "2026-11-20T09:00:00Z",
        "--channel",
        "email",
        "--from-email",
        "jordan.reyes@example.com",
        "--jurisdiction",
        "ccpa",
        "--identity-method",
        "email_confirmation",
    )
    assert opened.returncode == 0, opened.stderr
    request_id = re.search(r"request (\w+):", opened.stdout).group(1)  # type: ignore[union-attr]
    assert "deadline 2027-01-04" in opened.stdout

    status = run("status", "--id", request_id)
    assert status.returncode == 0 and f"request {request_id}: open," in status.stdout, status.stdout
    assert "suppress:subject" in status.stdout
    listing = run("status")
    assert request_id in listing.stdout

    cert = run("certificate", request_id)
    assert_clear_error(cert, "not complete")
    bad = run(
        "request",
        "--email",
        "jordan.reyes@example.com",
        "--received-at",
        "2026-11-20 09:00",
        "--channel",
        "post",
    )
    assert_clear_error(bad, "no time zone")


def test_reports_from_the_command_line(seeded: Database, neo4j_settings: Neo4jSettings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    env = environment_for(neo4j_settings)

    def report(*args: str) -> subprocess.CompletedProcess[str]:
        return datamap_command("report", *args, env=env)

    out = tmp_path / "ropa.xlsx"
    done = report("ropa", "--format", "xlsx", "--output", str(out), "--as-of", "2026-11-26")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out)["Controller record"].max_row > 20
    csv_out = report("ropa", "--format", "csv")
    assert csv_out.stdout.startswith("record,activity,controller")
    register = report("transfers", "--as-of", "2026-11-26")
    assert (
        "eu_to_us_sharpspring: eu_us_privacy_shield NOT VALID" in register.stdout
        and "[critical]" in register.stdout
    )
    letter = report("shine-the-light", "--year", "2019")
    assert "Shine-the-Light report 2019" in letter.stdout and "§1798.83(e)(1)" in letter.stdout
    bad = report("ropa", "--as-of", "last tuesday")
    assert_clear_error(bad, "is not a date")
    assert_clear_error(report("ropa", "--as-of", "9999-12-31"), "--as-of: 9999-12-31 is out of range")

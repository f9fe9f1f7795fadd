"""A person's lineage page never takes a raw identifier in its URL (access logs, proxies and browser history keep
URLs): `/lineage` shows a form that POSTs the identifiers, whose answer is the page, and `?subjectId=` (our opaque
id) draws it again; a GET with `subject.email` is refused, naming the parameter and not echoing its value. On the
real Neo4j with the seed loaded; the page in a real browser is `test_lineage_pictures.py`'s."""

from __future__ import annotations

import json
import logging
import re

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.graph.database import Database
from datamap.services import audit
from tests.helpers import client_of

pytestmark = pytest.mark.neo4j

LEAD = "anna.jansen@example.com"  # seed/subjects.yaml: eu_trade_show_lead
PHONE = "+31 20 555 0101"
IDENTIFIERS = {"subject.email": LEAD, "subject.phone": PHONE, "subject.externalId": "crm-4711"}


def title_of(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page)
    assert found, page[:500]
    return found.group(1)


def subject_of(page: str) -> str:
    """Our id of the person a lineage page is about, from its title."""
    found = re.match(r"Lineage of subject (\S+) as of", title_of(page))
    assert found, title_of(page)
    return found.group(1)


async def test_a_person_is_looked_up_by_a_posted_form_and_no_url_or_log_line_holds_the_identifier(
    seeded: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with client_of(seeded, clock, Role.ENGINEER) as engineer:
        form = await engineer.client.get("/lineage")
        page = await engineer.client.post("/lineage", data={"subject.email": LEAD, "subject.phone": ""})
        subject_id = subject_of(page.text)
        again = await engineer.client.get("/lineage", params={"subjectId": subject_id})
        svg = await engineer.client.get("/lineage.svg", params={"subjectId": subject_id})
        posted_svg = await engineer.client.post("/lineage.svg", data={"subject.email": LEAD})
    # the form: posted to the service itself, with no script; the page's policy lets it post there only
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/lineage">' in form.text and "<script" not in form.text
    assert all(f'name="{name}"' in form.text for name in IDENTIFIERS)
    assert "form-action 'self'" in form.headers["content-security-policy"]
    # its answer: the page, about the person by our id, at the address /lineage
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert str(page.url) == "http://datamap.test/lineage"
    assert LEAD not in page.text.lower()
    assert again.status_code == 200 and title_of(again.text) == title_of(page.text)
    assert svg.status_code == 200 and svg.headers["content-disposition"].endswith(f'-{subject_id}.svg"')
    assert posted_svg.status_code == 200 and posted_svg.text == svg.text
    # the access log: one line a request, none holding the identifier or the form's fields
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "datamap.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines[-5:]] == [
        ("GET", "/lineage", 200),
        ("POST", "/lineage", 200),
        ("GET", "/lineage", 200),
        ("GET", "/lineage.svg", 200),
        ("POST", "/lineage.svg", 200),
    ]
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert LEAD not in logged.lower() and "subject.email" not in logged
    events = [e.entry for e in await audit.events(seeded) if e.entry.operation.startswith("subjectLineage.")]
    assert [(e.operation, e.outcome, e.subject_id) for e in events] == [
        ("subjectLineage.html", "found", subject_id),
        ("subjectLineage.html", "found", subject_id),
        ("subjectLineage.svg", "found", subject_id),
        ("subjectLineage.svg", "found", subject_id),
    ]


async def test_an_identifier_in_the_url_is_refused_naming_the_parameter_without_echoing_it(
    seeded: Database, clock: FixedClock
) -> None:
    async with client_of(seeded, clock, Role.ENGINEER) as engineer:
        for path in ("/lineage", "/lineage.svg"):
            for name, value in IDENTIFIERS.items():
                answer = await engineer.client.get(path, params={name: value})
                assert answer.status_code == 400, answer.text
                (error,) = answer.json()["errors"]
                assert error["message"].startswith(f"{name}: an identifier is not taken in the URL"), error
                assert "POST" in error["message"] and "subjectId" in error["message"]
                assert value not in answer.text
        in_both = await engineer.client.post("/lineage?subjectId=x", data={"subject.email": LEAD})
        not_a_form = await engineer.client.post("/lineage", json={"subject.email": LEAD})
        bad = await engineer.client.post("/lineage", data={"subject.email": "not an address"})
        two = await engineer.client.post("/lineage", data={"subject.email": LEAD, "subjectId": "x"})
        nobody = await engineer.client.get("/lineage", params={"subjectId": "no-such-subject"})
        unknown = await engineer.client.post("/lineage", data={"subject.email": "nobody@example.com"})
    assert in_both.status_code == 400 and in_both.json()["errors"][0]["message"].startswith("subjectId:")
    assert not_a_form.status_code == 400
    assert not_a_form.json()["errors"][0]["message"].startswith("content-type:")
    assert bad.status_code == 400 and bad.json()["errors"][0]["message"].startswith("subject.email:")
    assert two.status_code == 400 and two.json()["errors"][0]["message"].startswith("subjectId:")
    assert nobody.status_code == 404 and nobody.json()["errors"][0]["message"].startswith("subjectId:")
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["message"].startswith("subject:")
    events = [e.entry for e in await audit.events(seeded) if e.entry.operation.startswith("subjectLineage.")]
    assert [e.outcome for e in events] == [
        "refused: BAD_USER_INPUT",
        "refused: BAD_USER_INPUT",
        "not found",
        "not found",
    ], "a refused URL is no lookup; a refused or failed form is"

"""Pictures of the map: the DOT a lineage becomes (pure), the pages and downloads on the real Neo4j, and the EU
lead's lineage page in a real browser (Debian's Chromium over the DevTools protocol), with no request leaving
127.0.0.1."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.domain.deadlines import add_months
from datamap.domain.lineage import subject_lineage
from datamap.domain.lineage_picture import TRUNCATED_NOTE, Evidence, Picture, lineage_picture, quoted
from datamap.domain.lineage_types import Lineage
from datamap.graph.database import Database, unbounded
from datamap.services import audit, lineage_pictures
from datamap.services.impact import impact_on_recipient
from datamap.services.lineage import lineage_of_category, lineage_of_subject
from datamap.services.subjects import lookup_of
from tests.browser import open_page, serving
from tests.conftest import NOW, SECRET, TODAY, app_of, token_for
from tests.helpers import (
    at,
    client_of,
    disclosure,
    flow,
    purpose,
    recipient,
    record,
    source,
    subject_row,
    system,
    transfer,
    walk,
)

ARTEFACTS = Path(__file__).parent / "artefacts"  # git-ignored: the screenshot a person can look at
LEAD = "anna.jansen@example.com"  # seed/subjects.yaml: eu_trade_show_lead

# --- the picture of a small lineage, without Neo4j -----------------------------------------------------------------
# A web form feeds the CRM (recorded); the CRM syncs to the mailer, which sends through an email service provider
# in the US (a transfer from the EU to its organisation), and hands data to a court only on a legal request.

FORM = source("web_form", name="Web form")
CRM = system("crm", name="CRM", country="DE")
MAILER = system("mailer", name="Mailer", country="DE")
ESP = recipient("esp", name="Email service", country="US", organisation="esp_inc")
COURT = recipient("court", name="Court", role="authority", kind="authority", country="NL")
NEWSLETTER = purpose("newsletter", legal_basis="consent")
SYNC = flow("crm_to_mailer", ["user.contact"])
SEND = flow("mailer_to_esp", ["user.contact.email"], purposes=["newsletter"])
ON_ORDER = flow("mailer_to_court", ["user.contact"], trigger="legal_request")


def small(max_hops: int = 6) -> Lineage:
    row = subject_row(
        "lead-1",
        country="NL",
        records=[record("r1", CRM, ["user.contact.email"], at("2024-05-01"), came_from=FORM)],
        disclosures=[disclosure("d1", ESP, ["user.contact.email"], at("2024-05-03"), purpose=NEWSLETTER)],
        walks=[
            walk(CRM, (SYNC, MAILER), (SEND, ESP), from_record="r1"),
            walk(CRM, (SYNC, MAILER), (ON_ORDER, COURT), from_record="r1"),
        ],
        purposes=[NEWSLETTER],
        transfers=[transfer("eu_to_us_esp", importer="esp_inc", categories=["user.contact"])],
    )
    return subject_lineage(row, as_of=dt.date(2024, 12, 31), category=None, max_hops=max_hops)


def edges_of(picture: Picture) -> dict[tuple[str, str], Evidence]:
    return {(e.start, e.end): e.evidence for e in picture.edges}


def dot_line(dot: str, start: str, end: str) -> str:
    (line,) = [x for x in dot.splitlines() if x.strip().startswith(f'"{start}" -> "{end}"')]
    return line


def test_observed_inferred_and_contingent_edges_are_drawn_apart() -> None:
    picture = lineage_picture(small(), "Lineage")
    edges = edges_of(picture)
    # the record: subject -> form -> CRM, both observed; the disclosure: subject -> ESP, observed
    assert edges[("subject:lead-1", "source:web_form")] is Evidence.OBSERVED
    assert edges[("source:web_form", "system:crm")] is Evidence.OBSERVED
    assert edges[("subject:lead-1", "recipient:esp")] is Evidence.OBSERVED
    assert ("subject:lead-1", "system:crm") not in edges, "the record is drawn through its source"
    # the map: routine flows inferred, the court only on a legal request
    assert edges[("system:crm", "system:mailer")] is Evidence.INFERRED
    assert edges[("system:mailer", "recipient:esp")] is Evidence.INFERRED
    assert edges[("system:mailer", "recipient:court")] is Evidence.CONTINGENT
    dot = picture.dot()
    observed = dot_line(dot, "source:web_form", "system:crm")
    inferred = dot_line(dot, "system:crm", "system:mailer")
    contingent = dot_line(dot, "system:mailer", "recipient:court")
    assert "penwidth=2.2" in observed and "#111827" in observed and "dashed" not in observed
    assert "#6b7280" in inferred and "dashed" not in inferred and "penwidth=2.2" not in inferred
    assert "style=dashed" in contingent and 'label="on legal request"' in contingent
    court = next(line for line in dot.splitlines() if line.strip().startswith('"recipient:court" ['))
    assert "dashed" in court, "a node reached only on an event has a dashed border"
    # the legend explains the styles
    for words in ("observed (recorded)", "by the map (inferred)", "contingent: only on an event"):
        assert f"</FONT> {words}</TD>" in dot
    assert '<TD BORDER="1" STYLE="dashed">reached only on an event</TD>' in dot


def test_a_transfer_across_borders_marks_its_importer_in_its_country() -> None:
    picture = lineage_picture(small(), "Lineage")
    esp = next(n for n in picture.nodes if n.id == "recipient:esp")
    assert esp.country == "US" and esp.transfers == ["transfer EU → US, scc_2021"]
    dot = picture.dot()
    us_box = dot[dot.index('label="in US"') :]
    us_box = us_box[: us_box.index("\n  }")]
    assert '"recipient:esp" [' in us_box and "peripheries=2" in us_box
    assert "transfer EU → US, scc_2021" in us_box
    de_box = dot[dot.index('label="in DE"') :]
    assert '"system:crm" [' in de_box[: de_box.index("\n  }")]


def test_a_cut_lineage_says_so_and_a_whole_one_does_not() -> None:
    cut = lineage_picture(small(max_hops=2), "Lineage")
    assert TRUNCATED_NOTE in cut.notes and TRUNCATED_NOTE in cut.dot()
    whole = lineage_picture(small(), "Lineage")
    assert not whole.notes and TRUNCATED_NOTE not in whole.dot()


def test_an_erased_subject_is_drawn_alone_with_when_it_was_erased() -> None:
    erased = Lineage.erased("s-1", dt.date(2025, 1, 31), at("2025-01-20"))
    picture = lineage_picture(erased, "Lineage")
    assert [n.id for n in picture.nodes] == ["subject:s-1"] and not picture.edges
    assert picture.notes == ["The subject was erased on 2025-01-20: nothing remains to draw."]


def test_names_cannot_break_out_of_their_dot_strings() -> None:
    assert quoted('a "b" \\N\nc') == '"a \\"b\\" \\\\N\\nc"'


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is not installed (apt-get install graphviz)"
)
async def test_dot_draws_every_node_with_its_name() -> None:
    picture = lineage_picture(small(max_hops=2), 'Lineage of "a" <b>')
    svg = await lineage_pictures.render_svg(picture.dot())
    texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert {"Web form", "CRM", "Mailer", "Email service", "data subject"} <= texts
    assert 'Lineage of "a" <b>' in texts and TRUNCATED_NOTE in texts
    assert lineage_pictures.inline_svg(svg).startswith("<svg")


# --- the pages on the real Neo4j -----------------------------------------------------------------------------------


def names_in(page: str) -> str:
    return html.unescape(page)


@pytest.mark.neo4j
async def test_the_category_page_draws_the_systems_and_recipients_of_the_categorys_lineage(
    seeded: Database, clock: FixedClock
) -> None:
    with unbounded():  # the reference answer: the first reading plans the statement, slow on a busy machine
        found = await lineage_of_category(seeded, "user.contact.email", now=NOW)
    async with client_of(seeded, clock, Role.VIEWER) as viewer:
        page = await viewer.client.get("/lineage", params={"category": "user.contact.email"})
        svg = await viewer.client.get("/lineage.svg", params={"category": "user.contact.email"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = names_in(page.text)
    assert f"Lineage of the data category user.contact.email as of {TODAY.isoformat()}" in text
    assert found.systems and found.recipients
    for node in [*found.systems, *found.recipients, *found.contingent.recipients]:
        assert f">{node.name}</text>" in text, node.key
    assert "<script" not in page.text
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert (
        svg.headers["content-disposition"] == 'attachment; filename="lineage-category-user.contact.email.svg"'
    )
    assert svg.text.startswith("<?xml") and "<svg" in svg.text


@pytest.mark.neo4j
async def test_the_leads_page_is_for_who_may_follow_a_person_and_each_look_is_audited(
    seeded: Database, clock: FixedClock
) -> None:
    with unbounded():  # the reference answer (see above)
        lead = await lineage_of_subject(seeded, lookup_of(SECRET, email=LEAD), now=NOW)
    assert lead is not None and lead.subject_id
    async with client_of(seeded, clock, Role.VIEWER) as viewer:
        refused = await viewer.client.post("/lineage", data={"subject.email": LEAD})
        category = await viewer.client.get("/lineage", params={"category": "user.contact.email"})
    assert refused.status_code == 403 and "subjectLineage" in refused.json()["errors"][0]["message"]
    assert category.status_code == 200
    async with client_of(seeded, clock, Role.ENGINEER) as engineer:
        page = await engineer.client.post("/lineage", data={"subject.email": " Anna.Jansen@Example.com"})
        svg = await engineer.client.get("/lineage.svg", params={"subjectId": lead.subject_id})
        unknown = await engineer.client.post("/lineage", data={"subject.email": "nobody@example.com"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = names_in(page.text)
    for node in [*lead.sources, *lead.systems, *lead.recipients]:
        assert f">{node.name}</text>" in text, node.key
    assert LEAD not in text.lower(), "the page names the person by our id, never by an identifier"
    assert svg.status_code == 200 and svg.headers["cache-control"] == "no-store"
    assert unknown.status_code == 404 and "subject:" in unknown.json()["errors"][0]["message"]
    events = [e.entry for e in await audit.events(seeded) if e.entry.operation.startswith("subjectLineage.")]
    assert [(e.operation, e.outcome, e.subject_id, e.principal) for e in events] == [
        ("subjectLineage.html", "found", lead.subject_id, "token:test-engineer"),
        ("subjectLineage.svg", "found", lead.subject_id, "token:test-engineer"),
        ("subjectLineage.html", "not found", None, "token:test-engineer"),
    ]


@pytest.mark.neo4j
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"asOf": "2026-01-01"}, "category:"),
        ({"category": "user.contact.email", "asOf": "yesterday"}, "asOf:"),
        ({"subjectId": "any", "maxHops": "many"}, "maxHops:"),
        ({"subjectId": "any", "maxHops": "99"}, "maxHops:"),
        ({"subject.email": LEAD}, "subject.email:"),
        ({"category": "user.contact.email", "colour": "red"}, "colour:"),
        ({"category": "user.contact.email", "maxHops": "2"}, "maxHops:"),
        ({"recipient": "marketing_partners", "from": "2026-13-01"}, "from:"),
    ],
)
async def test_bad_parameters_are_refused_naming_the_parameter(
    seeded: Database, clock: FixedClock, params: dict[str, str], named: str
) -> None:
    async with client_of(seeded, clock, Role.ADMIN) as admin:
        answer = await admin.client.get("/lineage", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["message"].startswith(named), answer.text


@pytest.mark.neo4j
async def test_unknown_category_and_recipient_are_not_found(seeded: Database, clock: FixedClock) -> None:
    async with client_of(seeded, clock, Role.ADMIN) as admin:
        category = await admin.client.get("/lineage", params={"category": "user.no_such_thing"})
        recipient_ = await admin.client.get("/lineage", params={"recipient": "no_such_recipient"})
    assert category.status_code == 404 and recipient_.status_code == 404


@pytest.mark.neo4j
async def test_a_recipients_page_draws_what_reaches_it_and_counts_people_without_naming_them(
    seeded: Database, clock: FixedClock
) -> None:
    start, end = dt.date(2019, 1, 1), dt.date(2020, 1, 1)
    with unbounded():  # the reference answer (see above)
        found = await impact_on_recipient(seeded, "marketing_partners", start, end, now=NOW)
    async with client_of(seeded, clock, Role.VIEWER) as viewer:
        refused = await viewer.client.get("/lineage", params={"recipient": "marketing_partners"})
    async with client_of(seeded, clock, Role.ENGINEER) as engineer:
        page = await engineer.client.get(
            "/lineage", params={"recipient": "marketing_partners", "from": "2019-01-01", "to": "2020-01-01"}
        )
        last_year = await engineer.client.get("/lineage", params={"recipient": "marketing_partners"})
    assert refused.status_code == 403
    # without a period: the twelve months up to today (the period [from, to) ends tomorrow)
    twelve_months = add_months(TODAY + dt.timedelta(days=1), -12)
    assert f"people here from {twelve_months.isoformat()} to {TODAY.isoformat()}" in names_in(last_year.text)
    assert page.status_code == 200
    text = names_in(page.text)
    assert f">{found.recipient['name']}</text>" in text
    for node in [*found.sources, *found.systems]:
        assert f">{node.name}</text>" in text, node.key
    assert found.subject_count >= 1
    assert f"Recorded disclosures brought the data of {found.subject_count} people here" in text
    assert not any(s.subject_id in text for s in found.subjects)


@pytest.mark.neo4j
async def test_the_ropa_and_the_transfer_register_read_as_pages_with_headings(
    seeded: Database, clock: FixedClock
) -> None:
    async with client_of(seeded, clock, Role.VIEWER) as viewer:
        ropa = await viewer.client.get("/reports/ropa.html", params={"asOf": TODAY.isoformat()})
        transfers = await viewer.client.get("/reports/transfers.html")
        bad_day = await viewer.client.get("/reports/ropa.html", params={"asOf": "soon"})
    async with client_of(seeded, clock, Role.ERASURE_OPERATOR) as operator:
        refused = await operator.client.get("/reports/transfers.html")
    assert ropa.status_code == 200 and ropa.headers["content-type"].startswith("text/html")
    headings = re.findall(r"<h2>(.*?)</h2>", ropa.text)
    assert f"<h1>Record of processing activities (GDPR Art. 30) as of {TODAY.isoformat()}</h1>" in ropa.text
    assert (
        "Controller record (GDPR Art. 30(1))" in headings and "Processor record (GDPR Art. 30(2))" in headings
    )
    assert "Art. 30(1)(b) Purposes of the processing" in ropa.text
    assert len(headings) > 5
    assert transfers.status_code == 200
    assert "<h1>Register of transfers to third countries (GDPR Chapter V) as of" in transfers.text
    transfer_headings = re.findall(r"<h2>(.*?)</h2>", transfers.text)
    assert "Summary" in transfer_headings and any(" → " in h for h in transfer_headings)
    assert "Safeguard (GDPR Art. 44-46):" in transfers.text
    assert bad_day.status_code == 400 and bad_day.json()["errors"][0]["message"].startswith("asOf:")
    assert refused.status_code == 403


# --- in a real browser ---------------------------------------------------------------------------------------------

DRAWN_TEXTS = "Array.from(document.querySelectorAll('svg g.node text')).map(t => t.textContent)"
DRAWN_BOXES = """Array.from(document.querySelectorAll('svg g.node')).filter(g => {
  const box = g.getBoundingClientRect(); return box.width > 5 && box.height > 5; }).length"""


@pytest.mark.neo4j
async def test_chromium_draws_the_eu_leads_lineage_and_asks_nothing_of_any_other_host(
    seeded: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """The page loads over HTTP from 127.0.0.1 with an engineer's token: the lead's email is typed into the form
    of /lineage and posted (never in a URL: not in the address, the history or any request's); every node the
    lineage service names is drawn (its name is a text of a node of the SVG in the DOM), the screenshot is not
    blank, and every request the page made went to the service (Chromium's own traffic is off, and any other
    host name resolves to nothing: `tests/browser.py`)."""
    with unbounded():  # the reference answer (see above)
        lead = await lineage_of_subject(seeded, lookup_of(SECRET, email=LEAD), now=NOW)
    assert lead is not None
    must = {n.name for n in [*lead.sources, *lead.systems, *lead.recipients, *lead.contingent.recipients]}
    token = await token_for(seeded, Role.ENGINEER)
    async with serving(app_of(seeded, clock)) as base, open_page(tmp_path / "profile") as page:
        await page.load(f"{base}/lineage", {"Authorization": f"Bearer {token}"})
        await page.submit(
            f"document.querySelector('input[name=\"subject.email\"]').value = {LEAD!r}; "
            "document.querySelector('form').submit()"
        )
        address = await page.evaluate("location.href")
        history = (await page.send("Page.getNavigationHistory"))["entries"]
        title = await page.evaluate("document.querySelector('h1').textContent")
        texts = set(await page.evaluate(DRAWN_TEXTS))
        boxes = await page.evaluate(DRAWN_BOXES)
        shot = await page.screenshot(ARTEFACTS / "lineage-eu-lead.png")
    print(f"screenshot of the EU lead's lineage page: {shot}")
    assert title == f"Lineage of subject {lead.subject_id} as of {TODAY.isoformat()}"
    assert len(must) > 5 and must <= texts, must - texts
    assert boxes >= len(must) + 1, "each node is drawn with a size, the subject too"
    assert page.requests and all(url.startswith(f"{base}/") for url in page.requests), page.requests
    assert address == f"{base}/lineage" and [e["url"] for e in history][-1] == address
    assert not any(LEAD in url for url in [*page.requests, *(e["url"] for e in history)])
    main = page.responses[f"{base}/lineage"]
    assert main["status"] == 200
    policy = {k.lower(): v for k, v in main["headers"].items()}["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    with Image.open(shot) as image:
        assert image.size[0] >= 1000 and image.size[1] > 600
        assert len(image.convert("L").getcolors(1 << 16) or []) > 10, "the screenshot is blank"

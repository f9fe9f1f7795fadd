"""Review before sending, on the real Neo4j: drafts, approval by a second compliance principal, blocking findings,
the frozen digest, sending, downloads as HTML and PDF, the audit trail, and documents after the person's erasure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.graph.database import Database
from datamap.services import audit
from tests.conftest import GraphQLClient, app_of, client_as, token_for
from tests.helpers import client_of, open_request, settle_all

pytestmark = pytest.mark.neo4j

ANNA = {"email": "anna.jansen@example.com"}
JORDAN = {"email": "jordan.reyes@example.com"}
FIELDS = """id kind status title subjectId erasureRequestId recipient sections { heading paragraphs items }
  findings { severity code message } blockingFindings { code } contentDigest approvedDigest intact draftedBy
  approvedBy sentBy channel clearedAt htmlUrl pdfUrl"""
DRAFT = "mutation($input: DraftDocumentInput!) { draftDocument(input: $input) { FIELDS } }".replace(
    "FIELDS", FIELDS
)
APPROVE = "mutation($id: ID!) { approveDocument(id: $id) { FIELDS } }".replace("FIELDS", FIELDS)
SEND = "mutation($id: ID!, $channel: DocumentChannel!) { markDocumentSent(id: $id, channel: $channel) { FIELDS } }"
SEND = SEND.replace("FIELDS", FIELDS)
WITHDRAW = "mutation($id: ID!) { withdrawDocument(id: $id) { id status } }"
GET = "query($id: ID!) { document(id: $id) { FIELDS } }".replace("FIELDS", FIELDS)
CERTIFICATE = "query($id: ID!) { erasureCertificate(request: $id) { digest storedDigest intact } }"
RECORD_COLLECTION = """mutation { recordCollection(input: {subject: {email: "jordan.reyes@example.com"},
  categories: ["user.name"], source: "forms_questionnaires_surveys", system: "sharpspring_platform",
  at: "2025-03-01T10:00:00Z"}) { id } }"""
# Jordan's yearly renewal of 15 January 2025 falls in the 12 months before this day
CCPA = {"kind": "CCPA_RIGHT_TO_KNOW", "subject": JORDAN, "receivedAt": "2025-06-01"}


@pytest.fixture
async def reviewer(seeded: Database, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    """A second compliance principal: approves what `api` (an admin) drafted."""
    async with client_of(seeded, clock, Role.COMPLIANCE, name="reviewer") as client:
        yield client


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def draft(client: GraphQLClient, **given: Any) -> dict[str, Any]:
    drafted: dict[str, Any] = (await client.query(DRAFT, input=given))["draftDocument"]
    return drafted


async def completed_erasure(
    api: GraphQLClient, reviewer: GraphQLClient, subject: dict[str, str]
) -> dict[str, Any]:
    request = await open_request(api, subject["email"])
    await settle_all(api, request, reviewer)
    return request


async def test_a_draft_with_a_critical_finding_cannot_be_approved(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    request = await completed_erasure(api, reviewer, JORDAN)
    first = await draft(api, kind="ERASURE_CERTIFICATE", erasureRequest=request["id"])
    assert first["findings"] == [] and first["erasureRequestId"] == request["id"]
    approved = (await reviewer.query(APPROVE, id=first["id"]))["approveDocument"]
    # the record is changed behind the workflow's back: the certificate no longer verifies
    await seeded.write(
        "MATCH (r:ErasureRequest {id: $id}) SET r.deadline = r.deadline + duration('P1D')", id=request["id"]
    )
    assert not (await api.query(CERTIFICATE, id=request["id"]))["erasureCertificate"]["intact"]
    altered = await draft(api, kind="ERASURE_CERTIFICATE", erasureRequest=request["id"])
    assert [(f["severity"], f["code"]) for f in altered["findings"]] == [("CRITICAL", "certificate_altered")]
    assert altered["blockingFindings"] == [{"code": "certificate_altered"}]
    refused = await reviewer.raw(APPROVE, id=altered["id"])
    assert codes(refused) == ["BAD_USER_INPUT"] and refused["data"]["approveDocument"] is None
    message = refused["errors"][0]["message"]
    assert "CRITICAL certificate_altered" in message and "cannot be approved" in message
    assert (await api.query(GET, id=altered["id"]))["document"]["status"] == "DRAFT"
    again = (await api.query(GET, id=first["id"]))["document"]
    assert again["approvedDigest"] == approved["approvedDigest"] and again["intact"], (
        "the approved one stands"
    )


async def test_an_access_reports_draft_carries_the_reports_findings_for_staff_and_they_block_by_severity(
    api: GraphQLClient, reviewer: GraphQLClient
) -> None:
    doc = await draft(api, kind="ACCESS_REPORT", subject=ANNA)
    report = await api.query(
        "query($s: SubjectInput!) { accessReport(subject: $s) { findings { severity code message } } }",
        s=ANNA,
    )
    assert doc["findings"] == report["accessReport"]["findings"]
    shown = str(doc["sections"])
    assert not any(f["message"] in shown for f in doc["findings"]), (
        "findings are for staff, not in the document"
    )
    blocking = [f for f in doc["findings"] if f["severity"] in ("CRITICAL", "HIGH")]
    assert [b["code"] for b in doc["blockingFindings"]] == [f["code"] for f in blocking]
    answer = await reviewer.raw(APPROVE, id=doc["id"])
    if blocking:
        assert codes(answer) == ["BAD_USER_INPUT"]
        assert all(f"{f['severity']} {f['code']}" in answer["errors"][0]["message"] for f in blocking)
    else:
        assert answer["data"]["approveDocument"]["status"] == "APPROVED"


async def test_an_approved_documents_digest_is_frozen_and_later_data_does_not_change_it(
    api: GraphQLClient, reviewer: GraphQLClient
) -> None:
    doc = await draft(api, **CCPA)
    assert doc["status"] == "DRAFT" and doc["findings"] == [] and doc["subjectId"]
    assert doc["approvedDigest"] is None and doc["intact"] and len(doc["contentDigest"]) == 64
    assert any("Commercial information (§1798.140(v)(1)(D))" in s["items"] for s in doc["sections"])
    approved = (await reviewer.query(APPROVE, id=doc["id"]))["approveDocument"]
    assert approved["status"] == "APPROVED" and approved["approvedBy"] == "token:reviewer"
    assert approved["approvedDigest"] == doc["contentDigest"]
    html = (await api.client.get(doc["htmlUrl"])).text
    reads = [(await api.query(GET, id=doc["id"]))["document"] for _ in range(2)]
    assert reads[0] == reads[1] and reads[0]["approvedDigest"] == approved["approvedDigest"]
    assert (await api.client.get(doc["htmlUrl"])).text == html, "rendered again: the same page"
    # the person's data changes afterwards: the approved document does not
    await api.query(RECORD_COLLECTION)
    after = (await api.query(GET, id=doc["id"]))["document"]
    assert after == reads[0] and after["intact"]
    assert (await api.client.get(doc["htmlUrl"])).text == html
    redrafted = await draft(api, **CCPA)
    assert redrafted["contentDigest"] != doc["contentDigest"], "a new draft sees the new data"
    assert redrafted["sections"] != doc["sections"]


async def test_the_drafter_cannot_approve_its_own_document(
    api: GraphQLClient, reviewer: GraphQLClient
) -> None:
    doc = await draft(reviewer, **CCPA)
    refused = await reviewer.raw(APPROVE, id=doc["id"])
    assert codes(refused) == ["FORBIDDEN"] and "separation of duties" in refused["errors"][0]["message"]
    assert (await api.query(APPROVE, id=doc["id"]))["approveDocument"]["approvedBy"] == "token:test-admin"


async def test_a_document_is_sent_only_after_approval(api: GraphQLClient, reviewer: GraphQLClient) -> None:
    doc = await draft(api, **CCPA)
    early = await api.raw(SEND, id=doc["id"], channel="EMAIL")
    assert codes(early) == ["BAD_USER_INPUT"] and "not approved yet" in early["errors"][0]["message"]
    await reviewer.query(APPROVE, id=doc["id"])
    sent = (await api.query(SEND, id=doc["id"], channel="POST"))["markDocumentSent"]
    assert (sent["status"], sent["channel"], sent["sentBy"]) == ("SENT", "POST", "token:test-admin")
    again = await api.raw(SEND, id=doc["id"], channel="EMAIL")
    assert codes(again) == ["BAD_USER_INPUT"] and "already sent" in again["errors"][0]["message"]
    assert codes(await api.raw(WITHDRAW, id=doc["id"])) == ["BAD_USER_INPUT"]
    other = await draft(api, **CCPA)
    assert (await api.query(WITHDRAW, id=other["id"]))["withdrawDocument"]["status"] == "WITHDRAWN"
    listed = await api.query(
        "{ documents(status: SENT) { id } all: documents(kind: CCPA_RIGHT_TO_KNOW) { id } }"
    )
    assert [d["id"] for d in listed["documents"]] == [doc["id"]]
    assert {d["id"] for d in listed["all"]} == {doc["id"], other["id"]}


async def test_unknown_documents_and_missing_arguments_get_clear_errors(api: GraphQLClient) -> None:
    for query, variables in [
        (GET, {"id": "nope"}),
        (APPROVE, {"id": "nope"}),
        (SEND, {"id": "nope", "channel": "EMAIL"}),
        (WITHDRAW, {"id": "nope"}),
    ]:
        body = await api.raw(query, **variables)
        assert codes(body) == ["NOT_FOUND"] and "'nope'" in body["errors"][0]["message"], body
    for given, phrase, code in [
        ({"kind": "ACCESS_REPORT"}, "input.subject: required", "BAD_USER_INPUT"),
        ({"kind": "CCPA_RIGHT_TO_KNOW", "subject": JORDAN}, "input.receivedAt: required", "BAD_USER_INPUT"),
        (
            {"kind": "ART19_NOTICE", "erasureRequest": "nope", "recipient": "x"},
            "no erasure request",
            "NOT_FOUND",
        ),
        (
            {"kind": "ACCESS_REPORT", "subject": {"email": "nobody@example.com"}},
            "no such subject",
            "NOT_FOUND",
        ),
        (
            {"kind": "ACCESS_REPORT", "subject": {"email": "not an email"}},
            "input.subject.email",
            "BAD_USER_INPUT",
        ),
    ]:
        body = await api.raw(DRAFT, input=given)
        assert codes(body) == [code] and phrase in body["errors"][0]["message"], body
    assert codes(await api.raw("{ documents(limit: 0) { id } }")) == ["BAD_USER_INPUT"]
    missing = await api.client.get("/documents/nope.html")
    assert missing.status_code == 404 and missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await api.client.get("/documents/nope.docx")).status_code == 404


async def test_downloads_as_html_and_pdf_for_the_roles_that_may_read_documents(
    api: GraphQLClient, seeded: Database, clock: FixedClock
) -> None:
    doc = await draft(api, kind="ACCESS_REPORT", subject=ANNA)
    page = await api.client.get(doc["htmlUrl"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"<title>{doc['title']}</title>" in page.text and f"<h1>{doc['title']}</h1>" in page.text
    assert all(f"<h2>{s['heading']}</h2>" in page.text for s in doc["sections"] if s["heading"])
    assert (
        page.headers["cache-control"] == "no-store"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )
    pdf = await api.client.get(doc["pdfUrl"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) > 2000
    assert pdf.headers["content-disposition"] == f'attachment; filename="access_report-{doc["id"]}.pdf"'
    app = app_of(seeded, clock)
    async with client_as(app, None) as nobody:
        assert (await nobody.client.get(doc["htmlUrl"])).status_code == 401
    for role, status in [
        (Role.VIEWER, 403),
        (Role.ENGINEER, 403),
        (Role.AUDITOR, 403),
        (Role.COMPLIANCE, 200),
    ]:
        async with client_as(app, await token_for(seeded, role)) as client:
            for url in (doc["htmlUrl"], doc["pdfUrl"]):
                answer = await client.client.get(url)
                assert answer.status_code == status, (role, url, answer.text)
            if status == 403:
                assert codes(answer.json()) == ["FORBIDDEN"]
                assert codes(await client.raw(DRAFT, input=CCPA)) == ["FORBIDDEN"]
                assert codes(await client.raw(GET, id=doc["id"])) == ["FORBIDDEN"]


async def test_every_document_operation_writes_its_audit_event(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    doc = await draft(api, **CCPA)
    await api.raw(APPROVE, id=doc["id"])  # refused: the drafter
    await reviewer.query(APPROVE, id=doc["id"])
    await api.query(SEND, id=doc["id"], channel="PORTAL")
    await reviewer.query(GET, id=doc["id"])
    await reviewer.client.get(doc["htmlUrl"])
    await reviewer.client.get(doc["pdfUrl"])
    await reviewer.client.get("/documents/nope.html")
    events = [
        (e.entry.operation, e.entry.principal, e.entry.outcome, e.entry.subject_id)
        for e in await audit.events(seeded)
        if "ocument" in e.entry.operation
    ]
    subject = doc["subjectId"]
    assert events == [
        ("draftDocument", "token:test-admin", "ok", subject),
        ("approveDocument", "token:test-admin", "refused: FORBIDDEN", subject),
        ("approveDocument", "token:reviewer", "ok", subject),
        ("markDocumentSent", "token:test-admin", "ok", subject),
        ("document", "token:reviewer", "found", subject),
        ("document.html", "token:reviewer", "found", subject),
        ("document.pdf", "token:reviewer", "found", subject),
        ("document.html", "token:reviewer", "not found", None),
    ]


async def test_an_art19_notice_goes_to_one_of_the_requests_recipients_and_waits_for_its_approval(
    api: GraphQLClient, reviewer: GraphQLClient
) -> None:
    request = await open_request(
        api, JORDAN["email"], identityVerification={"method": "NOT_VERIFIED", "reference": ""}
    )
    recipient = request["art19Recipients"][0]
    wrong = await api.raw(
        DRAFT, input={"kind": "ART19_NOTICE", "erasureRequest": request["id"], "recipient": "x"}
    )
    assert codes(wrong) == ["BAD_USER_INPUT"] and recipient in wrong["errors"][0]["message"]
    notice = await draft(api, kind="ART19_NOTICE", erasureRequest=request["id"], recipient=recipient)
    assert notice["recipient"] == recipient and notice["subjectId"] == request["subjectId"]
    assert "GDPR Art. 19" in notice["title"] and request["id"] in str(notice["sections"])
    assert [f["code"] for f in notice["blockingFindings"]] == ["erasure_request_unapproved"]
    assert codes(await reviewer.raw(APPROVE, id=notice["id"])) == ["BAD_USER_INPUT"]
    await reviewer.query(
        'mutation($id: ID!) { approveErasureRequest(request: $id, reason: "called back") { id } }',
        id=request["id"],
    )
    again = await draft(api, kind="ART19_NOTICE", erasureRequest=request["id"], recipient=recipient)
    assert again["blockingFindings"] == []
    assert (await reviewer.query(APPROVE, id=again["id"]))["approveDocument"]["status"] == "APPROVED"


async def test_documents_about_a_person_are_cleared_when_the_persons_erasure_completes(
    api: GraphQLClient, reviewer: GraphQLClient, seeded: Database
) -> None:
    access = await draft(api, kind="ACCESS_REPORT", subject=JORDAN)
    ccpa = await draft(api, **CCPA)
    stl = await draft(api, kind="SHINE_THE_LIGHT", subject=JORDAN, receivedAt="2026-03-02")
    await reviewer.query(APPROVE, id=ccpa["id"])
    request = await open_request(api, JORDAN["email"])
    notice = await draft(
        api, kind="ART19_NOTICE", erasureRequest=request["id"], recipient=request["art19Recipients"][0]
    )
    await settle_all(api, request, reviewer)
    certificate = await draft(api, kind="ERASURE_CERTIFICATE", erasureRequest=request["id"])
    assert certificate["findings"] == []
    for gone in (access, ccpa, stl):
        now = (await api.query(GET, id=gone["id"]))["document"]
        assert now["sections"] is None and now["clearedAt"] and now["intact"] is None, now
        assert now["contentDigest"] == gone["contentDigest"] and now["title"] == gone["title"]
        answer = await api.client.get(gone["htmlUrl"])
        assert answer.status_code == 404 and "cleared" in answer.text
    assert (await api.query(GET, id=ccpa["id"]))["document"]["status"] == "APPROVED", "the record of it stays"
    for kept in (notice, certificate):
        assert (await api.query(GET, id=kept["id"]))["document"]["sections"] == kept["sections"]
    rows = await seeded.read(
        "MATCH (d:Document {subjectId: $s}) RETURN d.kind AS kind, d.content IS NULL AS cleared, "
        "d.html IS NULL AS noHtml ORDER BY kind",
        s=request["subjectId"],
    )
    assert {(r["kind"], r["cleared"], r["noHtml"]) for r in rows} == {
        ("access_report", True, True),
        ("ccpa_right_to_know", True, True),
        ("shine_the_light", True, True),
        ("art19_notice", False, False),
        ("erasure_certificate", False, False),
    }
    after = await api.raw(DRAFT, input={"kind": "ACCESS_REPORT", "subject": JORDAN})
    assert codes(after) == ["NOT_FOUND"], "no new document about an erased person"
    cleared = await reviewer.raw(APPROVE, id=access["id"])
    assert codes(cleared) == ["BAD_USER_INPUT"] and "cleared" in cleared["errors"][0]["message"]

"""Review before sending, the pure rules: the digest over canonical content, who approves, what blocks approval,
sending only what was approved; and the documents no report writes itself. No Neo4j."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from datamap.domain import review
from datamap.domain.access import Principal, Role
from datamap.domain.ccpa import DisclosedTo, Ground, RightToKnow
from datamap.domain.ccpa_categories import CCPA_CATEGORIES
from datamap.domain.documents import Document
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import ErasureRequestRecord, ErasureTaskRecord, TaskStatus
from datamap.domain.lineage_types import NodeKind
from datamap.domain.outgoing_documents import (
    art19_findings,
    art19_notice,
    certificate_findings,
    right_to_know_document,
    shine_the_light_findings,
)
from datamap.domain.review import About, Channel, Content, DocumentKind, DocumentStatus
from datamap.domain.shine_the_light import ShineTheLightResponse
from datamap.domain.transfer_validity import Finding, Severity
from datamap.errors import Forbidden, ValidationError
from datamap.graph.erasure_properties import request_from_node
from tests.test_erasure_certificate import REQUEST_ID, REQUEST_NODE

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
DRAFTER = Principal("drafter", Role.COMPLIANCE)
REVIEWER = Principal("reviewer", Role.COMPLIANCE)
ADMIN = Principal("root", Role.ADMIN)
ENGINEER = Principal("dev", Role.ENGINEER)


def content(*items: str, title: str = "Access to your personal data") -> Content:
    doc = Document(title).section("Categories of personal data (Art. 15(1)(b))", items=list(items) or ["a"])
    return Content(DocumentKind.ACCESS_REPORT, About("subject-1"), doc)


def drafted(*findings: Finding, by: Principal = DRAFTER) -> review.ReviewDocument:
    c = content("user.name", "user.contact.email")
    return review.draft("doc-1", c, findings, c.document.html(), by=by, now=NOW)


def finding(severity: Severity, code: str = "x") -> Finding:
    return Finding(severity, code, f"{code}: something", "fix it")


def test_the_digest_covers_the_canonical_content_and_reads_back_unchanged() -> None:
    first, again = content("b", "a"), content("b", "a")
    assert first.canonical() == again.canonical() and first.digest == again.digest
    assert len(first.digest) == 64
    assert Content.from_canonical(first.canonical()).canonical() == first.canonical()
    assert content("a", "b").digest != first.digest, "the order of items is content"
    assert content("b", "a", title="Other").digest != first.digest
    other_subject = Content(DocumentKind.ACCESS_REPORT, About("subject-2"), first.document)
    assert other_subject.digest != first.digest, "the digest binds the document to whom it is about"
    assert '"subjectId":"subject-1"' in first.canonical() and ", " not in first.canonical()


@pytest.mark.parametrize("severity", [Severity.CRITICAL, Severity.HIGH])
def test_a_finding_of_high_or_critical_severity_blocks_approval_and_is_named(severity: Severity) -> None:
    doc = drafted(finding(Severity.LOW, "minor"), finding(severity, "transfer_invalid"))
    assert doc.findings[0].severity is severity, "most severe first"
    with pytest.raises(ValidationError, match=f"{severity.value.upper()} transfer_invalid") as refused:
        review.approval(doc, by=REVIEWER, now=NOW)
    assert "minor" not in str(refused.value)


def test_findings_below_high_do_not_block() -> None:
    doc = drafted(finding(Severity.MEDIUM), finding(Severity.LOW), finding(Severity.INFO))
    approved = review.approval(doc, by=REVIEWER, now=NOW)
    assert approved.status is DocumentStatus.APPROVED and approved.approved_digest == doc.content_digest
    assert approved.approved_by == "token:reviewer" and approved.intact


def test_the_drafter_cannot_approve_and_only_a_compliance_principal_approves() -> None:
    with pytest.raises(Forbidden, match="separation of duties"):
        review.approval(drafted(), by=DRAFTER, now=NOW)
    with pytest.raises(Forbidden, match="only a compliance principal"):
        review.approval(drafted(), by=ENGINEER, now=NOW)
    assert review.approval(drafted(), by=ADMIN, now=NOW).status is DocumentStatus.APPROVED


def test_a_document_is_sent_only_once_approved_and_only_once() -> None:
    doc = drafted()
    with pytest.raises(ValidationError, match="not approved yet"):
        review.sending(doc, Channel.EMAIL, by=REVIEWER, now=NOW)
    approved = review.approval(doc, by=REVIEWER, now=NOW)
    with pytest.raises(ValidationError, match="already approved"):
        review.approval(approved, by=ADMIN, now=NOW)
    sent = review.sending(approved, Channel.POST, by=DRAFTER, now=NOW)
    assert (sent.status, sent.channel, sent.sent_by) == (DocumentStatus.SENT, Channel.POST, "token:drafter")
    for change in (
        lambda d: review.sending(d, Channel.EMAIL, by=REVIEWER, now=NOW),
        lambda d: review.approval(d, by=REVIEWER, now=NOW),
        lambda d: review.withdrawal(d, by=REVIEWER, now=NOW),
    ):
        with pytest.raises(ValidationError, match="already sent"):
            change(sent)


def test_a_withdrawn_document_goes_nowhere() -> None:
    withdrawn = review.withdrawal(drafted(), by=DRAFTER, now=NOW)
    assert withdrawn.status is DocumentStatus.WITHDRAWN
    with pytest.raises(ValidationError, match=r"withdrawn .* draft it again"):
        review.approval(withdrawn, by=REVIEWER, now=NOW)


def test_content_changed_after_drafting_or_approval_is_caught() -> None:
    doc = drafted()
    tampered = replace(doc, content=content("user.financial"))
    assert tampered.intact is False
    with pytest.raises(ValidationError, match="no longer gives the digest kept when it was drafted"):
        review.approval(tampered, by=REVIEWER, now=NOW)
    approved = review.approval(doc, by=REVIEWER, now=NOW)
    with pytest.raises(ValidationError, match="when it was approved"):
        review.sending(
            replace(approved, content=content("user.financial")), Channel.EMAIL, by=REVIEWER, now=NOW
        )
    cleared = replace(doc, content=None, html=None, cleared_at=NOW)
    assert cleared.intact is None
    with pytest.raises(ValidationError, match="cleared"):
        review.approval(cleared, by=REVIEWER, now=NOW)


# --- the documents no report writes itself ------------------------------------------------------------------------


def _request(**changes: object) -> ErasureRequestRecord:
    """The request the certificate test pins, with the changes."""
    return replace(request_from_node(REQUEST_NODE), **changes)  # type: ignore[arg-type]


def _task(target: str, action: Action, categories: tuple[str, ...]) -> ErasureTaskRecord:
    return ErasureTaskRecord(
        id=f"{REQUEST_ID}/{target}",
        key=f"{action.value}:{target}",
        action=action,
        target_kind=NodeKind.RECIPIENT,
        target=target,
        target_name="Marketing Partners Ltd",
        categories=categories,
        legal_ground="GDPR Art. 19",
        depends_on=(),
        stage=2,
        observed=True,
        status=TaskStatus.PENDING,
        verified=False,
    )


def test_an_art19_notice_names_the_request_and_recipient_and_no_identifier() -> None:
    tasks = [_task("marketing_partners", Action.NOTIFY_RECIPIENT, ("user.name", "user.contact.email"))]
    notice = art19_notice(_request(), tasks, "marketing_partners")
    text = notice.text()
    assert "GDPR Art. 19" in notice.title and "Marketing Partners Ltd" in text and REQUEST_ID in text
    assert "user.name, user.contact.email" in text and "subject-7" not in text
    assert art19_findings(_request(), tasks) == ()
    unapproved = _request(approval_required=True)
    (blocking,) = art19_findings(unapproved, tasks)
    assert blocking.severity is Severity.HIGH and "awaits approval" in blocking.message
    assert [f.code for f in art19_findings(_request(), [])] == ["art19_no_task"]


def test_the_ccpa_response_cites_each_subsection_and_says_none_where_nothing() -> None:
    found = RightToKnow(
        "subject-7",
        dt.date(2025, 3, 3),
        dt.date(2026, 3, 2),
        "the 12 months before the request (Civ. Code §1798.130(a)(2)(B))",
        [CCPA_CATEGORIES["A"]],
        ["Account registration"],
        [],
        [],
        [],
        [],
        [],
        [DisclosedTo("third parties: marketing partner", Ground.SOLD, [CCPA_CATEGORIES["A"]])],
    )
    doc = right_to_know_document(found)
    headings = [s.heading for s in doc.sections]
    for cited in (
        "§1798.110(a)(1)",
        "§1798.110(a)(2)",
        "§1798.110(a)(3)",
        "§1798.110(a)(4)",
        "§1798.115(a)(2)",
        "§1798.140(ah)",
        "§1798.140(e)",
    ):
        assert any(cited in h for h in headings), cited
    assert doc.sections[1].items == ["Identifiers (§1798.140(v)(1)(A))"] and doc.sections[3].items == ["none"]
    assert doc.sections[-1].items == [
        "third parties: marketing partner (sold): Identifiers (§1798.140(v)(1)(A))"
    ]


def test_findings_of_shine_the_light_and_of_an_altered_certificate() -> None:
    response = ShineTheLightResponse(
        2025, "disclosure_report", [], [], ["acme: no postal address in the map"]
    )
    found = shine_the_light_findings(response, repeated=True, first_received=dt.date(2026, 2, 1))
    assert [f.severity for f in found] == [Severity.HIGH, Severity.INFO]
    assert certificate_findings("req-1", "a" * 64, "a" * 64) == ()
    (altered,) = certificate_findings("req-1", "a" * 64, "b" * 64)
    assert altered.severity is Severity.CRITICAL and altered.code == "certificate_altered"

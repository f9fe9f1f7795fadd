"""The documents under review that no report writes itself, and the findings staff see beside each. Pure.

The access report (`access_report.access_document`) and the Shine-the-Light letter (`shine_the_light.letter`)
have their own writers; here are the CCPA right-to-know response, the notice of an erasure to one recipient
(GDPR Art. 19) and the erasure certificate as a document, built from the records as they are. Findings are
for the reviewer, never text for the person: their severity decides whether the document may be approved
(`review.BLOCKING`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from datamap.domain.ccpa import GROUND_WORDS, RightToKnow
from datamap.domain.documents import Document
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import ErasureRequestRecord, ErasureTaskRecord
from datamap.domain.lineage_types import NodeKind
from datamap.domain.shine_the_light import ShineTheLightResponse
from datamap.domain.transfer_validity import Finding, Severity

NONE = ["none"]

# What a recipient is asked to do, by the task the erasure plan gave it.
_ASKED = {
    Action.INSTRUCT_PROCESSOR: "delete it, as our processor, and confirm the deletion to us (GDPR Art. 28(3)(g))",
    Action.NOTIFY_RECIPIENT: "take note that we erased it; where you hold it on our behalf or without a ground "
    "of your own, erase it too",
    Action.INFORM_PUBLIC: "take note that the person asks you to erase any links to, copies or replications of "
    "the data that were made public (GDPR Art. 17(2))",
    Action.RESTRICT: "keep it restricted, not erased: a legal obligation keeps it",
    Action.ERASE: "erase it",
}


def right_to_know_document(found: RightToKnow) -> Document:
    """The CCPA response (Civ. Code §1798.110(a)(1)-(4), §1798.115(a)(2)-(3)) for the window of the request,
    categories named as §1798.140(v)(1) names them."""
    window = f"{found.window_from.isoformat()} to {found.window_to.isoformat()}"
    doc = Document(f"Your right to know (California Civil Code §1798.110 and §1798.115): {window}")
    doc.section(
        "",
        f"In answer to your request, what we collected about you and disclosed from {window}: {found.period}.",
    )
    doc.section(
        "Categories of personal information collected (§1798.110(a)(1))",
        items=[c.text() for c in found.categories_collected] or NONE,
    )
    doc.section("Categories of sources (§1798.110(a)(2))", items=found.sources or NONE)
    doc.section("Business or commercial purposes (§1798.110(a)(3))", items=found.purposes or NONE)
    doc.section(
        "Categories of third parties we disclose to (§1798.110(a)(4))",
        items=found.third_party_categories or NONE,
    )
    doc.section(
        "Categories sold (§1798.115(a)(2); §1798.140(ad))", items=[c.text() for c in found.sold] or NONE
    )
    doc.section(
        "Categories shared for cross-context behavioral advertising (§1798.115(a)(2); §1798.140(ah))",
        items=[c.text() for c in found.shared] or NONE,
    )
    doc.section(
        "Categories disclosed for a business purpose (§1798.115(a)(3); §1798.140(e))",
        items=[c.text() for c in found.disclosed_for_business_purpose] or NONE,
    )
    doc.section(
        "To whom, by category of recipients (§1798.115(a)(2)-(3))",
        items=[
            f"{d.recipients} ({GROUND_WORDS[d.ground]}): {'; '.join(c.text() for c in d.categories)}"
            for d in found.disclosed_to
        ]
        or NONE,
    )
    return doc


def tasks_of_recipient(tasks: Sequence[ErasureTaskRecord], recipient: str) -> list[ErasureTaskRecord]:
    return [t for t in tasks if t.target_kind is NodeKind.RECIPIENT and t.target == recipient]


def art19_notice(
    request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord], recipient: str
) -> Document:
    """The communication of an erasure to one recipient the data were disclosed to (GDPR Art. 19), from the
    request's tasks for that recipient. It names the request, never the person: the identifiers go separately."""
    own = sorted(tasks_of_recipient(tasks, recipient), key=lambda t: (t.stage, t.key))
    name = own[0].target_name if own else recipient
    doc = Document("Communication of an erasure (GDPR Art. 19)")
    doc.section("To", name)
    doc.section(
        "What happened",
        f"Under GDPR Art. 17(1) we are erasing the personal data of the person named in our erasure request "
        f"{request.id}, received on {request.received_date.isoformat()}. GDPR Art. 19 requires us to "
        "communicate the erasure to each recipient to whom the data were disclosed.",
    )
    doc.section(
        "What we ask of you",
        items=[
            f"{', '.join(t.categories) or 'the data we disclosed to you'}: {_ASKED.get(t.action, t.action.value)}"
            + (f" (until {t.restricted_until.isoformat()})" if t.restricted_until else "")
            for t in own
        ]
        or ["take note of the erasure of the data we disclosed to you"],
    )
    doc.section(
        "Reference",
        f"Please quote request {request.id} in your answer. This notice holds none of the person's identifiers; "
        "we send them to you separately.",
    )
    return doc


def erasure_certificate_document(
    request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord], digest: str, stored_digest: str
) -> Document:
    """The completion certificate as a document: the request, each place and what was done there, and the
    digest of the certified record (kept at completion, and computed again now)."""
    completed = request.completed_at.isoformat() if request.completed_at else "not complete"
    doc = Document("Certificate of erasure (GDPR Art. 17 and 19)")
    doc.section(
        "The request",
        items=[
            f"Request: {request.id}",
            f"Person: {request.subject_id} (our internal id; no identifier of the person is kept)",
            f"Law: {request.jurisdiction.value.upper()}",
            f"Received: {request.received_date.isoformat()}",
            f"Deadline: {request.effective_deadline.isoformat()}",
            f"Completed: {completed}",
        ],
    )
    doc.section(
        "What was done, place by place",
        items=[
            f"{t.target_name}: {t.action.value.replace('_', ' ')}, {t.status.value}"
            + (f", verified {t.verified_at.date().isoformat()}" if t.verified_at else "")
            + (f" ({', '.join(t.categories)})" if t.categories else "")
            for t in sorted(tasks, key=lambda t: (t.stage, t.key))
        ],
    )
    doc.section(
        "Integrity",
        f"SHA-256 of the certified record, kept at completion: {stored_digest}.",
        f"Computed again from the record when this document was drafted: {digest}.",
    )
    return doc


# --- findings for the reviewer -----------------------------------------------------------------------------------


def shine_the_light_findings(
    response: ShineTheLightResponse, repeated: bool, first_received: dt.date
) -> tuple[Finding, ...]:
    """What the map lacks for the response §1798.83(a)(2) requires blocks it (HIGH); a repeated response is
    said (INFO)."""
    found = [
        Finding(
            Severity.HIGH,
            "shine_the_light_incomplete",
            text,
            "complete the map (the third party's organisation and postal address), then draft the response again",
        )
        for text in response.findings
    ]
    if repeated:
        found.append(
            Finding(
                Severity.INFO,
                "shine_the_light_repeated",
                f"the customer's request of {first_received.isoformat()} was answered this calendar year; "
                "this is that response again",
                "none needed",
            )
        )
    return tuple(found)


def art19_findings(request: ErasureRequestRecord, own: Sequence[ErasureTaskRecord]) -> tuple[Finding, ...]:
    found = []
    if request.awaiting_approval:
        found.append(
            Finding(
                Severity.HIGH,
                "erasure_request_unapproved",
                f"request {request.id} awaits approval (the requester's identity is not verified); nothing "
                "about it goes out before a second compliance principal approves it",
                "approve the erasure request (approveErasureRequest), then draft the notice again",
            )
        )
    if not own:
        found.append(
            Finding(
                Severity.MEDIUM,
                "art19_no_task",
                f"request {request.id} has no task for this recipient: the notice cannot say which categories "
                "it concerns",
                "check the request's plan for this recipient",
            )
        )
    return tuple(found)


def certificate_findings(request_id: str, digest: str, stored_digest: str) -> tuple[Finding, ...]:
    if digest == stored_digest:
        return ()
    return (
        Finding(
            Severity.CRITICAL,
            "certificate_altered",
            f"request {request_id}: the record no longer gives the digest kept when it completed; it was "
            "changed afterwards",
            "find out from the audit trail what changed the record; do not send this certificate",
        ),
    )

"""The completion certificate, without Neo4j: its document must never drift.

A completed request keeps the SHA-256 digest of its certificate; `erasureCertificate` computes the document again
from the record and compares. Any change to the document (a key, a value's format, the order of tasks) would make
every kept digest fail, so the document and digest below are pinned: they were computed by the certificate code
that read the graph's property maps directly, before the workflow had typed records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from datamap.domain.deadlines import Jurisdiction
from datamap.domain.erasure_certificate import certificate
from datamap.domain.erasure_plan import Action
from datamap.domain.erasure_records import ErasureRequestRecord, ErasureTaskRecord, TaskStatus
from datamap.domain.lineage_types import NodeKind
from datamap.graph.erasure_properties import (
    request_from_node,
    request_properties,
    task_from_node,
    task_properties,
)

UTC = dt.UTC
CET = dt.timezone(dt.timedelta(hours=1))
REQUEST_ID = "0f3c2a9e5b7d4e1f8a6b2c3d4e5f6a7b"
SUPPRESSION_EVIDENCE = "3 keyed-hash suppression entries written by datamap"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# The request and its tasks as the graph keeps them (the property maps `r {.*}` and `t {.*}` return).
REQUEST_NODE: dict[str, Any] = {
    "id": REQUEST_ID,
    "subjectId": "subject-7",
    "receivedAt": dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    "createdAt": dt.datetime(2026, 11, 20, 9, 5, 30, tzinfo=UTC),
    "jurisdiction": "gdpr",
    "channel": "email",
    "identityMethod": "email_confirmation",
    "identityReference": "ticket 4711",
    "receivedDate": dt.date(2026, 11, 20),
    "deadline": dt.date(2026, 12, 20),
    "version": 9,
    "warnings": ["vendor x has no contact"],
    "art19Recipients": ["marketing_partners"],
    "extendedDeadline": dt.date(2027, 2, 20),
    "extensionReason": "twelve processors to instruct",
    "extendedAt": dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    "completedAt": dt.datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC),
    "certificateDigest": "stored",
}
SUPPRESSION_NODE: dict[str, Any] = {
    "id": f"{REQUEST_ID}/suppress:subject",
    "key": "suppress:subject",
    "action": "suppress",
    "targetKind": "subject",
    "target": "suppression list",
    "targetName": "suppression list (keyed hashes only)",
    "categories": [],
    "legalGround": "GDPR Art. 17(1) and 19",
    "dependsOn": [],
    "stage": 0,
    "observed": True,
    "status": "done",
    "verified": True,
    "version": 0,
    "claimedAt": dt.datetime(2026, 11, 20, 9, 5, 30, tzinfo=UTC),
    "verifiedAt": dt.datetime(2026, 11, 20, 9, 5, 30, tzinfo=UTC),
    "claimedEvidence": SUPPRESSION_EVIDENCE,
    "verifiedEvidence": SUPPRESSION_EVIDENCE,
    "claimedEvidenceDigest": sha(SUPPRESSION_EVIDENCE),
    "verifiedEvidenceDigest": sha(SUPPRESSION_EVIDENCE),
}
RESTRICT_NODE: dict[str, Any] = {
    "id": f"{REQUEST_ID}/restrict:system:billing",
    "key": "restrict:system:billing",
    "action": "restrict",
    "targetKind": "system",
    "target": "billing",
    "targetName": "Billing",
    "categories": ["user.financial.invoice", "user.contact.address"],
    "legalGround": "GDPR Art. 17(3)(b): Bewaarplicht (§52 AWR)",
    "dependsOn": ["suppress:subject"],
    "stage": 1,
    "observed": True,
    "status": "done",
    "verified": True,
    "version": 3,
    "attempts": 1,
    "restrictedUntil": dt.date(2033, 11, 20),
    "exception": "tax_records",
    "claimedAt": dt.datetime(2026, 11, 26, 14, 0, tzinfo=CET),
    "claimedEvidence": "flag set",
    "claimedEvidenceDigest": sha("flag set"),
    "verifiedAt": dt.datetime(2026, 11, 27, 9, 0, 0, 500, tzinfo=UTC),
    "verifiedEvidence": "checked flag",
    "verifiedEvidenceDigest": sha("checked flag"),
}
NOTIFY_NODE: dict[str, Any] = {
    "id": f"{REQUEST_ID}/notify_recipient:recipient:marketing_partners",
    "key": "notify_recipient:recipient:marketing_partners",
    "action": "notify_recipient",
    "targetKind": "recipient",
    "target": "marketing_partners",
    "targetName": "Marketing partners",
    "role": "third_party",
    "categories": ["user.contact.email"],
    "legalGround": "GDPR Art. 19: communicate the erasure to each recipient",
    "dependsOn": ["erase:system:platform", "suppress:subject"],
    "stage": 2,
    "observed": False,
    "status": "not_found",
    "verified": True,
    "version": 4,
    "attempts": 2,
    "claimedAt": dt.datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
    "claimedEvidence": "no such contact",
    "claimedEvidenceDigest": sha("no such contact"),
    "verifiedAt": dt.datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
    "verifiedEvidence": "their reply",
    "verifiedEvidenceDigest": sha("their reply"),
    "rejectedAt": dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
    "rejectionEvidence": "first reply was vague",
}
ERASE_NODE: dict[str, Any] = {
    "id": f"{REQUEST_ID}/erase:system:platform",
    "key": "erase:system:platform",
    "action": "erase",
    "targetKind": "system",
    "target": "platform",
    "targetName": "Platform (main DB)",
    "categories": ["user.contact.email"],
    "legalGround": "GDPR Art. 17(1): erase without undue delay (or anonymise)",
    "dependsOn": ["suppress:subject"],
    "stage": 1,
    "observed": True,
    "status": "done",
    "verified": True,
    "version": 2,
    "attempts": 1,
    "claimedAt": dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
    "claimedEvidence": "job 17 deleted 4 rows",
    "claimedEvidenceDigest": sha("job 17 deleted 4 rows"),
    "verifiedAt": dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    "verifiedEvidence": "row count 0",
    "verifiedEvidenceDigest": sha("row count 0"),
}
TASK_NODES = [SUPPRESSION_NODE, RESTRICT_NODE, NOTIFY_NODE, ERASE_NODE]

# The same request and one of its tasks as the workflow's records.
REQUEST = ErasureRequestRecord(
    id=REQUEST_ID,
    subject_id="subject-7",
    jurisdiction=Jurisdiction.GDPR,
    channel="email",
    identity_method="email_confirmation",
    identity_reference="ticket 4711",
    received_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    received_date=dt.date(2026, 11, 20),
    created_at=dt.datetime(2026, 11, 20, 9, 5, 30, tzinfo=UTC),
    deadline=dt.date(2026, 12, 20),
    version=9,
    warnings=("vendor x has no contact",),
    art19_recipients=("marketing_partners",),
    extended_deadline=dt.date(2027, 2, 20),
    extension_reason="twelve processors to instruct",
    extended_at=dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    completed_at=dt.datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC),
    certificate_digest="stored",
)
RESTRICT = ErasureTaskRecord(
    id=f"{REQUEST_ID}/restrict:system:billing",
    key="restrict:system:billing",
    action=Action.RESTRICT,
    target_kind=NodeKind.SYSTEM,
    target="billing",
    target_name="Billing",
    categories=("user.financial.invoice", "user.contact.address"),
    legal_ground="GDPR Art. 17(3)(b): Bewaarplicht (§52 AWR)",
    depends_on=("suppress:subject",),
    stage=1,
    observed=True,
    status=TaskStatus.DONE,
    verified=True,
    version=3,
    attempts=1,
    restricted_until=dt.date(2033, 11, 20),
    exception="tax_records",
    claimed_at=dt.datetime(2026, 11, 26, 14, 0, tzinfo=CET),
    claimed_evidence="flag set",
    claimed_evidence_digest=sha("flag set"),
    verified_at=dt.datetime(2026, 11, 27, 9, 0, 0, 500, tzinfo=UTC),
    verified_evidence="checked flag",
    verified_evidence_digest=sha("checked flag"),
)

COMPLETE_DOCUMENT = (
    '{"certificate":"erasure completion (GDPR Art. 17 and 19)","request":{"completedAt":'
    '"2026-12-01T10:30:15.123456+00:00","deadline":"2026-12-20","extendedDeadline":"2027-02-20","id":'
    '"0f3c2a9e5b7d4e1f8a6b2c3d4e5f6a7b","jurisdiction":"gdpr","receivedAt":"2026-11-20T09:00:00+00:00",'
    '"subjectId":"subject-7"},"tasks":[{"action":"erase","categories":["user.contact.email"],"claimedAt":'
    '"2026-11-21T12:00:00+00:00","claimedEvidenceDigest":'
    '"35fed205c1ed8a1be9ab362763db557f4001980761e74a32a9aeb7190f5fbf66","exception":null,"key":'
    '"erase:system:platform","legalGround":"GDPR Art. 17(1): erase without undue delay (or anonymise)",'
    '"restrictedUntil":null,"status":"done","target":"platform","verified":true,"verifiedAt":'
    '"2026-11-22T12:00:00+00:00","verifiedEvidenceDigest":'
    '"40bdc66eb0f7865544f0b60509f09163b9fa377b4418301d3e7fb2bad553fb7b"},{"action":"notify_recipient",'
    '"categories":["user.contact.email"],"claimedAt":"2026-11-28T10:00:00+00:00","claimedEvidenceDigest":'
    '"6fe5fc5afcce54fbcc9d94d1d2fe7f0965948f7d02a27854e990c8c286999383","exception":null,"key":'
    '"notify_recipient:recipient:marketing_partners","legalGround":'
    '"GDPR Art. 19: communicate the erasure to each recipient","restrictedUntil":null,"status":"not_found",'
    '"target":"marketing_partners","verified":true,"verifiedAt":"2026-11-29T10:00:00+00:00",'
    '"verifiedEvidenceDigest":"98592bf3467657fb289b5b78e0727be0f1c7d84e2aa209d42ed5f460b43fd3c4"},'
    '{"action":"restrict","categories":["user.financial.invoice","user.contact.address"],"claimedAt":'
    '"2026-11-26T14:00:00+01:00","claimedEvidenceDigest":'
    '"e39d53daff245b2da259a29863670c963060ab7f4605bd933fe4e75a3f3186fc","exception":"tax_records","key":'
    '"restrict:system:billing","legalGround":"GDPR Art. 17(3)(b): Bewaarplicht (§52 AWR)","restrictedUntil":'
    '"2033-11-20","status":"done","target":"billing","verified":true,"verifiedAt":'
    '"2026-11-27T09:00:00.000500+00:00","verifiedEvidenceDigest":'
    '"aa05478129dd6552eafd4258f4fcb10b3aec1ebdea7be5377714a961dd95e29d"},{"action":"suppress","categories":[],'
    '"claimedAt":"2026-11-20T09:05:30+00:00","claimedEvidenceDigest":'
    '"9f6a17e0a777c23bd102395c791f0ac86fa8fc1f303f558307f1acc53a982504","exception":null,"key":'
    '"suppress:subject","legalGround":"GDPR Art. 17(1) and 19","restrictedUntil":null,"status":"done",'
    '"target":"suppression list","verified":true,"verifiedAt":"2026-11-20T09:05:30+00:00",'
    '"verifiedEvidenceDigest":"9f6a17e0a777c23bd102395c791f0ac86fa8fc1f303f558307f1acc53a982504"}]}'
)
COMPLETE_DIGEST = "f1427223d727e2f036729e8a582b03e90bb860f66e5b94221c384fed84caee96"

# Absent values are null: a request neither extended nor complete, a task never claimed.
OPEN_DOCUMENT = (
    '{"certificate":"erasure completion (GDPR Art. 17 and 19)","request":{"completedAt":null,"deadline":'
    '"2026-12-20","extendedDeadline":null,"id":"0f3c2a9e5b7d4e1f8a6b2c3d4e5f6a7b","jurisdiction":"gdpr",'
    '"receivedAt":"2026-11-20T09:00:00+00:00","subjectId":"subject-7"},"tasks":[{"action":"erase","categories":'
    '["user.contact.email"],"claimedAt":null,"claimedEvidenceDigest":null,"exception":null,"key":'
    '"erase:system:platform","legalGround":"GDPR Art. 17(1): erase without undue delay (or anonymise)",'
    '"restrictedUntil":null,"status":"pending","target":"platform","verified":false,"verifiedAt":null,'
    '"verifiedEvidenceDigest":null},{"action":"suppress","categories":[],"claimedAt":"2026-11-20T09:05:30+00:00",'
    '"claimedEvidenceDigest":"9f6a17e0a777c23bd102395c791f0ac86fa8fc1f303f558307f1acc53a982504","exception":null,'
    '"key":"suppress:subject","legalGround":"GDPR Art. 17(1) and 19","restrictedUntil":null,"status":"done",'
    '"target":"suppression list","verified":true,"verifiedAt":"2026-11-20T09:05:30+00:00",'
    '"verifiedEvidenceDigest":"9f6a17e0a777c23bd102395c791f0ac86fa8fc1f303f558307f1acc53a982504"}]}'
)
OPEN_DIGEST = "de92ec19196b8ac5167fda4c61282667da4595d940e008859c1c719be4959521"


def test_the_certificate_of_a_complete_request_is_pinned() -> None:
    document, digest = certificate(request_from_node(REQUEST_NODE), [task_from_node(t) for t in TASK_NODES])
    assert document == COMPLETE_DOCUMENT
    assert digest == COMPLETE_DIGEST == sha(document)


def test_absent_values_are_null_in_the_certificate() -> None:
    open_request = {
        k: v
        for k, v in REQUEST_NODE.items()
        if k not in ("extendedDeadline", "extensionReason", "extendedAt", "completedAt", "certificateDigest")
    }
    pending = {k: v for k, v in ERASE_NODE.items() if not k.startswith(("claimed", "verified", "attempts"))}
    pending |= {"status": "pending", "verified": False}
    document, digest = certificate(
        request_from_node(open_request), [task_from_node(pending), task_from_node(SUPPRESSION_NODE)]
    )
    assert (document, digest) == (OPEN_DOCUMENT, OPEN_DIGEST)


def test_records_map_to_and_from_the_graph_properties_unchanged() -> None:
    assert request_from_node(REQUEST_NODE) == REQUEST
    assert task_from_node(RESTRICT_NODE) == RESTRICT
    assert request_properties(REQUEST) == REQUEST_NODE
    for node in TASK_NODES:
        assert task_properties(task_from_node(node)) == node

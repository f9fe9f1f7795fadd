"""The completion certificate of an erasure request, and what is kept of the request once it completes.

Once a request completes, the free text that may hold the person's data goes (`scrubbed`): the identity
reference, reasons, evidence texts and idempotency keys (kept as their digests); evidence digests stay, so the
certificate (`certificate`: a canonical JSON document and its SHA-256 digest) computed from the scrubbed record
verifies against the digest kept at completion.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from datamap.domain.erasure_plan import HOLD_GROUND
from datamap.domain.erasure_records import ErasureEventRecord, ErasureRequestRecord, ErasureTaskRecord
from datamap.domain.erasure_workflow import KEY_DIGEST_PREFIX, digest, key_digest


def _scrubbed_ground(task: ErasureTaskRecord) -> str:
    """A legal hold's restriction names the hold's reason (free text) in its ground: keep the hold's id and the
    digest of the ground instead."""
    if task.exception is None or not task.exception.startswith("hold:"):
        return task.legal_ground
    if not task.legal_ground.startswith(HOLD_GROUND + " ("):
        return task.legal_ground  # already scrubbed, or not a hold's ground
    return f"{HOLD_GROUND} {task.exception} (its reason cleared on completion; sha256 {digest(task.legal_ground)})"


def _scrubbed_event(event: ErasureEventRecord) -> ErasureEventRecord:
    key = event.idempotency_key
    if key is not None and not key.startswith(KEY_DIGEST_PREFIX):
        key = key_digest(key)
    return replace(event, evidence="", idempotency_key=key)


def scrubbed(
    request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord]
) -> tuple[ErasureRequestRecord, list[ErasureTaskRecord]]:
    """The request and its tasks (with their events) without the free text that may hold the person's data, as
    they are kept once the request completes: the identity reference, reasons, evidence texts and idempotency
    keys go (keys as their digest); evidence digests stay, so the certificate computed from these verifies."""
    clean_request = replace(
        request, identity_reference="", extension_reason=None, approval_reason=None, pending_suppression=()
    )
    clean_tasks = [
        replace(
            t,
            legal_ground=_scrubbed_ground(t),
            claimed_evidence=None,
            verified_evidence=None,
            rejection_evidence=None,
            history=tuple(_scrubbed_event(e) for e in t.history),
        )
        for t in tasks
    ]
    return clean_request, clean_tasks


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


# The certificate's fields, named as in its document (which must not change: digests kept for completed
# requests are compared with a document computed again from the record).
CERTIFIED_TASK_FIELDS = (
    "key",
    "action",
    "target",
    "categories",
    "legalGround",
    "status",
    "verified",
    "claimedAt",
    "claimedEvidenceDigest",
    "verifiedAt",
    "verifiedEvidenceDigest",
    "restrictedUntil",
    "exception",
)
CERTIFIED_REQUEST_FIELDS = (
    "id",
    "subjectId",
    "jurisdiction",
    "receivedAt",
    "deadline",
    "extendedDeadline",
    "completedAt",
)
# Who acted, added only when kept: a request completed before principals were kept keeps its document (and so
# its digest) byte for byte.
CERTIFIED_REQUEST_PRINCIPALS = ("openedBy", "approvedBy")
CERTIFIED_TASK_PRINCIPALS = ("claimedBy", "verifiedBy")


def _certified_request(r: ErasureRequestRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": r.id,
        "subjectId": r.subject_id,
        "jurisdiction": r.jurisdiction.value,
        "receivedAt": r.received_at,
        "deadline": r.deadline,
        "extendedDeadline": r.extended_deadline,
        "completedAt": r.completed_at,
    }
    principals = {"openedBy": r.opened_by, "approvedBy": r.approved_by}
    return {k: _iso(fields[k]) for k in CERTIFIED_REQUEST_FIELDS} | {
        k: principals[k] for k in CERTIFIED_REQUEST_PRINCIPALS if principals[k] is not None
    }


def _certified_task(t: ErasureTaskRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": t.key,
        "action": t.action.value,
        "target": t.target,
        "categories": list(t.categories),
        "legalGround": t.legal_ground,
        "status": t.status.value,
        "verified": t.verified,
        "claimedAt": t.claimed_at,
        "claimedEvidenceDigest": t.claimed_evidence_digest,
        "verifiedAt": t.verified_at,
        "verifiedEvidenceDigest": t.verified_evidence_digest,
        "restrictedUntil": t.restricted_until,
        "exception": t.exception,
    }
    principals = {"claimedBy": t.claimed_by, "verifiedBy": t.verified_by}
    return {k: _iso(fields[k]) for k in CERTIFIED_TASK_FIELDS} | {
        k: principals[k] for k in CERTIFIED_TASK_PRINCIPALS if principals[k] is not None
    }


def certificate(request: ErasureRequestRecord, tasks: Sequence[ErasureTaskRecord]) -> tuple[str, str]:
    """The completion certificate as canonical JSON, and the SHA-256 digest over all of it."""
    document = {
        "certificate": "erasure completion (GDPR Art. 17 and 19)",
        "request": _certified_request(request),
        "tasks": [_certified_task(t) for t in sorted(tasks, key=lambda t: t.key)],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, digest(text)

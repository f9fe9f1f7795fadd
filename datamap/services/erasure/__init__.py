"""Erasure use cases: plan, request, approve, record and verify outcomes, extend, certify, hold.

Every mutation is one write transaction, with its audit event: it commits whole or not at all. Each takes the
principal it acts for.
"""

from datamap.services.erasure.plans import (
    PLAN_HOPS,
    lift_legal_hold,
    place_legal_hold,
    plan,
)
from datamap.services.erasure.requests import (
    Certificate,
    approve_request,
    completion_certificate,
    extend_deadline,
    get_request,
    list_requests,
    request_erasure,
)
from datamap.services.erasure.tasks import record_outcome, verify_task
from datamap.services.erasure.views import ErasureRequestInput, RequestView, view

__all__ = [
    "PLAN_HOPS",
    "Certificate",
    "ErasureRequestInput",
    "RequestView",
    "approve_request",
    "completion_certificate",
    "extend_deadline",
    "get_request",
    "lift_legal_hold",
    "list_requests",
    "place_legal_hold",
    "plan",
    "record_outcome",
    "request_erasure",
    "verify_task",
    "view",
]

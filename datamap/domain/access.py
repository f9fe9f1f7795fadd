"""Who may do what: roles, the principal a request acts for, and the one table of rules for root fields.

Least privilege first: a `viewer` browses the map; an `engineer` also follows one person's data; `compliance`
also answers and decides people's requests and changes the map; an `erasure_operator` only records what a
system or vendor did with an erasure task; an `auditor` reads the audit log; a `monitor` (a Prometheus scraper)
reads only the service's metrics; an `admin` may do everything.
Every root field of the API has a rule here; a field without one is refused (and fails a test). So has every
endpoint outside GraphQL that is not about the map (`ENDPOINT_RULES`, checked by its route).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ENGINEER = "engineer"
    COMPLIANCE = "compliance"
    ERASURE_OPERATOR = "erasure_operator"
    AUDITOR = "auditor"
    MONITOR = "monitor"  # /metrics and nothing else: what a Prometheus scrape token needs
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a token's name (or an OpenID Connect subject), its role, a recipient scope."""

    id: str
    role: Role
    recipient: str | None = None  # a vendor's token: only that recipient's erasure tasks
    kind: str = "token"  # token, oidc or local

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"


_MAP = {
    "dataCategories",
    "purposes",
    "sources",
    "systems",
    "recipients",
    "subjectCategories",
    "organisations",
    "retentionRules",
    "transfers",
    "categoryLineage",
    "ropa",
    "transferRegister",
    "flows",
    "mapHistory",  # an entry's versions: who changed the map, when and why
}
_PERSON = {
    # what needs fixing in the map: recorded events as counts and the ids of the records (a record is about one
    # person: not for a viewer or an auditor)
    "mapFindings",
    "subjectLineage",
    "subject",
    "erasurePlan",
    "recordCollection",
    "recordDisclosure",
    "recipientImpact",  # names the people whose data reached a recipient
}
_REQUESTS = {
    "shineTheLightReport",
    "answerShineTheLightRequest",
    "issueShineTheLightStandardReport",
    "shineTheLightStandardReport",
    "accessReport",
    "ccpaRightToKnow",
    "erasureRequests",
    "erasureRequest",
    "erasureCertificate",
    "requestErasure",
    "approveErasureRequest",
    "verifyErasureTask",
    "extendDeadline",
    "placeLegalHold",
    "liftLegalHold",
    # documents for a person or an authority, reviewed before sending (domain/review.py)
    "documents",
    "document",
    "draftDocument",
    "approveDocument",
    "markDocumentSent",
    "withdrawDocument",
    # access and right-to-know requests with their deadlines (domain/subject_requests.py)
    "subjectRequests",
    "subjectRequest",
    "recordSubjectRequest",
    "confirmSubjectRequest",
    "extendSubjectRequest",
}
_OUTCOMES = {"erasureRequests", "erasureRequest", "recordErasureOutcome"}
_AUDIT = {"auditLog"}
# changing the map (issue 11): every change a new version with its principal and reason (domain/map_changes.py)
_EDIT = {
    "upsertOrganisation",
    "upsertDataCategory",
    "upsertSource",
    "upsertSystem",
    "upsertPurpose",
    "upsertRecipient",
    "upsertFlow",
    "upsertTransfer",
    "upsertRetentionRule",
    "retireMapEntry",
}
_ADMIN: set[str] = set()  # token administration is the command line's (`datamap token`)

FIELDS_OF_ROLE: dict[Role, frozenset[str]] = {
    Role.VIEWER: frozenset(_MAP),
    Role.ENGINEER: frozenset(_MAP | _PERSON),
    Role.COMPLIANCE: frozenset(_MAP | _PERSON | _REQUESTS | _EDIT),
    Role.ERASURE_OPERATOR: frozenset(_OUTCOMES),
    Role.AUDITOR: frozenset(_MAP | _AUDIT),
    Role.MONITOR: frozenset(),  # no root field: /metrics only (ENDPOINT_RULES)
    Role.ADMIN: frozenset(_MAP | _PERSON | _REQUESTS | _OUTCOMES | _AUDIT | _EDIT | _ADMIN),
}

# The rules by root field: which roles may use it (the table the permission check and its tests read).
RULES: dict[str, frozenset[Role]] = {
    field: frozenset(role for role, fields in FIELDS_OF_ROLE.items() if field in fields)
    for field in set().union(*FIELDS_OF_ROLE.values())
}


# Endpoints outside GraphQL that are no root field, by name: which roles may use them (their route checks it).
# `metrics`: /metrics, request counts and latencies by operation, error codes, the erasure backlog; no person.
ENDPOINT_RULES: dict[str, frozenset[Role]] = {
    "metrics": frozenset({Role.MONITOR, Role.ADMIN}),
}


def may_read(principal: Principal, endpoint: str) -> bool:
    """Whether the principal's role may use an endpoint of `ENDPOINT_RULES`; one without a rule is refused."""
    return principal.role in ENDPOINT_RULES.get(endpoint, frozenset())


def may_use(principal: Principal, field: str) -> bool:
    """Whether the principal's role may use a root field; a field without a rule is refused."""
    return principal.role in RULES.get(field, frozenset())


def unruled(fields: Iterable[str]) -> list[str]:
    """The root fields that have no rule (each must get one)."""
    return sorted(f for f in fields if f not in RULES)

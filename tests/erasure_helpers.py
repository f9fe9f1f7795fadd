"""GraphQL calls the erasure tests share."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

TASK_FIELDS = "id key action target stage dependsOn status verified categories restrictedUntil exception"
REQUEST = """mutation($input: ErasureRequestInput!) { requestErasure(input: $input) {
  id subjectId status deadline effectiveDeadline receiptConfirmationDue overdue warnings art19Recipients
  tasks { TASKS } } }""".replace("TASKS", TASK_FIELDS)
RECORD = """mutation($task: ID!, $outcome: ErasureOutcome!, $evidence: String!, $key: String!) {
  recordErasureOutcome(task: $task, outcome: $outcome, evidence: $evidence, idempotencyKey: $key) {
    id status verified attempts history { type outcome idempotencyKey } } }"""
VERIFY = """mutation($task: ID!, $evidence: String!, $confirmed: Boolean) {
  verifyErasureTask(task: $task, evidence: $evidence, confirmed: $confirmed) { id status verified } }"""
GET = """query($id: ID!) { erasureRequest(id: $id) { id status overdue completedAt tasks { TASKS } } }""".replace(
    "TASKS", TASK_FIELDS
)


def request_input(email: str, **overrides: Any) -> dict[str, Any]:
    return {
        "subject": {"email": email},
        "receivedAt": "2026-11-20T09:00:00Z",
        "jurisdiction": "GDPR",
        "channel": "EMAIL",
        "fromEmail": email,
        "identityVerification": {"method": "EMAIL_CONFIRMATION", "reference": "ticket 4711"},
        **overrides,
    }


async def open_request(api: GraphQLClient, email: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = (await api.query(REQUEST, input=request_input(email, **overrides)))[
        "requestErasure"
    ]
    return data


async def settle_all(api: GraphQLClient, request: dict[str, Any], verify: bool = True) -> None:
    """Record DONE (HELD for restrictions) on every task in stage order, then verify each."""
    for task in sorted(request["tasks"], key=lambda t: (t["stage"], t["key"])):
        if task["status"] != "PENDING":
            continue
        outcome = "HELD" if task["action"] == "RESTRICT" else "DONE"
        await api.query(
            RECORD,
            task=task["id"],
            outcome=outcome,
            evidence=f"confirmed by {task['target']}",
            key=f"k-{task['key']}",
        )
        if verify:
            await api.query(VERIFY, task=task["id"], evidence=f"checked {task['target']} by query")

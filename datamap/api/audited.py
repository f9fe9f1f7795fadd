"""The audit trail at the API: every root field that names a person records who looked, in one place.

`AuditedRead` wraps each field of `PERSON_READS`: once the field has its answer, the event (principal, role,
field, the subject's id, the outcome) is committed before the answer is returned, so no person's data leaves
the service without its event; a refused or failed lookup is recorded too. Mutations record their events in
their own transactions (the services do that).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from datamap.api.access_rules import principal_in, root_fields
from datamap.api.identifiers import now_of, state_of
from datamap.errors import DatamapError
from datamap.services import audit

# root field -> the attribute of its answer that holds the subject's id
PERSON_READS: dict[str, str] = {
    "subjectLineage": "subject_id",
    "subject": "id",
    "erasurePlan": "subject_id",
    "accessReport": "subject_id",
    "ccpaRightToKnow": "subject_id",
    "shineTheLightReport": "subject_id",  # the answer names no subject: its event names none either
}


class AuditedRead(FieldExtension):
    def __init__(self, subject_attribute: str) -> None:
        self.subject_attribute = subject_attribute

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        raise TypeError("a lookup of a person is asynchronous")  # every such field is

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        principal, now = principal_in(info), now_of(info)
        failure: DatamapError | None = None
        try:
            answer = await next_(source, info, **kwargs)
        except DatamapError as exc:
            outcome, subject_id, failure = f"refused: {exc.code}", None, exc
            answer = None
        else:
            subject_id = getattr(answer, self.subject_attribute, None) if answer is not None else None
            outcome = "found" if answer is not None else "not found"
        event = audit.entry(principal, info.field_name, now, outcome=outcome, subject_id=subject_id or None)
        await audit.record_read(state_of(info).db, [event], now)
        if failure is not None:
            raise failure
        return answer


def audit_person_reads(*types: type) -> None:
    """Put `AuditedRead` on every root field of `PERSON_READS` (after the access rule)."""
    for field in root_fields(*types):
        attribute = PERSON_READS.get(field.graphql_name or to_camel_case(field.python_name))
        if attribute is not None and not any(isinstance(e, AuditedRead) for e in field.extensions):
            field.extensions.append(AuditedRead(attribute))

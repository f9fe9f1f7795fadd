"""The audit trail at the API: every root field that names a person records who looked, in one place.

`AuditedRead` wraps each field of `PERSON_READS`: once the field has its answer, its events (principal, role,
field, each subject's id and erasure request, the outcome) are committed before the answer is returned, so no
person's data leaves the service without its event; a refused or failed lookup is recorded too. A list names
each of its people (one event each, one statement). Mutations record their events in their own transactions
(the services do that).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from datamap.api.access_rules import principal_in, root_fields
from datamap.api.identifiers import now_of, state_of
from datamap.services import audit

Named = audit.Named
NamesOf = Callable[[Any], Iterable[Named]]


def _subject(attribute: str) -> NamesOf:
    return lambda answer: [(getattr(answer, attribute) or None, None)]


def _request(answer: Any) -> Iterable[Named]:
    return [(answer.subject_id, str(answer.id))]


def _certificate(answer: Any) -> Iterable[Named]:
    return [(answer.subject_id, str(answer.request_id))]


def _requests(answer: Any) -> Iterable[Named]:
    return [(r.subject_id, str(r.id)) for r in answer] or [(None, None)]


def _document(answer: Any) -> Iterable[Named]:
    return [(answer.subject_id, answer.erasure_request_id or answer.subject_request_id)]


def _documents(answer: Any) -> Iterable[Named]:
    named = {(d.subject_id, d.erasure_request_id or d.subject_request_id) for d in answer}
    return sorted(named, key=str) or [(None, None)]


def _impacted(answer: Any) -> Iterable[Named]:
    """A recipient's impact names the people on its page, one event each."""
    return [(s.subject_id, None) for s in answer.subjects] or [(None, None)]


# root field -> who its answer is about
PERSON_READS: dict[str, NamesOf] = {
    "subjectLineage": _subject("subject_id"),
    "subject": _subject("id"),
    "erasurePlan": _subject("subject_id"),
    "accessReport": _subject("subject_id"),
    "ccpaRightToKnow": _subject("subject_id"),
    "shineTheLightReport": _subject("subject_id"),
    "erasureRequest": _request,
    "erasureRequests": _requests,
    "erasureCertificate": _certificate,
    "document": _document,
    "documents": _documents,
    "subjectRequest": _request,
    "subjectRequests": _requests,
    "recipientImpact": _impacted,
}


class AuditedRead(FieldExtension):
    def __init__(self, names_of: NamesOf) -> None:
        self.names_of = names_of

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        raise TypeError("a lookup of a person is asynchronous")  # every such field is

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        async def answer() -> Any:
            return await next_(source, info, **kwargs)

        # committed (in a batch) before the answer leaves
        return await audit.audited_read(
            principal_in(info),
            info.field_name,
            now_of(info),
            answer,
            self.names_of,
            state_of(info).audit.record,
        )


def audit_person_reads(*types: type) -> None:
    """Put `AuditedRead` on every root field of `PERSON_READS` (after the access rule)."""
    for field in root_fields(*types):
        names_of = PERSON_READS.get(field.graphql_name or to_camel_case(field.python_name))
        if names_of is not None and not any(isinstance(e, AuditedRead) for e in field.extensions):
            field.extensions.append(AuditedRead(names_of))

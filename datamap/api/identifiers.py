"""Shared by resolvers: the application state from the context, and subject identifiers from the input."""

from __future__ import annotations

from strawberry.types import Info

from datamap.api.types import SubjectInput
from datamap.domain.identifiers import SubjectIdentifier, parse_identifiers
from datamap.errors import ValidationError
from datamap.services.context import AppState


def state_of(info: Info) -> AppState:
    state: AppState = info.context["state"]
    return state


def identifiers_of(subject: SubjectInput, where: str = "subject") -> list[SubjectIdentifier]:
    """Normalised identifiers; errors name the argument (`input.subject.email: ...`)."""
    try:
        return parse_identifiers(email=subject.email, phone=subject.phone, external_id=subject.external_id)
    except ValidationError as exc:
        message = str(exc)
        raise ValidationError(message if message.startswith("subject") else f"{where}.{message}") from None

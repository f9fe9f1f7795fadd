"""Shared by resolvers: the application state from the context, the subject named by an input, "now"."""

from __future__ import annotations

import datetime as dt

from strawberry.types import Info

from datamap.api.types import SubjectInput
from datamap.services.context import AppState
from datamap.services.subjects import SubjectLookup, lookup_of


def state_of(info: Info) -> AppState:
    state: AppState = info.context["state"]
    return state


def now_of(info: Info) -> dt.datetime:
    """The instant of this request, from the application's one clock."""
    return state_of(info).clock.now()


def subject_of(info: Info, subject: SubjectInput, where: str = "subject") -> SubjectLookup:
    """The subject an input names; errors name the argument (`input.subject.email: ...`)."""
    return lookup_of(
        state_of(info).secret,
        email=subject.email,
        phone=subject.phone,
        external_id=subject.external_id,
        where=where,
    )

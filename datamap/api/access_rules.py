"""The access rules, enforced in one place: every root field carries `AccessRule`, which checks the table of
`domain/access.py` before the resolver runs. A field the principal's role may not use answers `null` with
`extensions.code = "FORBIDDEN"`; the other fields of the same request are unaffected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from datamap.domain.access import Principal, may_use
from datamap.errors import Forbidden, Unauthenticated


def principal_in(info: Info) -> Principal:
    """The principal of this request (the door let no request without one through)."""
    found = info.context.get("principal")
    if not isinstance(found, Principal):
        raise Unauthenticated("not authenticated")
    return found


def check(info: Info) -> Principal:
    principal = principal_in(info)
    if not may_use(principal, info.field_name):
        raise Forbidden(f"{info.field_name}: the role {principal.role.value} may not use this field")
    return principal


class AccessRule(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        check(info)
        return await next_(source, info, **kwargs)


def root_fields(*types: type) -> Iterable[StrawberryField]:
    for kind in types:
        definition: StrawberryObjectDefinition = kind.__strawberry_definition__  # type: ignore[attr-defined]
        yield from definition.fields


def guard(*types: type) -> None:
    """Put the access rule on every root field of the given Query and Mutation types."""
    for field in root_fields(*types):
        if not any(isinstance(e, AccessRule) for e in field.extensions):
            field.extensions.append(AccessRule())

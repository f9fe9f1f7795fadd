"""`Date` and `DateTime` as strawberry has them (same parsers, same messages), bounded to the years a data map
can be about.

Any date or instant outside the years of `domain.day_range` is refused where it is read, with the same message
whether it was written inline or passed in a variable. The SDL
does not change: the scalars keep their names and descriptions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from graphql import GraphQLError, ValueNode, value_from_ast_untyped
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from datamap.domain.day_range import RANGE, in_range


def _bounded(definition: ScalarDefinition) -> ScalarDefinition:
    """Strawberry's scalar (its parser, its messages), refusing values out of range, inline ones located."""
    parse_base = definition.parse_value
    assert parse_base is not None
    name = definition.name

    def parse_value(value: Any) -> Any:
        parsed = parse_base(value)  # a GraphQLError saying what is wrong with a value that is not a date
        if not in_range(parsed):
            raise GraphQLError(f'{name} "{value}" is out of range: give one {RANGE}.')
        return parsed

    def parse_literal(node: ValueNode, variables: Any = None) -> Any:
        try:
            return parse_value(value_from_ast_untyped(node, variables))
        except GraphQLError as exc:
            raise GraphQLError(exc.message, node) from None

    return dataclasses.replace(
        definition, parse_value=parse_value, parse_literal=parse_literal, implementation=None
    )


DATE = _bounded(DateDefinition)
DATETIME = _bounded(DateTimeDefinition)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.date: DATE, dt.datetime: DATETIME}

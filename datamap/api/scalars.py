"""`Date` and `DateTime` as strawberry has them (same parsers, same messages), bounded to the years a data map
can be about.

A day like 9999-12-31 parses, but the rules computing with it (the day after, a deadline a month later, the
calendar year before) overflow Python's dates; so any date or instant outside `FIRST_DAY`..`LAST_DAY` (UTC) is
refused where it is read, with the same message whether it was written inline or passed in a variable. The SDL
does not change: the scalars keep their names and descriptions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from graphql import GraphQLError, ValueNode, value_from_ast_untyped
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from datamap.errors import ValidationError

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
_FIRST = dt.datetime.combine(FIRST_DAY, dt.time(), dt.UTC)
_END = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(), dt.UTC)
RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def in_range(value: dt.date) -> bool:
    """A day, or an instant (UTC; a naive one read as UTC), within the years the service accepts."""
    if isinstance(value, dt.datetime):
        try:
            instant = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 has no UTC instant Python can hold
            return False
        return _FIRST <= instant < _END
    return FIRST_DAY <= value <= LAST_DAY


def parse_day(raw: str, where: str) -> dt.date:
    """A `YYYY-MM-DD` query parameter (`where` names it), within the range; else `ValidationError`."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if not in_range(day):
        raise ValidationError(f"{where}: {raw} is out of range; give a day {RANGE}") from None
    return day


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

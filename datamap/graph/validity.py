"""When a map fact holds: the one validity predicate, as named Cypher fragments.

Every fact of the map carries `validFrom` (a date) and optionally `validTo` (the first day it no longer
holds). A fact holds on `$asOf` when `validFrom <= $asOf` and `validTo` is null or after `$asOf`.
"""

from __future__ import annotations

from typing import LiteralString


def valid(variable: LiteralString) -> LiteralString:
    """The predicate for one node or relationship variable: `valid("f")`."""
    return (
        variable
        + ".validFrom <= $asOf AND ("
        + variable
        + ".validTo IS NULL OR "
        + variable
        + ".validTo > $asOf)"
    )


def all_valid(variable: LiteralString, elements: LiteralString) -> LiteralString:
    """The predicate for every element of a list: `all_valid("x", "nodes(path)")`."""
    return "all(" + variable + " IN " + elements + " WHERE " + valid(variable) + ")"

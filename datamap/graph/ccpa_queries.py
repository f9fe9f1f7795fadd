"""The CCPA right to know's own statement: each data category's §1798.140(v)(1) letter (`ccpaCategory`)."""

from __future__ import annotations

from typing import LiteralString, TypedDict, cast

from datamap.graph.database import Database

CCPA_CATEGORY_LETTERS: LiteralString = """
MATCH (c:DataCategory)
RETURN c.key AS key, c.ccpaCategory AS letter
"""


class CategoryLetterRow(TypedDict):
    key: str
    letter: str | None


async def read_ccpa_letters(db: Database) -> dict[str, str | None]:
    """CCPA_CATEGORY_LETTERS: data category key -> its letter of §1798.140(v)(1), None where the seed gives none."""
    rows = cast(list[CategoryLetterRow], await db.read(CCPA_CATEGORY_LETTERS))
    return {r["key"]: r["letter"] for r in rows}

"""The CCPA right to know's own statement: each data category's §1798.140(v)(1) letter (`ccpaCategory`), as the
map said on the day the request is answered as of (a category's letter can change in a later version, and an
answer about an earlier day must stay what it was: `validity.as_of_version`)."""

from __future__ import annotations

import datetime as dt
from typing import LiteralString, TypedDict, cast

from datamap.graph.database import Database
from datamap.graph.validity import as_of_version

CCPA_CATEGORY_LETTERS: LiteralString = (
    """
MATCH (c:DataCategory)
WITH c, """
    + as_of_version("c")
    + """ AS ca
RETURN c.key AS key, ca.ccpaCategory AS letter
"""
)


class CategoryLetterRow(TypedDict):
    key: str
    letter: str | None


async def read_ccpa_letters(db: Database, as_of: dt.date) -> dict[str, str | None]:
    """CCPA_CATEGORY_LETTERS: data category key -> its letter of §1798.140(v)(1) on `as_of`, None where the map
    gives none."""
    rows = cast(list[CategoryLetterRow], await db.read(CCPA_CATEGORY_LETTERS, asOf=as_of))
    return {r["key"]: r["letter"] for r in rows}

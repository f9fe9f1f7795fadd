"""One data subject as a caller names it: normalised identifiers, their keyed hashes, the one-subject rule.

Every use case about one person starts here, so the rules are written once: identifiers are normalised
(`domain.identifiers`), only their keyed hashes reach the graph, identifiers that point to two subjects are an
error naming the argument, and a subject the graph no longer holds may be an erased one (the suppression list
keeps its keyed hashes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from datamap.domain.identifiers import SubjectIdentifier, parse_identifiers
from datamap.errors import NotFound, ValidationError
from datamap.graph.database import Database, Transaction
from datamap.graph.subject_lookup import SuppressionRow, find_suppression, subject_ids

R = TypeVar("R")


@dataclass(frozen=True)
class SubjectLookup:
    """The identifiers of one subject as given in argument `where`, and their keyed hashes (sorted)."""

    identifiers: tuple[SubjectIdentifier, ...]
    hashes: list[str]
    where: str = "subject"

    def one(self, rows: Sequence[R]) -> R | None:
        """The row of the one subject the identifiers point to; None when none; an error when several."""
        if len(rows) > 1:
            raise ValidationError(
                f"{self.where}: the identifiers given belong to different subjects; give one of them"
            )
        return rows[0] if rows else None

    async def suppression(self, db: Database) -> SuppressionRow | None:
        """The suppression entry of these identifiers: set when an erasure request covered them."""
        return await find_suppression(db, self.hashes)

    async def subject_id(self, tx: Transaction) -> str | None:
        """The id of the one subject the identifiers point to, read inside `tx`; None when none."""
        return self.one(await subject_ids(tx, self.hashes))

    def unknown(self) -> NotFound:
        """The error for identifiers that point to no subject, naming the argument."""
        return NotFound(f"{self.where}: the graph holds no such subject (never recorded, or erased)")


def lookup(identifiers: Sequence[SubjectIdentifier], secret: bytes, where: str = "subject") -> SubjectLookup:
    """The lookup of already normalised identifiers."""
    if not identifiers:
        raise ValidationError(f"{where}: give at least one identifier (email, phone or externalId)")
    return SubjectLookup(tuple(identifiers), sorted({i.keyed_hash(secret) for i in identifiers}), where)


def lookup_of(
    secret: bytes,
    *,
    email: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    where: str = "subject",
) -> SubjectLookup:
    """Normalise the identifiers as given; errors name the argument (`input.subject.email: ...`)."""
    try:
        identifiers = parse_identifiers(email=email, phone=phone, external_id=external_id)
    except ValidationError as exc:
        message = str(exc)
        located = f"{where}:{message[8:]}" if message.startswith("subject:") else f"{where}.{message}"
        raise ValidationError(located) from None
    return lookup(identifiers, secret, where)

"""Data category keys: dotted, fideslang-compatible (`user.contact.email`), forming a hierarchy."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from datamap.errors import ValidationError

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def check_category_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValidationError(
            f"data category {key!r}: keys are dotted lower-case words, e.g. 'user.contact.email'"
        )
    return key


def ancestors(key: str) -> list[str]:
    """`user.contact.email` -> `['user', 'user.contact']`."""
    parts = key.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def covers(general: str, specific: str) -> bool:
    """Whether `general` is `specific` or one of its ancestors."""
    return general == specific or specific.startswith(general + ".")


def related(a: str, b: str) -> bool:
    """Whether data of one category can contain data of the other (same, ancestor or descendant)."""
    return covers(a, b) or covers(b, a)


def unheld(held: Iterable[str], carried: Iterable[str]) -> list[str]:
    """The categories of `carried` that nothing in `held` is related to (the same, above or below): what a flow
    from a system holding `held` says it carries but cannot, since lineage narrows what travels along a flow to
    what its source system holds (`narrow`). The one rule for the seed (`seed_model`) and map changes."""
    kept = tuple(held)
    return [c for c in carried if not any(related(h, c) for h in kept)]


def narrow(held: Iterable[str], carried: Iterable[str]) -> list[str]:
    """What of `held` travels along a flow carrying `carried`: for each related pair, the narrower key."""
    return list(_narrow(tuple(held), tuple(carried)))


@lru_cache(maxsize=16384)
def _narrow(held: tuple[str, ...], carried: tuple[str, ...]) -> tuple[str, ...]:
    # A lineage narrows the same few category sets along many paths: computed once each (keys are map data).
    out: set[str] = set()
    for h in held:
        for c in carried:
            if covers(h, c):
                out.add(c)
            elif covers(c, h):
                out.add(h)
    return tuple(sorted(out))

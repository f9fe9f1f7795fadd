"""The categories of personal information of the CCPA (Civ. Code §1798.140(v)(1)(A)-(L)). Pure.

The right to know names categories "by reference to the enumerated category or categories in [§1798.140(v)(1)]"
(§1798.110(c); §1798.130(a)(4)(B), (c)), not by the business's own keys: each data category of the seed carries
one of the letters below (`ccpaCategory`), and a category without one takes its nearest ancestor's.
UNVERIFIED: law.md gives the list "from knowledge" and marks the letters (A)-(L) unverified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from datamap.domain.categories import ancestors


@dataclass(frozen=True, order=True)
class CcpaCategory:
    """One enumerated category of §1798.140(v)(1): its letter, the statute's term, the subsection."""

    letter: str
    term: str
    subsection: str

    def text(self) -> str:
        return f"{self.term} ({self.subsection})"


def _of(letter: str, term: str, extra: str = "") -> CcpaCategory:
    return CcpaCategory(letter, term, f"§1798.140(v)(1)({letter}){extra}")


CCPA_CATEGORIES: Mapping[str, CcpaCategory] = {
    c.letter: c
    for c in (
        _of("A", "Identifiers"),
        _of("B", "Customer records information", "; §1798.80(e)"),
        _of("C", "Characteristics of protected classifications under California or federal law"),
        _of("D", "Commercial information"),
        _of("E", "Biometric information"),
        _of("F", "Internet or other electronic network activity information"),
        _of("G", "Geolocation data"),
        _of("H", "Audio, electronic, visual, thermal, olfactory, or similar information"),
        _of("I", "Professional or employment-related information"),
        _of("J", "Education information"),
        _of("K", "Inferences drawn to create a profile"),
        _of("L", "Sensitive personal information", "; §1798.140(ae)"),
    )
}


def unmapped(key: str) -> CcpaCategory:
    """A category the seed maps to no term: named by its key, so that staff see it (never silently dropped)."""
    return CcpaCategory("?", f"{key} (no §1798.140(v)(1) category mapped)", "§1798.140(v)(1)")


def term_of(key: str, letters: Mapping[str, str | None]) -> CcpaCategory:
    """The §1798.140(v)(1) category of data category `key`: its own letter, else its nearest ancestor's."""
    for candidate in (key, *reversed(ancestors(key))):
        letter = letters.get(candidate)
        if letter:
            return CCPA_CATEGORIES[letter]
    return unmapped(key)


def terms_of(keys: set[str] | list[str], letters: Mapping[str, str | None]) -> list[CcpaCategory]:
    """The distinct §1798.140(v)(1) categories of some data categories, in the statute's order."""
    return sorted({term_of(k, letters) for k in keys})

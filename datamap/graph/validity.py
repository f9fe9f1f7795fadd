"""When a map fact holds, and what it said then: the one validity predicate and the one as-of reading of an
entry's attributes, as named Cypher fragments.

Every fact of the map carries `validFrom` (a date) and optionally `validTo` (the first day it no longer
holds): entries (nodes), flows (FLOWS_TO) and the relationships entries own (a recipient's `IS`, a system's
`OPERATED_BY` and `STORES`, ...). A fact holds on `$asOf` when `validFrom <= $asOf` and `validTo` is null or
after `$asOf` (`valid`). A change to a relationship closes it and creates another (`graph/map_versions.py`),
so a query that follows one checks `valid` on the relationship as well as on the entries.

An entry's attributes change in versions while the node stays (the subject layer points at it): the node holds
the current version's attributes from `versionFrom`; each earlier version is a `MapVersion` node
(`(n)-[:PREVIOUS_VERSION]->(v)`, holding from `v.versionFrom` until `v.versionTo`). `as_of_version("n")` is the
node itself when `$asOf` is on or after `versionFrom` (no extra read: the path of every answer about today),
else the version that held then. Read attributes from it and the entry's lifetime (`validFrom`, `validTo`)
from the node. The statements that print attributes that can change read them through it: the Shine-the-Light
statements (a recipient's organisation's name and address), the RoPA, the transfer register, the access
report, lineage and erasure (`lineage_queries.py`, `report_queries.py`), and map browsing (`map_queries.py`).
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


def as_of_version(variable: LiteralString, on: LiteralString = "$asOf") -> LiteralString:
    """The node, or its `MapVersion`, that holds the entry's attributes on `$asOf` (or on the day `on` names, a
    parameter): `as_of_version("r")`. An expression; bind it (`WITH r, <it> AS ra`) and project attributes from
    it (`ra {.name, .address}`)."""
    version = variable + ("_version" if on == "$asOf" else "_version_on")
    return (
        "CASE WHEN "
        + variable
        + ".versionFrom IS NULL OR "
        + variable
        + ".versionFrom <= "
        + on
        + " THEN "
        + variable
        + " ELSE coalesce(head([("
        + variable
        + ")-[:PREVIOUS_VERSION]->("
        + version
        + ":MapVersion) WHERE "
        + version
        + ".versionFrom <= "
        + on
        + " AND "
        + on
        + " < "
        + version
        + ".versionTo | "
        + version
        + "]), "
        + variable
        + ") END"
    )


def organisation_of(recipient: LiteralString) -> LiteralString:
    """The organisation a recipient is (its `IS` relationship valid on `$asOf`), as of `$asOf`; null when the
    map names none then."""
    link, org = recipient + "_is", recipient + "_org"
    return (
        "head([("
        + recipient
        + ")-["
        + link
        + ":IS]->("
        + org
        + ":Organisation) WHERE "
        + valid(link)
        + " | "
        + as_of_version(org)
        + "])"
    )

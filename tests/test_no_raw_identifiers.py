"""The map stores no raw personal data: every string property in Neo4j is scanned."""

from __future__ import annotations

import re

import pytest

from datamap.domain.identifiers import normalise_phone
from datamap.graph.database import Database
from datamap.services.seed import read_seed
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.neo4j

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
E164 = re.compile(r"\+\d{8,15}\b")


async def _all_strings(db: Database) -> list[str]:
    rows = await db.read(
        "CALL () { MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p } "
        "RETURN p"
    )
    out: list[str] = []
    for row in rows:
        for value in row["p"].values():
            values = value if isinstance(value, list) else [value]
            out += [v for v in values if isinstance(v, str)]
    return out


async def test_no_subject_email_or_phone_is_stored_anywhere(api: GraphQLClient, seeded: Database) -> None:
    source, system = _some_source_and_system()
    await api.query(
        """mutation($source: String!, $system: String!) { recordCollection(input: {
             subject: {email: "Zoe.Raw@Example.org", phone: "+44 20 7946 0958", externalId: "crm-42"},
             categories: ["user.contact.email"], source: $source, system: $system, at: "2024-02-01T09:00:00Z"
           }) { id } }""",
        source=source,
        system=system,
    )
    strings = await _all_strings(seeded)
    assert strings, "the scan found no strings at all"
    raw = {"zoe.raw@example.org", "+442079460958", "+44 20 7946 0958", "crm-42"}
    for s in read_seed().subjects:
        ids = s.identifiers
        raw |= {v.strip().lower() for v in (ids.email, ids.phone, ids.external_id) if v}
        if ids.phone:
            raw.add(normalise_phone(ids.phone))  # the E.164 form too
    lowered = [s.lower() for s in strings]
    for value in raw:
        assert not any(value in s for s in lowered), f"raw identifier {value!r} stored in the graph"
    # and nothing that looks like a subject's email or phone number, except the controller's published contacts
    published = {c.value.lower() for c in read_seed().contact_points}
    for s in lowered:
        for found in EMAIL.findall(s):
            assert any(found in p for p in published), f"email-like value {found!r} in the graph"
        for found in E164.findall(s):
            assert any(found in p.replace(" ", "").replace("-", "") for p in published), (
                f"phone-like {found!r}"
            )


def _some_source_and_system() -> tuple[str, str]:
    seed = read_seed()
    flow = next(f for f in seed.flows if f.from_.source and f.to.system)
    return flow.from_.key, flow.to.key

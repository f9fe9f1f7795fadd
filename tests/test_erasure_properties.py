"""Property-based: on generated data maps, the erasure plan never misses a reachable holder and never puts a
downstream holder before its upstream source. Each generated map is loaded into the real Neo4j."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datamap.config import Neo4jSettings
from datamap.domain.categories import narrow
from datamap.domain.seed_model import SeedMap, parse_seed
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.services import erasure
from datamap.services.seed import load_seed_map
from datamap.services.subjects import lookup_of
from tests.conftest import NOW, SECRET
from tests.helpers import implied_holders

pytestmark = pytest.mark.neo4j

CATEGORIES = ["user", "user.a", "user.a.x", "user.a.y", "user.b"]
LEAVES = st.lists(st.sampled_from(CATEGORIES[1:]), min_size=1, max_size=3, unique=True)


@st.composite
def data_maps(draw: st.DrawFn) -> SeedMap:
    systems = [f"sys{i}" for i in range(draw(st.integers(1, 4)))]
    recipients = [f"rec{i}" for i in range(draw(st.integers(0, 3)))]
    ends = [{"system": s} for s in systems] + [{"recipient": r} for r in recipients]
    flows = []
    for i in range(draw(st.integers(0, 9))):
        start = draw(st.sampled_from([{"source": "src"}] + [{"system": s} for s in systems]))
        end = draw(st.sampled_from(ends))
        if start.get("system") and start.get("system") == end.get("system"):
            continue
        flows.append({"key": f"f{i}", "ref": "gen", "from": start, "to": end, "categories": draw(LEAVES)})
    records = [
        {
            "system": draw(st.sampled_from(systems)),
            "source": "src",
            "categories": draw(LEAVES),
            "at": "2024-01-01T00:00:00Z",
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    disclosures = [
        {
            "recipient": draw(st.sampled_from(recipients)),
            "categories": draw(LEAVES),
            "purpose": "p",
            "at": "2024-02-01T00:00:00Z",
        }
        for _ in range(draw(st.integers(0, 2)) if recipients else 0)
    ]
    entry = {"ref": "gen"}
    documents: dict[str, Any] = {
        "notice.yaml": {
            "notice": {
                "title": "generated",
                "controller": "c",
                "effective": "2018-01-01",
                "language": "en",
                "document": "none",
            }
        },
        "organisations.yaml": {"organisations": [{"key": "c", "name": "C", "controller": True, **entry}]},
        "data_categories.yaml": {"data_categories": [{"key": k, "name": k, **entry} for k in CATEGORIES]},
        "subject_categories.yaml": {"subject_categories": [{"key": "lead", "name": "Lead", **entry}]},
        "sources.yaml": {"sources": [{"key": "src", "name": "Source", "kind": "direct", **entry}]},
        "systems.yaml": {
            "systems": [
                # every system stores every category: a flow may carry only what its source system stores
                {
                    "key": s,
                    "name": s,
                    "operator": "c",
                    "backups": s == "sys0",
                    "categories": CATEGORIES,
                    **entry,
                }
                for s in systems
            ]
        },
        "purposes.yaml": {"purposes": [{"key": "p", "name": "P", "legalBasis": "contract", **entry}]},
        "recipients.yaml": {
            "recipients": [
                {
                    "key": r,
                    "name": r,
                    "kind": "k",
                    "role": ["processor", "third_party", "affiliate"][i % 3],
                    **entry,
                }
                for i, r in enumerate(recipients)
            ]
        },
        "flows.yaml": {"flows": flows},
        "subjects.yaml": {
            "subjects": [
                {
                    "key": "s",
                    "identifiers": {"email": "gen@example.com"},
                    "records": records,
                    "disclosures": disclosures,
                }
            ]
        },
        **{
            f"{name}.yaml": {name: []}
            for name in ("transfers", "retention", "rights", "deadlines", "contact_points")
        },
    }
    return parse_seed(documents)


def _reaches(seed: SeedMap, a: str, b: str) -> bool:
    """Whether any chain of flows leads from holder a to holder b (whatever they carry)."""
    frontier, seen = [a], {a}
    while frontier:
        node = frontier.pop()
        for f in seed.flows:
            if f.from_.system == node:
                nxt = f.to.system or f.to.recipient or ""
                if nxt == b:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
    return False


async def _plan(settings_: Neo4jSettings, seed: SeedMap) -> erasure.ErasurePlan:
    db = Database(settings_)
    try:
        await db.write("MATCH (n) DETACH DELETE n")
        await apply_schema(db)
        await load_seed_map(db, seed, SECRET)
        found = await erasure.plan(db, lookup_of(SECRET, email="gen@example.com"), now=NOW)
        assert found is not None
        return found
    finally:
        await db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=data_maps())
def test_no_reachable_holder_is_missing_and_upstream_comes_first(
    neo4j_settings: Neo4jSettings, seed: SeedMap
) -> None:
    plan = asyncio.run(_plan(neo4j_settings, seed))
    targets = {t.target for t in plan.tasks if t.action.value != "suppress"}
    assert implied_holders(seed, "s") <= targets
    stage: dict[str, int] = {}
    held: dict[str, set[str]] = {}
    for t in plan.tasks:
        if t.action.value not in ("suppress", "put_backup_beyond_use"):
            stage[t.target] = min(stage.get(t.target, 99), t.stage)
            held.setdefault(t.target, set()).update(t.categories)
    for f in seed.flows:
        a, b = f.from_.system, f.to.system or f.to.recipient or ""
        if a in stage and b in stage and narrow(sorted(held[a]), f.categories) and not _reaches(seed, b, a):
            assert stage[a] < stage[b], f"{b} (stage {stage[b]}) before its upstream {a} (stage {stage[a]})"
    for t in plan.tasks:
        if t.action.value == "put_backup_beyond_use":
            assert any(d.endswith(f":{t.target}") for d in t.depends_on)

"""Map as code: `datamap map export` writes the graph's map as seed files that `seed load` turns into the same
graph, and `datamap map diff` says what loading a folder would change."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from datamap.config import Neo4jSettings
from datamap.domain.access import Principal, Role
from datamap.domain.map_changes import MapKind
from datamap.domain.map_diff import Change, EntryChange, FieldChange, diff_maps
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.services import map_editing
from datamap.services.map_export import diff_folder, export_folder, export_map
from datamap.services.seed import SEED_DIR, load_seed, read_seed
from tests.conftest import SECRET, assert_clear_error, datamap_command
from tests.test_cli_commands import environment_for

NODES = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"
RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS label, count(*) AS count"


async def census(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    """How many nodes of each label and relationships of each type the graph holds."""
    nodes = {r["label"]: r["count"] for r in await db.read(NODES)}
    relationships = {r["label"]: r["count"] for r in await db.read(RELATIONSHIPS)}
    return nodes, relationships


async def wipe(db: Database) -> None:
    """An empty graph with the schema applied, as the `db` fixture starts."""
    await db.write("MATCH (n) DETACH DELETE n")
    await apply_schema(db)


def seed_without_subjects(tmp_path: Path) -> Path:
    """The repository's seed, its example subjects left out: the map alone."""
    folder = tmp_path / "map"
    shutil.copytree(SEED_DIR, folder)
    (folder / "subjects.yaml").write_text("subjects: []\n")
    return folder


def edit(folder: Path, file: str, change: Any) -> None:
    """Change one seed file's entries as a person editing the YAML would."""
    path = folder / f"{file}.yaml"
    document = yaml.safe_load(path.read_text())
    change(document[file])
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@pytest.mark.neo4j
async def test_export_then_load_into_an_empty_database_gives_the_same_graph(
    db: Database, tmp_path: Path
) -> None:
    await load_seed(db, SECRET, seed_without_subjects(tmp_path))
    before = await census(db)
    exported = await export_folder(db, tmp_path / "exported", as_of=None)
    assert exported.notes == ()  # the graph holds nothing the seed format cannot carry

    await wipe(db)
    assert await census(db) != before
    await load_seed(db, SECRET, tmp_path / "exported")
    assert await census(db) == before
    assert before[0]["Organisation"] >= 9 and before[1]["FLOWS_TO"] > 50
    # and the reloaded graph exports the same map again
    assert (await diff_folder(db, tmp_path / "exported")).equal


@pytest.mark.neo4j
async def test_the_seeds_map_comes_back_but_not_its_example_subjects(
    seeded: Database, tmp_path: Path
) -> None:
    seed = read_seed()
    exported = await export_folder(seeded, tmp_path / "exported", as_of=None)
    assert diff_maps(seed, exported.seed).equal
    assert read_seed(tmp_path / "exported").subjects == ()
    assert [n for n in exported.notes if n.startswith("subjects: the graph holds")], exported.notes
    # exported into the seed's own copy, the example subjects stay as they were
    copy = tmp_path / "copy"
    shutil.copytree(SEED_DIR, copy)
    again = await export_folder(seeded, copy, as_of=None)
    rewritten = read_seed(copy)
    assert diff_maps(rewritten, exported.seed).equal and rewritten.subjects == seed.subjects
    assert any("subjects.yaml: kept as it was" in n for n in again.notes)


@pytest.mark.neo4j
async def test_map_diff_lists_exactly_what_loading_would_change(
    seeded: Database, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    env = environment_for(neo4j_settings)
    folder = tmp_path / "map"
    written = datamap_command("map", "export", "--folder", str(folder), env=env)
    assert written.returncode == 0, written.stderr
    assert f"seed files to {folder}" in written.stdout and "note: subjects:" in written.stdout

    same = datamap_command("map", "diff", str(folder), env=env)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "would change nothing" in same.stdout
    assert datamap_command("map", "diff", str(SEED_DIR), env=env).returncode == 0
    assert_clear_error(datamap_command("map", "diff", str(tmp_path / "missing"), env=env), "does not exist")

    def move_billing(systems: list[dict[str, Any]]) -> None:
        (billing,) = [s for s in systems if s["key"] == "billing"]
        billing["country"] = "NL"
        billing["categories"].reverse()  # the order of a list is no change

    edit(folder, "systems", move_billing)
    diff = await diff_folder(seeded, folder)
    assert diff.changes == (
        EntryChange("systems", "billing", Change.CHANGED, (FieldChange("country", "US", "NL"),)),
    )
    shown = datamap_command("map", "diff", str(folder), env=env)
    assert shown.returncode == 1, shown.stderr
    assert shown.stdout.splitlines()[1:] == ["~ systems billing:", '    country: "US" -> "NL"']

    def replace_one(rights: list[dict[str, Any]]) -> None:
        (gone,) = [r for r in rights if r["key"] == "ccpa_right_to_delete"]
        rights.remove(gone)
        rights.append({**gone, "key": "new_right"})

    edit(folder, "rights", replace_one)
    kinds = {(c.kind, c.key): c.change for c in (await diff_folder(seeded, folder)).changes}
    assert kinds == {
        ("systems", "billing"): Change.CHANGED,
        ("rights", "ccpa_right_to_delete"): Change.ONLY_IN_GRAPH,
        ("rights", "new_right"): Change.ADDED,
    }


@pytest.mark.neo4j
async def test_as_of_a_day_leaves_out_what_did_not_hold_then(seeded: Database, tmp_path: Path) -> None:
    early = (await export_folder(seeded, tmp_path / "2019", as_of=dt.date(2019, 6, 1))).seed
    late = (await export_map(seeded, dt.date(2024, 10, 1))).seed
    assert "ccpa_right_to_delete" not in {r.key for r in early.rights}  # validFrom 2020-01-01
    assert "ccpa_right_to_delete" in {r.key for r in late.rights}
    assert "ccpa_response" not in {d.key for d in early.deadlines}

    def programs(seed: Any) -> set[str]:
        (google,) = [o for o in seed.organisations if o.key == "google_llc"]
        return {c.program.value for c in google.certifications}

    assert programs(early) == {"eu_us_privacy_shield", "swiss_us_privacy_shield"}  # the DPF came in 2023
    assert {"eu_us_dpf", "uk_extension", "swiss_us_dpf"} <= programs(late)
    assert read_seed(tmp_path / "2019").rights == early.rights  # what was written loads


@pytest.mark.neo4j
async def test_an_entry_changed_through_the_api_exports_its_latest_version(
    seeded: Database, tmp_path: Path
) -> None:
    editor = Principal("editor", Role.ADMIN)
    (billing,) = [s for s in read_seed().systems if s.key == "billing"]
    fields = billing.model_dump(by_alias=True, exclude={"valid_from", "valid_to"})
    moved = dt.date(2026, 6, 1)
    await map_editing.upsert(
        seeded,
        MapKind.SYSTEM,
        {**fields, "country": "NL"},
        expected_version=1,
        reason="billing moved to the Amsterdam data centre",
        effective_from=moved,
        principal=editor,
        # made on the day it takes effect: a change is never backdated
        now=dt.datetime.combine(moved, dt.time(12), dt.UTC),
    )
    await map_editing.retire(
        seeded,
        MapKind.FLOW,
        "accounts_to_billing",
        expected_version=1,
        reason="invoices are made from the platform now",
        effective_from=dt.date(2026, 7, 1),
        principal=editor,
        now=dt.datetime.combine(dt.date(2026, 7, 1), dt.time(12), dt.UTC),
    )

    latest = await export_folder(seeded, tmp_path / "latest", as_of=None)
    assert "systems 'billing': 1 earlier version not exported, only the latest (version 2)" in latest.notes[0]
    diff = await diff_folder(seeded, SEED_DIR)  # what loading the repository's seed would put back
    assert diff.changes == (
        EntryChange("systems", "billing", Change.CHANGED, (FieldChange("country", "NL", "US"),)),
        EntryChange(
            "flows", "accounts_to_billing", Change.CHANGED, (FieldChange("validTo", "2026-07-01", None),)
        ),
    )
    assert diff.lines()[0].startswith(
        "! the graph's map has 2 changes made through the API: `seed load` refuses"
    )

    before = (await export_map(seeded, moved - dt.timedelta(days=1))).seed
    after = (await export_map(seeded, dt.date(2026, 8, 1))).seed
    assert [s.country for s in before.systems if s.key == "billing"] == ["US"]
    assert [s.country for s in after.systems if s.key == "billing"] == ["NL"]
    assert "accounts_to_billing" in {f.key for f in before.flows}
    assert "accounts_to_billing" not in {f.key for f in after.flows}

    # the latest version loads into an empty graph and exports the same (its history stays behind)
    await wipe(seeded)
    await load_seed(seeded, SECRET, tmp_path / "latest")
    assert (await diff_folder(seeded, tmp_path / "latest")).equal


@pytest.mark.neo4j
async def test_what_the_seed_cannot_carry_is_reported_by_name(seeded: Database, tmp_path: Path) -> None:
    await seeded.write("MATCH (s:System {key: 'billing'}) SET s.owner = 'ops'")
    await seeded.write("MATCH (s:System {key: 'support_desk'}) SET s.validFrom = date('2025-01-01')")
    exported = await export_map(seeded, dt.date(2024, 6, 1))
    notes = "\n".join(exported.notes)
    assert (
        "systems: property 'owner' has no field in the seed format, not exported (1 entry: billing)" in notes
    )
    # the system did not hold yet: what names it loses the reference, what cannot stand without it is left out
    assert "support_desk" not in {s.key for s in exported.seed.systems}
    assert "systems 'support_desk'" in notes and "flows '" in notes and "left out" in notes
    assert all("support_desk" not in p.systems for p in exported.seed.purposes)
    assert all("support_desk" not in (f.from_.key, f.to.key) for f in exported.seed.flows)


@pytest.mark.neo4j
async def test_bad_folders_and_an_empty_graph_are_named(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="the graph holds no map"):
        await export_map(db, None)
    await load_seed(db, SECRET, seed_without_subjects(tmp_path))
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.yaml").write_text("a: 1\n")
    with pytest.raises(
        ValidationError, match=r"--folder .*stray: holds YAML files that are no seed file \(notes"
    ):
        await export_folder(db, stray, as_of=None)
    assert sorted(p.name for p in stray.iterdir()) == ["notes.yaml"]  # nothing written
    with pytest.raises(
        ValidationError, match=r"the map on 2018-01-01 is not a loadable seed: .*one controller"
    ):
        await export_map(db, dt.date(2018, 1, 1))  # before the notice: no controller yet
    with pytest.raises(ValidationError, match="does not exist"):
        await diff_folder(db, tmp_path / "missing")


def test_map_commands_have_help_and_refuse_a_bad_date() -> None:
    for command in (["map"], ["map", "export"], ["map", "diff"]):
        result = datamap_command(*command, "--help")
        assert result.returncode == 0 and "usage: datamap map" in result.stdout, result.stderr
    assert "0 when loading the folder would change nothing, 1 when it would" in datamap_command(
        "map", "diff", "--help"
    ).stdout.replace("\n", " ")
    bad = datamap_command("map", "export", "--folder", "x", "--as-of", "2024-13-01")
    assert bad.returncode == 2 and "--as-of" in bad.stderr, bad.stderr


def test_a_diff_names_kind_key_and_field_and_ignores_the_order_of_lists() -> None:
    seed = read_seed()
    billing = next(s for s in seed.systems if s.key == "billing")
    edited = billing.model_copy(
        update={"categories": tuple(reversed(billing.categories)), "backups": not billing.backups}
    )
    folder = seed.model_copy(
        update={
            "systems": tuple(edited if s.key == "billing" else s for s in seed.systems),
            "rights": seed.rights[1:],
        }
    )
    diff = diff_maps(folder, seed)
    assert diff.lines() == [
        "~ systems billing:",
        f"    backups: {str(billing.backups).lower()} -> {str(not billing.backups).lower()}",
        f"= rights {seed.rights[0].key}: in the graph only, loading leaves it (seed load deletes nothing)",
    ]
    assert diff_maps(seed, folder).changes[1] == EntryChange("rights", seed.rights[0].key, Change.ADDED)

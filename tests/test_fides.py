"""fideslang: `datamap fides export` writes a manifest Fides' own models accept, `datamap fides import` adds a
manifest's systems and declarations to the map (GitHub issue 11, part 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import Taxonomy

from datamap.config import Neo4jSettings
from datamap.domain.access import Principal, Role
from datamap.domain.fides_mapping import EXTENSION_USES, PURPOSE_DATA_USES, SUBJECT_DATA_SUBJECTS
from datamap.domain.map_changes import MapKind
from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services import map_editing
from datamap.services.fides import export_manifest, import_manifest
from datamap.services.seed import read_seed
from tests.conftest import NOW, SECRET, TODAY, GraphQLClient, assert_clear_error, datamap_command
from tests.test_cli_commands import environment_for
from tests.test_map_as_code import census

DEFAULT_USES = {u.fides_key: u for u in DEFAULT_TAXONOMY.data_use}
DEFAULT_CATEGORIES = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
DEFAULT_SUBJECTS = {s.fides_key for s in DEFAULT_TAXONOMY.data_subject}

SYSTEMS = "query { systems { key name operator categories provenance { ref validFrom } } }"
PURPOSES = "query { purposes { key systems categories subjectCategories } }"
CATEGORIES = 'query { dataCategories(under: "user.demographic") { key name } }'


def manifest(*systems: dict[str, Any], **resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A fideslang manifest as another Fides user would write it."""
    return {"system": list(systems), **resources}


def system(key: str, *declarations: dict[str, Any]) -> dict[str, Any]:
    return {
        "fides_key": key,
        "name": f"{key.replace('_', ' ').title()}",
        "description": "Sends the newsletter.",
        "system_type": "Application",
        "privacy_declarations": list(declarations),
    }


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


NEWSLETTER = system(
    "newsletter_tool",
    {
        "name": "Billing notices",
        "data_categories": ["user.contact.email", "user.demographic.language"],
        "data_use": "essential.service.payment_processing",
        "data_subjects": ["customer"],
        "retention_period": "7 years",
    },
    {  # two purposes map to `sales`: the name picks one
        "name": "sales",
        "data_categories": ["user.contact.email"],
        "data_use": "sales",
        "data_subjects": ["prospect", "employee"],
    },
)


def test_every_purpose_of_the_seed_has_a_data_use_fideslang_knows_or_extends() -> None:
    assert {p.key for p in read_seed().purposes} <= set(PURPOSE_DATA_USES)
    for purpose, use in PURPOSE_DATA_USES.items():
        if use in DEFAULT_USES:
            assert DEFAULT_USES[use].version_deprecated is None, (purpose, use)
        else:  # an extension, under a default use
            assert use in EXTENSION_USES and use.rsplit(".", 1)[0] in DEFAULT_USES, (purpose, use)
    assert set(SUBJECT_DATA_SUBJECTS.values()) <= DEFAULT_SUBJECTS


def test_fides_commands_have_help() -> None:
    for command in (["fides"], ["fides", "export"], ["fides", "import"]):
        result = datamap_command(*command, "--help")
        assert result.returncode == 0 and "usage: datamap fides" in result.stdout, result.stderr


@pytest.mark.neo4j
async def test_the_export_is_a_manifest_fideslang_accepts_with_every_key_resolved(
    seeded: Database, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    file = tmp_path / "fides" / "datamap.yml"
    done = datamap_command("fides", "export", "--output", str(file), env=environment_for(neo4j_settings))
    assert done.returncode == 0, done.stderr
    assert "7 systems" in done.stdout and "user.financial.credit_card stored in none" in done.stdout

    document = yaml.safe_load(file.read_text())
    assert list(document) == ["organization", "system", "data_category", "data_use", "data_subject"]
    taxonomy = Taxonomy.model_validate(document)  # fideslang's own models
    (organization,) = taxonomy.organization
    assert organization.fides_key == "sharpspring_inc" and organization.controller is not None
    assert organization.controller.email == "privacy@sharpspring.com"

    seed = read_seed()
    assert sorted(s.fides_key for s in taxonomy.system) == sorted(s.key for s in seed.systems)
    categories = DEFAULT_CATEGORIES | {c.fides_key for c in taxonomy.data_category}
    uses = set(DEFAULT_USES) | {u.fides_key for u in taxonomy.data_use}
    subjects = DEFAULT_SUBJECTS | {s.fides_key for s in taxonomy.data_subject}
    for extension in [*taxonomy.data_category, *taxonomy.data_use]:
        assert extension.parent_key in categories | uses, extension.fides_key
        assert extension.fides_key not in DEFAULT_CATEGORIES | set(DEFAULT_USES)
    stored = {s.key: set(s.categories) for s in seed.systems}
    for found in taxonomy.system:
        assert found.privacy_declarations, found.fides_key
        for declaration in found.privacy_declarations:
            assert set(declaration.data_categories) <= categories & stored[found.fides_key]
            assert declaration.data_use in uses
            assert set(declaration.data_subjects) <= subjects
    (billing,) = [s for s in taxonomy.system if s.fides_key == "billing"]
    (payments,) = [d for d in billing.privacy_declarations if d.name == "Billing the Customer"]
    assert payments.data_use == "essential.service.payment_processing"
    assert payments.data_subjects == ["customer", "customer_representative"]
    assert payments.legal_basis_for_processing == "Contract"
    assert "user.financial.transaction_id" in payments.data_categories  # an extension ...
    assert "user.financial.transaction_id" in {c.fides_key for c in taxonomy.data_category}
    assert "user.contact.email" not in {c.fides_key for c in taxonomy.data_category}  # ... a default is not
    (platform,) = [s for s in taxonomy.system if s.fides_key == "sharpspring_platform"]
    assert {"prospect", "customer_representative"} <= {
        s for d in platform.privacy_declarations for s in d.data_subjects
    }

    as_json = await export_manifest(seeded, tmp_path / "datamap.json", as_of=None)
    assert Taxonomy.model_validate(json.loads(as_json.file.read_text())) == taxonomy


@pytest.mark.neo4j
async def test_an_imported_manifest_gives_the_expected_systems(
    api: GraphQLClient, seeded: Database, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    file = write(tmp_path / "newsletter.yaml", manifest(NEWSLETTER))
    env = environment_for(neo4j_settings)
    before = await census(seeded)

    dry = datamap_command("fides", "import", str(file), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "add: system 'newsletter_tool': new, operated by 'sharpspring_inc'" in dry.stdout
    assert "dry run, nothing written" in dry.stdout
    assert "retention_period not imported" in dry.stdout  # a field the map has no place for is named
    assert await census(seeded) == before

    done = datamap_command("fides", "import", str(file), env=env)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout
    systems = {s["key"]: s for s in (await api.query(SYSTEMS))["systems"]}
    newsletter = systems["newsletter_tool"]
    assert newsletter["name"] == "Newsletter Tool" and newsletter["operator"] == "sharpspring_inc"
    assert newsletter["categories"] == ["user.contact.email", "user.demographic.language"]
    assert newsletter["provenance"] == {"ref": "fideslang manifest newsletter.yaml", "validFrom": str(TODAY)}
    purposes = {p["key"]: p for p in (await api.query(PURPOSES))["purposes"]}
    assert "newsletter_tool" in purposes["billing"]["systems"]
    assert "user.demographic.language" in purposes["billing"]["categories"]
    assert "newsletter_tool" in purposes["sales"]["systems"]
    assert (
        "employee" in purposes["sales"]["subjectCategories"]
        and "lead" in purposes["sales"]["subjectCategories"]
    )
    assert "newsletter_tool" not in purposes["marketing_requests"]["systems"]
    language = (await api.query(CATEGORIES))["dataCategories"]
    assert {"key": "user.demographic.language", "name": "Language"} in language
    assert len(systems) == len(read_seed().systems) + 1  # the rest of the map is as it was

    again = datamap_command("fides", "import", str(file), env=env)
    assert again.returncode == 0 and "nothing written" in again.stdout, again.stdout + again.stderr


@pytest.mark.neo4j
async def test_the_maps_own_export_imports_as_nothing_new(seeded: Database, tmp_path: Path) -> None:
    exported = await export_manifest(seeded, tmp_path / "datamap.yaml", as_of=None)
    before = await census(seeded)
    result = await import_manifest(seeded, exported.file, SECRET, NOW)
    assert result.plan.added == () and result.plan.problems == () and not result.written
    assert await census(seeded) == before


@pytest.mark.neo4j
async def test_what_has_no_counterpart_is_named_and_nothing_is_written(
    seeded: Database, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    hiring = system(
        "hiring_portal",
        {"name": "Recruiting", "data_categories": ["user.name"], "data_use": "employment.recruitment"},
    )
    mixed = system(
        "mixed_tool",
        {"name": "Running it", "data_categories": ["user.contact.email"], "data_use": "essential.service"},
        {
            "name": "Books",
            "data_categories": ["user.made_up"],
            "data_use": "finance",
            "data_subjects": ["martian"],
        },
    )
    file = write(tmp_path / "partly.yaml", manifest(NEWSLETTER, hiring, mixed))
    before = await census(seeded)
    with pytest.raises(ValidationError) as refused:
        await import_manifest(seeded, file, SECRET, NOW)
    message = str(refused.value)
    assert "not imported, nothing written" in message
    assert (
        "system 'hiring_portal': declaration 'Recruiting': data use 'employment.recruitment' has no purpose here; "
        "add a purpose mapped to it" in message
    )
    assert (
        "data use 'essential.service' fits the purposes providing_the_platform, service_for_customers"
        in message
    )
    assert (
        "data category 'user.made_up' is neither in the map, the manifest nor fideslang's defaults" in message
    )
    assert "data subject 'martian'" in message
    assert await census(seeded) == before  # not even the newsletter tool, which alone would import

    env = environment_for(neo4j_settings)
    assert_clear_error(datamap_command("fides", "import", str(file), env=env), "employment.recruitment")
    bad_key = write(tmp_path / "bad_key.yaml", manifest(system("Newsletter-Tool")))
    assert_clear_error(
        datamap_command("fides", "import", str(bad_key), env=env),
        "system 'Newsletter-Tool': not a map entry here",
        "lower snake_case",
    )
    (tmp_path / "other.yaml").write_text("systems: []\n")
    assert_clear_error(
        datamap_command("fides", "import", str(tmp_path / "other.yaml"), env=env),
        "'systems' is no fideslang resource type",
    )
    (tmp_path / "broken.yaml").write_text("system:\n  - fides_key: x\n")
    assert_clear_error(
        datamap_command("fides", "import", str(tmp_path / "broken.yaml"), env=env),
        "not a fideslang manifest",
        "system.0.system_type",
    )
    assert_clear_error(
        datamap_command("fides", "import", str(tmp_path / "missing.yaml"), env=env), "no such file"
    )
    assert await census(seeded) == before


@pytest.mark.neo4j
async def test_a_map_changed_through_the_api_is_not_imported_into(seeded: Database, tmp_path: Path) -> None:
    (billing,) = [s for s in read_seed().systems if s.key == "billing"]
    await map_editing.upsert(
        seeded,
        MapKind.SYSTEM,
        {**billing.model_dump(by_alias=True, exclude={"valid_from", "valid_to"}), "country": "NL"},
        expected_version=1,
        reason="moved",
        effective_from=None,
        principal=Principal("editor", Role.ADMIN),
        now=NOW,
    )
    file = write(tmp_path / "newsletter.yaml", manifest(NEWSLETTER))
    before = await census(seeded)
    with pytest.raises(
        ValidationError, match="1 changes made through the API; an import loads through `seed load`"
    ):
        await import_manifest(seeded, file, SECRET, NOW, dry_run=True)
    assert await census(seeded) == before

"""Loading the seed: idempotent, all or nothing, and bad input named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datamap.errors import ValidationError
from datamap.graph.database import Database
from datamap.services.map_browser import counts
from datamap.services.seed import SEED_DIR, load_seed, read_seed
from tests.conftest import SECRET


def test_the_repository_seed_is_valid_and_models_the_whole_notice() -> None:
    seed = read_seed()
    refs = {
        e.ref.split()[0]
        for kind in (
            seed.data_categories,
            seed.sources,
            seed.purposes,
            seed.recipients,
            seed.flows,
            seed.transfers,
            seed.retention,
            seed.rights,
        )
        for e in kind
    }
    # every substantive section of the notice is cited somewhere
    for section in ("§3", "§6", "§7", "§8", "§9", "§10", "§11", "§13", "§14", "§15"):
        assert any(r.startswith(section) for r in refs), section
    assert {r.key for r in seed.recipients} >= {
        "google_analytics",
        "pendo",
        "facebook",
        "twitter",
        "linkedin",
        "payment_processor",
    }
    assert {o.name for o in seed.organisations} >= {
        "SharpSpring, Inc.",
        "SharpSpring Technologies Inc",
        "Interinbox SA",
    }
    assert seed.notice.effective.isoformat() == "2018-04-27"


@pytest.mark.neo4j
async def test_loading_twice_leaves_the_same_graph(db: Database) -> None:
    await load_seed(db, SECRET)
    first = await counts(db)
    await load_seed(db, SECRET)
    assert await counts(db) == first
    assert first[0] > 100 and first[1] > 200


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "seed"
    shutil.copytree(SEED_DIR, folder)
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "flows.yaml",
            "- user.contact.email",
            "- user.contact.emial",
            r"seed/flows.yaml: entry \d+ \(key '\w+'\): unknown data category 'user.contact.emial'",
        ),
        (
            "recipients.yaml",
            "role: processor",
            "role: vendor",
            r"seed/recipients.yaml: entry \d+ \(key '\w+'\): field 'role'",
        ),
        (
            "organisations.yaml",
            "country: US",
            "country: USA",
            r"seed/organisations.yaml: entry \d+ \(key '\w+'\): field 'country'",
        ),
        (
            "transfers.yaml",
            "mechanism: eu_us_privacy_shield",
            "mechanism: pinky_promise",
            r"seed/transfers.yaml: entry \d+ \(key '\w+'\): field 'mechanism'",
        ),
        ("systems.yaml", "systems:", "systems: [", r"seed/systems.yaml: not valid YAML"),
    ],
)
@pytest.mark.neo4j
async def test_a_malformed_seed_is_rejected_naming_file_and_entry_and_the_graph_is_unchanged(
    db: Database,
    tmp_path: Path,
    file: str,
    old: str,
    new: str,
    message: str,
) -> None:
    await load_seed(db, SECRET)
    before = await counts(db)
    with pytest.raises(ValidationError, match=message):
        await load_seed(db, SECRET, _broken_copy(tmp_path, file, old, new))
    assert await counts(db) == before


@pytest.mark.neo4j
async def test_a_bad_example_subject_is_rejected_before_anything_is_written(
    db: Database, tmp_path: Path
) -> None:
    empty = await counts(db)
    folder = _broken_copy(tmp_path, "subjects.yaml", "@example.com", "@@example.com")
    with pytest.raises(ValidationError, match=r"seed/subjects.yaml: subject '\w+': email"):
        await load_seed(db, SECRET, folder)
    assert await counts(db) == empty


@pytest.mark.neo4j
async def test_a_failure_while_writing_rolls_back_the_whole_load(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation passes, then the write fails half-way: nothing of it may remain."""
    import datamap.services.seed as seed_service

    empty = await counts(db)

    async def fail_after_the_map(tx: object, rows: object) -> None:
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(seed_service, "write_events", fail_after_the_map)
    with pytest.raises(RuntimeError, match="disk full"):
        await load_seed(db, SECRET)
    assert await counts(db) == empty


async def test_two_example_subjects_may_not_share_an_identifier(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "subjects.yaml", "jordan.reyes@example.com", "anna.jansen@example.com")
    with pytest.raises(ValidationError, match=r"seed/subjects.yaml: entry 2 .*also given for subject"):
        read_seed(folder)

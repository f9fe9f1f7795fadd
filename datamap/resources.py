"""Where the files datamap reads at run time are: the seed folder, the graph constraints, the GraphQL SDL.

People edit them in the repository's top-level folders `seed/` and `schema/`. A wheel (`pip install .`, not
`-e`) ships copies inside the package, in `datamap/resources/seed/` and `datamap/resources/schema/`: the build step
in `setup.py` copies them there (into the wheel, never into the source tree). These functions find the packaged
copies with `importlib.resources` when they exist; a source checkout or an editable install has no such folder
and gets the top-level folders themselves, so what the service reads there is what people edit.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGED_FOLDER = "resources"  # inside the datamap package; setup.py's build step fills it in the wheel


def _packaged_root() -> Path | None:
    """The installed package's `resources` folder, or None in a checkout (or an editable install)."""
    root = files("datamap") / PACKAGED_FOLDER
    # datamap is installed as plain files, so this is a Path; anything else (a zip import) has no copies to use.
    return root if isinstance(root, Path) and root.is_dir() else None


def packaged() -> bool:
    """Whether the files come from an installed wheel's copies (read-only) rather than a source checkout."""
    return _packaged_root() is not None


def root() -> Path:
    """The folder holding `seed/` and `schema/`: the package's copies, else the checkout's top level."""
    return _packaged_root() or Path(__file__).resolve().parent.parent


def seed_dir() -> Path:
    """The seed folder: one YAML file per kind of fact, and its README."""
    return root() / "seed"


def constraints_file() -> Path:
    """The graph constraints and indexes, applied at start (`datamap.graph.schema`)."""
    return root() / "schema" / "constraints.cypher"


def sdl_file() -> Path:
    """The exported GraphQL SDL that `datamap schema export --check` compares the code's schema with."""
    return root() / "schema" / "schema.graphql"

"""Build hook: a wheel carries the files the service reads at run time (pyproject.toml holds everything else).

The seed (`seed/*.yaml`, `seed/README.md`), the graph constraints (`schema/*.cypher`) and the GraphQL SDL
(`schema/*.graphql`) stay in the repository's top-level folders, where people edit them. Building a wheel copies
them into the build folder as `datamap/resources/seed/` and `datamap/resources/schema/`, never into the source
tree; `datamap.resources` finds them there with importlib.resources. An editable install copies nothing: it reads
the top-level folders themselves. MANIFEST.in puts the same files into the sdist, so a wheel built from it has
them too.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import FileError

ROOT = Path(__file__).resolve().parent
# top-level folder -> the files of it a wheel ships (the same names as datamap.resources expects)
RESOURCES: dict[str, tuple[str, ...]] = {
    "schema": ("*.cypher", "*.graphql"),
    "seed": ("*.yaml", "README.md"),
}
REQUIRED = ("schema/constraints.cypher", "schema/schema.graphql", "seed/README.md")


def resource_files() -> list[Path]:
    """The files to ship, relative to the project root; a missing one stops the build (no wheel without them)."""
    missing = [name for name in REQUIRED if not (ROOT / name).is_file()]
    if missing or not any((ROOT / "seed").glob("*.yaml")):
        raise FileError(f"cannot build datamap: {', '.join(missing) or 'seed/*.yaml'} missing under {ROOT}")
    found = {
        p
        for folder, patterns in RESOURCES.items()
        for pattern in patterns
        for p in (ROOT / folder).glob(pattern)
    }
    return sorted(p.relative_to(ROOT) for p in found if p.is_file())


class BuildPyWithResources(build_py):
    """`build_py`, then copy the run-time files into `<build_lib>/datamap/resources/`."""

    def _targets(self) -> list[tuple[Path, Path]]:
        if getattr(self, "editable_mode", False):
            return []  # an editable install reads the top-level folders
        target = Path(self.build_lib) / "datamap" / "resources"
        return [(ROOT / name, target / name) for name in resource_files()]

    def run(self) -> None:
        super().run()
        for source, target in self._targets():
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *(str(target) for _, target in self._targets())]


setup(cmdclass={"build_py": BuildPyWithResources})

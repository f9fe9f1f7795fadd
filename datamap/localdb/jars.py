"""Obtain the Neo4j Community jars from Maven Central, once, into a cache outside the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from datamap.errors import DatabaseUnavailable, PrerequisiteMissing

NEO4J_VERSION = "5.26.28"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.datamap</groupId><artifactId>neo4j-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""


def require_program(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PrerequisiteMissing(
            f"{name} is not installed or not on PATH; it is needed to {purpose}. "
            "Install a JDK 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven)."
        )
    return path


def ensure_jars(cache: Path, version: str = NEO4J_VERSION) -> Path:
    """Return the folder holding every runtime jar of Neo4j `version`, resolving it with Maven if needed."""
    root = cache / f"neo4j-{version}"
    lib = root / "lib"
    done = root / "complete"
    if done.exists():
        return lib
    mvn = require_program("mvn", "download the Neo4j jars from Maven Central")
    root.mkdir(parents=True, exist_ok=True)
    (root / "pom.xml").write_text(_POM.format(version=version))
    staging = root / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(root / "pom.xml"),
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise DatabaseUnavailable(f"Maven could not fetch org.neo4j:neo4j:{version}:\n{tail}")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    done.write_text(version)
    return lib

"""Local hardening: a random Neo4j password kept 0600, a private Neo4j home, a compose file without default
secrets, and `datamap serve` stopping the Neo4j it started."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest
import yaml

from datamap.config import (
    LEGACY_LOCAL_PASSWORD,
    Neo4jSettings,
    hash_secret,
    local_home,
    local_password,
    state_dir,
)
from datamap.errors import ConfigError
from datamap.localdb import LocalNeo4j
from datamap.localdb.server import make_private
from tests.conftest import free_port

REPOSITORY = Path(__file__).resolve().parents[1]
JARS = state_dir() / "jars"  # the suite's jar cache, read before any test moves DATAMAP_HOME


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def open_to_others(root: Path) -> list[str]:
    """Every file and folder under `root` (itself included) that group or others may use in any way."""
    found = []
    for folder, folders, files in os.walk(root):
        for name in ["", *folders, *files]:
            path = Path(folder, name)
            if not path.is_symlink() and mode_of(path) & 0o077:
                found.append(f"{path} {oct(mode_of(path))}")
    return found


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state folder that does not exist yet, and no password or secret in the environment."""
    folder = tmp_path / "state"
    monkeypatch.setenv("DATAMAP_HOME", str(folder))
    for name in ("DATAMAP_NEO4J_PASSWORD", "DATAMAP_HASH_SECRET", "DATAMAP_NEO4J_URI"):
        monkeypatch.delenv(name, raising=False)
    return folder


# --- The password and the secret in the state folder --------------------------------------------------------------


def test_a_random_password_is_created_once_for_its_owner_alone(state: Path) -> None:
    password = local_password()

    assert password != LEGACY_LOCAL_PASSWORD and len(password) >= 32
    assert local_password() == password  # kept, not made anew
    assert Neo4jSettings.from_env().password == password
    assert (state / "neo4j-password").read_text() == password
    assert mode_of(state / "neo4j-password") == 0o600
    assert mode_of(state) == 0o700  # the state folder, created here
    assert [p.name for p in state.iterdir()] == ["neo4j-password"]  # no temporary file left behind


def test_the_password_setting_wins_and_writes_nothing(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAMAP_NEO4J_PASSWORD", "set-by-the-operator")
    assert local_password() == "set-by-the-operator"
    assert Neo4jSettings.from_env().password == "set-by-the-operator"
    assert not state.exists()


def test_a_home_made_with_the_old_password_keeps_it(state: Path) -> None:
    (local_home() / "data" / "dbms").mkdir(parents=True)  # a database created before passwords were random

    assert local_password() == LEGACY_LOCAL_PASSWORD
    assert (state / "neo4j-password").read_text() == LEGACY_LOCAL_PASSWORD
    assert mode_of(state / "neo4j-password") == 0o600


def test_processes_starting_together_agree_on_one_password(state: Path) -> None:
    program = "from datamap.config import local_password; print(local_password())"
    processes = [
        subprocess.Popen([sys.executable, "-c", program], cwd=REPOSITORY, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    answers = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(answers) == 1 and answers == {(state / "neo4j-password").read_text()}


def test_the_hash_secret_still_works_and_lives_beside_the_password(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = hash_secret()
    assert re.fullmatch(rb"[0-9a-f]{64}", secret)
    assert hash_secret() == secret
    assert mode_of(state / "hash-secret") == 0o600 and mode_of(state) == 0o700
    local_password()
    assert sorted(p.name for p in state.iterdir()) == ["hash-secret", "neo4j-password"]

    monkeypatch.setenv("DATAMAP_HASH_SECRET", "0123456789abcdef-configured")
    assert hash_secret() == b"0123456789abcdef-configured"
    monkeypatch.setenv("DATAMAP_HASH_SECRET", "short")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        hash_secret()


def test_an_existing_state_folder_keeps_its_mode(state: Path) -> None:
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    local_password()
    assert mode_of(state) == 0o755  # not ours to change; the files in it are 0600
    assert mode_of(state / "neo4j-password") == 0o600


def test_make_private_closes_a_home_made_readable_by_everyone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data" / "dbms").mkdir(parents=True)
    (home / "data" / "dbms" / "auth.ini").write_text("x")
    (home / "conf.txt").write_text("x")
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    (home / "link").symlink_to(outside)
    for path in [home, home / "data", home / "data" / "dbms"]:
        path.chmod(0o755)
    for path in [home / "data" / "dbms" / "auth.ini", home / "conf.txt", outside]:
        path.chmod(0o644)

    make_private(home)

    assert open_to_others(home) == []
    assert mode_of(home / "data") == 0o700 and mode_of(home / "conf.txt") == 0o600  # the owner keeps access
    assert mode_of(outside) == 0o644  # a link is not followed


# --- docker-compose.yml --------------------------------------------------------------------------------------------

SECRET_VARIABLES = ("DATAMAP_HASH_SECRET", "DATAMAP_NEO4J_PASSWORD")


def compose() -> tuple[str, dict[str, Any]]:
    text = (REPOSITORY / "docker-compose.yml").read_text()
    return text, yaml.safe_load(text)


def test_compose_refuses_to_start_without_the_secrets() -> None:
    text, document = compose()
    datamap = document["services"]["datamap"]["environment"]
    neo4j_service = document["services"]["neo4j"]["environment"]

    required = r"\$\{%s:\?[^}$]+\}"  # ${NAME:?message}: compose stops, printing the message, when NAME is unset/empty
    assert re.fullmatch(required % "DATAMAP_HASH_SECRET", datamap["DATAMAP_HASH_SECRET"])
    assert re.fullmatch(required % "DATAMAP_NEO4J_PASSWORD", datamap["DATAMAP_NEO4J_PASSWORD"])
    assert re.fullmatch("neo4j/" + required % "DATAMAP_NEO4J_PASSWORD", neo4j_service["NEO4J_AUTH"])
    # every use of a secret variable requires it: no `${NAME:-default}` or `${NAME-default}` anywhere
    uses = re.findall(r"\$\{(\w+)([^}]*)\}", text)
    for name, rest in uses:
        if name in SECRET_VARIABLES:
            assert rest.startswith(":?"), (name, rest)
    assert {name for name, _ in uses} >= set(SECRET_VARIABLES)


def test_compose_holds_no_secret_value() -> None:
    text, document = compose()
    assert LEGACY_LOCAL_PASSWORD not in text and "change-me" not in text
    for service in document["services"].values():
        environment = service.get("environment", {})
        for name, value in environment.items():
            if any(word in name for word in ("SECRET", "PASSWORD", "NEO4J_AUTH")):
                assert "${" in str(value), f"{name} has a literal value in docker-compose.yml"
    # the health check reads the password from the container's environment, not from the file
    health = " ".join(document["services"]["neo4j"]["healthcheck"]["test"])
    assert "$${NEO4J_AUTH#neo4j/}" in health


# --- `datamap serve` and its Neo4j ---------------------------------------------------------------------------------


@dataclass
class LocalState:
    """A state folder for `datamap` run as a user would: its own Neo4j home and ports, the suite's jar cache."""

    folder: Path
    bolt: int
    log: Path

    @property
    def home(self) -> Path:
        return self.folder / "neo4j"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATAMAP_")}
        return {
            **env,
            "DATAMAP_HOME": str(self.folder),
            "DATAMAP_NEO4J_PORT": str(self.bolt),
            "DATAMAP_NEO4J_HEAP": "512m",
            "DATAMAP_NEO4J_PAGECACHE": "128m",
        }

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "datamap", *args],
            cwd=REPOSITORY,  # this checkout's datamap, whatever is installed
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def serve(self, *args: str) -> tuple[subprocess.Popen[bytes], int]:
        """`datamap serve` in the background, once /readyz answers (bounded wait); its HTTP port."""
        port = free_port()
        with open(self.log, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "datamap", "serve", "--port", str(port), *args],
                cwd=REPOSITORY,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 240  # a first start of a Neo4j home takes up to a minute or two
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"datamap serve exited with {process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return process, port
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        process.kill()
        process.wait()
        pytest.fail(f"datamap serve was not ready within 240 s:\n{self.log.read_text()}")

    def neo4j_pid(self) -> int:
        return int((self.home / "neo4j.pid").read_text())

    def stop_neo4j(self) -> None:
        self.command("neo4j", "stop")


def stopped(process: subprocess.Popen[bytes], sig: signal.Signals, log: Path) -> int:
    """Send `sig` to the service; its exit code, within a bounded time."""
    process.send_signal(sig)
    try:
        return process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"datamap serve did not exit within 120 s of {sig.name}:\n{log.read_text()}")


def gone(pid: int) -> bool:
    """Whether the process `pid` has ended (an unreaped zombie counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


def wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.2)
    return gone(pid)


@pytest.fixture(scope="module")
def local_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalState]:
    folder = tmp_path_factory.mktemp("state")
    JARS.mkdir(parents=True, exist_ok=True)
    (folder / "jars").symlink_to(JARS)  # no second download of 130 MB
    state = LocalState(folder=folder, bolt=free_port(), log=folder / "serve.log")
    yield state
    state.stop_neo4j()  # whatever a failed test left running
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.neo4j
def test_serve_stops_the_neo4j_it_started_and_its_home_is_private(local_state: LocalState) -> None:
    assert local_state.command("neo4j", "status").returncode == 3
    # Ctrl-C, and a process manager's stop. uvicorn shuts down gracefully on either, then raises the signal again:
    # SIGINT ends in 0 or 130 (uvicorn's versions differ), SIGTERM in 143 from serve's own handler.
    for sig, codes in [(signal.SIGINT, {0, 130}), (signal.SIGTERM, {143})]:
        service, _ = local_state.serve()
        try:
            pid = local_state.neo4j_pid()
            assert not gone(pid)
            assert open_to_others(local_state.home) == []  # while the server runs and writes its files
            password = local_state.folder / "neo4j-password"
            assert mode_of(password) == 0o600 and password.read_text() != LEGACY_LOCAL_PASSWORD
            with neo4j.GraphDatabase.driver(
                f"bolt://127.0.0.1:{local_state.bolt}", auth=("neo4j", password.read_text())
            ) as driver:
                driver.verify_connectivity()
        finally:
            exit_code = stopped(service, sig, local_state.log)

        assert exit_code in codes, local_state.log.read_text()
        assert wait_gone(pid), local_state.log.read_text()
        assert not (local_state.home / "neo4j.pid").exists()
        assert local_state.command("neo4j", "status").returncode == 3
        assert open_to_others(local_state.home) == []  # what it wrote while stopping too


@pytest.mark.neo4j
def test_serve_leaves_running_a_neo4j_it_did_not_start_or_was_told_to_keep(local_state: LocalState) -> None:
    try:
        started = local_state.command("neo4j", "start")
        assert started.returncode == 0, started.stderr
        pid = local_state.neo4j_pid()
        service, _ = local_state.serve()
        assert stopped(service, signal.SIGINT, local_state.log) in {0, 130}
        assert local_state.neo4j_pid() == pid and not gone(pid)  # started before serve: left alone
        assert local_state.command("neo4j", "status").returncode == 0

        local_state.stop_neo4j()
        assert wait_gone(pid)
        service, _ = local_state.serve("--keep-neo4j")
        kept = local_state.neo4j_pid()
        assert stopped(service, signal.SIGINT, local_state.log) in {0, 130}
        assert not gone(kept) and local_state.command("neo4j", "status").returncode == 0
        assert "keeps running" in local_state.log.read_text()
    finally:
        local_state.stop_neo4j()


@pytest.mark.neo4j
def test_a_home_made_with_the_old_password_starts_and_becomes_private(tmp_path: Path) -> None:
    state = LocalState(folder=tmp_path / "state", bolt=free_port(), log=tmp_path / "serve.log")
    state.folder.mkdir()
    (state.folder / "jars").symlink_to(JARS)
    old = LocalNeo4j(
        state.home, cache=JARS, port=state.bolt, password=LEGACY_LOCAL_PASSWORD, heap="512m", pagecache="128m"
    )
    try:
        old.start()  # as datamap made homes before: the public password ...
    finally:
        old.stop()
    for folder, folders, files in os.walk(state.home):  # ... and readable by every local user
        for name in folders:
            Path(folder, name).chmod(0o755)
        for name in files:
            Path(folder, name).chmod(0o644)
    state.home.chmod(0o755)

    try:
        started = state.command("neo4j", "start")
        assert started.returncode == 0, started.stderr  # the same password still opens it
        assert (state.folder / "neo4j-password").read_text() == LEGACY_LOCAL_PASSWORD
        assert mode_of(state.folder / "neo4j-password") == 0o600
        assert open_to_others(state.home) == []
    finally:
        stopped_ = state.command("neo4j", "stop")
    assert stopped_.stdout.strip() == "stopped", stopped_.stderr


@pytest.mark.neo4j
def test_a_password_with_quotes_spaces_and_backslashes_is_set_as_given(tmp_path: Path) -> None:
    password = 'a "quoted" pass\\word # @not-a-file'
    server = LocalNeo4j(
        tmp_path / "neo4j", cache=JARS, port=free_port(), password=password, heap="512m", pagecache="128m"
    )
    try:
        server.start()  # waits until Bolt accepts this password
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", password)) as driver:
            driver.verify_connectivity()
        assert not (tmp_path / "neo4j" / "set-initial-password.args").exists()
    finally:
        server.stop()

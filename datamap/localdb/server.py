"""Start, stop and inspect a local Neo4j server process (org.neo4j.server.CommunityEntryPoint on the JDK)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired, TransientError

from datamap.errors import DatabaseUnavailable
from datamap.localdb.jars import NEO4J_VERSION, ensure_jars, require_program

JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]

# What a fresh server needs on disk to start and take a first load: stores, a transaction log, its own logs.
MIN_FREE_DISK = 256 * 1024 * 1024

# The server and its admin tool create every file and folder of the home for its owner alone (0600, 0700).
PRIVATE_UMASK = 0o077


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    uri: str
    home: Path


class LocalNeo4j:
    """One Neo4j Community server with its own home folder, listening for Bolt on 127.0.0.1 only.

    The jars come from Maven Central (see `jars.py`); the database lives in `home/data`. Authentication is on,
    with the user `neo4j` and the password given here, set before the first start. The home and everything in it
    belong to the owner alone (folders 0700, files 0600): the database holds personal data.
    """

    def __init__(
        self,
        home: Path,
        *,
        cache: Path,
        port: int = 7687,
        password: str,
        heap: str = "2g",
        pagecache: str = "2g",
        version: str = NEO4J_VERSION,
    ) -> None:
        self.home = home
        self.cache = cache
        self.port = port
        self.password = password
        self.heap = heap
        self.pagecache = pagecache
        self.version = version
        self._process: subprocess.Popen[bytes] | None = (
            None  # the server this object started, reaped by stop()
        )

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    def status(self) -> ServerStatus:
        pid = self._live_pid()
        return ServerStatus(running=pid is not None, pid=pid, uri=self.uri, home=self.home)

    def start(self, timeout: float = 180.0) -> ServerStatus:
        """Start the server unless it already runs; return once Bolt accepts our credentials."""
        if self._live_pid() is not None:
            self._wait_for_bolt(timeout, None)
            return self.status()
        if _port_answers(self.port):
            raise DatabaseUnavailable(
                f"port {self.port} on 127.0.0.1 is taken by another program; stop it or choose another port "
                "(DATAMAP_NEO4J_PORT)"
            )
        java = require_program("java", "run Neo4j (JDK 17)")
        lib = ensure_jars(self.cache, self.version)
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        make_private(self.home)  # also a home made before homes were private
        require_free_disk(self.home)
        self._write_config()
        if not (self.home / "data" / "dbms" / "auth.ini").exists():
            self._set_initial_password(java, lib)
        self.console_log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(_private_file(self.console_log, os.O_APPEND), "ab") as log:
            proc = subprocess.Popen(
                [
                    java,
                    f"-Xms{self.heap}",
                    f"-Xmx{self.heap}",
                    *JVM_FLAGS,
                    "-cp",
                    f"{lib}/*",
                    "org.neo4j.server.CommunityEntryPoint",
                    f"--home-dir={self.home}",
                    f"--config-dir={self.home / 'conf'}",
                    "--console-mode",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                umask=PRIVATE_UMASK,
            )
        self._process = proc
        _write_private(self.pid_file, str(proc.pid))
        self._wait_for_bolt(timeout, proc)
        return self.status()

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after `timeout`). Return whether one was running."""
        pid = self._live_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        child = self._process if self._process is not None and self._process.pid == pid else None

        def running() -> (
            bool
        ):  # a server this object started is its child: reap it, or it lingers as a zombie
            return child.poll() is None if child is not None else _alive(pid)

        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and running():
            time.sleep(0.2)
        if running():
            os.kill(pid, signal.SIGKILL)
            while running():  # gone for sure before anyone touches its files or its port
                time.sleep(0.1)
        self._process = None
        self.pid_file.unlink(missing_ok=True)
        return True

    def wipe(self) -> ServerStatus:
        """Delete every database of this server (its `data` folder) and start it empty.

        Far cheaper than deleting millions of nodes through Cypher, which also needs a heap to match."""
        self.stop()
        if (self.home / "data").exists():
            shutil.rmtree(self.home / "data")
        return self.start()

    def _live_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) and _is_neo4j(pid) else None

    def _write_config(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(
            conf / "neo4j.conf",
            "\n".join(
                [
                    "server.default_listen_address=127.0.0.1",
                    "server.bolt.enabled=true",
                    f"server.bolt.listen_address=127.0.0.1:{self.port}",
                    f"server.bolt.advertised_address=127.0.0.1:{self.port}",
                    "server.http.enabled=false",
                    "server.https.enabled=false",
                    "dbms.security.auth_enabled=true",
                    f"server.memory.pagecache.size={self.pagecache}",
                    "dbms.memory.transaction.total.max=1g",
                    "db.transaction.timeout=120s",
                    "db.lock.acquisition.timeout=30s",
                    "dbms.usage_report.enabled=false",
                    # a local server needs no 256 MB preallocated per log, nor two days of history
                    "db.tx_log.preallocate=false",
                    "db.tx_log.rotation.retention_policy=2 files",
                    "server.directories.logs=logs",
                    # Bolt waits a quiet period of 5 s (twice) on shutdown for late client messages; a local server
                    # stopped by its only client has none, and `datamap serve` stops it on every exit
                    "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
                    "",
                ]
            ),
        )

    def _set_initial_password(self, java: str, lib: Path) -> None:
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        # The password goes in an argument file (picocli's @file, 0600), not on the command line, where every
        # local user could read it in the process list.
        arguments = self.home / "set-initial-password.args"
        arguments.unlink(missing_ok=True)
        _write_private(arguments, _picocli_quoted(self.password) + "\n")
        try:
            proc = subprocess.run(
                [
                    java,
                    "-cp",
                    f"{lib}/*",
                    "org.neo4j.cli.AdminTool",
                    "dbms",
                    "set-initial-password",
                    f"@{arguments}",
                ],
                env=env,
                capture_output=True,
                text=True,
                umask=PRIVATE_UMASK,
            )
        finally:
            arguments.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise DatabaseUnavailable(
                f"could not set the initial Neo4j password:\n{proc.stdout}{proc.stderr}"
            )

    def _wait_for_bolt(self, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
        deadline = time.monotonic() + timeout
        with neo4j.GraphDatabase.driver(self.uri, auth=("neo4j", self.password)) as driver:
            while True:
                if proc is not None and proc.poll() is not None:
                    self.pid_file.unlink(missing_ok=True)
                    raise DatabaseUnavailable(
                        f"Neo4j exited with code {proc.returncode} while starting; last lines of "
                        f"{self.console_log}:\n{_tail(self.console_log)}"
                    )
                try:
                    driver.verify_connectivity()
                    driver.execute_query("RETURN 1")  # the default database is online, not only the server
                    return
                except AuthError as exc:
                    raise DatabaseUnavailable(
                        f"the local Neo4j in {self.home} refused the password: {exc.message}. It was created with "
                        "another password; set DATAMAP_NEO4J_PASSWORD to it (or write it into the neo4j-password "
                        "file of the state folder), or delete that folder."
                    ) from exc
                except (ServiceUnavailable, SessionExpired, TransientError, OSError):
                    if time.monotonic() > deadline:
                        raise DatabaseUnavailable(
                            f"Neo4j did not accept Bolt connections on {self.uri}, or did not bring its default "
                            f"database online, within {timeout:.0f}s; "
                            f"see {self.console_log}:\n{_tail(self.console_log)}"
                        ) from None
                    time.sleep(0.5)

    def diagnosis(self) -> str:
        """Whether the server process lives, and the last lines of its console log (for a failure report)."""
        state = "running" if self._live_pid() is not None else "not running"
        return f"local Neo4j in {self.home}: {state}; last lines of {self.console_log}:\n{_tail(self.console_log)}"


def require_free_disk(path: Path, needed: int = MIN_FREE_DISK) -> None:
    """Refuse to start Neo4j on a nearly full disk: it would fail later, on a write, with a dropped connection."""
    free = shutil.disk_usage(path).free
    if free < needed:
        raise DatabaseUnavailable(
            f"only {free // 2**20} MiB free on the disk holding {path}; Neo4j needs at least "
            f"{needed // 2**20} MiB there to start. Free some space, or give Neo4j a home on another disk "
            "(DATAMAP_HOME for the local server)."
        )


def make_private(root: Path) -> None:
    """Take every permission of group and others off `root` and everything under it (symbolic links aside)."""
    for folder, folders, files in os.walk(root):
        for name in (*folders, *files):
            _owner_only(os.path.join(folder, name))
    _owner_only(str(root))


def _owner_only(path: str) -> None:
    mode = os.lstat(path).st_mode
    if not stat.S_ISLNK(mode) and mode & 0o077:
        os.chmod(path, stat.S_IMODE(mode) & ~0o077)


def _private_file(path: Path, flags: int) -> int:
    """Open (creating if needed) a file for writing that only its owner can read, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _write_private(path: Path, text: str) -> None:
    with open(_private_file(path, os.O_TRUNC), "w") as file:
        file.write(text)


def _picocli_quoted(argument: str) -> str:
    """One argument as a line of a picocli @file: double-quoted, with backslashes and double quotes escaped."""
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); reap it if it is ours
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _is_neo4j(pid: int) -> bool:
    try:
        return b"CommunityEntryPoint" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the pid file


def _port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"

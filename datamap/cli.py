"""The `datamap` command line. Every command has --help; errors print one clear line, not a traceback."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from datamap.cli_common import EXIT_ERROR, EXIT_NOT_FOUND
from datamap.config import Neo4jSettings, hash_secret, local_home, state_dir
from datamap.errors import ConfigError, DatamapError, NotFound
from datamap.localdb import LocalNeo4j

T = TypeVar("T")


def local_server(settings: Neo4jSettings | None = None) -> LocalNeo4j:
    """The local Neo4j datamap manages (data and jars under the state directory)."""
    settings = settings or Neo4jSettings.from_env()
    port = int(settings.uri.rsplit(":", 1)[1]) if settings.managed else 7687
    return LocalNeo4j(
        local_home(),
        cache=state_dir() / "jars",
        port=port,
        password=settings.password,
        heap=os.environ.get("DATAMAP_NEO4J_HEAP", "2g"),
        pagecache=os.environ.get("DATAMAP_NEO4J_PAGECACHE", "2g"),
    )


def _with_db(work: Callable[[Any], Awaitable[T]], *, start_local: bool = True) -> T:
    """Run `work(db)` against the configured Neo4j (starting the local one when it is the default)."""
    from datamap.graph.database import Database
    from datamap.graph.schema import apply_schema

    settings = Neo4jSettings.from_env()
    if settings.managed and start_local:
        local_server(settings).start()

    async def run() -> T:
        db = Database(settings)
        try:
            await db.verify()
            await apply_schema(db)
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def cmd_neo4j(args: argparse.Namespace) -> int:
    server = local_server()
    if args.action == "start":
        status = server.start()
        print(f"Neo4j {server.version} running, pid {status.pid}, {status.uri} (home {status.home})")
    elif args.action == "stop":
        print("stopped" if server.stop() else "not running")
    else:
        status = server.status()
        print(f"running, pid {status.pid}, {status.uri}" if status.running else "not running")
        return 0 if status.running else 3
    return 0


MAX_WORKERS = 64  # worker processes of `serve` (each opens up to 64 connections to Neo4j)
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API. A local Neo4j this command started is stopped when it exits, unless --keep-neo4j."""
    settings = Neo4jSettings.from_env()
    if not settings.managed:
        return _run_service(args)
    server = local_server(settings)
    running_before = server.status().pid  # a server started by `datamap neo4j start` is not ours to stop
    # uvicorn shuts down gracefully on SIGTERM and then raises it again; the default handler would end the process
    # there, before the Neo4j is stopped below. This one ends it through an exception, as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        return _run_service(args)
    finally:
        try:
            running_now = server.status().pid
            if running_now is not None and running_now != running_before:
                if args.keep_neo4j:
                    print(f"the local Neo4j keeps running (pid {running_now}); `datamap neo4j stop` stops it")
                else:
                    print(f"stopping the local Neo4j this command started (pid {running_now})", flush=True)
                    server.stop()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _run_service(args: argparse.Namespace) -> int:
    import uvicorn

    from datamap.api import served
    from datamap.services.seed import load_seed

    if not 1 <= args.workers <= MAX_WORKERS:
        raise ConfigError(f"--workers {args.workers}: give 1 to {MAX_WORKERS}")
    secret = hash_secret()

    async def prepare(db: Any) -> None:
        if args.load_seed:
            seed = await load_seed(db, secret)
            print(
                f"seed loaded: {len(seed.recipients)} recipients, {len(seed.flows)} flows, "
                f"{len(seed.subjects)} example subjects"
            )

    # every worker (one, or each of --workers) builds its application the same way, from the environment
    os.environ[served.HOST_VARIABLE] = args.host
    os.environ[served.ACCESS_LOG_VARIABLE] = "on" if args.access_log else "off"
    local_token = (
        served.local_token_used()
    )  # refuses a bad authentication configuration before anything starts
    _with_db(prepare)
    print(f"GraphiQL: http://{args.host}:{args.port}/graphql")
    if local_token:
        print(
            f"local admin token (GraphiQL on this machine starts with it): {state_dir() / 'local-admin-token'}"
        )
    if args.workers == 1:
        uvicorn.run(served.served_app(), host=args.host, port=args.port, log_level="info", access_log=False)
        return 0
    # /metrics adds up the workers' counts through files in one folder (prometheus-client's multiprocess mode):
    # a fresh one unless the operator named one
    metrics_dir = None
    if METRICS_DIR_VARIABLE not in os.environ:
        metrics_dir = tempfile.mkdtemp(prefix="datamap-metrics-")
        os.environ[METRICS_DIR_VARIABLE] = metrics_dir
    try:
        uvicorn.run(
            "datamap.api.served:served_app",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_level="info",
            access_log=False,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from datamap.services.seed import SEED_DIR, read_seed

    folder = Path(args.folder) if args.folder else SEED_DIR
    if args.action == "check":
        seed = read_seed(folder)
        print(
            f"seed OK: {len(seed.data_categories)} data categories, {len(seed.recipients)} recipients, "
            f"{len(seed.flows)} flows, {len(seed.transfers)} transfers, {len(seed.subjects)} example subjects"
        )
        return 0
    from datamap.cli_common import phases
    from datamap.services.seed import load_seed_map

    secret = hash_secret()
    with phases(f"reading {folder}", "connecting to Neo4j", "writing the graph, one transaction") as step:
        seed = read_seed(folder)
        step.next()

        async def write(db: Any) -> None:
            step.next()
            await load_seed_map(db, seed, secret)
            step.next()

        _with_db(write)
    print(f"seed loaded from {folder}: {len(seed.flows)} flows, {len(seed.subjects)} example subjects")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    if args.action == "export":
        from datamap import resources
        from datamap.api.sdl import SDL_FILE, current_sdl

        sdl = current_sdl()
        if args.check:  # a checkout's schema/schema.graphql, or the copy an installed wheel ships
            if not SDL_FILE.exists() or SDL_FILE.read_text() != sdl:
                fix = "rebuild the wheel" if resources.packaged() else "run `datamap schema export`"
                print(f"{SDL_FILE} is stale: {fix}", file=sys.stderr)
                return 1
            print(f"{SDL_FILE} is up to date")
            return 0
        if args.output is None and resources.packaged():
            raise ConfigError(
                f"{SDL_FILE} is the installed package's copy and is not rewritten; "
                "export into a file with --output FILE, or run this in a source checkout"
            )
        target = Path(args.output) if args.output else SDL_FILE
        target.write_text(sdl)
        print(f"wrote {target}")
        return 0

    async def applied_only(db: Any) -> None:
        return None  # _with_db applies the schema before any work

    _with_db(applied_only)
    print("graph schema applied")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from datamap.cli_common import progress
    from datamap.services.bulk_import import import_events, read_events

    if args.batch_size < 1:
        raise ConfigError(f"--batch-size {args.batch_size}: give a positive number")
    if args.initial:
        return _import_initial(args)
    path, secret = Path(args.file), hash_secret()
    size = path.stat().st_size if path.is_file() else None
    with progress(size, unit="B", unit_scale=True, desc="validating", quiet=args.quiet) as reading:
        file = read_events(path, secret, progress=reading.update)

    async def work(db: Any) -> Any:
        with progress(len(file.events), unit="event", desc="importing", quiet=args.quiet) as bar:
            return await import_events(db, file, batch_size=args.batch_size, progress=bar.update)

    result = _with_db(work)
    print(f"imported {result.written} events from {args.file}")
    if result.suppressed_lines:
        lines = ", ".join(map(str, result.suppressed_lines[:20]))
        print(f"skipped {len(result.suppressed_lines)} events about subjects under erasure (lines {lines})")
    return 0


def _import_initial(args: argparse.Namespace) -> int:
    """`import --initial`: the whole local database made by Neo4j's offline importer (services/initial_import)."""
    from datamap.cli_common import progress
    from datamap.services.initial_import import import_initial_file

    settings = Neo4jSettings.from_env()
    if not settings.managed:
        raise ConfigError(
            "--initial runs Neo4j's offline importer on the local server's files; with DATAMAP_NEO4J_URI set, "
            "import without --initial"
        )
    path = Path(args.file)
    size = path.stat().st_size if path.is_file() else None
    with progress(size, unit="B", unit_scale=True, desc="validating", quiet=args.quiet) as reading:
        result = asyncio.run(
            import_initial_file(
                local_server(settings),
                path,
                hash_secret(),
                batch_size=args.batch_size,
                progress=reading.update,
            )
        )
    print(
        f"imported {result.records} records of {result.subjects} subjects from {args.file} into a new database "
        f"(converting {result.conversion:.1f} s, Neo4j's importer {result.importer:.1f} s, starting with schema "
        f"and map {result.startup:.1f} s); the local Neo4j runs, `datamap neo4j stop` stops it"
    )
    return 0


def cmd_erasure(args: argparse.Namespace) -> int:
    from datamap.cli_erasure import cmd_erasure as run_erasure

    return run_erasure(args, _with_db, hash_secret)


def cmd_report(args: argparse.Namespace) -> int:
    from datamap.cli_reports import cmd_report as run_report

    return run_report(args, _with_db, hash_secret)


def cmd_lineage(args: argparse.Namespace) -> int:
    from datamap.cli_lineage import cmd_lineage as run_lineage

    return run_lineage(args, _with_db, hash_secret)


def cmd_subject(args: argparse.Namespace) -> int:
    from datamap.cli_subject import cmd_subject as run_subject

    return run_subject(args, _with_db, hash_secret)


def cmd_findings(args: argparse.Namespace) -> int:
    from datamap.cli_findings import cmd_findings as run_findings

    return run_findings(args, _with_db)


def cmd_map(args: argparse.Namespace) -> int:
    from datamap.cli_map import cmd_map as run_map

    return run_map(args, _with_db)


def cmd_fides(args: argparse.Namespace) -> int:
    from datamap.cli_fides import cmd_fides as run_fides

    return run_fides(args, _with_db, hash_secret)


def cmd_audit(args: argparse.Namespace) -> int:
    from datamap.cli_audit import cmd_audit as run_audit

    return run_audit(args, _with_db)


def cmd_token(args: argparse.Namespace) -> int:
    from datamap.cli_tokens import cmd_token as run_token

    return run_token(args, _with_db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datamap",
        description="A data map and GDPR record of processing as a Neo4j graph, over GraphQL.",
        epilog="Neo4j: the local server by default; set DATAMAP_NEO4J_URI (and _USER, _PASSWORD, _DATABASE) "
        "to use any Neo4j 5. Exit status: 0 done; 1 a check found something (audit verify, map diff, a "
        "certificate); 2 bad input or another error, with the API's message; 3 not found. Lookups and reports "
        "print JSON with --json.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "neo4j",
        help="start, stop or inspect the local Neo4j server",
        description="Manage the local Neo4j 5.26 Community server (jars from Maven Central).",
    )
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(func=cmd_neo4j)

    p = sub.add_parser(
        "serve",
        help="serve the GraphQL API (GraphiQL at /graphql)",
        description="Serve the API; starts the local Neo4j unless DATAMAP_NEO4J_URI is set, and stops it on "
        "exit unless it was running before or --keep-neo4j is given.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--load-seed", action="store_true", help="load seed/ (idempotent) before serving")
    p.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one JSON line per request on stderr: method, path, status, ms, operation, error codes, nothing "
        "personal (default on)",
    )
    p.add_argument(
        "--keep-neo4j",
        action="store_true",
        help="leave the local Neo4j this command started running when it exits (`datamap neo4j stop` stops it)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help=f"worker processes answering on the one port (1 to {MAX_WORKERS}, default 1); each has its own "
        "connections to Neo4j",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "seed",
        help="check or load the seed data map",
        description="check: validate the seed files; load: write them into the graph.",
    )
    p.add_argument("action", choices=["check", "load"])
    p.add_argument("--folder", help="seed folder (default: the checkout's seed/, or the copy a wheel ships)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser(
        "schema",
        help="apply the graph schema, or export the GraphQL SDL",
        description="apply: constraints and indexes; export: write schema/schema.graphql.",
    )
    p.add_argument("action", choices=["apply", "export"])
    p.add_argument("--check", action="store_true", help="with export: fail if the file is stale")
    p.add_argument("--output", help="with export: write the SDL there (default: schema/schema.graphql)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "import",
        help="bulk-import collections and disclosures from JSON lines",
        description="Validate every line, then write in batches with a progress bar.",
    )
    p.add_argument("file")
    p.add_argument(
        "--batch-size", type=int, default=20000, help="lines a transaction writes (default 20,000)"
    )
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar (there is none when stderr is no terminal)"
    )
    p.add_argument(
        "--initial",
        action="store_true",
        help="first load into an empty local database through Neo4j's offline importer (the seed map with it); "
        "refuses a database holding anything",
    )
    p.set_defaults(func=cmd_import)

    from datamap.cli_lineage import add_parser as add_lineage_parser

    add_lineage_parser(sub, cmd_lineage)

    from datamap.cli_subject import add_parser as add_subject_parser

    add_subject_parser(sub, cmd_subject)

    from datamap.cli_erasure import add_parser as add_erasure_parser

    add_erasure_parser(sub, cmd_erasure)

    from datamap.cli_reports import add_parser as add_report_parser

    add_report_parser(sub, cmd_report)

    from datamap.cli_findings import add_parser as add_findings_parser

    add_findings_parser(sub, cmd_findings)

    from datamap.cli_tokens import add_parser as add_token_parser

    add_token_parser(sub, cmd_token)

    from datamap.cli_audit import add_parser as add_audit_parser

    add_audit_parser(sub, cmd_audit)

    from datamap.cli_map import add_parser as add_map_parser

    add_map_parser(sub, cmd_map)

    from datamap.cli_fides import add_parser as add_fides_parser

    add_fides_parser(sub, cmd_fides)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except NotFound as exc:  # the API's NOT_FOUND: an unknown subject, request, task, hold, key
        print(f"datamap: error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except DatamapError as exc:  # bad input, and any other error the user can act on
        print(f"datamap: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `datamap ... | head`: the reader left; say nothing more (Python's recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return code


if __name__ == "__main__":
    sys.exit(main())

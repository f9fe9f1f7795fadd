"""`python -m bench`: load a synthetic population, then measure the API against the same Cypher through the driver.

By default it runs everything itself: a dedicated Neo4j (under $DATAMAP_HOME/bench-neo4j, kept between runs so a
loaded population can be reused), the service (`datamap serve`) as a separate process, the seed, the population.
Results: a table on stdout and bench/results/<time>-<subjects>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from tqdm import tqdm

from bench.measure import (
    OPERATIONS,
    Operation,
    authorise,
    db_hits,
    floor_latencies,
    latencies,
    raw_latencies,
    round_trips,
    throughput,
)
from bench.population import Shape, batches
from datamap.clock import SystemClock
from datamap.config import Neo4jSettings, state_dir
from datamap.domain.access import Role
from datamap.graph.database import Database
from datamap.graph.schema import apply_schema
from datamap.localdb import LocalNeo4j
from datamap.services import tokens
from datamap.services.bulk_import import import_batches
from datamap.services.initial_import import import_initial
from datamap.services.seed import load_seed, read_seed

SECRET = b"bench-secret-0123456789abcdef"
PASSWORD = "bench-password"
RESULTS = Path(__file__).resolve().parent / "results"
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class BenchDatabase:
    """What the benchmark's database holds: a population a benchmark loaded (complete or not), or other data."""

    subjects: int | None  # of the population a benchmark load started, if any
    complete: bool
    other: bool  # data that no benchmark load started: not ours to delete
    empty: bool


async def inspect_database(db: Database) -> BenchDatabase:
    (row,) = await db.read(
        # markers of older runs carry no `complete` flag: they were written once the load was done
        "OPTIONAL MATCH (b:BenchPopulation) "
        "RETURN b.subjects AS subjects, coalesce(b.complete, true) AS complete, b IS NOT NULL AS ours, "
        "EXISTS { MATCH (n) } AS any"
    )
    return BenchDatabase(
        subjects=row["subjects"],
        complete=bool(row["ours"] and row["complete"]),
        other=bool(row["any"] and not row["ours"]),
        empty=not row["any"],
    )


class Timed(Generic[T]):
    """An iterator's items, and the seconds spent making them (`seconds`)."""

    def __init__(self, items: Iterator[T]) -> None:
        self.items = items
        self.seconds = 0.0

    def __iter__(self) -> Timed[T]:
        return self

    def __next__(self) -> T:
        mark = time.perf_counter()
        try:
            return next(self.items)
        finally:
            self.seconds += time.perf_counter() - mark


async def load_population(db: Database, subjects: int) -> dict[str, float]:
    """Seed plus `subjects` generated subjects through the bulk path, into an empty database."""
    await apply_schema(db)
    # marks the database as the benchmark's from the start, so an interrupted load may be wiped by the next run
    await db.write("CREATE (:BenchPopulation {subjects: $n, complete: false})", n=subjects)
    seed = await load_seed(db, SECRET)
    before = (await db.read("MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]
    shape = Shape.of(seed)
    started = time.perf_counter()
    population = Timed(batches(subjects, shape, SECRET))  # making up the rows is not the bulk path's work
    with tqdm(total=subjects, unit="subject", mininterval=2) as bar:
        for size, rows_, erased in population:
            if erased:  # erased subjects: their suppression entries exist, so the import skips them
                await db.write(
                    "UNWIND $hashes AS h MERGE (:Suppression {hash: h, createdAt: datetime()})", hashes=erased
                )
            await import_batches(db, [rows_])
            bar.update(size)
    seconds = time.perf_counter() - started
    after = (await db.read("MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]
    await db.write("MATCH (b:BenchPopulation) SET b.complete = true")
    return {
        "subjects": subjects,
        "seconds": round(seconds, 1),
        "subjectsPerSecond": round(subjects / seconds),
        "relationshipsPerSecond": round((after - before) / seconds),
        "relationships": after - before,
        "generatingSeconds": round(population.seconds, 1),
        "writeSubjectsPerSecond": round(subjects / (seconds - population.seconds)),
    }


async def initial_population(server: LocalNeo4j, subjects: int) -> dict[str, float]:
    """Seed plus `subjects` generated subjects through Neo4j's offline importer (`datamap import --initial`), into
    an empty database; the erased ones are left out and put on the suppression list, as the online path has them."""
    erased: list[str] = []
    population = Timed(batches(subjects, Shape.of(read_seed()), SECRET))

    def rows(bar: tqdm[Any]) -> Iterator[list[dict[str, Any]]]:
        for size, rows_, gone in population:
            erased.extend(gone)
            skipped = set(gone)
            yield [r for r in rows_ if skipped.isdisjoint(r["hashes"])]  # type: ignore[arg-type]
            bar.update(size)

    started = time.perf_counter()
    with tqdm(total=subjects, unit="subject", mininterval=2) as bar:
        result = await import_initial(server, rows(bar), SECRET)
    seconds = time.perf_counter() - started
    generating = population.seconds
    db = Database(_settings(server))
    try:
        for start in range(0, len(erased), 10000):
            await db.write(
                "UNWIND $hashes AS h MERGE (:Suppression {hash: h, createdAt: datetime()})",
                hashes=erased[start : start + 10000],
            )
        await db.write("CREATE (:BenchPopulation {subjects: $n, complete: true, initial: true})", n=subjects)
    finally:
        await db.close()
    return {
        "initialSubjects": subjects,
        "initialSeconds": round(seconds, 1),
        "initialSubjectsPerSecond": round(subjects / (seconds - generating)),
        "initialEndToEndSubjectsPerSecond": round(subjects / seconds),
        "initialGeneratingSeconds": round(generating, 1),
        "initialConversionSeconds": round(result.conversion - generating, 1),
        "initialImporterSeconds": round(result.importer, 1),
        "initialStartupSeconds": round(result.startup, 1),
        "initialRecords": result.records,
    }


async def online_slice(db: Database, first: int, count: int) -> dict[str, float]:
    """`count` more generated subjects (other people than the population's) through the online bulk path into the
    loaded population, then the same rows again (a re-run after an interruption: nothing new may appear)."""
    shape = Shape.of(read_seed())
    rates: dict[str, float] = {}
    counted = (
        "MATCH (s:Subject) RETURN count(s) AS subjects, COUNT { ()-[:DISCLOSED_TO|HELD_IN]->() } AS records"
    )
    for run in ("write", "rerun"):
        generated = list(batches(count, shape, SECRET, first=first, seed=11, erased_share=0.0))
        started = time.perf_counter()
        for _, rows_, _ in generated:
            await import_batches(db, [rows_])
        seconds = time.perf_counter() - started
        rates[f"{run}SubjectsPerSecond"] = round(count / seconds)
        rates[f"{run}Seconds"] = round(seconds, 1)
        (rates[f"{run}Counts"],) = await db.read(counted)  # type: ignore[assignment]
    if rates["writeCounts"] != rates["rerunCounts"]:
        raise SystemExit(f"the re-run wrote again: {rates['writeCounts']} -> {rates['rerunCounts']}")
    return {"onlineSubjects": count, **rates}


def _settings(server: LocalNeo4j) -> Neo4jSettings:
    return Neo4jSettings(uri=server.uri, user="neo4j", password=PASSWORD, database="neo4j", managed=False)


async def authorise_bench(db: Database) -> None:
    """An admin API token for the benchmark's requests (a new name each run: names are never reused)."""
    token, _ = await tokens.create(
        db, name=f"bench-{uuid.uuid4().hex[:12]}", role=Role.ADMIN, now=SystemClock().now(), expires_days=1
    )
    authorise(token)


def start_service(settings: Neo4jSettings, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATAMAP_NEO4J_URI": settings.uri,
        "DATAMAP_NEO4J_USER": settings.user,
        "DATAMAP_NEO4J_PASSWORD": settings.password,
        "DATAMAP_HASH_SECRET": SECRET.decode(),
        "DATAMAP_AUTH": "tokens",  # measured as deployed: every request carries an API token
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "datamap", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the service did not become ready")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def store_size(home: Path) -> dict[str, float]:
    """MiB on disk of the benchmark's database: its store files and its transaction logs."""

    def mib(folder: Path) -> float:
        files = (p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else iter(())
        return round(sum(p.stat().st_size for p in files) / 2**20, 1)

    data = home / "data"
    return {
        "storeMiB": mib(data / "databases" / "neo4j"),
        "transactionsMiB": mib(data / "transactions" / "neo4j"),
    }


def machine() -> dict[str, Any]:
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        "0",
    )
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memoryGiB": round(int(memory) / 1024 / 1024, 1),
        "processor": platform.processor() or platform.machine(),
    }


async def measure(
    op: Operation, url: str, db: Database, subjects: int, requests: int, duration: float
) -> dict[str, Any]:
    http = await latencies(op, url, subjects, requests)
    raw = await raw_latencies(op, db, subjects, requests, SECRET)
    result: dict[str, Any] = {
        "operation": op.name,
        "http": http,
        "raw": raw,
        "ratioP50": round(http["p50"] / raw["p50"], 2) if raw["p50"] else None,
    }
    floor = await floor_latencies(op, db, subjects, requests, SECRET)
    if floor is not None:  # the statements, the audit append and an empty GraphQL execution of the same shape
        result["floor"] = floor
        result["ratioFloorP50"] = round(http["p50"] / floor["p50"], 2) if floor["p50"] else None
    result["throughput"] = {str(c): await throughput(op, url, subjects, c, duration) for c in (1, 8, 32)}
    result["roundTrips"] = await round_trips(op, db, subjects, SECRET)
    result["dbHits"] = None if op.in_process else await db_hits(op, db, subjects, SECRET)
    return result


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| operation | HTTP p50 / p95 / p99 ms | driver p50 ms | ratio | floor p50 ms | ratio to floor | "
        "rps c1 / c8 / c32 | errors | round trips | db hits |"
    )
    lines = [head, "|" + "---|" * 10]
    for r in results:
        h, t = r["http"], r["throughput"]
        errors = sum(t[c]["errors"] for c in t)
        hits = "-" if r["dbHits"] is None else r["dbHits"]  # an in-process operation has none measured
        floor = r.get("floor")
        lines.append(
            f"| {r['operation']} | {h['p50']} / {h['p95']} / {h['p99']} | {r['raw']['p50']} | {r['ratioP50']} | "
            f"{floor['p50'] if floor else '-'} | {r.get('ratioFloorP50') or '-'} | "
            f"{t['1']['rps']} / {t['8']['rps']} / {t['32']['rps']} | {errors} | {r['roundTrips']} | {hits} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    server = LocalNeo4j(
        args.home,
        cache=state_dir() / "jars",
        port=args.port,
        password=PASSWORD,
        heap=args.heap,
        pagecache=args.pagecache,
    )
    server.start()
    settings = _settings(server)
    db = Database(settings)
    service = None
    try:
        load: dict[str, float] = {}
        found = await inspect_database(db)
        if found.complete and found.subjects == args.subjects:
            print(f"population of {args.subjects} subjects already loaded", flush=True)
            started = time.perf_counter()
            # a population kept from an older version is upgraded here, not by the service (whose start would wait)
            await apply_schema(db)
            print(f"schema applied in {time.perf_counter() - started:.1f} s", flush=True)
        else:
            if found.other:
                raise SystemExit(
                    f"the Neo4j in {args.home} holds data that no benchmark loaded; not deleting it. "
                    "Give the benchmark its own folder with --home."
                )
            if not found.empty:
                print("another population is loaded: deleting the benchmark's database", flush=True)
                await db.close()
                server.wipe()
                db = Database(settings)
            if args.initial:
                await db.close()
                load = await initial_population(server, args.subjects)
                db = Database(settings)
                print(
                    f"imported {args.subjects} subjects offline in {load['initialSeconds']} s: "
                    f"{load['initialSubjectsPerSecond']} subjects/s without generating the rows "
                    f"({load['initialEndToEndSubjectsPerSecond']} with)",
                    flush=True,
                )
            else:
                load = await load_population(db, args.subjects)
                print(
                    f"loaded {load['subjects']} subjects in {load['seconds']} s: {load['subjectsPerSecond']} "
                    f"subjects/s, {load['relationshipsPerSecond']} relationships/s ({load['generatingSeconds']} s "
                    f"of it generating rows; the bulk path alone: {load['writeSubjectsPerSecond']} subjects/s)"
                )
        online = (
            args.online if args.online is not None else max(1000, args.subjects // 10) if args.initial else 0
        )
        if online:
            # people no earlier slice wrote: the marker counts them
            (row,) = await db.read("MATCH (b:BenchPopulation) RETURN coalesce(b.online, 0) AS written")
            print(f"the online path: {online} more subjects into the population, then again ...", flush=True)
            load.update(await online_slice(db, args.subjects + int(row["written"]), online))
            await db.write("MATCH (b:BenchPopulation) SET b.online = coalesce(b.online, 0) + $n", n=online)
            print(
                f"online: {load['writeSubjectsPerSecond']} subjects/s new, {load['rerunSubjectsPerSecond']} "
                "subjects/s re-run",
                flush=True,
            )
        print("warming the page cache (every subject's relationships) ...", flush=True)
        await db.read("MATCH (s:Subject)-[r]->() RETURN count(r) AS n")  # steady state, not a cold start
        await authorise_bench(db)
        service, url = start_service(settings)
        results = []
        for op in OPERATIONS:
            if args.only and op.name not in args.only:
                continue
            print(f"measuring {op.name} ...", flush=True)
            results.append(await measure(op, url, db, args.subjects, args.requests, args.duration))
        measured = [op for op in OPERATIONS if any(r["operation"] == op.name for r in results)]
        by_workers = {"1": {r["operation"]: r["throughput"]["32"]["rps"] for r in results}}
        for workers in sorted(set(args.workers) - {1}):
            service.terminate()
            service.wait(10)
            service, url = start_service(settings, workers)
            print(f"throughput at concurrency 32 with {workers} workers ...", flush=True)
            by_workers[str(workers)] = {
                op.name: (await throughput(op, url, args.subjects, 32, args.duration))["rps"]
                for op in measured
            }
        report = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "subjects": args.subjects,
            "machine": machine(),
            "load": load,
            "serviceRssMiB": rss_mib(service.pid),
            "store": {**store_size(args.home), "heap": args.heap, "pagecache": args.pagecache},
            "results": results,
            "throughputC32ByWorkers": by_workers,
        }
        return report
    except (Exception, SystemExit):
        print(f"\nthe benchmark failed; {server.diagnosis()}", file=sys.stderr)
        raise
    finally:
        if service is not None:
            service.terminate()
            service.wait(10)
        await db.close()
        if not args.keep_running:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per latency measure")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per throughput measure")
    parser.add_argument("--only", nargs="*", help="operations to measure")
    parser.add_argument("--port", type=int, default=7697, help="Bolt port of the benchmark's Neo4j")
    parser.add_argument(
        "--home",
        type=Path,
        default=state_dir() / "bench-neo4j",
        help="folder of the benchmark's Neo4j (kept between runs so a loaded population is reused)",
    )
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    parser.add_argument("--keep-running", action="store_true", help="leave the benchmark's Neo4j running")
    parser.add_argument(
        "--online",
        type=int,
        help="subjects to write through the online path into the loaded population, then again (default: a "
        "tenth of --subjects with --initial, else none); each run's are new people",
    )
    parser.add_argument(
        "--initial",
        action="store_true",
        help="load the population through Neo4j's offline importer (`datamap import --initial`)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="worker processes of the service to measure throughput at concurrency 32 with (`serve --workers`)",
    )
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    print()
    print(table(report["results"]))
    print(f"\nservice resident memory: {report['serviceRssMiB']} MiB; load: {report['load'] or 'reused'}")
    print(f"requests/s at concurrency 32 by worker processes: {report['throughputC32ByWorkers']}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{report['when'].replace(':', '')}-{args.subjects}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()

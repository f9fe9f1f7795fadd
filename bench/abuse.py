"""Abuse replay: the requests that once hurt the service, sent to a running one, each checked to be refused the way
the service promises (`datamap/api/limits.py`, `errors.py`, `request_log.py`), with what the refusal cost.

    python3 -m bench.abuse --url http://127.0.0.1:8000 --token TOKEN [--log FILE] [--json OUT]

`--log` is the service's stderr file (its access log): the log-volume replay then reports what each request
added to it. Prints a table (attack, expected, got, ms or bytes, timing target, ok), writes every figure as JSON
to `--json`, and exits 1 when any refusal is not the promised one (a wrong status or code, any HTTP 5xx), else 0.
Timings are reported against their targets ("target met" / "target missed") and never change the exit status.

The service's limits are restated here rather than imported: this is a client of a running service, which may be
another version than the code beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import select
import statistics
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

MIB = 1024 * 1024
MAX_BODY = MIB  # the service's body limit (`body_limit.MAX_BODY`)
BODY_TIMEOUT = 10.0  # seconds the service gives a body to arrive (`DATAMAP_BODY_TIMEOUT`'s default)
BIG_BODY = 10 * MIB  # what the 10 MB body declares or sends
PIECE = 64 * 1024  # bytes written at a time
BIG_BODY_GIVE_UP = 15.0  # seconds before a big body without an answer is a failure
TRICKLE_LENGTH = 2_000  # the trickling body's declared length
TRICKLE_PACE = 0.5  # seconds between its bytes
TRICKLE_GIVE_UP = 30.0
ALIASES = 500
TYPENAMES = 50_000
BOMB_TRIES = 5  # each bomb is sent this many times; the median time is reported
BOMB_TARGET_MS = 100.0
LOG_REQUESTS = 20
LOG_ALIASES = 25
BAD_EMAIL = "not-an-email"
NEIGHBOUR_REQUESTS = 200
NEIGHBOUR_WARM_UP = 10
NEIGHBOUR_TARGET_RATIO = 2.0
NEIGHBOUR_SECONDS = 15.0  # the attacked series ends here even if not all its requests were sent
ATTACKERS = 4
TIMEOUT = 30.0  # seconds an ordinary request may take

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
RATE_LIMITED = "RATE_LIMITED"
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
INTERNAL = "INTERNAL_SERVER_ERROR"
QUERY_TIMEOUT = "TIMEOUT"  # a statement past the service's DATAMAP_QUERY_TIMEOUT

SIMPLE_QUERY = "{ systems { key } }"
REQUEST_ERASURE = (  # its subject fails validation, so even a service that let it through would write nothing
    'mutation { requestErasure(input: {subject: {email: "not-an-email"}, receivedAt: "2026-01-01T00:00:00Z", '
    "jurisdiction: GDPR, channel: WEB_FORM, identityVerification: {method: NOT_VERIFIED}}) { id } }"
)
WRONG_TOKEN = "Bearer abuse-replay-wrong-token"

# Bodies that once made the service answer 500, and plain mistakes passed in variables.
BAD_BODIES: Sequence[tuple[str, bytes]] = (
    ("body: a JSON string", b'"a string"'),
    ("body: null", b"null"),
    ("body: 42", b"42"),
    ("body: invalid UTF-8", b'{"query": "\xff\xfe"}'),
)
BAD_VARIABLES: Sequence[tuple[str, str, dict[str, Any]]] = (
    ("Date 2026-02-30", "query($d: Date) { ropa(asOf: $d) { asOf } }", {"d": "2026-02-30"}),
    ("Date 9999-12-31", "query($d: Date) { ropa(asOf: $d) { asOf } }", {"d": "9999-12-31"}),
    ("enum NOT_A_ROLE", "query($r: RecipientRole) { recipients(role: $r) { key } }", {"r": "NOT_A_ROLE"}),
    ('Int as a string "200"', "query($n: Int!) { auditLog(limit: $n) { seq } }", {"n": "200"}),
    (
        "DateTime 0001-01-01T00:00:00+14:00",
        "query($at: DateTime) { auditLog(from: $at) { seq } }",
        {"at": "0001-01-01T00:00:00+14:00"},
    ),
)
BAD_DOWNLOAD = "/reports/ropa.json?asOf=9999-12-31"


# --- answers and outcomes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the service answered to one request: its status (0: none came), the errors' codes, whether any data
    came, and how long it took."""

    status: int
    codes: tuple[str, ...] = ()
    data: bool = False
    ms: float = 0.0
    detail: str = ""  # the first error's message, or why no answer came
    late: bool = False  # no answer within the client's timeout

    @property
    def code(self) -> str | None:
        """The first error's code."""
        return self.codes[0] if self.codes else None

    def shown(self) -> str:
        """Status and first code, as the table shows them."""
        if not self.status:
            return "no answer"
        return f"{self.status} {self.code or '(no error)'}"


@dataclass
class Outcome:
    """One replayed attack: what the service should answer, what it did, and the figures measured."""

    attack: str
    expected: str
    got: str
    figure: str = ""  # ms or bytes, as the table shows them
    ok: bool = False  # refused as promised
    target: str = ""  # "target met", "target missed", or nothing when no timing target applies
    figures: dict[str, Any] = field(default_factory=dict)


def answer_of(status: int, content: bytes, ms: float) -> Answer:
    """An answer from its status and JSON body (a body that is not GraphQL-shaped JSON gives no codes)."""
    try:
        body = json.loads(content)
    except ValueError:
        return Answer(status, ms=ms, detail=content[:200].decode(errors="replace"))
    if not isinstance(body, dict):
        return Answer(status, ms=ms)
    errors = body.get("errors") or []
    codes = tuple(str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict))
    data = body.get("data")
    has_data = isinstance(data, dict) and any(v is not None for v in data.values())
    detail = str(errors[0].get("message", ""))[:200] if errors and isinstance(errors[0], dict) else ""
    return Answer(status, codes, has_data, ms, detail)


def refused(answer: Answer) -> bool:
    """A mistake answered as one: HTTP 4xx, or 200 with errors; never a 5xx, never an internal error."""
    if not answer.status or answer.status >= 500 or INTERNAL in answer.codes:
        return False
    return answer.status >= 400 or (answer.status == 200 and bool(answer.codes))


def target_of(met: bool) -> str:
    """How a timing compares with its target."""
    return "target met" if met else "target missed"


def elapsed_ms(started: float) -> float:
    """Milliseconds since `started` (a `time.perf_counter()`)."""
    return round((time.perf_counter() - started) * 1000, 1)


def graphql_body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    """A GraphQL request body."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return json.dumps(payload).encode()


# --- the service ------------------------------------------------------------------------------------------------


@dataclass
class Service:
    """The service under attack: its address, the bearer token, and an httpx client for ordinary requests."""

    url: str
    token: str
    client: httpx.AsyncClient

    @property
    def authorization(self) -> str:
        """The header value that lets a request in."""
        return f"Bearer {self.token}"

    @property
    def host(self) -> str:
        """Host name of the service (for raw sockets)."""
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        """Port of the service (for raw sockets)."""
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    async def post(
        self, body: bytes, *, authorization: str | None = "", timeout: float = TIMEOUT, request_id: str = ""
    ) -> Answer:
        """POST a body to /graphql; `authorization` None sends none, "" the service's token."""
        headers = {"content-type": "application/json"}
        if request_id:
            headers["x-request-id"] = request_id
        if authorization is not None:
            headers["authorization"] = authorization or self.authorization
        started = time.perf_counter()
        try:
            response = await self.client.post("/graphql", content=body, headers=headers, timeout=timeout)
        except httpx.TransportError as exc:
            late = isinstance(exc, httpx.TimeoutException)
            return Answer(0, ms=elapsed_ms(started), detail=f"{type(exc).__name__}: {exc}", late=late)
        return answer_of(response.status_code, response.content, elapsed_ms(started))

    async def get(self, path: str) -> Answer:
        """GET a path with the service's token."""
        started = time.perf_counter()
        try:
            response = await self.client.get(path, headers={"authorization": self.authorization})
        except httpx.TransportError as exc:
            return Answer(0, ms=elapsed_ms(started), detail=f"{type(exc).__name__}: {exc}")
        return answer_of(response.status_code, response.content, elapsed_ms(started))


def client_for(url: str) -> httpx.AsyncClient:
    """An httpx client for the service."""
    return httpx.AsyncClient(base_url=url.rstrip("/"), timeout=TIMEOUT)


# --- 1. documents too large to parse or validate ----------------------------------------------------------------


def alias_bomb() -> str:
    """500 aliases of one lineage query in one document (~46 KB as JSON)."""
    lines = (
        f'    categoryLineage_{i:03d}: categoryLineage(category: "user.contact") {{ recipients {{ key }} }}'
        for i in range(ALIASES)
    )
    return "query AliasBomb {\n" + "\n".join(lines) + "\n}"


def typename_bomb() -> str:
    """`__typename` 50,000 times in one document."""
    return "{ " + "__typename " * TYPENAMES + "}"


def bomb_refused(answer: Answer) -> bool:
    """A bomb refused by a limit: LIMIT_EXCEEDED, no data, no 5xx."""
    return 0 < answer.status < 500 and answer.code == LIMIT_EXCEEDED and not answer.data


async def replay_bomb(service: Service, attack: str, query: str) -> Outcome:
    """Send one bomb `BOMB_TRIES` times; the median time to the answer against the target."""
    body = graphql_body(query)
    answers = [await service.post(body) for _ in range(BOMB_TRIES)]
    ms = statistics.median(a.ms for a in answers)
    return Outcome(
        attack,
        f"{LIMIT_EXCEEDED}, < {BOMB_TARGET_MS:g} ms",
        answers[0].shown(),
        f"{ms:.1f} ms (median of {BOMB_TRIES}); {len(body):,} B",
        all(bomb_refused(a) for a in answers),
        target_of(ms < BOMB_TARGET_MS),
        {
            "body_bytes": len(body),
            "ms": [a.ms for a in answers],
            "median_ms": ms,
            "message": answers[0].detail,
        },
    )


# --- 2, 3. bodies: too large, chunked, trickling ----------------------------------------------------------------


@dataclass
class BodyAnswer:
    """How a body written by hand fared: the answer (if one came), when, and how far the body got."""

    status: int | None = None
    code: str | None = None
    ms: float | None = None  # from connecting to the answer's first line
    handed: int = 0  # body bytes the kernel had taken when the answer came (or the connection ended)
    written: int = 0  # body bytes given to the transport
    ending: str = ""  # "answered", "closed by the server" (before an answer), "gave up", "could not connect"
    detail: str = ""  # how the connection ended when no answer came

    def shown(self) -> str:
        """Status and code, or what happened instead."""
        if self.status is None:
            return f"no answer ({self.ending})"
        return f"{self.status} {self.code or '(no code)'} ({self.ending})"


class Progress:
    """How much of a body the kernel has taken: what was written less what still waits in the transport."""

    def __init__(self, writer: asyncio.StreamWriter, started: float) -> None:
        self.writer = writer
        self.started = started
        self.written = 0
        self.handed = 0
        self.answered_ms: float | None = None

    def note(self) -> None:
        """Update `handed` (unless the answer came already, or the transport dropped its buffer on a reset)."""
        transport = self.writer.transport
        if self.answered_ms is None and not transport.is_closing():
            self.handed = max(self.handed, self.written - transport.get_write_buffer_size())

    def answered(self) -> None:
        """The answer's first line came: freeze the figures."""
        self.note()
        self.answered_ms = elapsed_ms(self.started)


async def read_answer(reader: asyncio.StreamReader, progress: Progress) -> tuple[int, bytes]:
    """An HTTP response's status and body (its Content-Length's worth)."""
    head = await reader.readuntil(b"\r\n\r\n")
    progress.answered()
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


def server_spoke(writer: asyncio.StreamWriter) -> bool:
    """Whether the server sent something (its answer, or a close) that the event loop has not read yet: writing
    on would risk a reset that drops the unread answer."""
    sock = writer.get_extra_info("socket")
    return sock is not None and bool(select.select([sock.fileno()], [], [], 0)[0])


async def settle(
    writer: asyncio.StreamWriter, answer: asyncio.Task[Any], pace: float, deadline: float
) -> bool:
    """After a write: wait until the kernel takes it (`drain`) or the answer comes, then `pace` seconds more for
    the answer. True when writing should stop (an answer, a closed connection, or the time is up)."""
    drain = asyncio.ensure_future(writer.drain())
    remaining = max(deadline - time.perf_counter(), 0.0)
    await asyncio.wait({drain, answer}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
    if not drain.done():
        drain.cancel()
        return True
    if (
        drain.exception() is not None
    ):  # ConnectionResetError, BrokenPipeError: the server closed the connection
        return True
    await asyncio.wait({answer}, timeout=min(pace, remaining) if pace else 0)
    return answer.done() or server_spoke(writer)


async def send_body(
    service: Service, framing: str, pieces: Iterable[bytes], *, pace: float = 0.0, give_up: float
) -> BodyAnswer:
    """POST /graphql on a raw socket: the headers (`framing` is the Content-Length or Transfer-Encoding line),
    then `pieces` one at a time, `pace` seconds apart, until the answer comes, the server closes the connection,
    the pieces end or `give_up` seconds have passed."""
    started = time.perf_counter()
    deadline = started + give_up
    try:
        reader, writer = await asyncio.open_connection(service.host, service.port)
    except OSError as exc:
        return BodyAnswer(ending=f"could not connect: {exc}")
    progress = Progress(writer, started)
    answer = asyncio.ensure_future(read_answer(reader, progress))
    head = (
        f"POST /graphql HTTP/1.1\r\nhost: {service.host}:{service.port}\r\n"
        f"authorization: {service.authorization}\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
    )
    with contextlib.suppress(ConnectionError):  # the server closed the connection: the answer says how
        writer.write(head.encode())
        for piece in pieces:
            if answer.done() or server_spoke(writer):
                break
            writer.write(piece)
            progress.written += len(piece)
            stop = await settle(writer, answer, pace, deadline)
            progress.note()
            if stop:
                break
    await asyncio.wait({answer}, timeout=max(deadline - time.perf_counter(), 0.0))
    result = BodyAnswer(ms=progress.answered_ms, handed=progress.handed, written=progress.written)
    if not answer.done():
        answer.cancel()
        result.ending = "gave up"
    elif answer.exception() is not None:  # a reset or an end of stream before a whole answer
        result.ending, result.detail = "closed by the server", repr(answer.exception())[:200]
    else:
        status, content = answer.result()
        result.status, result.code, result.ending = status, answer_of(status, content, 0).code, "answered"
    await close_quietly(writer)
    return result


async def close_quietly(writer: asyncio.StreamWriter) -> None:
    """Close a connection the server may have reset already."""
    writer.close()
    with contextlib.suppress(ConnectionError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 2.0)


def plain_pieces(total: int) -> Iterator[bytes]:
    """A body of `total` bytes (JSON whitespace after an opening brace) in pieces of `PIECE` bytes."""
    yield b"{" + b" " * (PIECE - 1)
    for start in range(PIECE, total, PIECE):
        yield b" " * min(PIECE, total - start)


def chunked_pieces(total: int) -> Iterator[bytes]:
    """The same body in HTTP/1.1 chunks of `PIECE` bytes, then the last chunk."""
    for piece in plain_pieces(total):
        yield b"%x\r\n%b\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def too_large_refused(result: BodyAnswer, total: int) -> bool:
    """413 PAYLOAD_TOO_LARGE, or the server closed the connection before the body was all written."""
    if result.status is not None:
        return result.status == 413 and result.code == PAYLOAD_TOO_LARGE
    return result.ending == "closed by the server" and result.written < total


async def replay_big_body(service: Service, chunked: bool) -> Outcome:
    """10 MiB declared (or chunked, with no length): refused at once, or once 1 MiB has passed."""
    if chunked:
        framing, pieces = "transfer-encoding: chunked", chunked_pieces(BIG_BODY)
    else:
        framing, pieces = f"content-length: {BIG_BODY}", plain_pieces(BIG_BODY)
    result = await send_body(service, framing, pieces, give_up=BIG_BODY_GIVE_UP)
    when = f"{result.ms:.1f} ms" if result.ms is not None else "-"
    return Outcome(
        "10 MiB body, chunked" if chunked else "10 MiB body, Content-Length",
        f"413 {PAYLOAD_TOO_LARGE}" + (f" past {MAX_BODY // MIB} MiB" if chunked else " at once"),
        result.shown(),
        f"{when}; {result.handed:,} of {BIG_BODY:,} B sent",
        too_large_refused(result, BIG_BODY),
        figures=asdict(result),
    )


async def replay_trickle(service: Service) -> Outcome:
    """Content-Length 2000, then one byte every half second: 408 once the body timeout has passed."""
    pieces = (b" " for _ in range(TRICKLE_LENGTH))
    result = await send_body(
        service, f"content-length: {TRICKLE_LENGTH}", pieces, pace=TRICKLE_PACE, give_up=TRICKLE_GIVE_UP
    )
    seconds = (result.ms or 0) / 1000
    return Outcome(
        "body trickling 1 B / 0.5 s",
        f"408 {REQUEST_TIMEOUT} after ~{BODY_TIMEOUT:g} s",
        result.shown(),
        f"{seconds:.1f} s; {result.handed:,} B sent" if result.ms is not None else "none in 30 s",
        result.status == 408 and result.code == REQUEST_TIMEOUT,
        figures={**asdict(result), "seconds": round(seconds, 2)},
    )


# --- 4. log volume ----------------------------------------------------------------------------------------------


def failing_aliases() -> str:
    """25 aliases that each fail (an email that is not one)."""
    fields = " ".join(
        f'a{i}: subjectLineage(subject: {{email: "{BAD_EMAIL}"}}) {{ subjectId }}'
        for i in range(1, LOG_ALIASES + 1)
    )
    return "{ " + fields + " }"


async def replay_log_volume(service: Service, log: Path | None) -> Outcome:
    """25 failing aliases, 20 times: errors, not data; one access-log line per request, never the query."""
    body = graphql_body(failing_aliases())
    before = log.stat().st_size if log else 0
    ids = [f"abuse-log-{os.getpid()}-{n}" for n in range(LOG_REQUESTS)]
    answers = [await service.post(body, request_id=i) for i in ids]
    answered = all(refused(a) and not a.data for a in answers)
    figures: dict[str, Any] = {
        "errors_per_answer": [len(a.codes) for a in answers],
        "codes": sorted({c for a in answers for c in a.codes}),
    }
    if log is None:
        return Outcome(
            "log volume (25 failing aliases)",
            "errors, no data",
            answers[0].shown(),
            "no --log given",
            answered,
            figures=figures,
        )
    await asyncio.sleep(0.5)  # the log line is written as the answer leaves
    with log.open("rb") as file:
        file.seek(before)
        grown = file.read()
    lines = grown.splitlines()
    # Lines of these requests are told by the id each was sent with; any other line (another request's, a
    # background task's) is counted apart and shown, not judged, but may not quote the query either.
    quoted_ids = [f'"{i}"'.encode() for i in ids]
    per_id = [sum(1 for line in lines if i in line) for i in quoted_ids]
    others = [line for line in lines if not any(i in line for i in quoted_ids)]
    quoted = BAD_EMAIL.encode() in grown or b"subjectLineage(" in grown
    per_request = sum(len(line) + 1 for line in lines if line not in others) / LOG_REQUESTS
    figures.update(
        log_bytes=len(grown),
        log_lines=len(lines),
        lines_per_request=per_id,
        other_lines=[line.decode(errors="replace")[:200] for line in others],
        bytes_per_request=per_request,
        query_in_log=quoted,
    )
    figures["sample_line"] = lines[0].decode(errors="replace") if lines else ""
    shown = f"{answers[0].shown()}; {sum(per_id)} lines for {LOG_REQUESTS} requests"
    if others:
        shown += f" (+{len(others)} not theirs)"
    return Outcome(
        "log volume (25 failing aliases)",
        "errors; 1 log line / request, no query",
        shown + ("; QUERY IN LOG" if quoted else ""),
        f"{per_request:.0f} B / request",
        answered and per_id == [1] * LOG_REQUESTS and not quoted,
        figures=figures,
    )


# --- 5, 6. former HTTP 500s, and no way in without a token ------------------------------------------------------


def mistake_outcome(attack: str, answer: Answer) -> Outcome:
    """A mistake that once gave a 500: a 4xx, or a 200 with an error that is not internal."""
    return Outcome(
        attack,
        "4xx, or 200 + error; no 5xx",
        answer.shown(),
        f"{answer.ms:.1f} ms",
        refused(answer),
        figures={**asdict(answer), "codes": list(answer.codes)},
    )


async def replay_mistakes(service: Service) -> list[Outcome]:
    """Bodies that are not JSON objects, dates and values out of range or of the wrong type."""
    outcomes = [mistake_outcome(name, await service.post(body)) for name, body in BAD_BODIES]
    outcomes.append(mistake_outcome(f"GET {BAD_DOWNLOAD}", await service.get(BAD_DOWNLOAD)))
    for name, query, variables in BAD_VARIABLES:
        answer = await service.post(graphql_body(query, variables))
        outcomes.append(mistake_outcome(f"variable: {name}", answer))
    return outcomes


async def replay_no_token(service: Service) -> list[Outcome]:
    """A query and a mutation with no token and with a wrong one: 401 UNAUTHENTICATED."""
    outcomes = []
    for what, query in (("query systems", SIMPLE_QUERY), ("mutation requestErasure", REQUEST_ERASURE)):
        for who, authorization in (("no token", None), ("wrong token", WRONG_TOKEN)):
            answer = await service.post(graphql_body(query), authorization=authorization)
            outcomes.append(
                Outcome(
                    f"{who}: {what}",
                    f"401 {UNAUTHENTICATED}",
                    answer.shown(),
                    f"{answer.ms:.1f} ms",
                    answer.status == 401 and answer.code == UNAUTHENTICATED and not answer.data,
                    figures={**asdict(answer), "codes": list(answer.codes)},
                )
            )
    return outcomes


# --- 7. a neighbour's latency while the service is attacked -----------------------------------------------------


@dataclass
class Series:
    """Sequential requests of a neighbour: their answers and how long they all took."""

    answers: list[Answer]
    seconds: float

    @property
    def late(self) -> list[Answer]:
        """Answers that ran out of time (the service's TIMEOUT, or none within the client's timeout): speed, which
        is reported, not judged."""
        return [a for a in self.answers if a.late or QUERY_TIMEOUT in a.codes]

    @property
    def wrong(self) -> list[Answer]:
        """Answers that are neither data nor late: a 5xx, any other error."""
        return [
            a
            for a in self.answers
            if not (a.status == 200 and a.data and not a.codes) and not (a.late or QUERY_TIMEOUT in a.codes)
        ]

    def percentile(self, share: float) -> float:
        """The latency `share` of the requests stayed under (nearest rank)."""
        ranked = sorted(a.ms for a in self.answers)
        return ranked[min(len(ranked) - 1, max(0, round(share * len(ranked)) - 1))]

    def summary(self) -> dict[str, Any]:
        """p50, p95 and the counts, for the JSON."""
        return {
            "requests": len(self.answers),
            "late": len(self.late),
            "late_timeout_code": sum(1 for a in self.answers if QUERY_TIMEOUT in a.codes),
            "late_cut_off": sum(1 for a in self.answers if a.late),
            "wrong": len(self.wrong),
            "first_wrong": asdict(self.wrong[0]) if self.wrong else None,
            "p50_ms": self.percentile(0.50),
            "p95_ms": self.percentile(0.95),
            "max_ms": max(a.ms for a in self.answers),
            "seconds": round(self.seconds, 2),
        }


async def simple_series(service: Service, requests: int, seconds: float = float("inf")) -> Series:
    """`{ systems { key } }` sent `requests` times, one after the other, or as many times as `seconds` allow (a
    request still unanswered then is late, with the time it waited)."""
    body = graphql_body(SIMPLE_QUERY)
    started = time.perf_counter()
    answers: list[Answer] = []
    while len(answers) < requests and (left := started + seconds - time.perf_counter()) > 0:
        answers.append(await service.post(body, timeout=min(left, TIMEOUT)))
    return Series(answers, time.perf_counter() - started)


async def attack_once(service: Service, kind: str, bodies: dict[str, bytes]) -> bool:
    """One attack of the attackers' loop; True if it was refused as promised: by its limit, or, once the
    attacker has sent too many, by the brake (429 RATE_LIMITED, `datamap/api/brake.py`)."""
    if kind == "big body":
        result = await send_body(
            service, f"content-length: {BIG_BODY}", plain_pieces(BIG_BODY), give_up=BIG_BODY_GIVE_UP
        )
        return too_large_refused(result, BIG_BODY) or (result.status == 429 and result.code == RATE_LIMITED)
    answer = await service.post(bodies[kind])
    return bomb_refused(answer) or (answer.status == 429 and answer.code == RATE_LIMITED)


async def attack_until(url: str, token: str, attackers: int, started: Event, stop: Event) -> dict[str, Any]:
    """`attackers` tasks each looping over the alias bomb, the typename bomb and the 10 MiB body until `stop`;
    the count of each attack and of those not refused as promised."""
    bodies = {"alias bomb": graphql_body(alias_bomb()), "typename bomb": graphql_body(typename_bomb())}
    tally: dict[str, dict[str, int]] = {kind: {"sent": 0, "not_refused": 0} for kind in [*bodies, "big body"]}
    async with client_for(url) as client:
        service = Service(url, token, client)

        async def attacker() -> None:
            while not stop.is_set():
                for kind, counts in tally.items():
                    as_promised = await attack_once(service, kind, bodies)
                    counts["sent"] += 1
                    counts["not_refused"] += 0 if as_promised else 1

        began = time.perf_counter()
        started.set()
        await asyncio.gather(*(attacker() for _ in range(attackers)))
    return {"attacks": tally, "seconds": round(time.perf_counter() - began, 2)}


def attack_process(
    url: str, token: str, attackers: int, started: Event, stop: Event, tally: Queue[Any]
) -> None:
    """The attackers, in a process of their own (so the neighbour's client shares no event loop or GIL with
    them): their tally goes back through `tally`."""
    tally.put(asyncio.run(attack_until(url, token, attackers, started, stop)))


async def replay_neighbours(service: Service, requests: int, neighbour_token: str) -> Outcome:
    """p50 and p95 of a simple query from its own client (with a token of its own: the attackers' is braked),
    quiet and then under 4 attackers (for as many requests, or `NEIGHBOUR_SECONDS` if they take longer)."""
    async with client_for(service.url) as client:
        neighbour = Service(service.url, neighbour_token, client)
        await simple_series(neighbour, NEIGHBOUR_WARM_UP)
        quiet = await simple_series(neighbour, requests)
        spawn = multiprocessing.get_context("spawn")
        started, stop, queue = spawn.Event(), spawn.Event(), spawn.Queue()
        process = spawn.Process(
            target=attack_process, args=(service.url, service.token, ATTACKERS, started, stop, queue)
        )
        process.start()
        attacking = await asyncio.to_thread(started.wait, 60.0)
        attacked = await simple_series(neighbour, requests, NEIGHBOUR_SECONDS)
        stop.set()
    try:
        tally: dict[str, Any] = await asyncio.to_thread(queue.get, True, 60.0)
    except Exception:  # the attackers died or hung: queue.Empty
        tally = {"attacks": {}, "error": "the attackers gave no tally"}
    await asyncio.to_thread(process.join, 10.0)
    if process.is_alive():
        process.kill()
    return neighbour_outcome(quiet, attacked, tally, attacking)


def neighbour_outcome(quiet: Series, attacked: Series, tally: dict[str, Any], attacking: bool) -> Outcome:
    """The neighbour's p50s and their ratio. Judged: every attack refused as promised, and no answer to the
    neighbour wrong (a 5xx or an error other than TIMEOUT); its late answers are counted, not judged."""
    ratio = attacked.percentile(0.5) / quiet.percentile(0.5)
    attacks: dict[str, dict[str, int]] = tally.get("attacks", {})
    sent = sum(c["sent"] for c in attacks.values())
    not_refused = sum(c["not_refused"] for c in attacks.values())
    ok = attacking and bool(attacks) and not_refused == 0 and not quiet.wrong and not attacked.wrong
    late = len(quiet.late) + len(attacked.late)
    return Outcome(
        f"neighbour p50 under {ATTACKERS} attackers",
        f"attacks refused; neighbour answered; p50 x{NEIGHBOUR_TARGET_RATIO:g} at most",
        f"{sent} attacks, {not_refused} not refused; {len(attacked.answers)} requests, "
        f"{len(attacked.wrong)} wrong, {late} late",
        f"p50 {quiet.percentile(0.5):.1f} -> {attacked.percentile(0.5):.1f} ms (x{ratio:.2f}); "
        f"p95 {quiet.percentile(0.95):.1f} -> {attacked.percentile(0.95):.1f} ms",
        ok,
        target_of(ratio <= NEIGHBOUR_TARGET_RATIO and late == 0),
        {"quiet": quiet.summary(), "attacked": attacked.summary(), "p50_ratio": round(ratio, 2), **tally},
    )


async def until_released(service: Service, most: float = 30.0) -> None:
    """Wait while the service brakes this token (429 RATE_LIMITED: a run just before sent many bombs with it)."""
    body, ends = graphql_body("{ __typename }"), time.perf_counter() + most
    while (await service.post(body)).code == RATE_LIMITED and time.perf_counter() < ends:
        await asyncio.sleep(1.0)


# --- the run ----------------------------------------------------------------------------------------------------


async def replay_all(
    url: str, token: str, log: Path | None, requests: int, neighbour_token: str
) -> list[Outcome]:
    """Every replay, one after the other (the neighbours last: they bring their own attackers)."""
    async with client_for(url) as client:
        service = Service(url, token, client)
        await until_released(service)
        outcomes = [
            await replay_bomb(service, f"alias bomb ({ALIASES} aliases)", alias_bomb()),
            await replay_bomb(service, f"typename bomb ({TYPENAMES:,})", typename_bomb()),
            await replay_big_body(service, chunked=False),
            await replay_big_body(service, chunked=True),
            await replay_trickle(service),
            await replay_log_volume(service, log),
            *await replay_mistakes(service),
            *await replay_no_token(service),
        ]
        outcomes.append(await replay_neighbours(service, requests, neighbour_token))
    return outcomes


def table(outcomes: Sequence[Outcome]) -> str:
    """The outcomes as a plain-text table."""
    header = ("attack", "expected", "got", "ms / bytes", "timing", "ok")
    rows = [header] + [
        (o.attack, o.expected, o.got, o.figure, o.target, "ok" if o.ok else "FAIL") for o in outcomes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report(url: str, outcomes: Sequence[Outcome], seconds: float) -> dict[str, Any]:
    """Every figure, with the machine, for `--json`."""
    return {
        "url": url,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "system": platform.platform(),
            "python": platform.python_version(),
        },
        "seconds": round(seconds, 1),
        "ok": all(o.ok for o in outcomes),
        "outcomes": [asdict(o) for o in outcomes],
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python3 -m bench.abuse", description="Replay past attacks against a running datamap service."
    )
    parser.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a bearer token of a role that may use subjectLineage")
    parser.add_argument(
        "--neighbour-token",
        help="the neighbour's bearer token (another principal: the attackers' gets braked); default --token",
    )
    parser.add_argument("--log", type=Path, help="the service's stderr file (its access log)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--requests", type=int, default=NEIGHBOUR_REQUESTS, help="neighbour requests, quiet and attacked"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every replay, print the table, write the JSON; 1 if any refusal was not as promised."""
    args = parse_args(argv)
    url = args.url.rstrip("/")
    started = time.perf_counter()
    neighbour_token = args.neighbour_token or args.token
    outcomes = asyncio.run(replay_all(url, args.token, args.log, args.requests, neighbour_token))
    seconds = time.perf_counter() - started
    print(table(outcomes))
    failed = [o.attack for o in outcomes if not o.ok]
    print(
        f"\n{len(outcomes)} replays in {seconds:.1f} s; "
        + (f"NOT as promised: {', '.join(failed)}" if failed else "all refused as promised")
    )
    if args.json is not None:
        args.json.write_text(json.dumps(report(url, outcomes, seconds), indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

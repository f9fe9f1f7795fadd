"""A real browser for the tests: Debian's Chromium, headless, found or skipped (`chromium`), and driven over the
DevTools protocol (`open_page`) while the service answers on 127.0.0.1 (`serving`).

`open_page` starts Chromium with `--remote-debugging-port=0` and talks to it over the WebSocket it announces
(`websockets`, which uvicorn[standard] brings): it can send the service's bearer token with every request
(`Network.setExtraHTTPHeaders`, as a client of the API does), load a page, read its DOM, take a screenshot, and
lists every request the page made (`Network.requestWillBeSent`). Chromium's own traffic is shut off: no
background networking, no component updates, and every host name but 127.0.0.1 resolves to nothing
(`--host-resolver-rules`), so nothing can leave the machine even if a page asked.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import free_port

OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests may run as root (CI does)
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def chromium() -> str:
    """Chromium's binary; without one the test is skipped, saying why (in CI it fails: CI installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed; .ci/run installs Debian's package `chromium` before the tests"
            )
        pytest.skip(
            "chromium is not installed (Debian: apt-get install chromium); CI installs it and runs this"
        )
    return found


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The application served over HTTP on 127.0.0.1 (a free port) in this event loop; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", ws="none", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or task.done():
            break
        await asyncio.sleep(0.05)
    assert server.started, "the service did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Page:
    """One browser tab over the DevTools protocol (flat sessions)."""

    socket: ClientConnection
    session: str = ""
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # URL -> response (status, headers)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _events: dict[str, asyncio.Event] = field(default_factory=dict)

    async def read(self) -> None:
        async for raw in self.socket:
            message = orjson.loads(raw)
            if "id" in message:
                waiting = self._waiting.pop(message["id"], None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(message)
                continue
            method, params = message.get("method", ""), message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Network.responseReceived":
                self.responses[params["response"]["url"]] = params["response"]
            self._events.setdefault(method, asyncio.Event()).set()

    async def send(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._waiting[number] = asyncio.get_running_loop().create_future()
        await self.socket.send(orjson.dumps(message).decode())
        answer = await asyncio.wait_for(self._waiting[number], 60)
        assert "error" not in answer, (method, answer["error"])
        result: dict[str, Any] = answer.get("result", {})
        return result

    async def load(self, url: str, headers: dict[str, str]) -> None:
        """Load `url`, sending `headers` with every request, and wait for its load event."""
        await self.send("Network.setExtraHTTPHeaders", headers=headers)
        loaded = self._events.setdefault("Page.loadEventFired", asyncio.Event())
        loaded.clear()
        navigated = await self.send("Page.navigate", url=url)
        assert not navigated.get("errorText"), navigated
        await asyncio.wait_for(loaded.wait(), 60)

    async def submit(self, expression: str) -> None:
        """Run `expression`, which submits a form (or navigates), and wait for the load event of what it loads."""
        loaded = self._events.setdefault("Page.loadEventFired", asyncio.Event())
        loaded.clear()
        await self.evaluate(expression)
        await asyncio.wait_for(loaded.wait(), 60)

    async def evaluate(self, expression: str) -> Any:
        found = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in found, found
        return found["result"].get("value")

    async def screenshot(self, path: Path) -> Path:
        """The whole page, not only the window, as a PNG."""
        size = (await self.send("Page.getLayoutMetrics"))["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@contextlib.asynccontextmanager
async def open_page(profile: Path, width: int = 1400, height: int = 1000) -> AsyncIterator[Page]:
    """A headless Chromium (its own profile folder) with one tab, Network and Page events on."""
    process = await asyncio.create_subprocess_exec(
        chromium(),
        *OFFLINE_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--remote-debugging-port=0",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    drain = None
    try:
        endpoint = await asyncio.wait_for(_endpoint(process), 60)
        assert process.stderr is not None
        drain = asyncio.create_task(process.stderr.read())  # Chromium's log must not fill the pipe
        async with connect(endpoint, max_size=None) as socket:
            page = Page(socket)
            reader = asyncio.create_task(page.read())
            try:
                targets = await page.send("Target.getTargets", session=False)
                tab = next(t for t in targets["targetInfos"] if t["type"] == "page")
                attached = await page.send(
                    "Target.attachToTarget", False, targetId=tab["targetId"], flatten=True
                )
                page.session = attached["sessionId"]
                await page.send("Network.enable")
                await page.send("Page.enable")
                yield page
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()
        if drain is not None:
            await drain


async def _endpoint(process: asyncio.subprocess.Process) -> str:
    """The browser's DevTools WebSocket, from the line Chromium prints on start."""
    assert process.stderr is not None
    seen = []
    while line := (await process.stderr.readline()).decode(errors="replace"):
        seen.append(line)
        found = _LISTENING.search(line)
        if found:
            return found.group(1)
    raise AssertionError("Chromium exited before it listened:\n" + "".join(seen[-20:]))

"""A document's HTML page in a real browser: Debian's Chromium, headless, shows its title and its sections.

Chromium prints the DOM it built (`--dump-dom`: the title and each section heading must be in it) and takes a
screenshot (`--screenshot`) of the page and of the same page without its sections: the page must not be blank,
and its ink must reach well below the title, where the sections are. CI installs Chromium (`.ci/run`) and must run
this test; elsewhere, without Chromium, it is skipped and says why.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.browser import OFFLINE_FLAGS, chromium
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.neo4j

WIDTH, HEIGHT = 1000, 2400
DRAFT = """mutation { draftDocument(input: {kind: ACCESS_REPORT, subject: {email: "anna.jansen@example.com"}}) {
  id title sections { heading } htmlUrl } }"""


def run_chromium(binary: str, page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [
            binary,
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def ink_rows(png: Path) -> list[int]:
    """The rows of the screenshot that hold anything but the white background."""
    image = Image.open(png).convert("L")
    width, height = image.size
    pixels = image.load()
    return [y for y in range(height) if any(pixels[x, y] < 200 for x in range(0, width, 2))]


async def test_chromium_shows_the_documents_title_and_sections(api: GraphQLClient, tmp_path: Path) -> None:
    binary = chromium()
    doc = (await api.query(DRAFT))["draftDocument"]
    page = await api.client.get(doc["htmlUrl"])
    assert page.status_code == 200
    full = tmp_path / "document.html"
    full.write_text(page.text, encoding="utf-8")
    # the same page with its title and nothing else: where the sections were, nothing
    title_only = tmp_path / "title-only.html"
    title_only.write_text(
        re.sub(r"(</h1>).*(</body>)", r"\1\2", page.text, flags=re.DOTALL), encoding="utf-8"
    )

    dom = run_chromium(binary, full, tmp_path / "profile-dom", "--dump-dom").stdout
    assert f"<h1>{html.escape(doc['title'])}</h1>" in dom
    headings = [s["heading"] for s in doc["sections"] if s["heading"]]
    assert len(headings) >= 5
    for heading in headings:
        assert f"<h2>{html.escape(heading, quote=False)}</h2>" in dom, heading

    shots = {}
    for name, source in (("full", full), ("title", title_only)):
        shots[name] = tmp_path / f"{name}.png"
        run_chromium(binary, source, tmp_path / f"profile-{name}", f"--screenshot={shots[name]}")
        assert shots[name].read_bytes().startswith(b"\x89PNG"), name
    with Image.open(shots["full"]) as image:
        assert image.size == (WIDTH, HEIGHT)
        assert len(image.convert("L").getcolors() or []) > 10, "the screenshot is blank"
    title_rows, page_rows = ink_rows(shots["title"]), ink_rows(shots["full"])
    assert title_rows and title_rows[0] < 150, "the title is at the top"
    assert page_rows[0] == title_rows[0], "the page starts with the same title"
    assert page_rows[-1] > title_rows[-1] + 500, "the sections fill the page below the title"
    rows_with_text = len(page_rows) - len(title_rows)
    assert rows_with_text > 40 * len(headings) // 2, "a line of ink per section at least"
    with Image.open(shots["full"]) as a, Image.open(shots["title"]) as b:
        box = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
    assert box is not None and box[1] > title_rows[0], (
        "the pages differ below the title, where the sections are"
    )

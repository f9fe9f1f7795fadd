"""Pictures of the map: a category's lineage, a subject's, or what reaches a recipient, drawn as SVG.

The drawing is Graphviz's `dot`, run on this machine (Debian's package `graphviz`; `.ci/run` installs it where it
is missing). Why Graphviz and not a JavaScript layout library vendored from npm (elkjs, dagre):

- the picture is made on the server, as an SVG document, so an auditor's download, the page and a test all see
  the same drawing, and the page needs no script at all (its Content-Security-Policy stays the strict one);
- `dot` is the layered layout this picture needs: ranks left to right (sources -> systems -> recipients), boxes
  per country (clusters), dashed and bold edges, labels on edges, in one maintained program of thirty years that
  Debian packages and updates; nothing to vendor, no build step, no npm at build or test time;
- it runs with no network and no state: DOT text in, SVG out, in a subprocess with a time limit.

What is drawn, and in which style, is the domain's (`domain/lineage_picture.py`); the data comes from the lineage
and impact use cases (`lineage.py`, `impact.py`), so the picture shows exactly what `categoryLineage`,
`subjectLineage` and `recipientImpact` answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import html
import shutil

from datamap.domain.deadlines import add_months
from datamap.domain.documents import Document
from datamap.domain.lineage_picture import Picture, impact_picture, lineage_picture
from datamap.domain.lineage_types import NodeKind
from datamap.errors import PrerequisiteMissing, QueryTimeout
from datamap.graph.database import Database
from datamap.graph.subject_lookup import subject_hashes
from datamap.services import impact, lineage
from datamap.services.subjects import SubjectLookup

DOT_SECONDS = 15.0  # a map of thousands of nodes draws in a second or two
DOT_MISSING = "Graphviz's `dot` is not installed on the server (Debian: apt-get install graphviz)"


async def render_svg(dot: str, *, seconds: float = DOT_SECONDS) -> str:
    """The SVG document `dot` draws from the DOT text; PrerequisiteMissing without Graphviz, QueryTimeout past
    `seconds` (the process is killed)."""
    program = shutil.which("dot")
    if program is None:
        raise PrerequisiteMissing(DOT_MISSING)
    process = await asyncio.create_subprocess_exec(
        program,
        "-Tsvg",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(dot.encode()), seconds)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise QueryTimeout(f"the picture took longer than {seconds:g} s to draw") from None
    if process.returncode != 0:
        raise RuntimeError(f"dot failed ({process.returncode}): {err.decode(errors='replace')[-500:]}")
    return out.decode()


def inline_svg(svg: str) -> str:
    """The `<svg>` element of an SVG document, to put into an HTML page (no XML prolog, no doctype)."""
    return svg[svg.index("<svg") :]


# --- the pictures --------------------------------------------------------------------------------------------


async def category_picture(
    db: Database, category: str, as_of: dt.date | None = None, *, now: dt.datetime
) -> Picture:
    found = await lineage.lineage_of_category(db, category, as_of, now=now)
    return lineage_picture(found, f"Lineage of the data category {category} as of {found.as_of.isoformat()}")


async def subject_by_id(db: Database, subject_id: str, where: str = "subjectId") -> SubjectLookup:
    """The lookup of the subject with our (opaque) id: by the keyed hashes of its identifiers, as any lookup is;
    it finds no one when no subject has that id (or it was erased). Errors name `where`."""
    return SubjectLookup((), await subject_hashes(db, subject_id), where)


async def subject_picture(
    db: Database,
    subject: SubjectLookup,
    *,
    now: dt.datetime,
    category: str | None = None,
    as_of: dt.date | None = None,
    max_hops: int | None = None,
) -> tuple[Picture, str | None] | None:
    """The picture and the subject's id; None when no subject has the identifiers (`subject.unknown()`)."""
    found = await lineage.lineage_of_subject(
        db, subject, now=now, category=category, as_of=as_of, max_hops=max_hops
    )
    if found is None:
        return None
    what = f"subject {found.subject_id}" + (f", data category {category}" if category else "")
    return lineage_picture(found, f"Lineage of {what} as of {found.as_of.isoformat()}"), found.subject_id


async def recipient_picture(
    db: Database,
    recipient: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    now: dt.datetime,
    as_of: dt.date | None = None,
) -> Picture:
    """What reaches a recipient by the map on `as_of`, and how many people's data recorded disclosures brought
    there in [start, end) (default: the twelve months up to the map's day, or today)."""
    if start is None or end is None:
        last = as_of or now.astimezone(dt.UTC).date()
        end = end or last + dt.timedelta(days=1)
        start = start or add_months(end, -12)
    found = await impact.impact_on_recipient(db, recipient, start, end, now=now, as_of=as_of, limit=1)
    title = f"What reaches {found.recipient['name']} ({recipient}) by the map as of {found.as_of.isoformat()}"
    return impact_picture(found, title)


# --- the page --------------------------------------------------------------------------------------------------

_KINDS = (
    (NodeKind.SOURCE, "Sources"),
    (NodeKind.SYSTEM, "Systems"),
    (NodeKind.RECIPIENT, "Recipients"),
    (NodeKind.TRANSFER, "Transfers"),
)


# The fields of the lookup form: (name, label, input type).
_LOOKUP_FIELDS = (
    ("subject.email", "Email address", "email"),
    ("subject.phone", "Telephone number", "tel"),
    ("subject.externalId", "External id", "text"),
    ("category", "Data category (optional, e.g. user.contact.email)", "text"),
    ("asOf", "As of (optional, YYYY-MM-DD)", "text"),
    ("maxHops", "Most flows to follow (optional)", "text"),
)


def lookup_page() -> str:
    """The page `/lineage` shows without parameters: a form that POSTs a person's identifiers to `/lineage`, so
    that they travel in the request's body, never in a URL (access logs, proxies and browser history keep URLs).
    No script."""
    doc = Document("Lineage of a person")
    doc.section(
        "",
        "Give one of the person's identifiers (or several of the same person). They are sent in the form, not in "
        "the address, and this service keeps only their keyed hashes. The page that answers names the person by "
        "our id only; /lineage?subjectId=ID draws it again.",
    )
    e = html.escape
    fields = "".join(
        f'<p><label>{e(label)}<br><input name="{e(name)}" type="{kind}" autocomplete="off" size="40"></label></p>'
        for name, label, kind in _LOOKUP_FIELDS
    )
    form = f'<form method="post" action="/lineage">{fields}<p><button type="submit">Draw</button></p></form>'
    page = doc.html()
    end = page.index("</body>")
    return page[:end] + form + "\n" + page[end:]


def picture_page(picture: Picture, svg: str, download_name: str) -> str:
    """An HTML page with the picture inline, a download of it, and in words what it shows. No script."""
    doc = Document(picture.title)
    if picture.notes:
        doc.section("Notes", *picture.notes)
    for kind, heading in _KINDS:
        drawn = picture.of_kind(kind)
        if drawn:
            doc.section(
                heading,
                items=[
                    n.name
                    + (f" ({n.country})" if n.country else "")
                    + (" — only on an event" if n.contingent else "")
                    + "".join(f"; {t}" for t in n.transfers if kind is not NodeKind.TRANSFER)
                    for n in drawn
                ],
            )
    data = base64.b64encode(svg.encode()).decode()
    figure = (
        "<style>figure{width:96vw;position:relative;left:50%;transform:translateX(-50%);margin:1.5em 0}"
        "figure svg{max-width:100%;height:auto}</style>"  # the whole picture in the window's width
        f"<figure>{inline_svg(svg)}</figure>"
        f'<p><a download="{html.escape(download_name)}" href="data:image/svg+xml;base64,{data}">'
        "Download the picture (SVG)</a></p>"
    )
    page = doc.html()
    heading_end = page.index("</h1>") + len("</h1>")  # the title is escaped: its heading is the first
    return page[:heading_end] + "\n" + figure + page[heading_end:]

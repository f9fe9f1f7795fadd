"""Pages a person reads in a browser: pictures of the map and the reports as HTML.

- `/lineage?category=KEY` (the map's lineage of a data category), `/lineage?recipient=KEY` (with `from` and
  `to`, the period of recorded disclosures to count) what reaches a recipient, and a subject's: `/lineage` alone
  is a small form that POSTs the person's identifiers (`subject.email`, `subject.phone` or `subject.externalId`;
  with `category`, `maxHops`, `asOf`) to `/lineage`, whose answer is the page; `/lineage?subjectId=ID` (our
  opaque id of the person, as the API's answers give it) draws the same. An identifier is never taken in the URL
  (a GET with `subject.email` is refused, naming it): access logs, proxies and browser history keep URLs. Each
  with `asOf`. `/lineage.svg?...` is the same picture as an SVG download (for auditors).
- `/reports/ropa.html` and `/reports/transfers.html` (with `asOf`): the record of processing and the transfer
  register.

Behind the same door as GraphQL and the document downloads (a bearer token), each for the roles of its root field
(`categoryLineage`, `subjectLineage`, `recipientImpact`, `ropa`, `transferRegister`). A subject's picture is a
lookup of a person: its audit event (`subjectLineage.html` or `.svg`, with the outcome and the subject's id, as
`api/audited.py` records for `subjectLineage`) is committed before the picture leaves, and nothing caches it.
Errors are answered in the GraphQL shape by `RequestLog`: 400 naming the parameter, 403, 404 for an unknown
subject, category or recipient. No script on any page; the CSP of HTML pages (`headers.py`) applies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from datamap.api.auth import principal_of
from datamap.domain.access import Principal, may_use
from datamap.domain.day_range import parse_day
from datamap.domain.lineage_picture import Picture
from datamap.errors import DatamapError, Forbidden, ValidationError
from datamap.services import audit, lineage_pictures
from datamap.services.context import AppState
from datamap.services.reports import pages
from datamap.services.subjects import SubjectLookup, lookup_of

Handler = Callable[[Request], Awaitable[Response]]
PRIVATE = {"cache-control": "no-store"}  # a person's data: no cache keeps a copy
SUBJECT = {"subject.email": "email", "subject.phone": "phone", "subject.externalId": "external_id"}
SUBJECT_ID = "subjectId"
MAX_SUBJECT_ID = 200  # characters
VIEWS = {  # which parameters each view takes besides asOf
    "subject": {"category", "maxHops", SUBJECT_ID, *SUBJECT},
    "recipient": {"recipient", "from", "to"},
    "category": {"category"},
}
WHAT = (
    "give category=KEY, recipient=KEY or subjectId=ID, or POST a subject's identifiers (subject.email, "
    "subject.phone or subject.externalId) as the form at /lineage does"
)
NOT_IN_URL = (
    "an identifier is not taken in the URL, where access logs, proxies and browser history keep it; POST it as "
    "a form to /lineage (the page /lineage has one), or give subjectId, our id of the person"
)
FORM_TYPE = "application/x-www-form-urlencoded"


def _allowed(request: Request, field: str) -> Principal:
    principal = principal_of(request.scope)
    if principal is None or not may_use(principal, field):
        role = principal.role.value if principal else "none"
        raise Forbidden(f"{field}: the role {role} may not read it")
    return principal


def _day(params: Mapping[str, str], name: str) -> dt.date | None:
    raw = params.get(name)
    return parse_day(raw, name) if raw else None


def _hops(params: Mapping[str, str]) -> int | None:
    raw = params.get("maxHops")
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise ValidationError(f"maxHops: {raw!r} is not a whole number")
    return int(raw)


def _view(params: Mapping[str, str]) -> str:
    """Which picture the parameters ask for; a parameter that is not one of its own is refused, by name."""
    if SUBJECT_ID in params or any(name in params for name in SUBJECT):
        view = "subject"
    elif "recipient" in params:
        view = "recipient"
    elif "category" in params:
        view = "category"
    else:
        raise ValidationError(f"category: {WHAT}")
    for name in sorted(params):
        if name != "asOf" and name not in VIEWS[view]:
            known = any(name in names for names in VIEWS.values())
            why = (
                f"does not go with a {view}'s picture" if known else f"is not a parameter of /lineage; {WHAT}"
            )
            raise ValidationError(f"{name}: {why}")
    return view


def _file_name(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", "-".join(("lineage", *parts))) + ".svg"


async def _parameters(request: Request) -> dict[str, str]:
    """The page's parameters: a GET's query string, where an identifier is refused (`NOT_IN_URL`); a POST's form
    fields (blank ones left out, as a form sends every field), with nothing in its query string."""
    query = dict(request.query_params)
    if request.method != "POST":
        for name in SUBJECT:
            if name in query:
                raise ValidationError(f"{name}: {NOT_IN_URL}")
        return query
    if query:
        raise ValidationError(
            f"{sorted(query)[0]}: a POST to /lineage takes its parameters in the form, not the URL"
        )
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        raise ValidationError(f"content-type: POST the form as {FORM_TYPE}")
    fields = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: value for name, value in fields if value.strip()}


async def _lookup(state: AppState, params: Mapping[str, str]) -> SubjectLookup:
    """The person the parameters name: by identifiers (their keyed hashes), or by our id (`subjectId`)."""
    named = [k for k in SUBJECT if k in params]
    if SUBJECT_ID not in params:
        return lookup_of(state.secret, **{SUBJECT[k]: params[k] for k in named})
    if named:
        raise ValidationError(f"{SUBJECT_ID}: give the person's id or identifiers ({named[0]}), not both")
    subject_id = params[SUBJECT_ID].strip()
    if len(subject_id) > MAX_SUBJECT_ID:
        raise ValidationError(f"{SUBJECT_ID}: {len(subject_id)} characters; give at most {MAX_SUBJECT_ID}")
    return await lineage_pictures.subject_by_id(state.db, subject_id, SUBJECT_ID)


async def _subject(
    state: AppState, request: Request, form: str, params: Mapping[str, str]
) -> tuple[Picture, str]:
    """A subject's picture, its lookup audited as `subjectLineage`'s is (`api/audited.py`): the event is
    committed before the picture leaves, and a refused or failed lookup is recorded too."""
    principal, now = _allowed(request, "subjectLineage"), state.clock.now()

    async def record(outcome: str, subject_id: str | None = None) -> None:
        event = audit.entry(principal, f"subjectLineage.{form}", now, outcome=outcome, subject_id=subject_id)
        await state.audit.record([event], now)

    try:
        lookup = await _lookup(state, params)
        found = await lineage_pictures.subject_picture(
            state.db,
            lookup,
            now=now,
            category=params.get("category"),
            as_of=_day(params, "asOf"),
            max_hops=_hops(params),
        )
    except DatamapError as exc:
        await record(f"refused: {exc.code}")
        raise
    if found is None:
        await record("not found")
        raise lookup.unknown()
    picture, subject_id = found
    await record("found", subject_id)
    return picture, _file_name("subject", subject_id or "")


async def _picture(
    state: AppState, request: Request, form: str, params: Mapping[str, str]
) -> tuple[Picture, str, bool]:
    """The picture the parameters ask for, its download's file name, and whether it is about a person."""
    view = _view(params)
    if view == "subject":
        picture, name = await _subject(state, request, form, params)
        return picture, name, True
    as_of = _day(params, "asOf")
    if view == "recipient":
        _allowed(request, "recipientImpact")
        key = params["recipient"]
        found = await lineage_pictures.recipient_picture(
            state.db, key, _day(params, "from"), _day(params, "to"), now=state.clock.now(), as_of=as_of
        )
        return found, _file_name("recipient", key), False
    _allowed(request, "categoryLineage")
    category = params["category"]
    found = await lineage_pictures.category_picture(state.db, category, as_of, now=state.clock.now())
    return found, _file_name("category", category), False


def lineage_picture(state: AppState, form: str) -> Handler:
    """`/lineage` (form `html`: the page; with no parameter, the form that looks a person up) or `/lineage.svg`
    (form `svg`: the download); GET, or POST with the parameters as a form."""

    async def answer(request: Request) -> Response:
        params = await _parameters(request)
        if not params and form == "html" and request.method != "POST":
            _allowed(request, "categoryLineage")  # the form itself says nothing; its viewers may see the map
            return HTMLResponse(lineage_pictures.lookup_page(), headers=PRIVATE)
        picture, name, personal = await _picture(state, request, form, params)
        svg = await lineage_pictures.render_svg(picture.dot())
        headers = PRIVATE if personal else {}
        if form == "html":
            return HTMLResponse(lineage_pictures.picture_page(picture, svg, name), headers=headers)
        disposition = {"content-disposition": f'attachment; filename="{name}"'}
        return Response(svg, media_type="image/svg+xml", headers={**headers, **disposition})

    return answer


def report_page(state: AppState, field: str) -> Handler:
    """`/reports/ropa.html` (the root field `ropa`'s roles) or `/reports/transfers.html` (`transferRegister`)."""
    render = {"ropa": pages.ropa_page, "transferRegister": pages.transfer_register_page}[field]

    async def answer(request: Request) -> Response:
        _allowed(request, field)
        as_of = _day(request.query_params, "asOf")
        return HTMLResponse(await render(state.db, as_of, now=state.clock.now()))

    return answer

"""Offline GraphiQL page.

The HTML page loads React, ReactDOM and GraphiQL from assets vendored in ``static/``
(see ``static/LICENSES.txt``), served by the service itself, so the IDE works with no
internet access. Nothing in the page refers to an external host.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Protocol

__all__ = ["ASSETS", "STATIC_DIR", "render_graphiql_page"]

STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static"
"""Folder holding the vendored assets; mount it at the ``static_prefix`` given to the page."""

ASSETS: Final[tuple[str, ...]] = (
    "graphiql.min.css",  # graphiql@3.8.3
    "react.production.min.js",  # react@18.3.1
    "react-dom.production.min.js",  # react-dom@18.3.1
    "graphiql.min.js",  # graphiql@3.8.3 (UMD, needs the globals React and ReactDOM)
)
"""The files of ``STATIC_DIR`` that the page loads, in load order."""


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``.

    ``json.dumps`` (ASCII only, so U+2028/U+2029 are escaped too), then ``</`` becomes
    ``<\\/`` so that no string can close the script element, and ``<!--`` becomes
    ``\\u003c!--`` so that none can switch the HTML parser into a script-comment state.
    Both stand for the same characters once JavaScript reads the string.
    """
    return json.dumps(value, ensure_ascii=True).replace("</", "<\\/").replace("<!--", "\\u003c!--")


class ExampleTab(Protocol):
    """What the page needs of an example (``datamap.api.examples.Example``)."""

    @property
    def name(self) -> str: ...

    @property
    def query(self) -> str: ...

    @property
    def variables(self) -> str | None: ...


def _example_tab(example: ExampleTab, headers: str) -> dict[str, str]:
    """A GraphiQL tab whose query starts with a ``# name`` comment line, with the page's headers, and its
    variables if it has some."""
    title = " ".join(example.name.split())  # one line: a newline in the name would end the comment
    tab = {"query": f"# {title}\n{example.query}" if title else example.query, "headers": headers}
    if example.variables is not None:
        tab["variables"] = example.variables
    return tab


def render_graphiql_page(
    *,
    endpoint: str,
    static_prefix: str,
    default_query: str,
    examples: Sequence[ExampleTab],
    headers: dict[str, str] | None = None,
) -> str:
    """The GraphiQL HTML page.

    ``endpoint``: URL that the IDE POSTs ``{"query", "variables", "operationName"}`` JSON to.
    ``static_prefix``: URL path where ``STATIC_DIR`` is served (e.g. ``"/graphiql-static"``).
    ``default_query``: query of every tab the user adds.
    ``examples``: each preloaded as a tab, in order (the first one open), its name in a comment on its first line.
    ``headers``: request headers every tab starts with (the local admin token, for a developer on loopback).

    Tabs are kept in the browser's localStorage under a namespace derived from these
    defaults, so a user's edits survive a reload while changed defaults show up fresh.
    """
    prefix = static_prefix.rstrip("/")
    default_headers = json.dumps(headers, indent=2) if headers else ""
    tabs = [_example_tab(example, default_headers) for example in examples] or [{"query": default_query}]
    # the namespace does not depend on the headers: a token is not kept in the browser (GraphiQL keeps no headers)
    shown = [{k: v for k, v in tab.items() if k != "headers"} for tab in tabs]
    digest = hashlib.sha256(json.dumps([endpoint, shown], sort_keys=True).encode()).hexdigest()[:12]
    config = {
        "endpoint": endpoint,
        "defaultQuery": default_query,
        "defaultTabs": tabs,
        "storageNamespace": f"datamap-graphiql-{digest}",
        "defaultHeaders": default_headers,
    }

    def url(asset: str) -> str:
        return html.escape(f"{prefix}/{asset}", quote=True)

    css, react, react_dom, graphiql = ASSETS
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>datamap GraphiQL</title>
<link rel="stylesheet" href="{url(css)}">
<style>
html, body, #graphiql {{ height: 100%; width: 100%; margin: 0; overflow: hidden; }}
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL...</div>
<noscript>GraphiQL needs JavaScript.</noscript>
<script src="{url(react)}"></script>
<script src="{url(react_dom)}"></script>
<script src="{url(graphiql)}"></script>
<script>
(function () {{
  "use strict";
  var config = {_js(config)};
  function fetcher(params, opts) {{
    var headers = {{"Content-Type": "application/json", "Accept": "application/json"}};
    var extra = (opts && opts.headers) || {{}};
    Object.keys(extra).forEach(function (key) {{ headers[key] = String(extra[key]); }});
    return fetch(config.endpoint, {{
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin"
    }}).then(function (response) {{
      return response.text().then(function (text) {{
        try {{
          return JSON.parse(text);
        }} catch (error) {{
          return {{errors: [{{message: "HTTP " + response.status + ": " + text}}]}};
        }}
      }});
    }});
  }}
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {{
    fetcher: fetcher,
    defaultQuery: config.defaultQuery,
    defaultTabs: config.defaultTabs,
    defaultHeaders: config.defaultHeaders,
    storage: GraphiQL.createLocalStorage({{namespace: config.storageNamespace}})
  }}));
}})();
</script>
</body>
</html>
"""

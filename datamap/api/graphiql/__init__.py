"""GraphiQL served from vendored assets, with no request to any external host."""

from datamap.api.graphiql.page import ASSETS, STATIC_DIR, render_graphiql_page

__all__ = ["ASSETS", "STATIC_DIR", "render_graphiql_page"]

"""The page for an address the dashboard has no page at (Dash pages shows this module's layout).

The server answers such an address with HTTP 404 (access.not_found); this is what it says.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, html

from layouts._components.not_found import page_not_found

dash.register_page(__name__, title="Page not found", name="Page not found")


def layout(**_query: Any) -> html.Div:
    """'Page not found', the address asked for, and where to go instead."""
    return page_not_found(html.Span(id="not-found-path", className="pmf-code"))


@callback(Output("not-found-path", "children"), Input("pmf-url", "pathname"))
def show_path(pathname: str | None) -> str:
    """The address that was asked for, as text."""
    return pathname or "this address"

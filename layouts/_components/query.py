"""Keep a page's filters in the URL's query string, so every view can be shared by link."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, dcc


def query_sync(page: str, fields: dict[str, tuple[str, str]]) -> list[dcc.Store]:
    """Stores for a page; `fields` maps query name -> (component id, property).

    Register the matching callback once with `register_query_sync` at import time.
    """
    return [dcc.Store(id=f"{page}-query-names", data=list(fields)), dcc.Store(id=f"{page}-query")]


def register_query_sync(page: str, fields: dict[str, tuple[str, str]]) -> None:
    """Register the clientside callback that writes the fields into the query string."""
    dash.clientside_callback(
        ClientsideFunction(namespace="pmf", function_name="syncQuery"),
        Output(f"{page}-query", "data"),
        [Input(component, prop) for component, prop in fields.values()],
        State(f"{page}-query-names", "data"),
    )

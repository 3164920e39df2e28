"""Keep a page's filters in the URL's query string, so every view can be shared by link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import pandas as pd
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


def search_string(
    values: dict[str, str | list[str] | None], defaults: dict[str, str] | None = None
) -> str:
    """A query string of the non-empty values that differ from their defaults."""
    defaults = defaults or {}
    flat = {k: ",".join(v) if isinstance(v, list) else v for k, v in values.items()}
    kept = {k: v for k, v in flat.items() if v and v != defaults.get(k)}
    return "?" + urlencode(kept) if kept else ""


def rows_chosen(frame: pd.DataFrame, chosen: dict[str, str]) -> pd.DataFrame:
    """The rows whose column equals each chosen value (an empty choice matches all)."""
    for column, value in chosen.items():
        if value:
            frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def register_filter_navigation(
    fields: dict[str, str],
    defaults: Callable[[], dict[str, str]] | None = None,
    *,
    drawn: str | None = None,
) -> None:
    """Register a callback that puts the chosen filters in the URL, which redraws the page.

    `fields` maps query name -> component id (its `value`). Choosing a filter therefore gives
    a link that reproduces the view exactly. `drawn` names a `dcc.Store` (see `drawn_store`)
    holding the values the page was drawn with, by query name: Dash also calls the callback
    as the page's components arrive, and with the values drawn that is no choice at all, so
    the address is left alone (writing a default group into it would draw the page a second
    time, and a reader's choice made meanwhile could be lost).
    """

    def navigate(*args: Any) -> str:
        *values, current = args
        if drawn is not None:
            *values, as_drawn = values
            if as_drawn is not None and all(
                as_drawn.get(key) == value for key, value in zip(fields, values, strict=True)
            ):
                raise dash.exceptions.PreventUpdate
        default_values = defaults() if defaults else {}
        chosen = search_string(dict(zip(fields, values, strict=True)), default_values)
        # Other parameters (an open panel, say) stay; only the filters' own are replaced.
        # A filter spelled out at its default value is the same view, so it is not a change.
        before = {
            k: v
            for k, v in parse_qsl((current or "").lstrip("?"))
            if not (k in fields and default_values.get(k) == v)
        }
        merged = {k: v for k, v in before.items() if k not in fields}
        merged.update(parse_qsl(chosen.lstrip("?")))
        if merged == before:
            raise dash.exceptions.PreventUpdate
        return "?" + urlencode(merged) if merged else ""

    dash.callback(
        Output("pmf-url", "search", allow_duplicate=True),
        [Input(component, "value") for component in fields.values()],
        *([State(drawn, "data")] if drawn is not None else []),
        State("pmf-url", "search"),
        prevent_initial_call=True,
    )(navigate)


def drawn_store(store_id: str, values: dict[str, str]) -> dcc.Store:
    """The filters' values as the page was drawn with them, for `register_filter_navigation`'s
    `drawn`: put it beside the filters, so that it is there whenever they are."""
    return dcc.Store(id=store_id, data=values)

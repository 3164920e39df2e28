"""The metric catalogue: searchable definitions, downloadable as CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import Input, Output, State, callback, dcc, html

from layouts._components.a11y import aria
from layouts._components.grid import data_grid, records
from layouts._components.page_cache import cached_page
from layouts._components.query import query_sync, register_query_sync
from layouts._runtime import Cache, runtime
from metrics.registry.catalogue import CATALOGUE_COLUMNS, catalogue_frame, search_catalogue
from metrics.registry.loader import Registry
from metrics.words import plural
from reports.downloads import catalogue_csv

dash.register_page(__name__, path="/catalogue", title="Metric catalogue", name="Catalogue")

PAGE = "catalogue"
QUERY = {"q": ("catalogue-search", "value")}
SHOWN = ["link", "priority", "enablers", "owner", "frequency", "target", "source"]
register_query_sync(PAGE, QUERY)


def _markdown_text(text: str) -> str:
    """Text safe inside a markdown link: its brackets and backslashes escaped."""
    return "".join(f"\\{c}" if c in "\\[]()*_`<>" else c for c in text)


def measure_link(name: str, metric_id: str) -> str:
    """A markdown link to a measure's page, for the grid's measure column."""
    return f"[{_markdown_text(name)}](/metric/{quote(metric_id)})"


# The catalogue is the configuration, which a running dashboard never reloads: each search's
# rows are worked out once per process (every public visit to the page asks for them). The
# registry is kept with its rows, so its id cannot be reused while they are kept.
_SEARCHES: Cache[tuple[Registry, list[dict[str, Any]], str]] = Cache(64)


def _rows(query: str | None) -> tuple[list[dict[str, Any]], str]:
    registry = runtime().registry
    _kept, rows, summary = _SEARCHES.get(
        (id(registry), query or ""), lambda: (registry, *_search(registry, query))
    )
    return rows, summary


def _search(registry: Registry, query: str | None) -> tuple[list[dict[str, Any]], str]:
    frame = search_catalogue(catalogue_frame(registry), query)
    total = len(registry)
    words = f" matching “{query.strip()}”" if query and query.strip() else ""
    rows = [
        {**row, "link": measure_link(str(row["name"]), str(row["id"]))} for row in records(frame)
    ]
    showing = f"Showing {len(frame)} of {plural(total, 'measure')}{words}."
    return rows, showing


@cached_page
def layout(q: str = "", **_query: Any) -> html.Div:
    """The catalogue, filtered by the `q` query parameter."""
    rows, summary = _rows(q)
    frame = catalogue_frame(runtime().registry).iloc[0:0]
    return html.Div(
        [
            *query_sync(PAGE, QUERY),
            html.H1("Metric catalogue", id="catalogue-title"),
            html.P(
                "Every measure's definition, priority and enabler, owner, frequency, target and "
                "source. Search by any word, for example a service, an owner or a tag.",
                className="pmf-lead",
            ),
            html.Div(
                [
                    html.Label(
                        "Search the catalogue", htmlFor="catalogue-search", className="form-label"
                    ),
                    dcc.Input(
                        id="catalogue-search",
                        type="search",
                        value=q,
                        debounce=0.3,
                        className="form-control pmf-search",
                        autoComplete="off",
                    ),
                ],
                className="mb-3",
            ),
            html.P(summary, id="catalogue-count", role="status", **aria(live="polite")),
            html.Button(
                "Download as CSV", id="catalogue-download-button", className="btn btn-primary mb-3"
            ),
            dcc.Download(id="catalogue-download"),
            data_grid(
                "catalogue-grid",
                frame,
                {k: CATALOGUE_COLUMNS["name" if k == "link" else k] for k in SHOWN},
                label="Metric definitions",
                link_column="link",
            ),
            dcc.Store(id="catalogue-initial", data=rows),
        ]
    )


@callback(
    Output("catalogue-grid", "rowData"),
    Output("catalogue-count", "children"),
    Input("catalogue-search", "value"),
)
def filter_catalogue(query: str | None) -> tuple[list[dict[str, Any]], str]:
    """Show the measures that match the search words."""
    return _rows(query)


@callback(
    Output("catalogue-download", "data"),
    Input("catalogue-download-button", "n_clicks"),
    State("catalogue-search", "value"),
    prevent_initial_call=True,
)
def download_catalogue(_clicks: int | None, query: str | None) -> dict[str, Any]:
    """The catalogue (as searched) as a CSV file."""
    frame = search_catalogue(catalogue_frame(runtime().registry), query)
    csv_text = catalogue_csv(frame, CATALOGUE_COLUMNS)
    return dcc.send_string(csv_text, "pmf-metric-catalogue.csv")

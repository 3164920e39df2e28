"""The metric catalogue: searchable definitions, downloadable as CSV."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from layouts._components.a11y import aria
from layouts._components.grid import data_grid, records
from layouts._components.page_cache import cached_page
from layouts._components.query import query_sync, register_query_sync
from layouts._runtime import runtime
from metrics.cells import safe_csv
from metrics.registry.catalogue import CATALOGUE_COLUMNS, catalogue_frame, search_catalogue

dash.register_page(__name__, path="/catalogue", title="Metric catalogue", name="Catalogue")

PAGE = "catalogue"
QUERY = {"q": ("catalogue-search", "value")}
SHOWN = ["name", "priority", "enablers", "owner", "frequency", "target", "source"]
register_query_sync(PAGE, QUERY)


def _rows(query: str | None) -> tuple[list[dict[str, Any]], str]:
    frame = search_catalogue(catalogue_frame(runtime().registry), query)
    total = len(runtime().registry)
    words = f" matching “{query.strip()}”" if query and query.strip() else ""
    return records(frame), f"Showing {len(frame)} of {total} measures{words}."


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
                {k: CATALOGUE_COLUMNS[k] for k in SHOWN},
                label="Metric definitions",
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
    csv_text = safe_csv(frame.rename(columns=CATALOGUE_COLUMNS))
    return dcc.send_string(csv_text, "pmf-metric-catalogue.csv")

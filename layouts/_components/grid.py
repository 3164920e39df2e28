"""Data grids (dash-ag-grid) set up for accessibility and plain-English headings."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import html

from layouts._components.a11y import aria


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready row dicts (dates as ISO text, missing values as None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in clean.to_dict("records")
    ]


def data_grid(
    grid_id: str,
    frame: pd.DataFrame,
    headings: dict[str, str],
    *,
    label: str,
    link_column: str | None = None,
    height: int = 480,
) -> html.Div:
    """An AG Grid over `frame` in a labelled region; `link_column` cells render as markdown."""
    column_defs: list[dict[str, Any]] = []
    for field, heading in headings.items():
        column: dict[str, Any] = {"field": field, "headerName": heading}
        if field == link_column:
            column["cellRenderer"] = "markdown"
        column_defs.append(column)
    grid = dag.AgGrid(
        id=grid_id,
        rowData=records(frame),
        columnDefs=column_defs,
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": False,
            "wrapText": True,
            "autoHeight": True,
        },
        dashGridOptions={
            "ensureDomOrder": True,
            "suppressColumnVirtualisation": True,
            "domLayout": "normal",
        },
        columnSize="responsiveSizeToFit",
        style={"height": f"{height}px", "width": "100%"},
        className="ag-theme-alpine pmf-grid",
    )
    return html.Div(grid, role="region", **aria(label=label))

"""Plain HTML tables: the accessible alternative to every chart, and small lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from dash import html
from dash.development.base_component import Component

Cell = str | Component | None


def simple_table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    caption: str,
    row_header: str | None = None,
    formatters: dict[str, Callable[[Any], Cell]] | None = None,
    table_id: str | None = None,
    numeric: Sequence[str] = (),
) -> html.Table:
    """A captioned table; `row_header` names the column whose cells are row headers."""
    formatters = formatters or {}
    head = html.Thead(html.Tr([html.Th(title, scope="col") for title in columns.values()]))
    body_rows = []
    for _, row in frame.iterrows():
        cells: list[Component] = []
        for key in columns:
            raw = row.get(key)
            value = formatters[key](raw) if key in formatters else _plain(raw)
            css = "pmf-num" if key in numeric else None
            if key == row_header:
                cells.append(html.Th(value, scope="row", className=css))
            else:
                cells.append(html.Td(value, className=css))
        body_rows.append(html.Tr(cells))
    rows = [html.Caption(caption), head, html.Tbody(body_rows)]
    if table_id:
        return html.Table(rows, className="pmf-table", id=table_id)
    return html.Table(rows, className="pmf-table")


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%d %b %Y"))
    return str(value)


def details(summary: str, *children: Component, open_: bool = False) -> html.Details:
    """A disclosure (summary + hidden content) for tables behind charts."""
    return html.Details([html.Summary(summary), *children], open=open_, className="pmf-details")

"""Plain HTML tables: the accessible alternative to every chart, and small lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from dash import html
from dash.development.base_component import Component

from layouts._components.a11y import aria
from layouts._components.quick import quick

Cell = str | Component | None


def captioned_table(
    caption: str, head: Component, body: Component, *, table_id: str | None = None, css: str = ""
) -> html.Div:
    """A table in its own labelled region that scrolls sideways on a narrow screen.

    The page itself never scrolls sideways (a phone is 390 px wide); a wide table scrolls inside
    this region instead, which can be reached from the keyboard and is named by the caption.
    """
    table_args: dict[str, Any] = {"className": f"pmf-table {css}".strip()}
    if table_id:
        table_args["id"] = table_id
    return html.Div(
        html.Table([html.Caption(caption), head, body], **table_args),
        className="pmf-table-scroll",
        role="region",
        tabIndex="0",
        **aria(label=caption),
    )


def simple_table(
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    columns: dict[str, str],
    *,
    caption: str,
    row_header: str | None = None,
    formatters: dict[str, Callable[[Any], Cell]] | None = None,
    table_id: str | None = None,
    numeric: Sequence[str] = (),
) -> html.Div:
    """A captioned table of a frame's rows, or of records (one mapping a row); `row_header`
    names the column whose cells are row headers."""
    formatters = formatters or {}
    head = html.Thead(html.Tr([quick(html.Th, title, scope="col") for title in columns.values()]))
    body_rows = []
    for line in _lines(rows, list(columns)):
        cells: list[Component] = []
        for key, raw in zip(columns, line, strict=True):
            value = formatters[key](raw) if key in formatters else _plain(raw)
            css = "pmf-num" if key in numeric else None
            if key == row_header:
                cells.append(quick(html.Th, value, scope="row", className=css))
            else:
                cells.append(quick(html.Td, value, className=css))
        body_rows.append(quick(html.Tr, cells))
    return captioned_table(caption, head, html.Tbody(body_rows), table_id=table_id)


def _lines(rows: pd.DataFrame | Sequence[Mapping[str, Any]], keys: list[str]) -> list[list[Any]]:
    """Each row's values for these keys (None where it has none)."""
    if isinstance(rows, pd.DataFrame):
        # The frame's values as one array (what iterrows would give each row), read by position
        position = {column: number for number, column in enumerate(rows.columns)}
        return [
            [values[position[key]] if key in position else None for key in keys]
            for values in rows.to_numpy()
        ]
    return [[row.get(key) for key in keys] for row in rows]


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%d %b %Y"))
    return str(value)


def details(summary: str, *children: Component, open_: bool = False) -> html.Details:
    """A disclosure (summary + hidden content) for tables behind charts."""
    return html.Details([html.Summary(summary), *children], open=open_, className="pmf-details")


# A table built when its disclosure is opened: the summary's clicks ask for it (a click, or
# Enter or Space on the focused summary), and its body is filled with the table
TABLE_ON_OPEN = "table-on-open"
TABLE_ON_OPEN_BODY = "table-on-open-body"


def details_on_open(summary: str, table: str) -> html.Details:
    """A closed disclosure whose long table (named `table`) is built only when it is first
    opened, by the page's callback: a page view then sends no cells nobody has asked for."""
    return html.Details(
        [
            html.Summary(summary, id={"type": TABLE_ON_OPEN, "table": table}),
            html.Div(
                html.P("Loading the table…", className="pmf-muted"),
                id={"type": TABLE_ON_OPEN_BODY, "table": table},
            ),
        ],
        className="pmf-details",
    )

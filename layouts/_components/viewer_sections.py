"""Drill-down sections that depend on who is looking: the public series and the comment form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from layouts._components.metric_sections import comment_list
from layouts._components.tables import details, simple_table
from metrics.engine.series import SeriesView
from metrics.readmodel.suppression import SUPPRESSED, shown
from metrics.registry.loader import Registry
from metrics.registry.model import Metric


def public_series_table(registry: Registry, view: SeriesView, hidden: set[date]) -> html.Div:
    """The series shown, newest first, with small numbers as [c]."""
    metric, frame = view.metric, view.frame
    table = frame.iloc[::-1].assign(
        shown=[
            shown(v, metric, s in hidden)
            for v, s in zip(
                frame["value"].iloc[::-1], frame["period_start"].iloc[::-1], strict=True
            )
        ]
    )
    return simple_table(
        table,
        {"period": "Period", "shown": "Value"},
        caption=f"{metric.name}, {registry.area_name(view.area_code)}, newest first",
        row_header="period",
        table_id="spc-table",
    )


def public_series_section(registry: Registry, view: SeriesView, hidden: set[date]) -> html.Section:
    """The series with small numbers shown as [c]; no chart, as its points would give them away."""
    area = registry.area_name(view.area_code)
    return html.Section(
        [
            html.H2(f"Trend: {area}", id="spc-heading"),
            html.P(
                f"Some figures are small enough to identify people, so they are shown as "
                f"{SUPPRESSED} and the chart and SPC reading are not published.",
                id="spc-summary",
                className="pmf-summary",
            ),
            details("Show the data as a table", public_series_table(registry, view, hidden)),
            html.Button(
                "Download every period (CSV)",
                id="metric-download-button",
                className="btn btn-primary",
            ),
            dcc.Download(id="metric-download"),
        ],
        **aria(labelledby="spc-heading"),
    )


def comments_block(metric: Metric, comments: pd.DataFrame, author: str | None) -> html.Section:
    """The thread, and a form to add to it when `author` (the signed-in name) may comment."""
    form: list[Any]
    if author is None:
        form = [
            html.P(
                [
                    "Councillors and officers can add commentary: ",
                    html.A("sign in", href=f"/login?next=/metric/{metric.id}"),
                    ".",
                ],
                id="metric-comment-signin",
            )
        ]
    else:
        form = [
            html.H3("Add a comment"),
            html.Div(
                [
                    html.Label(
                        "Recorded as", htmlFor="metric-comment-author", className="form-label"
                    ),
                    dcc.Input(
                        id="metric-comment-author",
                        type="text",
                        className="form-control",
                        value=author,
                        readOnly=True,
                    ),
                ],
                className="mb-2",
            ),
            html.Div(
                [
                    html.Label("Comment", htmlFor="metric-comment-body", className="form-label"),
                    dcc.Textarea(id="metric-comment-body", className="form-control", rows=3),
                ],
                className="mb-2",
            ),
            html.Button("Add comment", id="metric-comment-submit", className="btn btn-primary"),
            html.P(id="metric-comment-status", role="status", **aria(live="polite")),
        ]
    return html.Section(
        [
            html.H2("Commentary", id="comments-heading"),
            html.Div(comment_list(comments), id="metric-comments"),
            *form,
        ],
        **aria(labelledby="comments-heading"),
    )

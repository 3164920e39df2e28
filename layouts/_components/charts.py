"""Dash chart components: interactive figures with captions, and sparklines described in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts._components.a11y import aria
from metrics.figures import BLUE, values_of
from metrics.words import plural

GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def sparkline(values: Sequence[float], *, description: str) -> html.Div:
    """A small static trend line, described in words for screen readers."""
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "y": values_of(values),
                "hoverinfo": "skip",
                "line": {"color": BLUE, "width": 2},
            }
        ],
        "layout": {
            "height": 48,
            "margin": {"l": 2, "r": 2, "t": 2, "b": 2},
            "showlegend": False,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }
    return html.Div(
        dcc.Graph(
            figure=figure,
            config={"staticPlot": True, "displayModeBar": False},
            style={"height": "48px"},
        ),
        role="img",
        className="pmf-sparkline",
        **aria(label=description),
    )


def trend_words(values: Sequence[float], periods: int = 12) -> str:
    """A short description of a trend for a screen reader: 'rising over the last 12 periods'."""
    recent = [v for v in values if v is not None and not pd.isna(v)][-periods:]
    if len(recent) < 2:
        return "Not enough data for a trend"
    first, last = recent[0], recent[-1]
    if first == last:
        shape = "level"
    else:
        change = (last - first) / abs(first) * 100 if first else 0.0
        shape = (
            f"{'up' if last > first else 'down'} {abs(change):.0f}%"
            if first
            else ("up" if last > first else "down")
        )
    return f"Trend over the last {plural(len(recent), 'period')}: {shape}"


def chart_figure(graph: dcc.Graph, caption: str) -> html.Figure:
    """An interactive chart in a <figure> whose caption says what it shows."""
    return html.Figure(
        [graph, html.Figcaption(caption, className="pmf-muted")], className="pmf-figure"
    )

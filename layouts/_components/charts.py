"""Figures: SPC charts and sparklines, each paired with a text summary and a data table.

Colours meet 3:1 contrast against white, and special-cause points differ by shape as well as
colour, so the chart still reads in greyscale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from layouts._components.a11y import aria

INK = "#0b0c0c"
GREY = "#505a5f"
BLUE = "#1d70b8"  # improvement (Making Data Count uses blue)
ORANGE = "#a34700"  # concern: darker than MDC's orange, for 3:1 contrast on white
PURPLE = "#4c2c92"  # neutral special cause
RED = "#d4351c"

POINT_STYLE = {
    "common_cause": ("Common cause", GREY, "circle", 7),
    "special_cause_improvement": ("Special cause: improvement", BLUE, "diamond", 11),
    "special_cause_concern": ("Special cause: concern", ORANGE, "square", 10),
    "special_cause_neutral_high": ("Special cause: higher", PURPLE, "triangle-up", 11),
    "special_cause_neutral_low": ("Special cause: lower", PURPLE, "triangle-down", 11),
}

GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def _layout(fig: go.Figure, y_title: str, height: int) -> None:
    fig.update_layout(
        template="simple_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        font={"family": "Arial, sans-serif", "size": 14, "color": INK},
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        hovermode="x unified",
    )


def spc_figure(
    points: pd.DataFrame, labels: Sequence[Any], *, unit_title: str, target: Sequence[float | None]
) -> go.Figure:
    """An XmR chart: values, mean, process limits, target, and special-cause points by shape."""
    x = list(labels)
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=points["upl"],
        name="Upper process limit",
        mode="lines",
        line={"color": GREY, "dash": "dash", "width": 1.5},
    )
    fig.add_scatter(
        x=x,
        y=points["lpl"],
        name="Lower process limit",
        mode="lines",
        line={"color": GREY, "dash": "dash", "width": 1.5},
    )
    fig.add_scatter(
        x=x, y=points["mean"], name="Mean", mode="lines", line={"color": INK, "width": 1.5}
    )
    if any(t is not None for t in target):
        fig.add_scatter(
            x=x,
            y=list(target),
            name="Target",
            mode="lines",
            line={"color": RED, "dash": "dot", "width": 2},
        )
    fig.add_scatter(
        x=x,
        y=points["value"],
        name="Value",
        mode="lines",
        line={"color": GREY, "width": 1.5},
        showlegend=False,
        hoverinfo="skip",
    )
    for point_type, (name, colour, symbol, size) in POINT_STYLE.items():
        mask = points["point_type"] == point_type
        if not mask.any():
            continue
        fig.add_scatter(
            x=[x[i] for i in range(len(x)) if mask.iloc[i]],
            y=points.loc[mask, "value"],
            name=name,
            mode="markers",
            marker={
                "color": colour,
                "symbol": symbol,
                "size": size,
                "line": {"color": INK, "width": 0.5},
            },
        )
    _layout(fig, unit_title, 420)
    return fig


def line_figure(
    series: dict[str, pd.Series], labels: Sequence[Any], *, unit_title: str, highlight: str
) -> go.Figure:
    """Several areas' trends on one chart, with the highlighted one drawn thicker."""
    fig = go.Figure()
    dashes = ["solid", "dot", "dash", "longdash", "dashdot", "longdashdot"]
    for i, (name, values) in enumerate(series.items()):
        main = name == highlight
        fig.add_scatter(
            x=list(labels),
            y=values,
            name=name,
            mode="lines+markers" if main else "lines",
            line={
                "width": 4 if main else 1.5,
                "color": INK if main else GREY,
                "dash": "solid" if main else dashes[i % len(dashes)],
            },
        )
    _layout(fig, unit_title, 380)
    return fig


def sparkline(values: Sequence[float], *, description: str) -> html.Div:
    """A small static trend line, described in words for screen readers."""
    fig = go.Figure(
        go.Scatter(y=list(values), mode="lines", line={"color": BLUE, "width": 2}, hoverinfo="skip")
    )
    fig.update_layout(
        height=48,
        margin={"l": 2, "r": 2, "t": 2, "b": 2},
        template="simple_white",
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=False,
    )
    return html.Div(
        dcc.Graph(
            figure=fig,
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
    return f"Trend over the last {len(recent)} periods: {shape}"


def chart_figure(graph: dcc.Graph, caption: str) -> html.Figure:
    """An interactive chart in a <figure> whose caption says what it shows."""
    return html.Figure(
        [graph, html.Figcaption(caption, className="pmf-muted")], className="pmf-figure"
    )

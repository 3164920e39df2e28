"""Milestone builders: a baseline-against-forecast timeline and its table, with status words."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
from dash import html

from layouts._components.a11y import aria
from layouts._components.charts import BLUE, GREY, INK, ORANGE, RED

MILESTONE_STATUS = {
    "complete": ("✔", "Complete", "green", "circle", "#00703c"),
    "on_track": ("●", "On track", "none", "circle", BLUE),
    "at_risk": ("▲", "At risk", "amber", "triangle-up", ORANGE),
    "slipped": ("✖", "Slipped", "red", "x", RED),
    "overdue": ("■", "Overdue", "red", "square", RED),
}


def milestone_badge(status: str) -> html.Span:
    """A milestone status as a symbol and a word."""
    icon, word, css, _, _ = MILESTONE_STATUS.get(status, ("?", status, "none", "", GREY))
    return html.Span(
        [html.Span(icon, **aria(hidden="true")), word], className=f"pmf-rag pmf-rag-{css}"
    )


def milestone_summary(frame: pd.DataFrame) -> str:
    """A sentence counting milestones by status."""
    if frame.empty:
        return "No milestones match these filters."
    counts = frame["status"].value_counts()
    parts = [f"{counts.get(k, 0)} {MILESTONE_STATUS[k][1].lower()}" for k in MILESTONE_STATUS]
    return f"{len(frame)} milestones: " + ", ".join(parts) + "."


def timeline_figure(frame: pd.DataFrame, today: date) -> go.Figure:
    """Each milestone's baseline (open circle) joined to its forecast or completion date."""
    ordered = frame.sort_values(["programme", "baseline_date"], ascending=[True, False])
    labels = [f"{t[:60]}" for t in ordered["title"]]
    fig = go.Figure()
    for (_, row), label in zip(ordered.iterrows(), labels, strict=True):
        end = row["completed_date"] if pd.notna(row["completed_date"]) else row["forecast_date"]
        if pd.notna(end):
            fig.add_scatter(
                x=[row["baseline_date"], end],
                y=[label, label],
                mode="lines",
                line={"color": GREY, "width": 2},
                showlegend=False,
                hoverinfo="skip",
            )
    fig.add_scatter(
        x=ordered["baseline_date"],
        y=labels,
        mode="markers",
        name="Baseline date",
        marker={"symbol": "circle-open", "size": 11, "color": INK, "line": {"width": 2}},
    )
    for status, (_, word, _, symbol, colour) in MILESTONE_STATUS.items():
        part = ordered[ordered["status"] == status]
        if part.empty:
            continue
        ends = [
            c if pd.notna(c) else f
            for c, f in zip(part["completed_date"], part["forecast_date"], strict=True)
        ]
        fig.add_scatter(
            x=ends,
            y=[labels[i] for i in range(len(ordered)) if ordered["status"].iloc[i] == status],
            mode="markers",
            name=f"{word} (forecast or completed)",
            marker={
                "symbol": symbol,
                "size": 12,
                "color": colour,
                "line": {"color": INK, "width": 1},
            },
        )
    fig.add_vline(
        x=pd.Timestamp(today).to_pydatetime().timestamp() * 1000, line={"color": INK, "dash": "dot"}
    )
    fig.add_annotation(x=pd.Timestamp(today), y=1.02, yref="paper", text="Today", showarrow=False)
    fig.update_layout(
        template="simple_white",
        height=max(320, 26 * len(ordered) + 140),
        margin={"l": 20, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.08},
        font={"family": "Arial, sans-serif", "size": 13, "color": INK},
    )
    fig.update_yaxes(automargin=True)
    return fig

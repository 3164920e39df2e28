"""Milestone builders: a baseline-against-forecast timeline and its table, with status words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from dash import html

from layouts._components.a11y import aria
from metrics.figures import BLUE, GREY, INK, ORANGE, RED, Figure, base_layout
from metrics.words import MILESTONE, plural

# How each milestone state is drawn; its symbol and word come from metrics.words
MILESTONE_STATUS = {
    key: (*MILESTONE[key], *style)
    for key, style in {
        "complete": ("green", "circle", "#00703c"),
        "on_track": ("none", "circle", BLUE),
        "at_risk": ("amber", "triangle-up", ORANGE),
        "slipped": ("red", "x", RED),
        "overdue": ("red", "square", RED),
    }.items()
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
    return f"{plural(len(frame), 'milestone')}: " + ", ".join(parts) + "."


def timeline_figure(frame: pd.DataFrame, today: date) -> Figure:
    """Each milestone's baseline (open circle) joined to its forecast or completion date."""
    ordered = frame.sort_values(["programme", "baseline_date"], ascending=[True, False])
    labels = [str(t)[:60] for t in ordered["title"]]
    ends = [
        _iso(c) if pd.notna(c) else _iso(f)
        for c, f in zip(ordered["completed_date"], ordered["forecast_date"], strict=True)
    ]
    baselines = [_iso(b) for b in ordered["baseline_date"]]
    # One trace of joined segments, separated by gaps, draws every baseline-to-forecast line
    seg_x: list[str | None] = []
    seg_y: list[str | None] = []
    for label, start, end in zip(labels, baselines, ends, strict=True):
        if end is not None:
            seg_x += [start, end, None]
            seg_y += [label, label, None]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": seg_x,
            "y": seg_y,
            "showlegend": False,
            "hoverinfo": "skip",
            "line": {"color": GREY, "width": 2},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": baselines,
            "y": labels,
            "name": "Baseline date",
            "marker": {"symbol": "circle-open", "size": 11, "color": INK, "line": {"width": 2}},
        },
    ]
    statuses = ordered["status"].tolist()
    for status, (_, word, _, symbol, colour) in MILESTONE_STATUS.items():
        chosen = [i for i, s in enumerate(statuses) if s == status]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{word} (forecast or completed)",
                "x": [ends[i] for i in chosen],
                "y": [labels[i] for i in chosen],
                "marker": {
                    "symbol": symbol,
                    "size": 12,
                    "color": colour,
                    "line": {"color": INK, "width": 1},
                },
            }
        )
    layout = base_layout("", max(320, 26 * len(ordered) + 140))
    layout.update(
        margin={"l": 20, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.08},
        hovermode="closest",
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": INK, "dash": "dot"},
            }
        ],
        annotations=[
            {
                "x": today.isoformat(),
                "y": 1.02,
                "xref": "x",
                "yref": "paper",
                "text": "Today",
                "showarrow": False,
            }
        ],
    )
    return {"data": data, "layout": layout}


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()

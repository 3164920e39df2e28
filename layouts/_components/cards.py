"""Measure cards for the portfolio holder's weekly view: value, target, status, direction, trend."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import dcc, html

from layouts._components.charts import sparkline, trend_words
from layouts._components.status import direction_badge, rag_badge
from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.registry.model import Metric
from metrics.words import rag_word


def measure_card(
    metric: Metric, snapshot_row: pd.Series | None, history: Sequence[float]
) -> html.Li:
    """One card: latest value and period, target, status word and icon, arrow, sparkline."""
    rag = snapshot_row["rag"] if snapshot_row is not None else None
    value, period = "No data yet", ""
    if snapshot_row is not None and pd.notna(snapshot_row["value"]):
        value = format_value(snapshot_row["value"], metric)
        period = period_label(metric.frequency, pd.Timestamp(snapshot_row["period_start"]).date())
    target = (
        format_value(snapshot_row["target"], metric)
        if snapshot_row is not None and pd.notna(snapshot_row["target"])
        else rag_word("no_target")
    )
    css = {"green": "green", "amber": "amber", "red": "red"}.get(str(rag), "none")
    return html.Li(
        html.Article(
            [
                html.H3(dcc.Link(metric.name, href=f"/metric/{metric.id}")),
                html.P(value, className="pmf-value"),
                html.P(period, className="pmf-muted"),
                html.Dl(
                    [
                        html.Dt("Target"),
                        html.Dd(target),
                        html.Dt("Status"),
                        html.Dd(rag_badge(rag)),
                        html.Dt("Since last period"),
                        html.Dd(
                            direction_badge(
                                snapshot_row["direction"] if snapshot_row is not None else None
                            )
                        ),
                    ]
                ),
                sparkline(history, description=f"{metric.name}: {trend_words(history)}"),
            ],
            className=f"pmf-card pmf-card-{css}",
        )
    )

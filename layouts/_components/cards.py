"""Measure cards for the portfolio holder's weekly view: value, target, status, direction, trend.

The card's sparkline is a small SVG image drawn here (no chart library): the figures as a line,
the target as a dashed line and its tolerance as a pale band, so a holder sees at a glance how
far a measure is from where it should be. Its alt text says the same in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd
from dash import dcc, html

from layouts._components.charts import trend_words
from layouts._components.status import direction_badge, rag_badge
from metrics.engine.periods import period_label
from metrics.figures import BLUE, INK
from metrics.format import format_value
from metrics.registry.model import Metric
from metrics.words import rag_word

WIDTH, HEIGHT, PAD = 240, 56, 4
BAND = "#e8e1c4"  # the tolerance band: pale, behind the line


@dataclass(frozen=True)
class Trend:
    """A measure's recent figures, each with the target and tolerance band in force then."""

    values: tuple[float | None, ...]
    targets: tuple[float | None, ...] = ()
    bands: tuple[tuple[float, float] | None, ...] = ()  # (low, high) of "within tolerance"


def _numbers(items: Sequence[float | None]) -> list[float]:
    return [float(v) for v in items if v is not None and not math.isnan(float(v))]


def sparkline_svg(trend: Trend) -> str | None:
    """The sparkline as SVG text, or None with fewer than two figures."""
    values = list(trend.values)
    if len(_numbers(values)) < 2:
        return None
    spread = _numbers(values) + _numbers(trend.targets)
    spread += [x for band in trend.bands if band for x in band if not math.isnan(x)]
    low, high = min(spread), max(spread)
    if high == low:
        high, low = high + 1, low - 1
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def x(i: int) -> float:
        return PAD + i * step

    def y(v: float) -> float:
        return PAD + (high - v) / (high - low) * (HEIGHT - 2 * PAD)

    parts = []
    for i, band in enumerate(trend.bands):
        if band is not None:
            top, bottom = y(max(band)), y(min(band))
            left = x(i) - step / 2 if i else x(i)
            right = x(i) + step / 2 if i < len(values) - 1 else x(i)
            parts.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{max(right - left, 1):.1f}" '
                f'height="{max(bottom - top, 1):.1f}" fill="{BAND}"/>'
            )
    target_points = [
        (x(i), y(float(t))) for i, t in enumerate(trend.targets) if t is not None and not pd.isna(t)
    ]
    if target_points:
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in _stepped(target_points, step))
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        )
    line = " ".join(
        f"{x(i):.1f},{y(float(v)):.1f}"
        for i, v in enumerate(values)
        if v is not None and not pd.isna(v)
    )
    parts.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    last, final = [(i, float(v)) for i, v in enumerate(values) if v is not None and not pd.isna(v)][
        -1
    ]
    parts.append(f'<circle cx="{x(last):.1f}" cy="{y(final):.1f}" r="3" fill="{BLUE}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}">{"".join(parts)}</svg>'
    )


def _stepped(points: list[tuple[float, float]], step: float) -> list[tuple[float, float]]:
    """A target line that changes level between two periods, as a step (targets are set per
    year, not drawn as a slope)."""
    out = [points[0]]
    for (_, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y1 != y0:
            out.append((x1 - step / 2, y0))
            out.append((x1 - step / 2, y1))
        out.append((x1, y1))
    return out


def target_words(metric: Metric, trend: Trend) -> str:
    """What the sparkline says about the target, for its alt text."""
    targets = [t for t in trend.targets if t is not None and not pd.isna(t)]
    if not targets:
        return "no target"
    band = next((b for b in reversed(trend.bands) if b is not None), None)
    words = f"target {format_value(targets[-1], metric)} (dashed line)"
    if band is not None:
        words += (
            f", within tolerance from {format_value(min(band), metric)} to "
            f"{format_value(max(band), metric)} (shaded)"
        )
    return words


def sparkline(metric: Metric, trend: Trend) -> html.Img | html.P:
    """The card's sparkline as an image with alt text; a sentence when there is too little."""
    svg = sparkline_svg(trend)
    words = trend_words([v for v in trend.values if v is not None])
    if svg is None:
        return html.P(words, className="pmf-muted")
    return html.Img(
        src="data:image/svg+xml;charset=utf-8," + quote(svg),
        alt=f"{metric.name}: {words}; {target_words(metric, trend)}.",
        className="pmf-sparkline-target",
        width=WIDTH,
        height=HEIGHT,
    )


def measure_card(metric: Metric, snapshot_row: pd.Series | None, trend: Trend) -> html.Li:
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
                                snapshot_row["direction"] if snapshot_row is not None else None,
                                metric.polarity,
                            )
                        ),
                    ]
                ),
                sparkline(metric, trend),
            ],
            className=f"pmf-card pmf-card-{css}",
        )
    )

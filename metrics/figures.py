"""Chart figures as plain data (plotly's JSON form), shared by the pages and the packs.

Built as dicts rather than plotly objects, which are slow to construct. Colours meet 3:1
contrast against white, and special-cause points differ by shape as well as colour, so the
charts still read in greyscale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from metrics.words import VARIATION

INK = "#0b0c0c"
GREY = "#505a5f"
BLUE = "#1d70b8"  # improvement (Making Data Count uses blue)
ORANGE = "#a34700"  # concern: darker than MDC's orange, for 3:1 contrast on white
PURPLE = "#4c2c92"  # neutral special cause
RED = "#d4351c"

# How each SPC reading is drawn; its name comes from metrics.words
POINT_STYLE = {
    key: (VARIATION[key][0], *style)
    for key, style in {
        "common_cause": (GREY, "circle", 7),
        "special_cause_improvement": (BLUE, "diamond", 11),
        "special_cause_concern": (ORANGE, "square", 10),
        "special_cause_neutral_high": (PURPLE, "triangle-up", 11),
        "special_cause_neutral_low": (PURPLE, "triangle-down", 11),
    }.items()
}


Figure = dict[str, Any]

UNIT_TITLES = {
    "percent": "Per cent",
    "count": "Number",
    "rate per 10k": "Per 10,000",
    "rate per 100k": "Per 100,000",
    "GBP": "£",
    "days": "Days",
    "score": "Score",
    "ratio": "Ratio",
}

AXIS = {
    "showline": True,
    "linecolor": INK,
    "ticks": "outside",
    "tickcolor": INK,
    "zeroline": False,
    "showgrid": False,
    "automargin": True,
}


def base_layout(y_title: str, height: int) -> dict[str, Any]:
    """A plain white layout with dark axes (built as a dict: plotly's objects are slow to build)."""
    return {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "font": {"family": "Arial, sans-serif", "size": 14, "color": INK},
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": dict(AXIS),
        "yaxis": {**AXIS, "title": {"text": y_title}},
        "hovermode": "x unified",
    }


def _line(x: list[Any], y: Any, name: str, **line: Any) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": values_of(y),
        "name": name,
        "line": line,
    }


def values_of(column: Any) -> list[Any]:
    """Numbers as JSON-ready floats, with gaps as None."""
    return [None if v is None or pd.isna(v) else float(v) for v in column]


def spc_figure(
    points: pd.DataFrame, labels: Sequence[Any], *, unit_title: str, target: Sequence[float | None]
) -> Figure:
    """An XmR chart: values, mean, process limits, target, and special-cause points by shape."""
    x = [_x(v) for v in labels]
    data = [
        _line(x, points["upl"], "Upper process limit", color=GREY, dash="dash", width=1.5),
        _line(x, points["lpl"], "Lower process limit", color=GREY, dash="dash", width=1.5),
        _line(x, points["mean"], "Mean", color=INK, width=1.5),
    ]
    if any(t is not None and not pd.isna(t) for t in target):
        data.append(_line(x, list(target), "Target", color=RED, dash="dot", width=2))
    value_line = _line(x, points["value"], "Value", color=GREY, width=1.5)
    data.append({**value_line, "showlegend": False, "hoverinfo": "skip"})
    types = points["point_type"].tolist()
    values = values_of(points["value"])
    for point_type, (name, colour, symbol, size) in POINT_STYLE.items():
        chosen = [i for i, t in enumerate(types) if t == point_type]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [x[i] for i in chosen],
                "y": [values[i] for i in chosen],
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"color": INK, "width": 0.5},
                },
            }
        )
    return {"data": data, "layout": base_layout(unit_title, 420)}


def _x(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def line_figure(
    series: dict[str, pd.Series], labels: Sequence[Any], *, unit_title: str, highlight: str
) -> Figure:
    """Several areas' trends on one chart, with the highlighted one drawn thicker."""
    dashes = ["solid", "dot", "dash", "longdash", "dashdot", "longdashdot"]
    x = [_x(v) for v in labels]
    data = []
    for i, (name, values) in enumerate(series.items()):
        main = name == highlight
        trace = _line(
            x,
            values,
            name,
            width=4 if main else 1.5,
            color=INK if main else GREY,
            dash="solid" if main else dashes[i % len(dashes)],
        )
        trace["mode"] = "lines+markers" if main else "lines"
        data.append(trace)
    return {"data": data, "layout": base_layout(unit_title, 380)}


def comparison_figure(table: pd.DataFrame, *, own_name: str, unit_title: str) -> Figure:
    """The council's line against the comparator median, with the interquartile range shaded."""
    x = [_x(v) for v in table["period_start"]]
    data = [
        {**_line(x, table["q3"], "Upper quartile", color=GREY, width=0.5), "showlegend": False},
        {
            **_line(
                x,
                table["q1"],
                "Middle half of similar councils (interquartile range)",
                color=GREY,
                width=0.5,
            ),
            "fill": "tonexty",
            "fillcolor": "rgba(80,90,95,0.18)",
        },
        _line(x, table["median"], "Median of similar councils", color=GREY, dash="dash", width=2),
        {**_line(x, table["own_value"], own_name, color=INK, width=3), "mode": "lines+markers"},
    ]
    return {"data": data, "layout": base_layout(unit_title, 360)}


def ranking_figure(ranking: pd.DataFrame, *, own_name: str, unit_title: str) -> Figure:
    """A ranked bar of every council in the latest period; this council hatched and labelled."""
    names = [
        f"{n} (this council)" if own else str(n)
        for n, own in zip(ranking["name"], ranking["is_own"], strict=True)
    ]
    own = ranking["is_own"].tolist()
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": values_of(ranking["value"]),
            "y": names,
            "marker": {
                "color": [INK if o else "#b1b4b6" for o in own],
                "line": {"color": INK, "width": 1},
                "pattern": {"shape": ["/" if o else "" for o in own], "fgcolor": "#ffffff"},
            },
            "showlegend": False,
        }
    ]
    layout = base_layout("", max(280, 24 * len(names) + 80))
    layout["yaxis"] = {**AXIS, "autorange": "reversed"}
    layout["xaxis"] = {**AXIS, "title": {"text": unit_title}}
    layout["hovermode"] = "closest"
    return {"data": data, "layout": layout}

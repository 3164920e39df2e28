"""Chart figures as plain data (plotly's JSON form), shared by the pages and the packs.

Built as dicts rather than plotly objects, which are slow to construct. Colours meet 3:1
contrast against white, and special-cause points differ by shape as well as colour, so the
charts still read in greyscale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from metrics.engine.periods import FY_START_MONTH, period_label
from metrics.engine.series import SeriesView
from metrics.engine.series_words import limits_note, rebase_words
from metrics.words import LIMITS, REBASE, VARIATION

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
    try:
        # As one array of floats (None and NaN alike become NaN), handed back as Python floats
        numbers = np.asarray(column, dtype=float).tolist()
    except (TypeError, ValueError):  # pandas' own missing value, or something not a number
        return [None if v is None or pd.isna(v) else float(v) for v in column]
    return [None if v != v else v for v in numbers]


def period_ticks(frequency: str, starts: Sequence[date], labels: Sequence[str]) -> list[str]:
    """The period labels to put ticks on: every period, or every 2nd, 3rd, 6th, 12th... so
    that at most about eight show, on a financial year's start where the step allows."""
    count = len(starts)
    steps = TICK_STEPS.get(frequency, TICK_STEPS["annual"])
    step = next((s for s in steps if count / s <= MAX_TICKS), steps[-1])
    return [
        label
        for day, label in zip(starts, labels, strict=True)
        if _ordinal(frequency, day) % step == 0
    ]


TICK_STEPS = {
    "weekly": (1, 2, 4, 13, 26, 52, 104),
    "monthly": (1, 2, 3, 6, 12, 24, 36, 60, 120),
    "quarterly": (1, 2, 4, 8, 12, 20, 40),
    "annual": (1, 2, 5, 10, 20),
    "calendar_year": (1, 2, 5, 10, 20),
    "biennial": (1, 2, 5, 10, 20),
}
MAX_TICKS = 8


def _ordinal(frequency: str, day: date) -> int:
    """A period's number counted so that financial years (or calendar years) start on a multiple
    of the step."""
    if frequency == "weekly":
        return day.toordinal() // 7
    if frequency == "calendar_year":
        return day.year
    months = day.year * 12 + day.month - FY_START_MONTH
    if frequency == "monthly":
        return months
    if frequency == "quarterly":
        return months // 3
    if frequency == "biennial":
        return months // 24
    return months // 12


def period_axis(frequency: str, starts: Sequence[date], labels: Sequence[str]) -> dict[str, Any]:
    """An x axis of periods, labelled as the measure's frequency names them ("2023-24",
    "Q2 2023-24", "Sep 2023"), never on calendar dates."""
    ticks = period_ticks(frequency, starts, labels)
    return {
        **AXIS,
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(labels),
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": ticks,
        "title": {"text": FREQUENCY_TITLES.get(frequency, "Period")},
    }


FREQUENCY_TITLES = {
    "weekly": "Week commencing",
    "monthly": "Month",
    "quarterly": "Quarter (financial year)",
    "annual": "Financial year",
    "calendar_year": "Year",
    "biennial": "Survey year (financial year)",
}


def spc_figure(view: SeriesView, *, names: bool = True) -> Figure:
    """An XmR chart of the periods shown: values, then for each set of limits (a rebase starts
    a new one, with a break in the lines) its mean and process limits; the target; special-cause
    points by shape; and a note of which periods the limits come from. `names`: say who
    recorded each rebase (not for the public)."""
    metric, frame = view.metric, view.frame
    labels = frame["period"].tolist()
    data: list[dict[str, Any]] = []
    segment = frame["segment"].to_numpy() if "segment" in frame else [0] * len(frame)
    shown: set[str] = set()
    for number, part in enumerate(view.segments):
        rows = [i for i, s in enumerate(segment) if s == number]
        if not rows:
            continue
        x = [labels[i] for i in rows]
        kind = "trial" if part.trial else "process"
        limit_name = LIMITS[kind][0]
        for column in ("upl", "lpl"):
            data.append(
                {
                    **_line(
                        x,
                        frame[column].iloc[rows],
                        limit_name,
                        color=GREY,
                        dash="dot" if part.trial else "dash",
                        width=1.5,
                    ),
                    "legendgroup": kind,
                    "showlegend": kind not in shown,
                    "hovertemplate": f"{'Upper' if column == 'upl' else 'Lower'} "
                    f"{limit_name.lower()}: %{{y}}<extra></extra>",
                }
            )
            shown.add(kind)
        data.append(
            {
                **_line(x, frame["mean"].iloc[rows], "Mean", color=INK, width=1.5),
                "legendgroup": "mean",
                "showlegend": "mean" not in shown,
            }
        )
        shown.add("mean")
    target = frame["target"].tolist()
    if any(t is not None and not pd.isna(t) for t in target):
        data.append(_line(labels, target, "Target", color=RED, dash="dot", width=2))
    value_line = _line(labels, frame["value"], "Value", color=GREY, width=1.5)
    data.append({**value_line, "showlegend": False, "hoverinfo": "skip"})
    types = frame["point_type"].tolist()
    values = values_of(frame["value"])
    for point_type, (name, colour, symbol, size) in POINT_STYLE.items():
        chosen = [i for i, t in enumerate(types) if t == point_type]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [labels[i] for i in chosen],
                "y": [values[i] for i in chosen],
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"color": INK, "width": 0.5},
                },
            }
        )
    layout = base_layout(UNIT_TITLES.get(metric.unit, ""), 440)
    layout["xaxis"] = period_axis(metric.frequency, frame["period_start"].tolist(), labels)
    layout["margin"] = {**layout["margin"], "t": 50}
    shapes, annotations = [], []
    for part in view.segments:
        if part.rebase is None:
            continue
        at = labels.index(period_label(metric.frequency, part.first))
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": at - 0.5,
                "x1": at - 0.5,
                "y0": 0,
                "y1": 1,
                "line": {"color": INK, "width": 2, "dash": "dashdot"},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": at - 0.5,
                "y": 1,
                "xanchor": "left",
                "yanchor": "top",
                "text": REBASE[0],
                "hovertext": rebase_words(metric.frequency, part.rebase, names=names),
                "showarrow": False,
                "font": {"size": 12, "color": INK},
                "bgcolor": "#ffffff",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": REBASE[0],
                "x": [labels[at]],
                "y": values_of(frame["mean"].iloc[[at]]),
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 24,
                    "color": INK,
                    "line": {"width": 2},
                },
                "hovertext": [rebase_words(metric.frequency, part.rebase, names=names)],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "legendgroup": "rebase",
                "showlegend": "rebase" not in shown,
            }
        )
        shown.add("rebase")
    note = limits_note(view)
    if note:
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.02,
                "xanchor": "left",
                "yanchor": "bottom",
                "text": note,
                "showarrow": False,
                "align": "left",
                "font": {"size": 12, "color": INK},
            }
        )
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


LIGHT_GREY = "#8a9094"  # context lines: 3.2:1 on white, so still a chart element one can see


def line_figure(
    series: Mapping[str, Sequence[float] | np.ndarray | pd.Series],
    starts: Sequence[date],
    *,
    frequency: str,
    unit_title: str,
    highlight: str,
    county: str,
) -> Figure:
    """Several areas' trends on one chart: the chosen area in colour, the county as a dark
    dashed reference, the rest in grey (one legend entry for all of them)."""
    labels = [period_label(frequency, s) for s in starts]
    data = []
    others_shown = False
    ordered = sorted(series.items(), key=lambda item: (item[0] == highlight, item[0] == county))
    for name, values in ordered:
        if name == highlight:
            trace = _line(labels, values, name, width=4, color=BLUE)
            trace["mode"] = "lines+markers"
            trace["marker"] = {"size": 7, "color": BLUE}
        elif name == county:
            trace = _line(labels, values, f"{name} (county)", width=2.5, color=INK, dash="dash")
        else:
            trace = _line(labels, values, name, width=1.5, color=LIGHT_GREY)
            trace.update(
                legendgroup="others",
                showlegend=not others_shown,
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
            if not others_shown:
                trace["name"] = "Other districts"
            others_shown = True
        data.append(trace)
    layout = base_layout(unit_title, 380)
    layout["xaxis"] = period_axis(frequency, list(starts), labels)
    return {"data": data, "layout": layout}


def _x(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


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


# Up to this many councils, each has a labelled bar; beyond, the ranking is a caterpillar
LABELLED_BARS = 40


def ranking_figure(ranking: pd.DataFrame, *, own_name: str, unit_title: str) -> Figure:
    """A ranked bar of every council in the latest period; this council hatched and labelled.

    A group of more than `LABELLED_BARS` councils (all English councils, say) is drawn as a
    caterpillar: one thin upright bar per council, best first, named on hover and in the table
    below, so the chart keeps a page's height rather than growing 24 px per council.
    """
    if len(ranking) > LABELLED_BARS:
        return _caterpillar(ranking, own_name=own_name, unit_title=unit_title)
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


def _caterpillar(ranking: pd.DataFrame, *, own_name: str, unit_title: str) -> Figure:
    """Every council's bar upright and unlabelled, best first (the x axis is the place in the
    ranking), this council's dark, hatched and labelled with an arrow."""
    places = list(range(1, len(ranking) + 1))
    values = values_of(ranking["value"])
    names = [str(n) for n in ranking["name"]]
    own = [bool(o) for o in ranking["is_own"]]
    hover = "%{text}<br>%{y}<extra></extra>"
    others = [i for i, o in enumerate(own) if not o]
    ours = [i for i, o in enumerate(own) if o]
    data = [
        {
            "type": "bar",
            "x": [places[i] for i in others],
            "y": [values[i] for i in others],
            "text": [names[i] for i in others],
            "textposition": "none",
            "hovertemplate": hover,
            "marker": {"color": "#b1b4b6", "line": {"width": 0}},
            "showlegend": False,
        },
        {
            "type": "bar",
            "x": [places[i] for i in ours],
            "y": [values[i] for i in ours],
            "text": [f"{names[i]} (this council)" for i in ours],
            "textposition": "none",
            "hovertemplate": hover,
            "marker": {
                "color": INK,
                "line": {"color": INK, "width": 1},
                "pattern": {"shape": "/", "fgcolor": "#ffffff"},
            },
            "showlegend": False,
        },
    ]
    layout = base_layout(unit_title, 360)
    layout["bargap"] = 0.1
    layout["barmode"] = "overlay"
    layout["xaxis"] = {
        **AXIS,
        "title": {"text": f"Place among {len(places)} councils, best first"},
        "range": [0.5, len(places) + 0.5],
    }
    layout["yaxis"] = {**AXIS, "title": {"text": unit_title}}
    layout["hovermode"] = "closest"
    layout["annotations"] = [
        {
            "x": places[i],
            "y": values[i],
            "text": f"{own_name} (this council)",
            "showarrow": True,
            "arrowhead": 2,
            "arrowcolor": INK,
            "ax": 0,
            "ay": -40,
            "font": {"color": INK},
        }
        for i in ours
        if values[i] is not None
    ]
    return {"data": data, "layout": layout}

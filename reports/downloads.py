"""CSV downloads for people: measure and area names, figures to the measure's decimals, words.

A committee member opens a download in a spreadsheet: the columns say what they hold ("Lower
process limit", not `lpl`), each row names its measure and area as well as their ids, figures
are rounded as the dashboard shows them, and a reading is a word ("Special cause: concern"),
never True or False. Everything is formatted from what the read model judged; suppression is
applied before (the public's hidden figures read [c]) and formula-like text is neutralised by
`metrics.cells.safe_csv` as the file is written.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from metrics.cells import safe_csv
from metrics.engine.benchmark import Comparison
from metrics.engine.periods import period_label
from metrics.figures import UNIT_TITLES
from metrics.readmodel.judged import ReadModel
from metrics.readmodel.suppression import SUPPRESSED, suppressed_csv_frame
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from metrics.words import rag_word, variation_text

# The series columns a download keeps, in order, with the heading people read
SERIES_COLUMNS = {
    "period": "Period",
    "period_start": "Period start",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "target": "Target",
    "status": "Status",
    "mean": "Average (SPC)",
    "lpl": "Lower process limit",
    "upl": "Upper process limit",
    "point_type": "SPC reading",
}
# Columns in the measure's own unit, rounded to its decimals
IN_UNIT = ("value", "target", "mean", "lpl", "upl")
COUNTS = ("numerator", "denominator")


def figure_text(value: Any, decimals: int) -> str:
    """A figure for a CSV cell: rounded to `decimals`, no thousands commas; '' when missing,
    [c] when suppressed."""
    if isinstance(value, str):
        return value  # [c], already a word
    if value is None:
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    text = f"{number:.{decimals}f}"
    # -0.0 rounds to "-0": a figure of nothing has no sign
    return text[1:] if re.fullmatch(r"-0(\.0*)?", text) else text


def _count_text(value: Any) -> str:
    """A numerator or denominator: whole numbers without a decimal point."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if not math.isnan(number) and number.is_integer():
            return str(int(number))
        return figure_text(number, 2)
    return figure_text(value, 0)


def unit_words(metric: Metric) -> str:
    """The measure's unit as a column heading says it: 'Per cent', 'Per 10,000', '£'."""
    return UNIT_TITLES.get(metric.unit, metric.unit)


def series_frame(model: ReadModel, metric: Metric, area_code: str) -> pd.DataFrame:
    """One area's series for download: named, rounded and worded, hidden figures as [c]."""
    registry = model.registry
    # Every period held, with SPC worked out over all of them (the CSV is the whole record)
    view = model.series(metric, area_code, whole=True)
    frame = suppressed_csv_frame(view.frame, model.hidden(metric.id, area_code))
    status = model.status
    mine = status[(status["metric_id"] == metric.id) & (status["area_code"] == area_code)]
    rags = dict(zip(pd.to_datetime(mine["period_start"]).dt.date, mine["rag"], strict=True))
    out = pd.DataFrame(
        {
            "Measure": metric.name,
            "Measure id": metric.id,
            "Area": registry.area_name(area_code),
            "Area code": area_code,
            "Unit": unit_words(metric),
        },
        index=frame.index,
    )
    for column, heading in SERIES_COLUMNS.items():
        if column == "status":
            out[heading] = [rag_word(rags.get(_day(s))) for s in frame["period_start"]]
        elif column not in frame:
            continue
        elif column in IN_UNIT:
            out[heading] = [figure_text(v, metric.decimals) for v in frame[column]]
        elif column in COUNTS:
            out[heading] = [_count_text(v) for v in frame[column]]
        elif column == "point_type":
            out[heading] = [_reading(p) for p in frame[column]]
        elif column == "period_start":
            out[heading] = [_day(s).isoformat() for s in frame[column]]
        else:
            out[heading] = frame[column].astype(str)
    # A measure without numerators (most are) has no empty columns for them
    out = out.drop(columns=[SERIES_COLUMNS[c] for c in COUNTS if _empty(out, c)])
    return out.reset_index(drop=True)


def series_csv(model: ReadModel, metric: Metric, area_code: str) -> str:
    """The series as CSV text, formula-like text neutralised."""
    return safe_csv(series_frame(model, metric, area_code))


def comparison_frame(registry: Registry, comparison: Comparison) -> pd.DataFrame:
    """The comparison over time, as the drill-down's table shows it, with names and words."""
    metric = comparison.metric
    council = registry.plan.organisation.short_name
    table = comparison.by_period.dropna(subset=["own_value"])
    starts = [_day(s) for s in table["period_start"]]
    return pd.DataFrame(
        {
            "Measure": metric.name,
            "Measure id": metric.id,
            "Comparator group": comparison.group.name,
            "Unit": unit_words(metric),
            "Period": [period_label(metric.frequency, s) for s in starts],
            "Period start": [s.isoformat() for s in starts],
            council: [figure_text(v, metric.decimals) for v in table["own_value"]],
            "Median": [figure_text(v, metric.decimals) for v in table["median"]],
            "Lower quartile": [figure_text(v, metric.decimals) for v in table["q1"]],
            "Upper quartile": [figure_text(v, metric.decimals) for v in table["q3"]],
            f"{council}'s rank (1 is best)"
            if metric.polarity != "neutral"
            else f"{council}'s place (1 is highest)": [_whole(r) for r in table["rank"]],
            "Councils with a figure": [_whole(n) for n in table["n"]],
        }
    )


def comparison_csv(registry: Registry, comparison: Comparison) -> str:
    """The comparison over time as CSV text, formula-like text neutralised."""
    return safe_csv(comparison_frame(registry, comparison))


VISIBILITY_WORDS = {"public": "Published", "internal": "Councillors and officers only"}


def catalogue_frame_for_download(frame: pd.DataFrame, headings: dict[str, str]) -> pd.DataFrame:
    """The catalogue as searched, for a CSV: the measure's name first, its id beside it, the
    unit and who may see it in words; `headings` are the catalogue's column headings."""
    out = frame.assign(
        unit=[UNIT_TITLES.get(str(u), str(u)) for u in frame["unit"]],
        visibility=[VISIBILITY_WORDS.get(str(v), str(v)) for v in frame["visibility"]],
    )
    order = ["name", "id", *[c for c in frame.columns if c not in ("name", "id")]]
    named = {**headings, "id": "Measure id"}
    return out[order].rename(columns=named)


def catalogue_csv(frame: pd.DataFrame, headings: dict[str, str]) -> str:
    """The catalogue as CSV text, formula-like text neutralised."""
    return safe_csv(catalogue_frame_for_download(frame, headings))


def _reading(point_type: Any) -> str:
    if point_type == SUPPRESSED:
        return SUPPRESSED
    return variation_text(point_type) if isinstance(point_type, str) and point_type else ""


def _whole(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _day(value: Any) -> Any:
    return pd.Timestamp(value).date()


def _empty(out: pd.DataFrame, column: str) -> bool:
    heading = SERIES_COLUMNS[column]
    return heading in out and bool((out[heading] == "").all())

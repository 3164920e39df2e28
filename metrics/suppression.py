"""Small-number suppression for public output (pure functions, no I/O).

Counts below a metric's threshold are shown as [c], the symbol government statistics tables
use. A rate or percentage is suppressed when its numerator is. Where district counts sum to
the county, one suppressed district could be recovered by subtraction, so the next smallest
district is suppressed as well (secondary suppression).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from collections.abc import Set as AbstractSet
from typing import TypeVar

import pandas as pd

from metrics.format import format_value
from metrics.model import Metric

SUPPRESSED = "[c]"
K = TypeVar("K", bound=Hashable)


def threshold_for(metric: Metric, default: int) -> int:
    """The metric's own `suppress_below`, else the site default."""
    return metric.suppress_below if metric.suppress_below is not None else default


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def is_small(metric: Metric, value: object, numerator: object, threshold: int) -> bool:
    """Whether a figure must be hidden: a small count, or a rate built on a small count."""
    counted = _number(value) if metric.unit == "count" else _number(numerator)
    return counted is not None and counted < threshold


def secondary(values: Mapping[K, object], suppressed: set[K]) -> set[K]:
    """Add the next smallest cell when exactly one of cells that sum to a total is hidden."""
    if len(suppressed) != 1:
        return set(suppressed)
    open_cells = [
        (number, key)
        for key, value in values.items()
        if key not in suppressed and (number := _number(value)) is not None
    ]
    if not open_cells:
        return set(suppressed)
    return set(suppressed) | {min(open_cells, key=lambda cell: cell[0])[1]}


def suppress_frame(
    frame: pd.DataFrame, metric: Metric, default: int, county_code: str
) -> pd.DataFrame:
    """One metric's rows with a `suppressed` column; hidden values (and numerators) become NaN.

    `frame` needs area_code, period_start and value (numerator if the metric is a rate), and
    should hold every area of each period, so secondary suppression sees the whole row.
    """
    threshold = threshold_for(metric, default)
    source = "value" if metric.unit == "count" else "numerator"
    counted = (
        pd.to_numeric(frame[source], errors="coerce")
        if source in frame
        else pd.Series(float("nan"), index=frame.index)
    )
    # Vectorised: the same test as `is_small`, for every row at once
    hidden = (counted < threshold).fillna(False).astype(bool)
    if metric.aggregation == "sum" and hidden.any():
        districts = frame[frame["area_code"] != county_code]
        for _, group in districts.groupby("period_start"):
            first = {i for i in group.index if hidden[i]}
            values = dict(zip(group.index, group["value"], strict=True))
            for label in secondary(values, first) - first:
                hidden[label] = True
    out = frame.assign(suppressed=hidden)
    if hidden.any():
        out.loc[hidden, "value"] = float("nan")
        if "numerator" in out:
            out.loc[hidden, "numerator"] = float("nan")
    return out


def shown(value: object, metric: Metric, suppressed: bool) -> str:
    """A value for people: [c] when suppressed, else in the metric's unit."""
    return SUPPRESSED if suppressed else format_value(_number(value), metric)


def suppressed_csv_frame(frame: pd.DataFrame, hidden: AbstractSet[object]) -> pd.DataFrame:
    """A series frame for download with [c] in place of every hidden period's figures.

    SPC columns are dropped when anything is hidden: limits are worked out from every value.
    """
    if not hidden:
        return frame
    keep = [c for c in frame.columns if c not in {"mean", "lpl", "upl", "special_cause"}]
    out = frame[keep].astype(object).copy()
    mask = out["period_start"].isin(hidden)
    for column in ("value", "numerator", "denominator", "point_type"):
        if column in out:
            out.loc[mask, column] = SUPPRESSED
    return out

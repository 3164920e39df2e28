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
from metrics.registry.model import Metric

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

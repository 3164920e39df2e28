"""One metric's time series for one area, with its targets and SPC reading."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from metrics.engine.periods import period_label
from metrics.engine.spc import SpcResult, xmr
from metrics.engine.status import area_targets_for
from metrics.registry.model import Metric

IMPROVEMENT: dict[str, Literal["increase", "decrease", "neutral"]] = {
    "higher_is_better": "increase",
    "lower_is_better": "decrease",
    "neutral": "neutral",
}


def rebase_indices(metric: Metric, starts: Sequence[date] | np.ndarray) -> list[int]:
    """Positions in a series (period starts, in order) where each rebase date starts a segment."""
    if not metric.spc.rebase_at or len(starts) == 0:
        return []
    days = np.asarray(starts, dtype="datetime64[D]")
    found = np.searchsorted(days, np.array(metric.spc.rebase_at, dtype="datetime64[D]"))
    return sorted({int(i) for i in found if 0 < i < len(days)})


def spc_for(
    metric: Metric,
    values: Sequence[float],
    starts: Sequence[date],
    target: float | None = None,
) -> SpcResult:
    """Run the metric's SPC settings over a series; assurance uses `target` (the area's latest)."""
    settings = metric.spc
    return xmr(
        [float(v) for v in values],
        improvement=IMPROVEMENT[metric.polarity],
        target=target,
        rebase_at=rebase_indices(metric, starts),
        fix_after_n_points=settings.fix_after_n_points,
        screen_outliers=settings.screen_outliers,
        run_length=settings.run_length,
        trend_length=settings.trend_length,
    )


@dataclass(frozen=True)
class SeriesView:
    """A metric's series for one area, in a window of periods, with SPC over the whole series.

    SPC limits and readings use every period, so they agree with the status snapshot whatever
    window is shown; `frame` holds only the periods in the window.
    """

    metric: Metric
    area_code: str
    frame: pd.DataFrame
    spc: SpcResult | None
    all_periods: pd.DataFrame  # period_start and period label of every period held

    @property
    def empty(self) -> bool:
        """Whether there is no data to show."""
        return self.frame.empty


def series_view(
    metric: Metric,
    observations: pd.DataFrame,
    area_code: str,
    start: date | None = None,
    end: date | None = None,
    *,
    county: str,
) -> SeriesView:
    """Build the series for one area from current observations (any metrics, any areas).

    `county` is the council's own area: a district's target line is its own (if any).
    """
    rows = observations[
        (observations["metric_id"] == metric.id) & (observations["area_code"] == area_code)
    ].sort_values("period_start")
    starts = [pd.Timestamp(s).date() for s in rows["period_start"]]
    frame = pd.DataFrame(
        {
            "period_start": starts,
            "period": [period_label(metric.frequency, s) for s in starts],
            "value": rows["value"].astype(float).to_numpy(),
            "numerator": rows["numerator"].to_numpy() if "numerator" in rows else None,
            "denominator": rows["denominator"].to_numpy() if "denominator" in rows else None,
            "target": area_targets_for(
                metric, area_code, county, np.array(starts, dtype="datetime64[D]")
            ),
        }
    )
    latest_target = frame["target"].iloc[-1] if len(frame) else np.nan
    spc = (
        spc_for(
            metric,
            frame["value"].tolist(),
            starts,
            None if np.isnan(latest_target) else float(latest_target),
        )
        if len(frame) >= 2
        else None
    )
    if spc is not None:
        for column in ("mean", "lpl", "upl", "special_cause", "point_type"):
            frame[column] = spc.points[column].to_numpy()
    keep = np.array(
        [(start is None or s >= start) and (end is None or s <= end) for s in starts], dtype=bool
    )
    return SeriesView(
        metric,
        area_code,
        frame[keep].reset_index(drop=True),
        spc,
        frame[["period_start", "period"]],
    )

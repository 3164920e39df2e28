"""A portfolio holder's week: what changed, read from the read model as at the week's end.

The week chooser moves everything: the read model is made as at the Sunday that ends the
chosen week (or today, for the week in progress), so the status of each measure, the changes of
status, the flags raised and the milestones coming up are all as they stood then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.engine.periods import period_label
from metrics.engine.status import area_targets_for, tolerance_bands
from metrics.readmodel.judged import ReadModel
from metrics.registry.model import Metric

MILESTONE_HORIZON_WEEKS = 4
SLIPPING = ("slipped", "overdue")
TREND_PERIODS = 24


def week_start(day: date) -> date:
    """The Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def recent_weeks(today: date, count: int = 12) -> list[date]:
    """Mondays of the latest `count` weeks, newest first."""
    monday = week_start(today)
    return [monday - timedelta(weeks=i) for i in range(count)]


def week_as_at(start: date, today: date) -> date:
    """The day a week is seen from: its Sunday, or today while the week is still running."""
    return min(start + timedelta(days=6), today)


@dataclass(frozen=True)
class WeekInReview:
    """Everything that changed for one portfolio in one week (Monday to Sunday)."""

    start: date
    as_at: date  # the day the week is seen from (its Sunday, or today)
    measures: int  # measures in the portfolio
    new_data: pd.DataFrame  # metric_id, name, period, value, periods
    status_changes: pd.DataFrame  # metric_id, name, period, from_rag, to_rag
    new_flags: pd.DataFrame  # flags raised in the week, as they stood at its end
    milestones_due: pd.DataFrame  # not complete, due within four weeks or already overdue
    milestones_slipping: int  # the portfolio's milestones that are slipped or overdue

    @property
    def end(self) -> date:
        """The Sunday that ends the week."""
        return self.start + timedelta(days=6)

    @property
    def worsened(self) -> pd.DataFrame:
        """Changes of status for the worse (to off target, or from on target)."""
        worse = {("green", "amber"), ("green", "red"), ("amber", "red")}
        pairs = zip(self.status_changes["from_rag"], self.status_changes["to_rag"], strict=True)
        return self.status_changes[[pair in worse for pair in pairs]]


def week_in_review(model: ReadModel, start: date) -> WeekInReview:
    """What changed in the week that starts on `start`, for the measures and milestones of
    `model` (a read model as at the week's end, with the portfolio's milestones)."""
    by_id = {m.id: m for m in model.metrics}
    county = model.county
    window_start = datetime.combine(start, datetime.min.time())
    window_end = window_start + timedelta(days=7)
    observations = model.observations[model.observations["area_code"] == county]
    loaded = pd.to_datetime(observations["loaded_at"])
    arrived = observations[(loaded >= window_start) & (loaded < window_end)]

    new_rows = []
    changes = []
    changed = model.changes().set_index("metric_id")
    for metric_id, rows in arrived.groupby("metric_id", sort=False):
        metric = by_id[str(metric_id)]
        latest = rows.sort_values("period_start").iloc[-1]
        label = period_label(metric.frequency, pd.Timestamp(latest["period_start"]).date())
        new_rows.append(
            {
                "metric_id": metric.id,
                "name": metric.name,
                "period": label,
                "value": latest["value"],
                "periods": len(rows),
            }
        )
        # A change of status counts in the week its figure arrived
        if metric.id in changed.index:
            change = changed.loc[metric.id]
            changes.append(
                {
                    "metric_id": metric.id,
                    "name": metric.name,
                    "period": period_label(
                        metric.frequency, pd.Timestamp(str(change["period_start"])).date()
                    ),
                    "from_rag": change["from_rag"],
                    "to_rag": change["to_rag"],
                }
            )
    flags = model.flags
    raised = pd.to_datetime(flags["raised_at"])
    flags = flags[(raised >= window_start) & (raised < window_end)]
    milestones = model.milestones
    slipping = int(milestones["status"].isin(SLIPPING).sum()) if not milestones.empty else 0
    if not milestones.empty:
        due = pd.to_datetime(milestones["forecast_date"].fillna(milestones["baseline_date"]))
        horizon = pd.Timestamp(start + timedelta(weeks=MILESTONE_HORIZON_WEEKS))
        # Overdue milestones stay on the list until they are done: they were due already
        soon = (due < horizon) | (milestones["status"] == "overdue")
        milestones = milestones[(milestones["status"] != "complete") & soon]
    return WeekInReview(
        start=start,
        as_at=model.day,
        measures=len(model.metrics),
        new_data=pd.DataFrame(
            new_rows, columns=["metric_id", "name", "period", "value", "periods"]
        ),
        status_changes=pd.DataFrame(
            changes, columns=["metric_id", "name", "period", "from_rag", "to_rag"]
        ),
        new_flags=flags.reset_index(drop=True),
        milestones_due=milestones.reset_index(drop=True),
        milestones_slipping=slipping,
    )


def recent_trend(model: ReadModel, metric: Metric, periods: int = TREND_PERIODS) -> pd.DataFrame:
    """The council's latest figures of a measure (as at the model's day) with the target and
    the within-tolerance band in force for each: value, target, band_low, band_high."""
    rows = model.observations
    rows = rows[(rows["metric_id"] == metric.id) & (rows["area_code"] == model.county)]
    rows = rows.sort_values("period_start").tail(periods)
    starts = pd.to_datetime(rows["period_start"]).to_numpy(dtype="datetime64[D]")
    targets = area_targets_for(metric, model.county, model.county, starts)
    widths = tolerance_bands(metric, targets)
    sign = {"higher_is_better": -1.0, "lower_is_better": 1.0}.get(metric.polarity, 0.0)
    # The amber band runs from the target to the far edge of the tolerance
    edge = targets + sign * widths
    has_band = (widths > 0) & ~np.isnan(targets) & (sign != 0)
    return pd.DataFrame(
        {
            "value": rows["value"].astype(float).to_numpy(),
            "target": targets if sign != 0 else np.full(len(targets), np.nan),
            "band_low": np.where(has_band, np.minimum(targets, edge), np.nan),
            "band_high": np.where(has_band, np.maximum(targets, edge), np.nan),
        }
    )

"""Milestone status: complete, overdue, slipped, at risk or on track.

One status is shown for each milestone, taking the first that applies in this order:

1. complete: it has a completed date;
2. overdue: its baseline date has passed;
3. slipped: its forecast is later than its baseline by more than N days;
4. at risk: its forecast is later than its baseline by N days or fewer;
5. on track: otherwise (forecast on or before the baseline, or no forecast).

N is `milestone_at_risk_days` in settings.yaml. The flag rules look at "slipped" and
"overdue" separately, because a milestone can be both: see `is_slipped` and `is_overdue`.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics.registry.loader import Registry
from warehouse.milestones import milestone_dates, read_milestones

COMPLETE, OVERDUE, SLIPPED, AT_RISK, ON_TRACK = (
    "complete",
    "overdue",
    "slipped",
    "at_risk",
    "on_track",
)
MILESTONE_STATUSES = (COMPLETE, OVERDUE, SLIPPED, AT_RISK, ON_TRACK)
SLIPPING = (SLIPPED, OVERDUE)  # the statuses the overview counts as slipping


def slip_days(baseline: date, forecast: date | None) -> int:
    """Days the forecast is later than the baseline (0 when on time, early or unknown)."""
    if forecast is None:
        return 0
    return max(0, (forecast - baseline).days)


def is_overdue(baseline: date, completed: date | None, today: date) -> bool:
    """Whether the baseline date has passed without the milestone being completed."""
    return completed is None and baseline < today


def is_slipped(
    baseline: date, forecast: date | None, completed: date | None, at_risk_days: int
) -> bool:
    """Whether an unfinished milestone is forecast more than `at_risk_days` late."""
    return completed is None and slip_days(baseline, forecast) > at_risk_days


def milestone_status(
    baseline: date,
    forecast: date | None,
    completed: date | None,
    today: date,
    at_risk_days: int,
) -> str:
    """The one status to show for a milestone (see the module docstring for the order)."""
    if completed is not None:
        return COMPLETE
    if is_overdue(baseline, completed, today):
        return OVERDUE
    late = slip_days(baseline, forecast)
    if late > at_risk_days:
        return SLIPPED
    if late > 0:
        return AT_RISK
    return ON_TRACK


def with_status(frame: pd.DataFrame, today: date, at_risk_days: int) -> pd.DataFrame:
    """Add status, slip_days and days_overdue to a milestones frame."""
    rows = [
        (_required_day(ident, b), _day(f), _day(c))
        for ident, b, f, c in zip(
            frame["id"].tolist(),
            frame["baseline_date"].tolist(),
            frame["forecast_date"].tolist(),
            frame["completed_date"].tolist(),
            strict=True,
        )
    ]
    # A shallow copy with the three columns (pandas copies on write, so the frame given is
    # left as it was): a deep copy first costs more than the few milestones themselves
    return frame.assign(
        status=[milestone_status(b, f, c, today, at_risk_days) for b, f, c in rows],
        slip_days=[slip_days(b, f) if c is None else 0 for b, f, c in rows],
        days_overdue=[(today - b).days if is_overdue(b, c, today) else 0 for b, _, c in rows],
    )


def milestones_with_status(registry: Registry, engine: sa.Engine, today: date) -> pd.DataFrame:
    """Every stored milestone with its derived status, using the registry's settings."""
    at_risk_days = int(registry.settings["milestone_at_risk_days"])
    return with_status(read_milestones(engine), today, at_risk_days)


def slipping_count(registry: Registry, engine: sa.Engine, today: date) -> int:
    """How many stored milestones are slipping (slipped or overdue), judged as
    `milestones_with_status` judges them, from their dates alone and without a frame."""
    at_risk_days = int(registry.settings["milestone_at_risk_days"])
    return sum(
        milestone_status(_required_day(ident, b), _day(f), _day(c), today, at_risk_days) in SLIPPING
        for ident, b, f, c in milestone_dates(engine)
    )


def _day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # pandas Timestamps are datetimes too
        return None if pd.isna(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None  # NaN, NaT and blanks all mean "no date"


def _required_day(ident: object, value: object) -> date:
    day = _day(value)
    if day is None:
        raise ValueError(f"milestone '{ident}' has no baseline_date; every milestone needs one")
    return day

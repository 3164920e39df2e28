"""A portfolio holder's week: new data, changes of status, new flags and milestones coming up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from metrics.engine.milestones import milestones_with_status
from metrics.engine.periods import period_label
from metrics.engine.status import status_table
from metrics.flags.lifecycle import list_flags
from metrics.readmodel.judged import status_changes
from metrics.registry.loader import Registry
from warehouse.observations import current_observations

MILESTONE_HORIZON_WEEKS = 4


def week_start(day: date) -> date:
    """The Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def recent_weeks(today: date, count: int = 12) -> list[date]:
    """Mondays of the latest `count` weeks, newest first."""
    monday = week_start(today)
    return [monday - timedelta(weeks=i) for i in range(count)]


@dataclass(frozen=True)
class WeekInReview:
    """Everything that changed for one portfolio in one week (Monday to Sunday)."""

    start: date
    new_data: pd.DataFrame  # metric_id, name, period, value
    status_changes: pd.DataFrame  # metric_id, name, period, from_rag, to_rag
    new_flags: pd.DataFrame  # rows from the flags table
    milestones_due: pd.DataFrame  # rows from milestones with status
    milestones_slipping: int  # the portfolio's milestones that are slipped or overdue

    @property
    def end(self) -> date:
        """The Sunday that ends the week."""
        return self.start + timedelta(days=6)


def week_in_review(
    registry: Registry, engine: sa.Engine, portfolio: str, start: date
) -> WeekInReview:
    """Work out what changed in a portfolio during the week that starts on `start`."""
    metrics = registry.for_portfolio(portfolio)
    by_id = {m.id: m for m in metrics}
    county = registry.plan.county.code
    observations = current_observations(engine, list(by_id), [county])
    window_start = datetime.combine(start, datetime.min.time())
    window_end = window_start + timedelta(days=7)
    loaded = observations["loaded_at"]
    arrived = observations[(loaded >= window_start) & (loaded < window_end)]

    new_rows = []
    changes = []
    if not arrived.empty:
        status = status_table(metrics, observations, county)
        changed = status_changes(status).set_index("metric_id")
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
            if metric.id in changed.index:
                change = changed.loc[metric.id]
                changes.append(
                    {
                        "metric_id": metric.id,
                        "name": metric.name,
                        "period": label,
                        "from_rag": change["from_rag"],
                        "to_rag": change["to_rag"],
                    }
                )
    flags = list_flags(registry, engine, portfolio=portfolio)
    if not flags.empty:
        raised = pd.to_datetime(flags["raised_at"])
        flags = flags[(raised >= window_start) & (raised < window_end)]
    milestones = milestones_with_status(registry, engine, start)
    slipping = 0
    if not milestones.empty:
        milestones = milestones[milestones["portfolio"] == portfolio]
        slipping = int(milestones["status"].isin(["slipped", "overdue"]).sum())
        due = pd.to_datetime(milestones["forecast_date"].fillna(milestones["baseline_date"]))
        horizon = pd.Timestamp(start + timedelta(weeks=MILESTONE_HORIZON_WEEKS))
        # Overdue milestones stay on the list until they are done: they were due already
        soon = (due < horizon) | (milestones["status"] == "overdue")
        milestones = milestones[(milestones["status"] != "complete") & soon]
    return WeekInReview(
        start=start,
        new_data=pd.DataFrame(
            new_rows, columns=["metric_id", "name", "period", "value", "periods"]
        ),
        status_changes=pd.DataFrame(
            changes, columns=["metric_id", "name", "period", "from_rag", "to_rag"]
        ),
        new_flags=flags,
        milestones_due=milestones,
        milestones_slipping=slipping,
    )

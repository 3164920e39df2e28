"""The warehouse as it stood on a date: figures, status, flags, milestones and commentary.

A pack "as at" a date shows the latest figures for periods that had ended by then, judged by
the same engine functions as the snapshot (so a pack as at today matches the dashboard), and
the flags and milestones as they stood at the end of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa

from metrics.milestones import with_status
from metrics.registry import Registry
from metrics.snapshot import build_snapshot
from reports.scope import Scope
from warehouse.commentary import comments_for
from warehouse.flags import ACTION_PLANNED, OPEN_STATUSES, read_flag_events, read_flags
from warehouse.milestones import read_milestones
from warehouse.observations import current_observations

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class AsAt:
    """Everything a pack reads, for one scope, as it stood at the end of `day`."""

    day: date
    county: str  # the council's own area code
    observations: pd.DataFrame  # current own-area rows for periods ended by `day`
    snapshot: pd.DataFrame  # one row per measure and area, from metrics.snapshot
    flags: pd.DataFrame  # flags raised by `day`, with the status they had then
    milestones: pd.DataFrame  # the scope's milestones with their status on `day`
    comments: dict[str, pd.DataFrame]  # per measure, written by `day`, newest first
    benchmarks: pd.DataFrame  # other councils' figures for the scope's measures, by `day`

    @property
    def cutoff(self) -> datetime:
        """The first moment after the as-at day."""
        return end_of(self.day)

    def open_flags(self) -> pd.DataFrame:
        """Flags still open at the end of the day."""
        return self.flags[self.flags["status"].isin(OPEN_STATUSES)]

    def new_flags(self) -> pd.DataFrame:
        """Flags raised in the seven days up to and including the as-at day."""
        raised = pd.to_datetime(self.flags["raised_at"])
        return self.flags[raised >= pd.Timestamp(self.cutoff - WEEK)]


def end_of(day: date) -> datetime:
    """Midnight at the end of `day`: anything stamped before it had happened by then."""
    return datetime.combine(day + timedelta(days=1), time.min)


def read_as_at(registry: Registry, engine: sa.Engine, scope: Scope, day: date) -> AsAt:
    """Read and judge the scope's measures, flags and milestones as they stood on `day`."""
    ids = scope.metric_ids
    codes = sorted({a.code for m in scope.metrics for a in registry.areas_for(m)})
    observations = current_observations(engine, ids, codes)
    observations = observations[observations["period_end"] <= pd.Timestamp(day)]
    observations = observations.reset_index(drop=True)
    snapshot = build_snapshot(registry, observations, day)
    snapshot = snapshot[snapshot["metric_id"].isin(ids)].reset_index(drop=True)

    column, values = scope.milestone_filter()
    stored = read_milestones(engine)
    mine = stored[stored[column].isin(values)].reset_index(drop=True)
    milestones = with_status(mine, day, int(registry.settings["milestone_at_risk_days"]))

    subjects = ids + [str(i) for i in milestones["id"]]
    flags = flags_as_at(engine, subjects, day)
    cutoff = pd.Timestamp(end_of(day))
    comments = {}
    for metric_id in ids:
        found = comments_for(engine, metric_id)
        comments[metric_id] = found[pd.to_datetime(found["created_at"]) < cutoff]
    benchmarks = current_observations(engine, ids, include_benchmark=True)
    benchmarks = benchmarks[
        benchmarks["is_benchmark"] & (benchmarks["period_end"] <= pd.Timestamp(day))
    ].reset_index(drop=True)
    return AsAt(
        day,
        registry.plan.county.code,
        observations,
        snapshot,
        flags,
        milestones,
        comments,
        benchmarks,
    )


def flags_as_at(engine: sa.Engine, subject_ids: list[str], day: date) -> pd.DataFrame:
    """Flags about these subjects raised by the end of `day`, each with the status it had then.

    The status is replayed from the audit trail; an action planned later is not shown, and
    a due date is overdue when it is before `day`.
    """
    cutoff = pd.Timestamp(end_of(day))
    flags = read_flags(engine, subject_ids=subject_ids, today=day)
    flags = flags[pd.to_datetime(flags["raised_at"]) < cutoff].reset_index(drop=True)
    if flags.empty:
        return flags
    events = read_flag_events(engine)
    events = events[
        events["flag_id"].isin(flags["id"]) & (pd.to_datetime(events["event_at"]) < cutoff)
    ]
    then = events.groupby("flag_id")["to_status"].last()
    flags["status"] = [then.get(i, s) for i, s in zip(flags["id"], flags["status"], strict=True)]
    planned = flags["status"] == ACTION_PLANNED
    flags.loc[~planned & (flags["status"].isin(OPEN_STATUSES)), ["action", "due_date"]] = None
    cleared = pd.to_datetime(flags["condition_cleared_at"])
    flags.loc[cleared.notna() & (cleared >= cutoff), "condition_cleared_at"] = None
    due = pd.to_datetime(flags["due_date"])
    flags["action_overdue"] = planned & due.notna() & (due < pd.Timestamp(day))
    flags["is_open"] = flags["status"].isin(OPEN_STATUSES)
    return flags

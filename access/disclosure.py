"""Apply small-number suppression to warehouse frames for public viewers."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from metrics.registry import Registry
from metrics.suppression import suppress_frame
from warehouse.observations import current_observations


def suppress_observations(registry: Registry, frame: pd.DataFrame) -> pd.DataFrame:
    """Observations (any metrics) with a `suppressed` column and hidden values blanked.

    Other councils' benchmark figures are published by others, so they are left alone.
    """
    if frame.empty:
        return frame.assign(suppressed=pd.Series(dtype=bool))
    default = int(registry.settings["suppress_below"])
    county = registry.plan.county.code
    own = (
        ~frame["is_benchmark"].astype(bool)
        if "is_benchmark" in frame
        else pd.Series(True, index=frame.index)
    )
    parts = [frame[~own].assign(suppressed=False)]
    for metric_id, group in frame[own].groupby("metric_id", sort=False):
        if registry.has_metric(str(metric_id)):
            parts.append(suppress_frame(group, registry.metric(str(metric_id)), default, county))
        else:
            parts.append(group.assign(suppressed=False))
    return pd.concat([p for p in parts if not p.empty] or [frame.iloc[0:0]]).loc[frame.index]


def suppress_snapshot(
    registry: Registry, engine: sa.Engine, snapshot: pd.DataFrame
) -> pd.DataFrame:
    """Status rows with a `suppressed` column: numerators are looked up so rates can be judged."""
    if snapshot.empty:
        return snapshot.assign(suppressed=pd.Series(dtype=bool))
    # Only rates and percentages need a numerator, and only for the periods the snapshot
    # shows: reading just those keeps a public page as quick as a signed-in one
    ids = sorted(
        m
        for m in set(snapshot["metric_id"])
        if registry.has_metric(str(m)) and registry.metric(str(m)).unit != "count"
    )
    starts = pd.to_datetime(snapshot["period_start"]).dropna()
    since = starts.min().date() if len(starts) else None
    observed = current_observations(engine, ids, since=since)
    keys = ["metric_id", "area_code", "period_start"]
    numerators = observed[[*keys, "numerator"]].assign(
        period_start=pd.to_datetime(observed["period_start"])
    )
    frame = snapshot.assign(period_start=pd.to_datetime(snapshot["period_start"]))
    joined = frame.merge(numerators, on=keys, how="left").set_axis(snapshot.index)
    suppressed = suppress_observations(registry, joined)
    return snapshot.assign(
        value=suppressed["value"], suppressed=suppressed["suppressed"].astype(bool)
    )

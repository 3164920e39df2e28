"""Build the status snapshot: for each metric and area, where it stands now.

One row per metric and area the registry reports (the county, plus districts for district
measures), whether or not data has arrived: latest value and target, RAG and directions,
year to date, SPC variation and assurance over its latest figures with its rebases
(metrics.engine.series), and freshness. A county figure missing for a period is worked out
from the districts where the metric's `aggregation` says how (metrics.engine.aggregation), and
the row says so in `derived`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics.engine.aggregation import with_derived_county
from metrics.engine.freshness import Freshness, freshness
from metrics.engine.periods import period_bounds
from metrics.engine.series import Rebases, spc_for_all, window_starts
from metrics.engine.series_layout import SeriesLayout, series_layout
from metrics.engine.status import NO_DATA, NO_TARGET, latest_judged
from metrics.registry.loader import Registry
from metrics.registry.model import Metric

KEY = ["metric_id", "area_code"]


def build_snapshot(
    registry: Registry, values: pd.DataFrame, today: date, rebases: Rebases | None = None
) -> pd.DataFrame:
    """The snapshot rows (without open flag counts) from current values, as of `today`.

    `values` has metric_id, area_code, period_start and value (with numerator and
    denominator, rates can be rolled up to the county); other metrics' rows and areas the
    registry does not report for a metric are ignored. `derived` says the latest figure was
    worked out from the districts. Beyond the stored columns, the rows carry what the flag
    rules need to explain themselves: red_periods, lpl, upl, expected_period and
    latest_loaded. `rebases` are the recorded rebases in force, by metric and area.
    """
    values = with_derived_county(registry, values)
    by_id = {m.id: m for m in registry.metrics}
    reported = [(m.id, a.code) for m in registry.metrics for a in registry.areas_for(m)]
    pairs = pd.DataFrame(reported, columns=KEY)
    # The status table of every observation, but worded only where the snapshot reads it
    layout, latest, red_periods = latest_judged(
        registry.metrics, _reported(set(reported), values), registry.plan.county.code
    )
    loaded = layout.frame["period_start"].to_numpy()[layout.bounds[1:] - 1]
    per_series = layout.keys().assign(latest_loaded=loaded).set_index(KEY)
    per_series = per_series.join(red_periods)
    per_series = per_series.join(spc_table(registry, layout, rebases))

    out = pairs.merge(latest, on=KEY, how="left").join(per_series, on=KEY)
    out["red_periods"] = out["red_periods"].fillna(0).astype(np.int64)
    out["rag"] = out["rag"].fillna(NO_DATA)
    # A measure with neither target nor data says "no target", which is the more useful fact
    untargeted = out["metric_id"].map(lambda i: by_id[i].target is None)
    out.loc[untargeted & (out["rag"] == NO_DATA), "rag"] = NO_TARGET
    out["period_start"] = _dates(out["period_start"])
    out["latest_loaded"] = _dates(out["latest_loaded"])
    out["derived"] = _latest_derived(values, out)
    out["period_end"] = _period_ends(by_id, out["metric_id"], out["period_start"])
    _add_freshness(out, registry, today)
    return out.reset_index(drop=True)


def spc_table(
    registry: Registry, layout: SeriesLayout, rebases: Rebases | None = None
) -> pd.DataFrame:
    """SPC variation, assurance and limits for each series of a status table (index metric, area).

    Each series' latest figures (the default window the drill-down shows) are read with
    metrics.engine.series.spc_for_all, every series at once, with its rebases; assurance uses
    the latest target. The readings are those spc_for gives each series alone.
    """
    frame = layout.frame
    lengths = layout.lengths
    shown = lengths - window_starts(lengths)
    # Keep each series' last `shown` rows: a row is kept when fewer than `shown` follow it
    to_end = np.repeat(layout.bounds[1:], lengths) - np.arange(len(frame))
    keep = to_end <= np.repeat(shown, lengths)
    targets = frame["target"].to_numpy(dtype=float)[layout.bounds[1:] - 1]
    metrics = [registry.metric(str(m)) for m in layout.metric_ids]
    found = spc_for_all(
        metrics,
        layout.area_codes,
        frame["value"].to_numpy(dtype=float)[keep],
        # Only the rows kept are turned into days, not every row
        frame["period_start"].to_numpy()[keep].astype("datetime64[D]"),
        np.r_[0, np.cumsum(shown)],
        targets,
        rebases,
    )
    out = pd.DataFrame(
        {
            "variation": found.variation,
            "assurance": found.assurance,
            "lpl": found.lpl,
            "upl": found.upl,
        }
    )
    out.index = pd.MultiIndex.from_arrays([layout.metric_ids, layout.area_codes], names=KEY)
    return out


def _reported(wanted: set[tuple[str, str]], values: pd.DataFrame) -> SeriesLayout:
    """Only the series of the (metric, area) pairs the registry reports."""
    layout = series_layout(values)
    keep = np.array(
        [key in wanted for key in zip(layout.metric_ids, layout.area_codes, strict=True)],
        dtype=bool,
    )
    return layout.subset(keep)


def _latest_derived(values: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
    """Whether each snapshot row's latest figure was worked out from the districts."""
    rows = values.loc[values["derived"], [*KEY, "period_start"]]
    if rows.empty:
        return np.zeros(len(out), dtype=bool)
    keys = {(m, a, pd.Timestamp(p).date()) for m, a, p in rows.itertuples(index=False)}
    latest = zip(out["metric_id"], out["area_code"], out["period_start"], strict=True)
    return np.array([key in keys for key in latest], dtype=bool)


def _dates(column: pd.Series) -> list[date | None]:
    if column.dtype.kind == "M":
        # numpy turns days into datetime.date (and NaT into None) far faster than a loop
        days: list[date | None] = column.to_numpy().astype("datetime64[D]").astype(object).tolist()
        return days
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in column]


def _period_ends(
    by_id: dict[str, Metric], metric_ids: pd.Series, starts: pd.Series
) -> list[date | None]:
    """The last day of each row's latest period."""
    # Thousands of rows share a few latest periods: work each one's end out once
    ends: dict[tuple[str, date], date] = {}
    out: list[date | None] = []
    for metric_id, start in zip(metric_ids.tolist(), starts.tolist(), strict=True):
        if start is None:
            out.append(None)
            continue
        key = (by_id[metric_id].frequency, start)
        end = ends.get(key)
        if end is None:
            end = ends[key] = period_bounds(key[0], start)[1]
        out.append(end)
    return out


def _add_freshness(out: pd.DataFrame, registry: Registry, today: date) -> None:
    status, expected, due_by = [], [], []
    # Thousands of series share a frequency, a lag and a latest period: judge each once
    judged: dict[tuple[str, int, date | None], Freshness] = {}
    timing = {m.id: (m.frequency, registry.lag_days_for(m)) for m in registry.metrics}
    for metric_id, latest in zip(
        out["metric_id"].tolist(), out["latest_loaded"].tolist(), strict=True
    ):
        key = (*timing[metric_id], latest)
        found = judged.get(key)
        if found is None:
            found = judged[key] = freshness(key[0], key[1], latest, today)
        status.append(found.status)
        expected.append(found.expected_period_start)
        due_by.append(found.due_by)
    out["freshness"] = status
    out["expected_period"] = expected
    out["due_by"] = due_by

"""What the public may see: small-number suppression and every judgement that could undo it.

Judged here, once, for every public output (pages, callbacks, CSV, packs in every format):

1. Primary: a count below the metric's threshold, or a rate or percentage whose numerator is,
   is hidden (`metrics.readmodel.suppression.threshold_for`).
2. Across areas: the council's own districts add up to the county (counts, and the numerators
   and denominators of rates, even when the rates themselves do not add up), so one hidden
   district in a period could be worked out by subtraction. Whenever exactly one cell of a
   period's county-and-districts group is hidden, the next smallest district is hidden too.
3. A hidden cell publishes nothing worked out from it: no status, no direction, no SPC
   reading, no year to date.
4. Across periods: a comparison with a hidden period (previous period, same period last year)
   goes; a year to date goes when any period of that year is hidden; SPC mean, limits,
   variation and assurance go for a series with any hidden point, because the mean of the
   published points and the limits would give the hidden one back.

Other councils' figures (benchmark rows) are published by others and are left alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from metrics.engine.periods import FY_START_MONTH
from metrics.engine.status import earlier_starts
from metrics.readmodel.suppression import secondary, threshold_for
from metrics.registry.loader import Registry
from metrics.registry.model import Metric

SUPPRESSED_STATUS = "suppressed"
CELL = ["metric_id", "area_code", "period_start"]
# Columns of a status or snapshot row that say something about the row's own figure
OWN_COLUMNS = (
    "value",
    "numerator",
    "denominator",
    "previous_value",
    "direction",
    "last_year_value",
    "direction_year",
    "ytd_value",
    "variation",
    "assurance",
    "lpl",
    "upl",
    "mean",
    "point_type",
    "special_cause",
)
SPC_COLUMNS = ("variation", "assurance", "lpl", "upl", "mean", "point_type", "special_cause")


def _counted(frame: pd.DataFrame, metric: Metric) -> pd.Series:
    """The quantity the threshold applies to: the value of a count, else the numerator."""
    source = "value" if metric.unit == "count" else "numerator"
    if source not in frame:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[source], errors="coerce")


def hidden_mask(registry: Registry, frame: pd.DataFrame) -> pd.Series:
    """For each row of observations (any metrics, all areas), whether it must be hidden.

    Pass every area of each period: the across-areas rule needs the whole group.
    """
    out = pd.Series(False, index=frame.index)
    if frame.empty:
        return out
    default = int(registry.settings["suppress_below"])
    county = registry.plan.county.code
    own = (
        ~frame["is_benchmark"].fillna(False).astype(bool)
        if "is_benchmark" in frame
        else pd.Series(True, index=frame.index)
    )
    for metric_id, group in frame[own].groupby("metric_id", sort=False):
        if not registry.has_metric(str(metric_id)):
            continue
        metric = registry.metric(str(metric_id))
        counted = _counted(group, metric)
        hidden = (counted < threshold_for(metric, default)).fillna(False).astype(bool)
        if hidden.any():
            hidden = _across_areas(group, counted, hidden, county)
        out.loc[group.index] = hidden
    return out


def _across_areas(
    group: pd.DataFrame, counted: pd.Series, hidden: pd.Series, county: str
) -> pd.Series:
    hidden = hidden.copy()
    periods = pd.to_datetime(group["period_start"])
    # Only a period with exactly one hidden cell can be undone by subtraction: visit those
    lone = hidden.groupby(periods).transform("sum") == 1
    for _, cells in group[lone].groupby(periods[lone]):
        first = {i for i in cells.index if hidden[i]}
        # Only districts are offered as the second cell: hiding the county would not help,
        # because the districts would still give the hidden one back by adding up
        districts = {i: counted[i] for i in cells.index if cells.at[i, "area_code"] != county}
        for label in secondary(districts, first) - first:
            hidden[label] = True
    return hidden


def suppress_observations(registry: Registry, frame: pd.DataFrame) -> pd.DataFrame:
    """Observations with a `suppressed` column, and the value, numerator and denominator of
    every hidden row blanked."""
    hidden = hidden_mask(registry, frame)
    out = frame.assign(suppressed=hidden.astype(bool))
    if hidden.any():
        for column in ("value", "numerator", "denominator"):
            if column in out:
                out[column] = out[column].astype(float)
                out.loc[hidden, column] = np.nan
    return out


def hidden_cells(observations: pd.DataFrame) -> pd.DataFrame:
    """The (metric_id, area_code, period_start) of every suppressed row."""
    rows = observations.loc[observations["suppressed"], CELL]
    return rows.assign(period_start=pd.to_datetime(rows["period_start"])).drop_duplicates()


def publish_status(registry: Registry, rows: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Status or snapshot rows (one per metric, area and period) with every judgement that
    would reveal a hidden cell taken out, and a `suppressed` column.

    `hidden` is `hidden_cells` of the suppressed observations behind the rows.
    """
    out = rows.copy()
    if out.empty or hidden.empty:
        return out.assign(suppressed=False)
    starts = pd.to_datetime(out["period_start"])
    keys = pd.MultiIndex.from_frame(hidden[CELL])
    own = _in(keys, out["metric_id"], out["area_code"], starts)
    previous = np.zeros(len(out), dtype=bool)
    last_year = np.zeros(len(out), dtype=bool)
    year_hidden = np.zeros(len(out), dtype=bool)
    hidden_fy = set(
        zip(
            hidden["metric_id"],
            hidden["area_code"],
            _financial_years(hidden["period_start"]),
            strict=True,
        )
    )
    row_fy = _financial_years(starts)
    for metric_id, index in out.groupby("metric_id", sort=False).indices.items():
        if not registry.has_metric(str(metric_id)):
            continue
        metric = registry.metric(str(metric_id))
        days = starts.iloc[index].to_numpy(dtype="datetime64[D]")
        back, year_back = earlier_starts(metric.frequency, days)
        areas = out["area_code"].iloc[index]
        ids = out["metric_id"].iloc[index]
        previous[index] = _in(keys, ids, areas, pd.to_datetime(back))
        last_year[index] = _in(keys, ids, areas, pd.to_datetime(year_back))
        year_hidden[index] = [
            (str(metric_id), a, fy) in hidden_fy for a, fy in zip(areas, row_fy[index], strict=True)
        ]
    series = set(zip(hidden["metric_id"], hidden["area_code"], strict=True))
    in_hidden_series = np.array(
        [(m, a) in series for m, a in zip(out["metric_id"], out["area_code"], strict=True)],
        dtype=bool,
    )
    _blank(out, own, OWN_COLUMNS)
    _blank(out, previous, ("previous_value", "direction"))
    _blank(out, last_year, ("last_year_value", "direction_year"))
    _blank(out, year_hidden, ("ytd_value",))
    _blank(out, in_hidden_series, SPC_COLUMNS)
    if "rag" in out:
        out["rag"] = out["rag"].astype(object)
        out.loc[own, "rag"] = SUPPRESSED_STATUS
    return out.assign(suppressed=own)


def _in(keys: pd.MultiIndex, ids: ArrayLike, areas: ArrayLike, starts: ArrayLike) -> np.ndarray:
    wanted = pd.MultiIndex.from_arrays(
        [np.asarray(ids), np.asarray(areas), pd.to_datetime(np.asarray(starts))]
    )
    return np.asarray(wanted.isin(keys), dtype=bool)


def _financial_years(starts: pd.Series) -> np.ndarray:
    when = pd.to_datetime(starts)
    return np.where(when.dt.month >= FY_START_MONTH, when.dt.year, when.dt.year - 1)


def _blank(frame: pd.DataFrame, mask: np.ndarray, columns: tuple[str, ...]) -> None:
    if not mask.any():
        return
    for column in columns:
        if column not in frame:
            continue
        if frame[column].dtype.kind in "fiu":
            frame[column] = frame[column].astype(float)
            frame.loc[mask, column] = np.nan
        else:
            frame[column] = frame[column].astype(object)
            frame.loc[mask, column] = None

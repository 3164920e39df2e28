"""The county figure worked out from the districts, where a metric says how they combine.

A measure reported by district (`area_level: districts`) says in its `aggregation` how the
districts make the county: `sum` (a count: the county is the districts added up) or
`weighted` (a rate: the districts' numerators over their denominators, on the same scale as
the districts' own figures). When the county's own row has not arrived for a period but
every district of the plan has a figure for it, the county figure is derived here and
marked `derived`. A county row that arrived always wins, a partial set of districts derives
nothing, and benchmark rows are neither used nor changed.

`mean` derives nothing: a county's own average is over its people or cases, and an
unweighted mean of eight district figures gives Tamworth the weight of Stafford, so it is
not the county figure. Such a measure should send its county row, or numerators and
denominators with `aggregation: weighted`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.registry.loader import Registry
from metrics.registry.model import Metric

DERIVABLE = ("sum", "weighted")
PERIOD = ["metric_id", "period_start"]
# A district's figure fits a scale when it is within rounding of numerator / denominator
# times that scale: this share of the figure, or half the last decimal the metric shows
_RELATIVE_ROUNDING = 0.05


def with_derived_county(registry: Registry, observations: pd.DataFrame) -> pd.DataFrame:
    """Current own-area observations plus derived county rows; every row says if it is derived.

    `observations` has metric_id, area_code, period_start and value, and for `weighted`
    measures numerator and denominator (without them no rate is derived); period_end,
    loaded_at and any other columns pass through. A derived row takes its period_end and
    latest loaded_at from its districts and leaves other columns empty. Rows come back in
    series order (metric, area, period) when any are added.
    """
    out = observations.reset_index(drop=True)
    out["derived"] = out["derived"].fillna(False).astype(bool) if "derived" in out else False
    rules = {
        m.id: m
        for m in registry.metrics
        if m.area_level == "districts" and m.aggregation in DERIVABLE
    }
    districts = [a.code for a in registry.plan.districts]
    if not rules or not districts or out.empty:
        return out
    county = registry.plan.county.code
    own = out[out["metric_id"].isin(list(rules))]
    if "is_benchmark" in own:
        own = own[~own["is_benchmark"].fillna(False).astype(bool)]
    arrived = own.loc[own["area_code"] == county, PERIOD].drop_duplicates()
    parts = own[own["area_code"].isin(districts)]
    parts = parts.merge(arrived, on=PERIOD, how="left", indicator=True)
    parts = parts[parts["_merge"] == "left_only"].drop(columns="_merge")
    if parts.empty:
        return out
    derived = _county_rows(rules, parts, len(districts))
    if derived.empty:
        return out
    derived["area_code"] = county
    derived["derived"] = True
    if "is_benchmark" in out:
        derived["is_benchmark"] = False
    combined = pd.concat([out, derived.reindex(columns=out.columns)], ignore_index=True)
    combined["derived"] = combined["derived"].astype(bool)
    order = ["metric_id", "area_code", "period_start"]
    return combined.sort_values(order, kind="stable").reset_index(drop=True)


def rates_missing_county(registry: Registry, values: pd.DataFrame) -> list[str]:
    """Weighted district measures with a period that has no county row: their rates could be
    derived, so their numerators and denominators are worth reading."""
    ids = [
        m.id
        for m in registry.metrics
        if m.area_level == "districts" and m.aggregation == "weighted"
    ]
    if not ids:
        return []
    mine = values.loc[values["metric_id"].isin(ids), ["area_code", *PERIOD]]
    county = mine.loc[mine["area_code"] == registry.plan.county.code, PERIOD]
    periods = mine[PERIOD].drop_duplicates()
    found = periods.merge(county.drop_duplicates(), on=PERIOD, how="left", indicator=True)
    return sorted(set(found.loc[found["_merge"] == "left_only", "metric_id"]))


def _county_rows(rules: dict[str, Metric], parts: pd.DataFrame, districts: int) -> pd.DataFrame:
    """One county row per metric and period whose districts all have a usable figure."""
    weighted = parts["metric_id"].map(lambda i: rules[i].aggregation == "weighted")
    frames = []
    if (~weighted).any():
        frames.append(_sums(parts[~weighted], districts))
    if weighted.any() and {"numerator", "denominator"} <= set(parts.columns):
        decimals = parts.loc[weighted, "metric_id"].map(lambda i: rules[i].decimals)
        frames.append(_rates(parts[weighted], decimals, districts))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=PERIOD)
    return pd.concat(frames, ignore_index=True)


def _sums(parts: pd.DataFrame, districts: int) -> pd.DataFrame:
    """County counts: the district values added up, where every district has one."""
    usable = parts[parts["value"].notna()]
    grouped = usable.groupby(PERIOD, sort=False)
    out = grouped.agg(areas=("area_code", "nunique"), value=("value", "sum"))
    for column in ("numerator", "denominator"):
        if column in usable:
            # Counted parts add up too, but only when every district sent them
            out[column] = grouped[column].sum(min_count=districts)
    return _complete(out, usable, districts)


def _rates(parts: pd.DataFrame, decimals: pd.Series, districts: int) -> pd.DataFrame:
    """County rates: summed numerators over summed denominators, on the districts' scale."""
    value = parts["value"].to_numpy(dtype=float)
    numerator = parts["numerator"].to_numpy(dtype=float)
    denominator = parts["denominator"].to_numpy(dtype=float)
    scale = row_scales(value, numerator, denominator, decimals.to_numpy(dtype=float))
    fits = ~np.isnan(scale)
    usable = parts[fits].assign(scale=np.where(scale[fits] == 0, np.nan, scale[fits]))
    grouped = usable.groupby(PERIOD, sort=False)
    out = grouped.agg(
        areas=("area_code", "nunique"),
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        scales=("scale", "nunique"),
        scale=("scale", "max"),
    )
    # Rows on different scales (a share from one district, a percentage from another) do
    # not add up; with only zero numerators there is no scale to agree and the rate is 0
    out = out[out["scales"] <= 1]
    out["value"] = out["numerator"] / out["denominator"] * out["scale"].fillna(1.0)
    out = out.drop(columns=["scales", "scale"])
    return _complete(out, usable, districts)


def row_scales(
    value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, decimals: np.ndarray
) -> np.ndarray:
    """The power of ten each rate is on (100 for a percentage, 100,000 per 100k).

    NaN where the row cannot be used: a part missing, a denominator that is not positive,
    or a value that is not numerator / denominator on any power of ten. 0 where the
    numerator is zero, which fits every scale.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = numerator / denominator
        power = np.round(np.log10(value / share))
        scale = np.where(share == 0, 0.0, 10.0**power)
        expected = share * scale
        slack = np.maximum(_RELATIVE_ROUNDING * np.abs(expected), 0.5 * 10.0**-decimals)
        fits = (denominator > 0) & (np.abs(value - expected) <= slack)
        fits &= (share == 0) | (np.isfinite(power) & (share > 0))
    return np.where(fits, scale, np.nan)


def _complete(out: pd.DataFrame, usable: pd.DataFrame, districts: int) -> pd.DataFrame:
    """Only the periods every district has a figure for, with period_end and loaded_at."""
    for column in ("period_end", "loaded_at"):
        if column in usable:
            out[column] = usable.groupby(PERIOD, sort=False)[column].max()
    out = out[out["areas"] == districts].drop(columns="areas")
    return out.reset_index()

"""Compare the council with a group of similar councils: median, quartiles, rank and quartile."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.engine.periods import period_label
from metrics.format import format_value
from metrics.registry.comparators import ComparatorGroup
from metrics.registry.loader import Registry
from metrics.registry.model import Metric

QUARTILE_WORDS = {
    1: "top quartile",
    2: "second quartile",
    3: "third quartile",
    4: "bottom quartile",
}


@dataclass(frozen=True)
class Comparison:
    """One metric compared with one group, period by period."""

    metric: Metric
    group: ComparatorGroup
    own_code: str
    by_period: pd.DataFrame  # period_start, own_value, n, median, q1, q3, rank, quartile, gap
    values: pd.DataFrame  # every group member's value: period_start, area_code, value, rank

    def latest_ranking(self) -> pd.DataFrame:
        """The latest period with an own value, every member ranked, best first."""
        own = self.by_period.dropna(subset=["own_value"])
        if own.empty:
            return self.values.iloc[0:0]
        latest = own["period_start"].max()
        ranked = self.values[self.values["period_start"] == latest].sort_values(
            ["rank", "area_code"]
        )
        return ranked.assign(
            name=[self.group.name_of(c) for c in ranked["area_code"]],
            is_own=ranked["area_code"] == self.own_code,
        )

    def sentence(self, council: str) -> str | None:
        """e.g. 'Staffordshire ranked 4th of 16 similar councils in 2022-23 (top quartile).'"""
        own = self.by_period.dropna(subset=["rank"])
        if own.empty:
            return None
        row = own.iloc[-1]
        label = period_label(self.metric.frequency, pd.Timestamp(row["period_start"]).date())
        order = "ranked" if self.metric.polarity != "neutral" else "was placed (highest first)"
        group_words = (
            "similar councils" if self.group.id == "nearest-neighbours" else self.group.name
        )
        return (
            f"{council} {order} {ordinal(int(row['rank']))} of {int(row['n'])} {group_words} "
            f"in {label} ({QUARTILE_WORDS[int(row['quartile'])]})."
        )


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 22nd ..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


VALUE_COLUMNS = ["period_start", "area_code", "value"]


def metric_values(observations: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """One value per council and period for a measure, every council kept; the council's own
    (non-benchmark) row wins over a copy. Worked out once, then narrowed group by group."""
    if observations.empty:
        # An empty warehouse has no columns to read either: no council has a value yet
        return pd.DataFrame(columns=VALUE_COLUMNS)
    rows = observations[observations["metric_id"] == metric.id]
    rows = rows[[*VALUE_COLUMNS, "is_benchmark"] if "is_benchmark" in rows else VALUE_COLUMNS]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return rows[VALUE_COLUMNS].reset_index(drop=True)
    if "is_benchmark" in rows:
        # Own rows (not benchmark) first, so where both came in for a council and period the
        # council's own is kept; the sort is stable, so otherwise the first loaded is
        rows = rows.iloc[np.argsort(rows["is_benchmark"].to_numpy(dtype=bool), kind="stable")]
    council, _ = pd.factorize(rows["area_code"])
    period, _ = pd.factorize(rows["period_start"])
    first = ~pd.Series(council.astype(np.int64) * (period.max() + 1) + period).duplicated()
    return rows.loc[first.to_numpy(), VALUE_COLUMNS].reset_index(drop=True)


def members_values(values: pd.DataFrame, group: ComparatorGroup, own_code: str) -> pd.DataFrame:
    """The rows of `metric_values` for the group's members (the council itself always)."""
    # Membership is decided once per council, not once per row: a national comparison has
    # hundreds of councils but tens of thousands of rows
    council, councils = pd.factorize(values["area_code"])
    admitted = np.array([group.includes(str(c), own_code) for c in councils], dtype=bool)
    if not len(council):
        return values.reset_index(drop=True)
    return values[admitted[council]].reset_index(drop=True)


def group_values(
    observations: pd.DataFrame, metric: Metric, group: ComparatorGroup, own_code: str
) -> pd.DataFrame:
    """One value per member and period; the council's own (non-benchmark) row wins over a copy."""
    return members_values(metric_values(observations, metric), group, own_code)


def _quartiles_by_period(values: pd.DataFrame) -> pd.DataFrame:
    """Each period's `np.percentile(values, 25)` and `(..., 75)` (linear), worked out for all
    periods at once: one sort instead of two Python calls per period."""
    starts_at = values["period_start"].to_numpy()
    figures = values["value"].to_numpy(dtype=float)
    order = np.lexsort((figures, starts_at))
    starts_at, figures = starts_at[order], figures[order]
    first = np.flatnonzero(np.r_[True, starts_at[1:] != starts_at[:-1]])
    sizes = np.diff(np.r_[first, len(figures)])
    quartiles = {}
    for name, share in (("q1", 0.25), ("q3", 0.75)):
        position = (sizes - 1) * share
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, sizes - 1)
        gamma = position - below
        low, high = figures[first + below], figures[first + above]
        # numpy's own interpolation (its _lerp), so the figures are exactly np.percentile's
        step = high - low
        quartiles[name] = np.where(gamma >= 0.5, high - step * (1 - gamma), low + step * gamma)
    return pd.DataFrame(quartiles, index=pd.Index(starts_at[first], name="period_start"))


def compare(
    observations: pd.DataFrame, metric: Metric, group: ComparatorGroup, own_code: str
) -> Comparison | None:
    """Median, quartiles, rank (1 = best by polarity) and quartile position for every period."""
    return compare_values(
        group_values(observations, metric, group, own_code), metric, group, own_code
    )


def compare_values(
    values: pd.DataFrame, metric: Metric, group: ComparatorGroup, own_code: str
) -> Comparison | None:
    """`compare` on the group's rows of `metric_values` (one value per member and period)."""
    if values.empty or values["area_code"].nunique() < 2:
        return None
    ascending = metric.polarity == "lower_is_better"
    values["rank"] = values.groupby("period_start")["value"].rank(method="min", ascending=ascending)
    stats = values.groupby("period_start")["value"].agg(n="count", median="median")
    stats = stats.join(_quartiles_by_period(values))
    own = values[values["area_code"] == own_code].set_index("period_start")
    table = stats.join(
        own[["value", "rank"]].rename(columns={"value": "own_value"}), how="left"
    ).reset_index()
    table["quartile"] = [
        None if pd.isna(r) else min(4, max(1, math.ceil(4 * r / n)))
        for r, n in zip(table["rank"], table["n"], strict=True)
    ]
    table["gap"] = table["own_value"] - table["median"]
    return Comparison(metric, group, own_code, table, values)


def comparison_for(
    registry: Registry, metric: Metric, observations: pd.DataFrame
) -> Comparison | None:
    """The metric compared with its configured group, or None without a group or data."""
    if metric.benchmark is None:
        return None
    group = registry.comparator_groups.get(metric.benchmark.group)
    if group is None:
        return None
    return compare(observations, metric, group, registry.plan.organisation.area_code)


def latest_positions(registry: Registry, observations: pd.DataFrame) -> dict[str, str]:
    """For each metric with comparison data: '10th of 16 (third quartile)' for its latest period."""
    positions = {}
    for metric_id in observations["metric_id"].unique() if not observations.empty else []:
        if not registry.has_metric(str(metric_id)):
            continue
        comparison = comparison_for(registry, registry.metric(str(metric_id)), observations)
        position = None if comparison is None else latest_position(comparison)
        if position is not None:
            positions[str(metric_id)] = position
    return positions


def latest_position(comparison: Comparison) -> str | None:
    """'10th of 16 (third quartile)' for the latest ranked period, or None if none is ranked."""
    ranked = comparison.by_period.dropna(subset=["rank"])
    if ranked.empty:
        return None
    row = ranked.iloc[-1]
    return (
        f"{ordinal(int(row['rank']))} of {int(row['n'])} ({QUARTILE_WORDS[int(row['quartile'])]})"
    )


ENGLAND = ComparatorGroup(id="england", name="all English councils", code_prefix="E")


def national_comparison(
    registry: Registry, metric: Metric, observations: pd.DataFrame
) -> Comparison | None:
    """The metric against every English council with data (the national median and rank)."""
    if metric.benchmark is None:
        return None
    return compare(observations, metric, ENGLAND, registry.plan.organisation.area_code)


def national_sentence(comparison: Comparison, council: str) -> str | None:
    """e.g. 'Across all 152 English councils with data in 2022-23, the median was 67.5%; ...'."""
    ranked = comparison.by_period.dropna(subset=["rank"])
    if ranked.empty:
        return None
    row = ranked.iloc[-1]
    metric = comparison.metric
    label = period_label(metric.frequency, pd.Timestamp(row["period_start"]).date())
    return (
        f"Across all {int(row['n'])} English councils with data in {label}, the median was "
        f"{format_value(row['median'], metric)}; {council} ranked {ordinal(int(row['rank']))} "
        f"({QUARTILE_WORDS[int(row['quartile'])]})."
    )


def national_words(registry: Registry, metric: Metric, observations: pd.DataFrame) -> str | None:
    """The sentence about all English councils, when the data goes beyond the comparator group."""
    return national_words_for(registry, metric, national_comparison(registry, metric, observations))


def national_words_for(
    registry: Registry, metric: Metric, national: Comparison | None
) -> str | None:
    """`national_words` from the comparison with every English council, when already made."""
    if national is None or metric.benchmark is None:
        return None
    group = registry.comparator_groups.get(metric.benchmark.group)
    if group is not None and national.by_period["n"].max() <= len(group.members):
        return None  # only the comparator group was loaded: nothing national to say
    return national_sentence(national, registry.plan.organisation.short_name)

"""Compare the council with a group of similar councils: median, quartiles, rank and quartile."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from metrics.engine.codes import rows_with
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
    members: CouncilValues = field(repr=False)  # the rows ranked
    member_ranks: np.ndarray = field(repr=False)  # each row's rank in its period
    member_periods: np.ndarray = field(repr=False)  # each row's period: a row of by_period

    @cached_property
    def values(self) -> pd.DataFrame:
        """Every group member's value: period_start, area_code, value, rank. Made when read:
        of a drill-down's groups, only the one drawn lists its members."""
        starts, codes, given = self.members.columns
        return pd.DataFrame(
            {"period_start": starts, "area_code": codes, "value": given, "rank": self.member_ranks}
        )

    @cached_property
    def ranked(self) -> pd.DataFrame:
        """The rows of `by_period` in which the council has a figure, and so a rank."""
        return self.by_period[self.by_period["rank"].notna().to_numpy()]

    def latest_ranking(self, own_name: str | None = None) -> pd.DataFrame:
        """The latest period with an own value, every member ranked, best first, each named
        as the group names it; the council itself `own_name` where given (a group by code
        prefix names nobody, so all English councils would otherwise show its code)."""
        own = self.ranked
        if own.empty:
            return self.values.iloc[0:0]
        # The members' rows in the latest period ranked (by_period has a row a period, in
        # order), picked and framed once from the rows as arrays
        at = np.flatnonzero(self.member_periods == int(own.index[-1]))
        starts, all_codes, given = self.members.columns
        # Best first, ties by code: a few hundred rows at most, put in order by position
        # (pandas sorts a string column with a Python comparison per pair anyway)
        ranks = self.member_ranks[at].tolist()
        codes = np.asarray(all_codes, dtype=object)[at].tolist()
        order = sorted(range(len(at)), key=lambda i: (ranks[i], codes[i]))
        chosen = at[order]
        in_order = [codes[i] for i in order]
        return pd.DataFrame(
            {
                "period_start": starts[chosen],
                "area_code": all_codes[chosen],
                "value": given[chosen],
                "rank": self.member_ranks[chosen],
                "name": [
                    own_name if own_name and c == self.own_code else self.group.name_of(c)
                    for c in in_order
                ],
                "is_own": [c == self.own_code for c in in_order],
            },
            index=chosen,
        )

    def sentence(self, council: str) -> str | None:
        """e.g. 'Staffordshire ranked 4th of 16 similar councils in 2022-23 (top quartile).'"""
        own = self.ranked
        if own.empty:
            return None
        row = own.iloc[-1]
        label = period_label(self.metric.frequency, pd.Timestamp(row["period_start"]).date())
        order = "ranked" if self.metric.polarity != "neutral" else "was placed (highest first)"
        group_words = (
            "similar councils"
            if self.group.id == "nearest-neighbours"
            else self.group.in_a_sentence
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


@dataclass(frozen=True)
class CouncilValues:
    """`metric_values` with each row's council as a number, worked out once and carried
    through every group: membership, the council's own rows and the count of councils are
    read from the numbers, not by comparing or hashing area codes again.

    The rows are held as their columns (`VALUE_COLUMNS`, each as the frame they came from
    typed it) and narrowed group by group as arrays: a frame is made only where one is
    read, since narrowing a frame cost more than the work done on the rows it kept."""

    columns: tuple[Any, Any, Any]  # period_start, area_code, value: one entry per row
    council: np.ndarray  # each row's council: a position in `councils`
    councils: np.ndarray  # each council's area code

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows as a frame of `VALUE_COLUMNS`."""
        return pd.DataFrame(dict(zip(VALUE_COLUMNS, self.columns, strict=True)))

    def _kept(self, kept: np.ndarray) -> CouncilValues:
        return CouncilValues(
            (self.columns[0][kept], self.columns[1][kept], self.columns[2][kept]),
            self.council[kept],
            self.councils,
        )

    def members(self, group: ComparatorGroup, own_code: str) -> CouncilValues:
        """The rows for the group's members (the council itself always)."""
        # Membership is decided once per council, not once per row: a national comparison
        # has hundreds of councils but tens of thousands of rows
        admitted = np.array([group.includes(str(c), own_code) for c in self.councils], bool)
        kept = admitted[self.council]
        if kept.all():
            return self  # every row (all English councils)
        return self._kept(kept)

    @cached_property
    def _present(self) -> np.ndarray:
        """The councils with a row, as positions in `councils`, in order: counted by
        position rather than sorted (`np.unique` sorts every row's number)."""
        if not len(self.council):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.bincount(self.council, minlength=len(self.councils)))

    def comparable(self) -> bool:
        """Whether there is anything to compare: figures from two councils or more."""
        return len(self._present) >= 2

    def rows_of(self, code: str) -> np.ndarray:
        """Which rows are this council's."""
        index = np.flatnonzero(self.councils == code)
        return self.council == (index[0] if len(index) else -1)

    def at_latest_of(self, own_code: str) -> CouncilValues:
        """The rows of the latest period in which `own_code` has a figure (itself if none):
        all that council's latest place in the group is worked out from, since each period
        is ranked by itself."""
        own = self.rows_of(own_code)
        if not own.any():
            return self
        starts = np.asarray(self.columns[0])
        return self._kept(starts == starts[own].max())

    def area_codes(self) -> frozenset[str]:
        """The councils with a value."""
        return frozenset(str(c) for c in self.councils[self._present])


def metric_values(observations: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """One value per council and period for a measure, every council kept; the council's own
    (non-benchmark) row wins over a copy. Worked out once, then narrowed group by group."""
    return council_values(observations, metric).frame


def council_values(observations: pd.DataFrame, metric: Metric) -> CouncilValues:
    """`metric_values` with each row's council numbered (see `CouncilValues`)."""
    none = np.zeros(0, dtype=np.int64)
    if observations.empty:
        # An empty warehouse has no columns to read either: no council has a value yet
        return _numbered(pd.DataFrame(columns=VALUE_COLUMNS))
    # Codes compared (metrics.engine.codes) and numbered as plain objects: pandas' own string
    # columns hash them one by one in Python. The rows kept are picked as positions and their
    # columns taken once, at the end
    at = np.flatnonzero(
        rows_with(observations["metric_id"], metric.id) & observations["value"].notna().to_numpy()
    )
    if not len(at):
        return CouncilValues(_columns_of(observations, at), none, none.astype(object))
    if "is_benchmark" in observations:
        # Own rows (not benchmark) first, so where both came in for a council and period the
        # council's own is kept; the sort is stable, so otherwise the first loaded is
        kinds = observations["is_benchmark"].to_numpy(dtype=bool)[at]
        if not bool(np.all(kinds[1:] >= kinds[:-1])):  # a read model's own rows come first
            at = at[np.argsort(kinds, kind="stable")]
    council, councils = pd.factorize(observations["area_code"].to_numpy(dtype=object)[at])
    council = council.astype(np.int64)
    starts = observations["period_start"].to_numpy()[at]
    # Dates as their numbers: the same periods, numbered without pandas' date handling
    period, _ = pd.factorize(
        starts.view(np.int64) if starts.dtype.kind == "M" else starts, use_na_sentinel=False
    )
    first = _first_of_each(council * (int(period.max()) + 1) + period)
    if first is not None:
        at, council = at[first], council[first]
    return CouncilValues(_columns_of(observations, at), council, np.asarray(councils, dtype=object))


def _columns_of(frame: pd.DataFrame, at: np.ndarray | None = None) -> tuple[Any, Any, Any]:
    """The `VALUE_COLUMNS` of `frame` (of the rows `at`, in that order), each as the frame
    types it: a numpy array, or pandas' own array for a type of its own (strings, say)."""
    columns = []
    for name in VALUE_COLUMNS:
        column = frame[name]
        values = (
            column.array
            if isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
            else column.to_numpy()
        )
        columns.append(values if at is None else values[at])
    return columns[0], columns[1], columns[2]


def _first_of_each(keys: np.ndarray) -> np.ndarray | None:
    """Where each key (small numbers, none negative) first appears, in order; None when no
    key appears twice, as in nearly every read (each council's figure for a period once)."""
    if int(np.bincount(keys).max()) <= 1:
        return None
    return np.flatnonzero(~pd.Series(keys).duplicated().to_numpy())


def members_values(values: pd.DataFrame, group: ComparatorGroup, own_code: str) -> pd.DataFrame:
    """The rows of `metric_values` for the group's members (the council itself always)."""
    return _numbered(values).members(group, own_code).frame


def _numbered(values: pd.DataFrame) -> CouncilValues:
    council, councils = pd.factorize(values["area_code"])
    return CouncilValues(
        _columns_of(values), council.astype(np.int64), np.asarray(councils, dtype=object)
    )


def group_values(
    observations: pd.DataFrame, metric: Metric, group: ComparatorGroup, own_code: str
) -> pd.DataFrame:
    """One value per member and period; the council's own (non-benchmark) row wins over a copy."""
    return members_values(metric_values(observations, metric), group, own_code)


def _quartiles(figures: np.ndarray, first: np.ndarray, sizes: np.ndarray) -> dict[str, np.ndarray]:
    """Each period's `np.percentile(values, 25)` and `(..., 75)` (linear), from the figures
    sorted by period then value, each period's first position and its size."""
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
    return quartiles


def _medians(figures: np.ndarray, first: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each period's median as pandas' grouped median works it out: the middle figure, or
    the two middle ones added and halved."""
    upper = figures[first + sizes // 2]
    lower = figures[first + np.maximum(sizes // 2 - 1, 0)]
    return np.where(sizes % 2 == 1, upper, (upper + lower) / 2)


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
    return compare_members(_numbered(values), metric, group, own_code)


def compare_members(
    members: CouncilValues, metric: Metric, group: ComparatorGroup, own_code: str
) -> Comparison | None:
    """`compare_values` on numbered rows: every period ranked and summarised at once, with
    one sort, rather than a grouping per statistic (the same figures: ranks as pandas'
    `rank(method="min")`, medians as its grouped median, quartiles as `np.percentile`)."""
    if not members.comparable():
        return None
    return rank_members(members, metric, group, own_code)


def rank_members(
    members: CouncilValues, metric: Metric, group: ComparatorGroup, own_code: str
) -> Comparison:
    """`compare_members` without asking whether there is anything to compare: for rows
    narrowed after the group was found comparable (`CouncilValues.at_latest_of`)."""
    starts, _, given = members.columns
    period, periods = pd.factorize(starts, sort=True)
    figures = np.asarray(given, dtype=float)
    count = len(figures)
    # Ascending by period, then figure: medians and quartiles read it; ranks read the order
    # of polarity. One sort by figure, then a stable sort by period (a radix sort of small
    # numbers): three times quicker than sorting on both keys at once
    by_figure = np.argsort(figures)
    narrow = period.astype(np.int16 if len(periods) <= np.iinfo(np.int16).max else np.int64)
    order = by_figure[np.argsort(narrow[by_figure], kind="stable")]
    in_order = figures[order]
    first = np.flatnonzero(np.r_[True, period[order][1:] != period[order][:-1]])
    sizes = np.diff(np.r_[first, count])
    positions = np.arange(count)
    if metric.polarity == "lower_is_better":
        by_rank = order
    else:
        # Highest first: each period's run of the ascending order read backwards (figures
        # are never missing here, and ties take the same rank in any order)
        segment = np.repeat(np.arange(len(first)), sizes)
        by_rank = order[2 * first[segment] + sizes[segment] - 1 - positions]
    ranked = figures[by_rank]
    ranked_period = period[by_rank]
    starts_group = np.r_[True, ranked_period[1:] != ranked_period[:-1]]
    starts_tie = starts_group | np.r_[True, ranked[1:] != ranked[:-1]]
    group_first = np.maximum.accumulate(np.where(starts_group, positions, 0))
    tie_first = np.maximum.accumulate(np.where(starts_tie, positions, 0))
    rank = np.empty(count, dtype=float)
    rank[by_rank] = (tie_first - group_first + 1).astype(float)
    own = members.rows_of(own_code)
    own_value = np.full(len(periods), np.nan)
    own_rank = np.full(len(periods), np.nan)
    own_value[period[own]] = figures[own]
    own_rank[period[own]] = rank[own]
    medians = _medians(in_order, first, sizes)
    # The table made at once, every column worked out as arrays first
    table = pd.DataFrame(
        {
            "period_start": periods,
            "n": sizes.astype(np.int64),
            "median": medians,
            **_quartiles(in_order, first, sizes),
            "own_value": own_value,
            "rank": own_rank,
            "quartile": [
                None if r != r else min(4, max(1, math.ceil(4 * r / n)))
                for r, n in zip(own_rank.tolist(), sizes.tolist(), strict=True)
            ],
            "gap": own_value - medians,
        }
    )
    return Comparison(metric, group, own_code, table, members, rank, period)


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
    ranked = comparison.ranked
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
    ranked = comparison.ranked
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

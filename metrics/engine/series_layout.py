"""Where each series (one metric in one area) sits in a long table of observations.

The engine works on every series at once with numpy. That needs the rows of each series
to be together and in date order, which the warehouse already returns; checking this is
far cheaper than sorting hundreds of thousands of rows by text keys, so we only sort when
the check fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

ORDER = ["metric_id", "area_code", "period_start"]


@dataclass(frozen=True)
class SeriesLayout:
    """A table in series order, with the row where each series starts."""

    frame: pd.DataFrame
    bounds: np.ndarray  # first row of each series, then the number of rows
    metric_ids: np.ndarray  # the metric of each series
    area_codes: np.ndarray  # the area of each series

    @property
    def count(self) -> int:
        """How many series there are."""
        return len(self.bounds) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Rows in each series."""
        return np.diff(self.bounds)

    def row_series(self) -> np.ndarray:
        """The series number of every row."""
        return np.repeat(np.arange(self.count), self.lengths)

    def metric_rows(self) -> Iterator[tuple[str, slice]]:
        """Each metric with the slice of rows holding all of its series."""
        if self.count == 0:
            return
        change = np.flatnonzero(self.metric_ids[1:] != self.metric_ids[:-1]) + 1
        firsts = np.r_[0, change]
        lasts = np.r_[change, self.count]
        for first, last in zip(firsts, lasts, strict=True):
            yield str(self.metric_ids[first]), slice(self.bounds[first], self.bounds[last])

    def subset(self, keep: np.ndarray) -> SeriesLayout:
        """Only the series where `keep` (one bool per series) is true, laid out alike."""
        if keep.all():
            return self
        lengths = self.lengths[keep]
        frame = self.frame[np.repeat(keep, self.lengths)].reset_index(drop=True)
        bounds = np.r_[0, np.cumsum(lengths)].astype(self.bounds.dtype)
        return SeriesLayout(frame, bounds, self.metric_ids[keep], self.area_codes[keep])

    def keys(self) -> pd.DataFrame:
        """One row per series: metric_id and area_code."""
        return pd.DataFrame({"metric_id": self.metric_ids, "area_code": self.area_codes})


def series_layout(frame: pd.DataFrame) -> SeriesLayout:
    """Lay out a table with metric_id, area_code and period_start; sorts only if it must."""
    frame = frame.reset_index(drop=True)
    found = _layout(frame)
    if found is None:
        frame = frame.sort_values(ORDER, kind="stable").reset_index(drop=True)
        found = _layout(frame)
        assert found is not None  # a sorted table always lays out
    return found


def _layout(frame: pd.DataFrame) -> SeriesLayout | None:
    n = len(frame)
    if n == 0:
        empty = np.array([], dtype=object)
        return SeriesLayout(frame, np.array([0]), empty, empty)
    metric, metric_at = _comparable(frame["metric_id"])
    area, area_at = _comparable(frame["area_code"])
    new_series = np.empty(n, dtype=bool)
    new_series[0] = True
    new_series[1:] = (metric[1:] != metric[:-1]) | (area[1:] != area[:-1])
    starts = np.flatnonzero(new_series)
    metric_ids, area_codes = metric_at(starts), area_at(starts)
    # Each series, and each metric, must appear as one block, with dates rising inside it
    if len(set(zip(metric_ids, area_codes, strict=True))) != len(starts):
        return None
    metric_change = np.r_[True, metric_ids[1:] != metric_ids[:-1]]
    if len(set(metric_ids[metric_change])) != int(metric_change.sum()):
        return None
    days = frame["period_start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    if n > 1 and bool((np.diff(days)[~new_series[1:]] <= 0).any()):
        return None
    return SeriesLayout(frame, np.r_[starts, n], metric_ids, area_codes)


def _comparable(column: pd.Series) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The column as an array to compare neighbours in, and how to read its keys at rows.

    A categorical column is compared by its codes: far cheaper than comparing strings.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        categories = column.cat.categories.to_numpy(dtype=object)
        return codes, lambda rows: categories[codes[rows]]
    keys = column.to_numpy(dtype=object)
    return keys, lambda rows: keys[rows]

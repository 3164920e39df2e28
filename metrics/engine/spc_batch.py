"""XmR for many series at once: the headline readings of `metrics.engine.spc.xmr`, vectorised.

The engine needs every series' variation, assurance, mean and limits after each load. Calling
`xmr` once per series spends most of its time in Python overhead, so `xmr_all` takes every
series laid end to end (values in order, with `bounds` saying where each series starts) and
works them all out with whole-array numpy operations: segments (a series, or the part of it
after a rebase) are numbered across the whole array, and each rule is evaluated once over
every point, with boundaries between segments breaking runs, trends and two-in-three.

The readings are identical to `xmr` (a test compares them on every series), which takes care
over one thing in particular: a mean is `numpy.sum` of a slice, which adds pairwise, so
`_slice_sums` repeats that exact order of additions for every slice at once rather than using
a cumulative sum, whose rounding would differ in the last bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.engine.spc import (
    _CODES_BY_DIRECTION,
    _TRIAL,
    _TRIAL_WHY,
    LIMIT_SIGMAS,
    MIN_RELIABLE_POINTS,
    MR_SCREEN_FACTOR,
    NEAR_SIGMAS,
    POINT_TYPES,
    two_in_three_points,
)

__all__ = ["SpcHeadlines", "xmr_all"]

IMPROVEMENTS = ("increase", "decrease", "neutral")
# Point-type code by improvement (row, as IMPROVEMENTS) and direction + 1 (column)
_CODE_TABLE = np.array([_CODES_BY_DIRECTION[name] for name in IMPROVEMENTS])
_POINT_TYPES = np.array(POINT_TYPES, dtype=object)
_ASSURANCES = np.array([None, "consistent_pass", "consistent_fail", "inconsistent"], dtype=object)
# numpy adds up to this many numbers in one block before splitting a sum in two
_PAIRWISE_BLOCK = 128


@dataclass(frozen=True, eq=False)
class SpcHeadlines:
    """The headline XmR readings of many series, one element per series.

    Where `xmr` gives None, `variation` and `assurance` hold None and the numbers hold NaN.
    """

    variation: np.ndarray  # a POINT_TYPES word (object)
    assurance: np.ndarray  # consistent_pass, consistent_fail, inconsistent (object)
    mean: np.ndarray
    lpl: np.ndarray
    upl: np.ndarray
    trial: np.ndarray  # whether the headline limits come from fewer than 12 points
    warnings: tuple[tuple[str, ...], ...] | None = None  # only when asked for

    def __len__(self) -> int:
        return len(self.variation)

    def frame(self) -> pd.DataFrame:
        """The readings as a table, one row per series."""
        return pd.DataFrame(
            {
                "variation": self.variation,
                "assurance": self.assurance,
                "mean": self.mean,
                "lpl": self.lpl,
                "upl": self.upl,
                "trial": self.trial,
            }
        )


def xmr_all(
    values: Sequence[float] | np.ndarray,
    bounds: Sequence[int] | np.ndarray,
    *,
    improvement: str | Sequence[str] | np.ndarray = "increase",
    target: float | None | Sequence[float | None] | np.ndarray = None,
    rebase: Sequence[bool] | np.ndarray | None = None,
    fix_after_n_points: int | None | Sequence[int | None] | np.ndarray = None,
    screen_outliers: bool | Sequence[bool] | np.ndarray = True,
    run_length: int | Sequence[int] | np.ndarray = 7,
    trend_length: int | Sequence[int] | np.ndarray = 7,
    warnings: bool = False,
) -> SpcHeadlines:
    """The readings `xmr` gives each series, worked out for every series at once.

    Series `i` is `values[bounds[i]:bounds[i + 1]]`, in period order. `rebase` marks (per
    value) where a new set of limits starts, as `xmr`'s `rebase_at` does. Every option is
    one value for all series or one per series; `fix_after_n_points` may be None or 0 for
    "not fixed". `warnings=True` also gives each series' warnings, as `xmr` words them.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {y.shape}")
    edges = _bounds(bounds, y.size)
    count = edges.size - 1
    improve = _improvement_codes(improvement, count)
    targets = _per_series_float(target, count)
    fix = _per_series_length("fix_after_n_points", fix_after_n_points, count, optional=True)
    screen = np.broadcast_to(np.asarray(screen_outliers, dtype=bool), (count,))
    runs = _per_series_length("run_length", run_length, count)
    trends = _per_series_length("trend_length", trend_length, count)

    # Rows, and where each segment (a series, or its part after a rebase) starts
    lengths = np.diff(edges)
    row_series = np.repeat(np.arange(count), lengths)
    seg_first = np.zeros(y.size, dtype=bool)
    if rebase is not None:
        marks = np.asarray(rebase, dtype=bool)
        if marks.shape != y.shape:
            raise ValueError(f"rebase must mark each of the {y.size} values, got {marks.shape}")
        seg_first |= marks
    seg_first[edges[:-1][lengths > 0]] = True
    row_seg = np.cumsum(seg_first) - 1
    seg_rows = np.flatnonzero(seg_first)
    seg_series = row_series[seg_rows]

    # The points: values that are not gaps (NaN or infinite)
    finite = np.isfinite(y)
    idx = np.flatnonzero(finite)
    v, seg, ser = y[idx], row_seg[idx], row_series[idx]
    point_edges = np.searchsorted(ser, np.arange(count + 1))
    seg_edges = np.searchsorted(seg, np.arange(seg_rows.size + 1))
    lo, seg_count = seg_edges[:-1], np.diff(seg_edges)
    seg_fix = fix[seg_series]
    base = np.where(seg_fix > 0, np.minimum(seg_count, seg_fix), seg_count)

    means, mrbars, abs_step = _means_and_ranges(v, lo, base, screen[seg_series])
    limits = (
        means,
        means - LIMIT_SIGMAS * mrbars,
        means + LIMIT_SIGMAS * mrbars,
        means - NEAR_SIGMAS * mrbars,
        means + NEAR_SIGMAS * mrbars,
    )
    special, direction = _apply_rules(
        v, seg, ser, abs_step, *(limit[seg] for limit in limits), runs=runs, trends=trends
    )
    codes = np.where(special, _CODE_TABLE[improve[ser], direction + 1], 0)

    # Headlines: the latest point's type, and the mean and limits of its segment
    has_points = np.flatnonzero(point_edges[1:] > point_edges[:-1])
    last_point = point_edges[1:][has_points] - 1
    variation = np.full(count, None, dtype=object)
    variation[has_points] = _POINT_TYPES[codes[last_point]]
    mean, lpl, upl = (np.full(count, np.nan) for _ in range(3))
    for out, limit in zip((mean, lpl, upl), limits[:3], strict=False):
        out[has_points] = limit[seg[last_point]]
    # Trial limits are judged on the series' last segment, even one holding only gaps
    trial = np.zeros(count, dtype=bool)
    filled = np.flatnonzero(lengths > 0)
    trial[filled] = base[row_seg[edges[1:][filled] - 1]] < MIN_RELIABLE_POINTS
    return SpcHeadlines(
        variation=variation,
        assurance=_assurance(improve, targets, lpl, upl),
        mean=mean,
        lpl=lpl,
        upl=upl,
        trial=trial,
        warnings=(
            _warnings(y, edges, seg_rows, seg_series, seg_count, point_edges) if warnings else None
        ),
    )


def _bounds(bounds: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """Check that series boundaries start at 0, never fall and end at the number of values."""
    edges = np.asarray(bounds, dtype=np.int64)
    if edges.ndim != 1 or edges.size == 0 or edges[0] != 0 or edges[-1] != size:
        raise ValueError(f"bounds must run from 0 to the {size} values, got {edges.tolist()[:5]}…")
    if (np.diff(edges) < 0).any():
        raise ValueError("bounds must not fall: each series starts where the one before ends")
    return edges


def _improvement_codes(improvement: str | Sequence[str] | np.ndarray, count: int) -> np.ndarray:
    """Each series' improvement direction as its position in IMPROVEMENTS."""
    names = np.broadcast_to(np.asarray(improvement, dtype=object), (count,))
    codes = np.full(count, -1, dtype=np.int64)
    for code, name in enumerate(IMPROVEMENTS):
        codes[names == name] = code
    if (codes < 0).any():
        wrong = names[codes < 0][0]
        raise ValueError(f"improvement must be 'increase', 'decrease' or 'neutral', got {wrong!r}")
    return codes


def _per_series_float(value: object, count: int) -> np.ndarray:
    """One float per series, None as NaN."""
    return np.broadcast_to(np.asarray(np.nan if value is None else value, dtype=float), (count,))


def _per_series_length(name: str, value: object, count: int, optional: bool = False) -> np.ndarray:
    """One length per series (0 for none, where that is allowed); lengths are integers >= 2."""
    raw = np.broadcast_to(np.asarray(value, dtype=object), (count,)).tolist()
    # Thousands of series take their settings from a few metrics: check each distinct one once
    checked = {x: _length(name, x, optional) for x in set(raw)}
    return np.array([checked[x] for x in raw], dtype=np.int64)


def _length(name: str, value: object, optional: bool) -> int:
    """A run, trend or baseline length as an integer, or 0 for none where allowed."""
    if optional and (value is None or (isinstance(value, (int, np.integer)) and value == 0)):
        return 0
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 2:
        raise ValueError(f"{name} must be an integer of at least 2, got {value!r}")
    return int(value)


def _means_and_ranges(
    v: np.ndarray, lo: np.ndarray, base: np.ndarray, screen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each segment's mean and (screened) average moving range over its baseline points."""
    means = np.full(lo.size, np.nan)
    has = base > 0
    means[has] = _slice_sums(v, lo[has], base[has]) / base[has]
    abs_step = np.abs(v[1:] - v[:-1])
    mrbars = np.full(lo.size, np.nan)
    two = base >= 2
    ranges = base[two] - 1
    mrbars[two] = _slice_sums(abs_step, lo[two], ranges) / ranges
    # One screening pass, as xmr: drop moving ranges of 3.267 times the average or more
    screened = np.flatnonzero(two & screen & (mrbars > 0))
    if screened.size:
        sizes = base[screened] - 1
        at = _ranges(lo[screened], sizes)
        owner = np.repeat(np.arange(screened.size), sizes)
        mr = abs_step[at]
        kept = mr < MR_SCREEN_FACTOR * mrbars[screened][owner]
        kept_sizes = np.bincount(owner[kept], minlength=screened.size)
        kept_starts = np.cumsum(kept_sizes) - kept_sizes
        mrbars[screened] = _slice_sums(mr[kept], kept_starts, kept_sizes) / kept_sizes
    return means, mrbars, abs_step


def _apply_rules(
    v: np.ndarray,
    seg: np.ndarray,
    ser: np.ndarray,
    abs_step: np.ndarray,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    near_lo: np.ndarray,
    near_hi: np.ndarray,
    *,
    runs: np.ndarray,
    trends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each point is special cause, and its side (the four rules of xmr, every series).

    A change of segment (which every change of series is) breaks every rule's run of points.
    """
    m = v.size
    outside = (v > upl) | (v < lpl)
    side = np.sign(v - mean).astype(np.int64)
    new_seg = seg[1:] != seg[:-1]
    in_run = _run_mask(side, runs[ser], new_seg)

    in_trend = np.zeros(m, dtype=bool)
    trend_dir = np.zeros(m, dtype=np.int64)
    if m > 1:
        step = np.sign(v[1:] - v[:-1]).astype(np.int64)
        step[new_seg] = 0
        step = np.where(_run_mask(step, trends[ser[1:]] - 1, None), step, 0)
        trend_dir[1:] += step
        trend_dir[:-1] += step
        in_trend[1:] |= step != 0
        in_trend[:-1] |= step != 0

    two_in_three = two_in_three_points(v, near_hi, near_lo, outside, side, seg)

    use_trend = (trend_dir != 0) & ~(outside | in_run | two_in_three)
    direction = np.where(use_trend, np.sign(trend_dir), side)
    return outside | in_run | in_trend | two_in_three, direction


def _run_mask(key: np.ndarray, min_len: np.ndarray, breaks: np.ndarray | None) -> np.ndarray:
    """Flag elements in runs of equal, non-zero keys at least as long as the run's `min_len`.

    `min_len` is per element (the run's first element decides); `breaks[i]` forces a run
    boundary between elements i and i + 1.
    """
    size = key.size
    if size == 0:
        return np.zeros(0, dtype=bool)
    change = key[1:] != key[:-1]
    if breaks is not None:
        change |= breaks
    firsts = np.empty(np.count_nonzero(change) + 1, dtype=np.int64)
    firsts[0] = 0
    firsts[1:] = np.flatnonzero(change) + 1
    lengths = np.diff(firsts, append=size)
    keep = (lengths >= min_len[firsts]) & (key[firsts] != 0)
    return np.repeat(keep, lengths)


def _assurance(
    improve: np.ndarray, target: np.ndarray, lpl: np.ndarray, upl: np.ndarray
) -> np.ndarray:
    """xmr's assurance for each series, with strict inequalities (a target on a limit is
    inconsistent)."""
    increasing = improve == 0
    above, below = target > upl, target < lpl
    code = np.where(
        above,
        np.where(increasing, 2, 1),
        np.where(below, np.where(increasing, 1, 2), 3),
    )
    judged = ~np.isnan(target) & (improve != 2) & ~np.isnan(lpl) & ~np.isnan(upl)
    return _ASSURANCES[np.where(judged, code, 0)]


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ... of each (start, size), one after another."""
    total = int(sizes.sum())
    offsets = np.cumsum(sizes) - sizes
    return np.repeat(starts - offsets, sizes) + np.arange(total)


def _slice_sums(a: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """`a[start:start + size].sum()` for each slice, bit for bit as numpy adds it.

    numpy adds a slice pairwise (eight running sums in blocks of up to 128, halves beyond);
    slices of one length are stacked into rows and added in that same order, column by column.
    """
    out = np.zeros(starts.size)
    for size in np.unique(sizes).tolist():
        if size == 0:
            continue
        chosen = np.flatnonzero(sizes == size)
        rows = a[starts[chosen][:, None] + np.arange(size)]
        out[chosen] = 0.0 + _pairwise_sum(rows)
    return out


def _pairwise_sum(rows: np.ndarray) -> np.ndarray:
    """The sum of each row, adding in the order numpy's pairwise summation does."""
    size = rows.shape[1]
    if size < 8:
        total = np.zeros(rows.shape[0])
        for column in range(size):
            total += rows[:, column]
        return total
    if size <= _PAIRWISE_BLOCK:
        partial = rows[:, :8].copy()
        whole = size - size % 8
        for column in range(8, whole, 8):
            partial += rows[:, column : column + 8]
        p = partial.T
        total = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))
        for column in range(whole, size):
            total += rows[:, column]
        return total
    half = size // 2
    half -= half % 8
    return _pairwise_sum(rows[:, :half]) + _pairwise_sum(rows[:, half:])


def _warnings(
    y: np.ndarray,
    edges: np.ndarray,
    seg_rows: np.ndarray,
    seg_series: np.ndarray,
    seg_count: np.ndarray,
    point_edges: np.ndarray,
) -> tuple[tuple[str, ...], ...]:
    """Each series' warnings, worded as xmr words them (only series with any are looped)."""
    count = edges.size - 1
    points = np.diff(point_edges)
    infinite = np.bincount(
        np.repeat(np.arange(count), np.diff(edges))[np.isinf(y)], minlength=count
    )
    segments = np.bincount(seg_series, minlength=count)
    short = (seg_count < 2) | ((segments[seg_series] > 1) & (seg_count < MIN_RELIABLE_POINTS))
    worded = (infinite > 0) | (points < MIN_RELIABLE_POINTS)
    worded[seg_series[short]] = True
    seg_edges = np.searchsorted(seg_series, np.arange(count + 1))
    out: list[tuple[str, ...]] = [()] * count
    for number in np.flatnonzero(worded).tolist():
        found: list[str] = []
        if infinite[number]:
            found.append(f"{infinite[number]} infinite value(s) treated as gaps.")
        m = int(points[number])
        if m == 0:
            found.append("Only 0 points: there is nothing to work out limits from.")
        elif m < MIN_RELIABLE_POINTS:
            found.append(f"{_TRIAL}: only {m} point{'' if m == 1 else 's'}{_TRIAL_WHY}")
        first, last = seg_edges[number], seg_edges[number + 1]
        for s in range(first, last):
            start = int(seg_rows[s] - edges[number]) + 1
            n = int(seg_count[s])
            if n < 2:
                found.append(
                    f"The limits from point {start} have {n} "
                    f"point{'' if n == 1 else 's'}: limits need at least 2."
                )
            elif last - first > 1 and n < MIN_RELIABLE_POINTS:
                found.append(f"{_TRIAL} from point {start}: only {n} points{_TRIAL_WHY}")
        out[number] = tuple(found)
    return tuple(out)

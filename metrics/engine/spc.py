"""XmR statistical process control using NHS "Making Data Count" rules.

Follows NHSRplotthedots (``ptd_spc``) conventions, with these deliberate choices:

* Gaps (NaN/None) are skipped: neighbouring non-gap points are treated as
  consecutive for moving ranges, runs, trends and two-in-three.
* Two-in-three: as in NHSRplotthedots (``close_to_limits = !outside_limits & ...``)
  the near band lies between the 2-sigma line and the process limit, so a point
  beyond a limit does not count towards two-in-three (it is special cause anyway).
* Assurance uses strict inequalities like NHSRplotthedots: a target exactly on a
  process limit is "inconsistent" (the process can still land either side of it).
* A trend point is classified by the trend's direction unless another rule also
  flags it, in which case the side of the mean wins (outside-limits, run and
  two-in-three all agree with the side of the mean, so that is never ambiguous).
  The peak of a rise-then-fall is in both trends and also uses its side of the mean.
* Headline mean/limits/assurance come from the segment holding the latest non-gap
  point; assurance is None when that segment has too few points for limits.
* A flat baseline (mean moving range 0) is not screened, so its limits collapse
  onto the mean instead of becoming NaN as in NHSRplotthedots.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import index as as_index
from typing import Any

import numpy as np
import pandas as pd

from metrics.words import LIMITS

__all__ = ["POINT_TYPES", "SpcResult", "xmr"]

LIMIT_SIGMAS = 2.66  # 3 / d2, where d2 = 1.128 for moving ranges of two points
NEAR_SIGMAS = LIMIT_SIGMAS * 2 / 3  # the "2 sigma" line
MR_SCREEN_FACTOR = 3.267  # D4 for n = 2: the upper limit of a moving-range chart
MIN_RELIABLE_POINTS = 12  # fewer points than this in a segment give trial limits
_TRIAL = LIMITS["trial"][0]
_TRIAL_WHY = f", fewer than {MIN_RELIABLE_POINTS}, so they may move as more figures arrive."

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
_POINT_TYPE_ARRAY = np.array(POINT_TYPES, dtype=object)
# Point-type code indexed by direction + 1 (-1 = low, +1 = high). Direction 0
# only happens for an on-the-mean peak of two opposite trends: call it high.
_CODES_BY_DIRECTION = {
    "increase": np.array([2, 1, 1]),
    "decrease": np.array([1, 2, 2]),
    "neutral": np.array([4, 3, 3]),
}


@dataclass(frozen=True, eq=False)  # eq=False: DataFrames cannot be compared or hashed
class SpcResult:
    """Outcome of an XmR analysis: a per-point table plus headline summaries."""

    columns: dict[str, np.ndarray] = field(repr=False)
    variation: str | None
    assurance: str | None
    warnings: list[str] = field(default_factory=list)
    mean: float | None = None
    lpl: float | None = None
    upl: float | None = None
    # Per segment: (first row, row after its last, how many points the mean and limits come
    # from, the row of the last of those points)
    segments: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def trial(self) -> bool:
        """Whether the headline limits come from fewer than 12 points (trial limits)."""
        return bool(self.segments) and self.segments[-1][2] < MIN_RELIABLE_POINTS

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row per input value: value, limits, which rules fired, and the point type."""
        # Built on first use: the engine reads only the headlines, and building the frame
        # is most of the cost of a call
        return pd.DataFrame(self.columns, copy=False)


def xmr(
    values: Iterable[float | None],
    *,
    improvement: str = "increase",
    target: float | None = None,
    rebase_at: Iterable[int] = (),
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    trend_length: int = 7,
) -> SpcResult:
    """Compute XmR limits and Making Data Count special-cause flags for a series."""
    if improvement not in _CODES_BY_DIRECTION:
        raise ValueError(
            f"improvement must be 'increase', 'decrease' or 'neutral', got {improvement!r}"
        )
    _check_length("run_length", run_length)
    _check_length("trend_length", trend_length)
    if fix_after_n_points is not None:
        _check_length("fix_after_n_points", fix_after_n_points)
    if target is not None and math.isnan(target):
        target = None

    y = _to_float_array(values)
    n = y.size
    starts = _segment_starts(rebase_at, n)
    n_seg = starts.size
    row_seg = np.zeros(n, dtype=np.int64)
    if n_seg > 1:
        row_seg[starts[1:]] = 1
        row_seg = np.cumsum(row_seg)

    warnings: list[str] = []
    finite = np.isfinite(y)
    has_gaps = not finite.all()
    if has_gaps:
        n_inf = int(np.count_nonzero(np.isinf(y)))
        if n_inf:
            warnings.append(f"{n_inf} infinite value(s) treated as gaps.")
            y = np.where(finite, y, np.nan)
        idx = np.flatnonzero(finite)
        v, seg = y[idx], row_seg[idx]
    else:
        # Fast path for the common no-gap case: no gather/scatter needed.
        v, seg = y, row_seg
    m = v.size
    if m == 0:
        warnings.append("Only 0 points: there is nothing to work out limits from.")
    elif m < MIN_RELIABLE_POINTS:
        warnings.append(f"{_TRIAL}: only {m} point{'' if m == 1 else 's'}{_TRIAL_WHY}")

    # Limits are a per-segment calculation and segments are few, so loop.
    bounds = np.searchsorted(seg, np.arange(n_seg + 1)).tolist()
    means = np.full(n_seg, np.nan)
    mrbars = np.full(n_seg, np.nan)
    abs_step = np.abs(v[1:] - v[:-1])
    baselines: list[tuple[int, int, int, int]] = []
    for s in range(n_seg):
        lo, hi = bounds[s], bounds[s + 1]
        count = hi - lo
        if fix_after_n_points is not None:
            hi = min(hi, lo + fix_after_n_points)
        end_row = int(starts[s + 1]) if s + 1 < n_seg else n
        last_row = (int(idx[hi - 1]) if has_gaps else hi - 1) if hi > lo else int(starts[s])
        baselines.append((int(starts[s]), end_row, hi - lo, last_row))
        if hi > lo:
            means[s] = float(v[lo:hi].sum()) / (hi - lo)
        if hi - lo >= 2:
            # abs_step[i] is the range between points i and i + 1.
            mrbars[s] = _mean_moving_range(abs_step[lo : hi - 1], screen_outliers)
        if count < 2:
            warnings.append(
                f"The limits from point {starts[s] + 1} have {count} "
                f"point{'' if count == 1 else 's'}: limits need at least 2."
            )
        elif n_seg > 1 and count < MIN_RELIABLE_POINTS:
            warnings.append(f"{_TRIAL} from point {starts[s] + 1}: only {count} points{_TRIAL_WHY}")

    seg_limits = (
        means,
        means - LIMIT_SIGMAS * mrbars,
        means + LIMIT_SIGMAS * mrbars,
        means - NEAR_SIGMAS * mrbars,
        means + NEAR_SIGMAS * mrbars,
    )
    row_limits = [lim[row_seg] for lim in seg_limits]
    point_limits = [lim[idx] for lim in row_limits] if has_gaps else row_limits
    outside, in_run, in_trend, two_in_three, direction = _apply_rules(
        v, seg, *point_limits, run_length=run_length, trend_length=trend_length
    )
    special = outside | in_run | in_trend | two_in_three
    codes = np.where(special, _CODES_BY_DIRECTION[improvement][direction + 1], 0)

    moving_range = np.full(m, np.nan)
    if m > 1:
        # A segment's first point has no moving range: it starts a new process.
        moving_range[1:] = abs_step
        if n_seg > 1:
            moving_range[1:][seg[1:] != seg[:-1]] = np.nan

    flags = [moving_range, outside, in_run, in_trend, two_in_three, special, codes]
    if has_gaps:
        flags = [_scatter(a, idx, n) for a in flags]
    mr_col, out_col, run_col, trend_col, tit_col, special_col, code_col = flags
    row_mean, row_lpl, row_upl, row_near_lo, row_near_hi = row_limits
    points = dict(
        {
            "value": y,
            "mean": row_mean,
            "lpl": row_lpl,
            "upl": row_upl,
            "near_lower": row_near_lo,
            "near_upper": row_near_hi,
            "moving_range": mr_col,
            "segment": row_seg,
            "outside_limits": out_col,
            "in_run": run_col,
            "in_trend": trend_col,
            "two_in_three": tit_col,
            "special_cause": special_col,
            "point_type": _POINT_TYPE_ARRAY[code_col],
            "target": np.full(n, np.nan if target is None else float(target)),
        }
    )

    if m == 0:
        return SpcResult(points, None, None, warnings, segments=tuple(baselines))
    # Headlines describe the segment holding the latest data, which is the last
    # segment unless a rebase index points into trailing gaps.
    last = int(seg[-1])
    lpl = _finite_or_none(seg_limits[1][last])
    upl = _finite_or_none(seg_limits[2][last])
    return SpcResult(
        columns=points,
        variation=POINT_TYPES[int(codes[-1])],
        assurance=_assurance(improvement, target, lpl, upl),
        warnings=warnings,
        mean=_finite_or_none(means[last]),
        lpl=lpl,
        upl=upl,
        segments=tuple(baselines),
    )


def _check_length(name: str, value: Any) -> None:
    """Reject lengths that are not integers of at least 2."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
        raise ValueError(f"{name} must be an integer of at least 2, got {value!r}")


def _to_float_array(values: Iterable[float | None]) -> np.ndarray:
    """Convert input to a 1-D float array with None/NA as NaN."""
    if not hasattr(values, "__len__"):
        values = list(values)  # a generator could not be read twice below
    try:
        y = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        # pd.NA and friends refuse float(); map anything NA-like to NaN.
        y = np.array([np.nan if pd.isna(x) else float(x) for x in values], dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {y.shape}")
    return y


def _segment_starts(rebase_at: Iterable[int], n: int) -> np.ndarray:
    """Validate rebase indices and return the sorted start index of each segment."""
    if isinstance(rebase_at, (int, np.integer)):
        rebase_at = (int(rebase_at),)
    starts = {0} if n else set()
    for raw in rebase_at:
        try:
            i = as_index(raw)
        except TypeError:
            raise ValueError(f"rebase_at must contain integers, got {raw!r}") from None
        if not 0 <= i < n:
            raise ValueError(f"rebase_at index {i} is out of range for {n} values")
        starts.add(i)
    return np.array(sorted(starts), dtype=np.int64)


def _mean_moving_range(mr: np.ndarray, screen: bool) -> float:
    """Average moving range, optionally screening out large ranges once."""
    mrbar = float(mr.sum()) / mr.size
    if screen and mrbar > 0:
        # One pass only (as NHSRplotthedots): the kept ranges are never empty
        # because not every range can be >= 3.267 times their average.
        kept = mr[mr < MR_SCREEN_FACTOR * mrbar]
        mrbar = float(kept.sum()) / kept.size
    return mrbar


def _apply_rules(
    v: np.ndarray,
    seg: np.ndarray,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    near_lo: np.ndarray,
    near_hi: np.ndarray,
    *,
    run_length: int,
    trend_length: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate the four special-cause rules on non-gap points, plus each one's side."""
    m = v.size
    # NaN limits (a one-point segment) make every comparison False.
    outside = (v > upl) | (v < lpl)
    side = np.sign(v - mean).astype(np.int64)
    new_seg = seg[1:] != seg[:-1]

    in_run = _run_mask(side, run_length, new_seg)

    in_trend = np.zeros(m, dtype=bool)
    trend_dir = np.zeros(m, dtype=np.int64)
    if m >= trend_length:
        # Zeroing steps across a rebase stops trends spanning two segments.
        step = np.sign(v[1:] - v[:-1]).astype(np.int64)
        step[new_seg] = 0
        step = np.where(_run_mask(step, trend_length - 1), step, 0)
        # A run of k steps covers k + 1 points: the step ending and starting at each.
        trend_dir[1:] += step
        trend_dir[:-1] += step
        in_trend[1:] |= step != 0
        in_trend[:-1] |= step != 0

    two_in_three = two_in_three_points(v, near_hi, near_lo, outside, side, seg)

    # trend_dir is 0 for the peak of a rise-then-fall (both trends), so that
    # point falls back to its side of the mean; other rules always use the side.
    use_trend = (trend_dir != 0) & ~(outside | in_run | two_in_three)
    direction = np.where(use_trend, np.sign(trend_dir), side)
    return outside, in_run, in_trend, two_in_three, direction


def _run_mask(key: np.ndarray, min_len: int, breaks: np.ndarray | None = None) -> np.ndarray:
    """Flag elements in runs of at least min_len equal, non-zero keys.

    ``breaks[i]`` forces a run boundary between elements i and i + 1.
    """
    size = key.size
    if size < min_len:
        return np.zeros(size, dtype=bool)
    change = key[1:] != key[:-1]
    if breaks is not None:
        change |= breaks
    inner = np.flatnonzero(change)
    bounds = np.empty(inner.size + 2, dtype=np.int64)
    bounds[0], bounds[-1] = 0, size
    bounds[1:-1] = inner + 1
    lengths = bounds[1:] - bounds[:-1]
    keep = (lengths >= min_len) & (key[bounds[:-1]] != 0)
    return np.repeat(keep, lengths)


def _scatter(arr: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    """Place per-point values back into a full-length array; gaps get NaN/False/0."""
    out = np.full(n, np.nan) if arr.dtype.kind == "f" else np.zeros(n, dtype=arr.dtype)
    out[idx] = arr
    return out


def _finite_or_none(x: float) -> float | None:
    """Return x as a float, or None when it is NaN."""
    return None if math.isnan(x) else float(x)


def _assurance(
    improvement: str, target: float | None, lpl: float | None, upl: float | None
) -> str | None:
    """Classify whether the process will reliably meet the target."""
    if target is None or improvement == "neutral" or lpl is None or upl is None:
        return None
    increasing = improvement == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def two_in_three_points(
    v: np.ndarray,
    near_hi: Any,
    near_lo: Any,
    outside: np.ndarray,
    side: np.ndarray,
    seg: np.ndarray,
) -> np.ndarray:
    """The points in a run of two out of three beyond a 2-sigma line (not beyond the limit),
    on the same side of the mean and in the same segment (or series, when `seg` numbers them)."""
    m = v.size
    two_in_three = np.zeros(m, dtype=bool)
    near_high = (v > near_hi) & ~outside
    near_low = (v < near_lo) & ~outside
    if m >= 3 and (near_high.any() or near_low.any()):
        same_seg = seg[:-2] == seg[2:]
        for near, on_side in ((near_high, side > 0), (near_low, side < 0)):
            window = on_side[:-2] & on_side[1:-1] & on_side[2:] & same_seg
            window &= near[:-2].astype(np.int64) + near[1:-1] + near[2:] >= 2
            covered = np.zeros(m, dtype=bool)
            covered[:-2] |= window
            covered[1:-1] |= window
            covered[2:] |= window
            two_in_three |= covered & near
    return two_in_three

"""One metric's time series for one area, with its targets and SPC reading.

The one place an SPC reading is worked out: `spc_for` for one series (the drill-down and the
packs) and `spc_for_all` for every series at once (the status snapshot, and so the flags and
the overview), with the same window of periods, the same rebases and identical readings.

Which periods the mean and limits come from, as a Making Data Count user expects: the periods
on the chart. By default that is the latest `SPC_WINDOW` figures (five years of a monthly
measure), for the chart and for the measure's reading everywhere else; a reader who chooses
another range on the drill-down sees limits worked out from the periods they chose. A rebase
(set in the measure's definition, or recorded by an officer in `spc_rebases`) starts a new set
of limits from its period, when that period is among those shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from metrics.engine.codes import rows_with
from metrics.engine.periods import period_label
from metrics.engine.spc import MIN_RELIABLE_POINTS, SpcResult, xmr
from metrics.engine.spc_batch import SpcHeadlines, xmr_all
from metrics.engine.status import area_targets_for
from metrics.registry.model import Metric

IMPROVEMENT: dict[str, Literal["increase", "decrease", "neutral"]] = {
    "higher_is_better": "increase",
    "lower_is_better": "decrease",
    "neutral": "neutral",
}

# Figures a measure's SPC reading and its default chart use: the latest five years of a
# monthly measure, all of most annual ones
SPC_WINDOW = 60
DEFINED = "Set in the measure's definition"


@dataclass(frozen=True)
class Rebase:
    """A period from which a series' SPC limits are worked out afresh, with who and why."""

    period_start: date
    reason: str
    recorded_by: str | None = None  # None: set in the measure's definition
    recorded_at: datetime | None = None
    rebase_id: int | None = None


# Recorded rebases in force, by (metric id, area code)
Rebases = Mapping[tuple[str, str], tuple[Rebase, ...]]


def rebases_by_series(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[Rebase, ...]]:
    """Recorded rebases (rows of warehouse.spc_rebases.read_rebases) by metric and area."""
    found: dict[tuple[str, str], list[Rebase]] = {}
    if frame.empty:  # the usual case: pandas' records cost more than the check
        return {}
    for row in frame.to_dict("records"):
        at = row["recorded_at"]
        found.setdefault((str(row["metric_id"]), str(row["area_code"])), []).append(
            Rebase(
                period_start=pd.Timestamp(row["period_start"]).date(),
                reason=str(row["reason"]),
                recorded_by=str(row["recorded_by"]),
                recorded_at=None if pd.isna(at) else pd.Timestamp(at).to_pydatetime(),
                rebase_id=int(row["id"]),
            )
        )
    return {key: tuple(value) for key, value in found.items()}


def series_rebases(metric: Metric, area_code: str, recorded: Rebases) -> tuple[Rebase, ...]:
    """Every rebase of one series: the definition's dates and those recorded, by period."""
    defined = [Rebase(day, DEFINED) for day in metric.spc.rebase_at]
    return tuple(
        sorted(
            [*defined, *recorded.get((metric.id, area_code), ())],
            key=lambda r: (r.period_start, r.recorded_at or datetime.min),
        )
    )


def rebase_points(
    starts: Sequence[date] | np.ndarray, rebases: Sequence[Rebase]
) -> dict[int, Rebase]:
    """Positions in a series (period starts, in order) where a rebase starts a new segment.

    A rebase starts at the first period on or after its date; one at or before the first
    period shown changes nothing. Of two rebases at one position, the later recorded is kept.
    """
    if not rebases or len(starts) == 0:
        return {}
    days = np.asarray(starts, dtype="datetime64[D]")
    wanted = np.array([r.period_start for r in rebases], dtype="datetime64[D]")
    found: dict[int, Rebase] = {}
    for position, rebase in zip(np.searchsorted(days, wanted).tolist(), rebases, strict=True):
        if 0 < position < len(days):
            found[int(position)] = rebase
    return dict(sorted(found.items()))


def window_start(count: int) -> int:
    """The first of `count` figures that the default window (and every reading) uses."""
    return max(0, count - SPC_WINDOW)


def window_starts(counts: np.ndarray) -> np.ndarray:
    """`window_start` of many series' counts at once."""
    return np.maximum(0, counts - SPC_WINDOW)


def spc_for(
    metric: Metric,
    values: Sequence[float] | np.ndarray,
    starts: Sequence[date] | np.ndarray,
    target: float | None = None,
    rebases: Sequence[Rebase] = (),
) -> SpcResult:
    """Run the metric's SPC settings over a series (the periods shown); assurance uses
    `target` (the area's latest)."""
    settings = metric.spc
    return xmr(
        [float(v) for v in values],
        improvement=IMPROVEMENT[metric.polarity],
        target=target,
        rebase_at=list(rebase_points(starts, rebases)),
        fix_after_n_points=settings.fix_after_n_points,
        screen_outliers=settings.screen_outliers,
        run_length=settings.run_length,
        trend_length=settings.trend_length,
    )


def spc_for_all(
    metrics: Sequence[Metric],
    area_codes: Sequence[str] | np.ndarray,
    values: np.ndarray,
    starts: np.ndarray,
    bounds: np.ndarray,
    targets: np.ndarray,
    recorded: Rebases | None = None,
) -> SpcHeadlines:
    """`spc_for` over many series at once: series `i` is metric `metrics[i]` in
    `area_codes[i]`, its periods `starts[bounds[i]:bounds[i + 1]]` (datetime64[D], rising) with
    `values` alike, read against `targets[i]` (NaN for none), with its rebases."""
    settings = [m.spc for m in metrics]
    return xmr_all(
        values,
        bounds,
        improvement=[IMPROVEMENT[m.polarity] for m in metrics],
        target=targets,
        rebase=rebase_marks(metrics, area_codes, starts, bounds, recorded or {}),
        fix_after_n_points=[s.fix_after_n_points for s in settings],
        screen_outliers=[s.screen_outliers for s in settings],
        run_length=[s.run_length for s in settings],
        trend_length=[s.trend_length for s in settings],
    )


def rebase_marks(
    metrics: Sequence[Metric],
    area_codes: Sequence[str] | np.ndarray,
    starts: np.ndarray,
    bounds: np.ndarray,
    recorded: Rebases,
) -> np.ndarray:
    """Which periods start a new segment: `rebase_points` of every series at once, as a mask.

    Series `i` covers `starts[bounds[i]:bounds[i + 1]]`; its rebases are those of
    `series_rebases` (the definition's and those recorded).
    """
    marks = np.zeros(len(starts), dtype=bool)
    owners: list[int] = []
    days: list[date] = []
    number_of = {}
    for number, (metric, area) in enumerate(zip(metrics, area_codes, strict=True)):
        if metric.spc.rebase_at:
            owners += [number] * len(metric.spc.rebase_at)
            days += metric.spc.rebase_at
        if recorded:
            number_of[(metric.id, str(area))] = number
    for key, found in recorded.items():
        if key in number_of:
            owners += [number_of[key]] * len(found)
            days += [r.period_start for r in found]
    if not owners or len(starts) == 0:
        return marks
    # One binary search for all: series number and day make one rising key, because each
    # series' periods rise and the series follow one another
    edges = np.asarray(bounds, dtype=np.int64)
    day = np.asarray(starts, dtype="datetime64[D]").astype(np.int64)
    wanted = np.array(days, dtype="datetime64[D]").astype(np.int64)
    low = min(int(day.min()), int(wanted.min()))
    span = max(int(day.max()), int(wanted.max())) - low + 1
    series = np.repeat(np.arange(edges.size - 1, dtype=np.int64), np.diff(edges))
    owner = np.array(owners, dtype=np.int64)
    found_at = np.searchsorted(series * span + (day - low), owner * span + (wanted - low))
    position = found_at - edges[owner]
    inside = (position > 0) & (found_at < edges[owner + 1])
    marks[found_at[inside]] = True
    return marks


@dataclass(frozen=True)
class LimitSegment:
    """One set of mean and limits on a chart: the periods it covers and those it comes from."""

    first: date  # first period of the segment
    last: date  # last period of the segment
    points: int  # figures in the segment
    baseline_last: date  # last period the mean and limits come from
    baseline_points: int  # how many figures they come from
    rebase: Rebase | None  # what started this segment (None: the first period shown)

    @property
    def trial(self) -> bool:
        """Whether these are trial limits: worked out from fewer than 12 figures."""
        return self.baseline_points < MIN_RELIABLE_POINTS

    @property
    def fixed(self) -> bool:
        """Whether the limits come from the segment's first figures only (a fixed baseline)."""
        return self.baseline_points < self.points


def limit_segments(
    starts: Sequence[date], spc: SpcResult, rebases: Sequence[Rebase]
) -> tuple[LimitSegment, ...]:
    """Each set of limits of an SPC result over periods `starts`, with the rebase behind it."""
    at = rebase_points(starts, rebases)
    return tuple(
        LimitSegment(
            first=starts[first],
            last=starts[end - 1],
            points=int(np.isfinite(spc.columns["value"][first:end]).sum()),
            baseline_last=starts[last],
            baseline_points=baseline,
            rebase=at.get(first),
        )
        for first, end, baseline, last in spc.segments
    )


@dataclass(frozen=True)
class SeriesView:
    """A metric's series for one area, in a window of periods, with SPC over that window.

    The mean, limits and readings come from the periods in `frame` (the periods shown);
    `segments` says which periods each set of limits comes from.
    """

    metric: Metric
    area_code: str
    frame: pd.DataFrame
    spc: SpcResult | None
    all_periods: pd.DataFrame  # period_start and period label of every period held
    segments: tuple[LimitSegment, ...] = ()
    rebases: tuple[Rebase, ...] = ()  # every rebase of the series, shown or not

    @property
    def empty(self) -> bool:
        """Whether there is no data to show."""
        return self.frame.empty

    @property
    def shows_latest(self) -> bool:
        """Whether the last period shown is the latest period held."""
        if self.frame.empty or self.all_periods.empty:
            return True
        return bool(
            self.frame["period_start"].iloc[-1] == self.all_periods["period_start"].iloc[-1]
        )

    @property
    def latest_period(self) -> str | None:
        """The label of the latest period held."""
        return None if self.all_periods.empty else str(self.all_periods["period"].iloc[-1])


def series_view(
    metric: Metric,
    observations: pd.DataFrame,
    area_code: str,
    start: date | None = None,
    end: date | None = None,
    *,
    county: str,
    rebases: Rebases | None = None,
    whole: bool = False,
) -> SeriesView:
    """Build the series for one area from current observations (any metrics, any areas).

    The periods shown run from `start` (else the default window of the latest `SPC_WINDOW`
    figures up to `end`, or every period when `whole`) to `end` (else the latest); SPC is
    worked out over them. `county` is the council's own area: a district's target line is
    its own (if any). `rebases` are those recorded, by metric and area.
    """
    ours = np.flatnonzero(
        rows_with(observations["metric_id"], metric.id)
        & rows_with(observations["area_code"], area_code)
    )
    # The series' rows in period order, column by column as arrays: pandas' own selection,
    # sort and column assignments cost more than the few hundred figures
    every_day = observations["period_start"].to_numpy(dtype="datetime64[D]")[ours]
    order = np.argsort(every_day, kind="stable")
    rows = ours[order]
    # Each period as a day, and as a `datetime.date` (made by numpy in one step)
    days = every_day[order]
    starts = days.astype(object).tolist()
    labels = [period_label(metric.frequency, s) for s in starts]
    keep = np.ones(len(days), dtype=bool)
    if start is not None:
        keep &= days >= np.datetime64(start, "D")
    if end is not None:
        keep &= days <= np.datetime64(end, "D")
    if start is None and not whole:
        chosen = np.flatnonzero(keep)
        keep[chosen[: window_start(chosen.size)]] = False
    picked = np.flatnonzero(keep)
    shown_rows = rows[picked]
    shown_starts = [starts[i] for i in picked.tolist()]
    values = observations["value"].to_numpy(dtype=float)[shown_rows]
    targets = area_targets_for(metric, area_code, county, days[picked])
    # Every period held; the periods shown are taken from its columns, typed as they are
    frame = pd.DataFrame({"period_start": starts, "period": labels})
    shown_columns: dict[str, Any] = {
        "period_start": frame["period_start"].array.take(picked),
        "period": frame["period"].array.take(picked),
        "value": values,
        **{
            name: observations[name].to_numpy()[shown_rows] if name in observations else None
            for name in ("numerator", "denominator")
        },
        "target": targets,
    }
    series_rebases_ = series_rebases(metric, area_code, rebases or {})
    spc = None
    segments: tuple[LimitSegment, ...] = ()
    if len(picked) >= 2:
        latest_target = float(targets[-1])
        spc = spc_for(
            metric,
            values,
            shown_starts,
            None if np.isnan(latest_target) else latest_target,
            series_rebases_,
        )
        for column in ("mean", "lpl", "upl", "special_cause", "point_type", "segment"):
            shown_columns[column] = spc.columns[column]
        segments = limit_segments(shown_starts, spc, series_rebases_)
    shown = pd.DataFrame(shown_columns, index=pd.RangeIndex(len(picked)))
    return SeriesView(
        metric,
        area_code,
        shown,
        spc,
        frame,
        segments,
        series_rebases_,
    )

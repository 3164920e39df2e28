"""Status against target: RAG with tolerance, direction of travel and year to date.

Everything here is a pure function over numbers or DataFrames. The table functions work on
every metric and area at once with numpy, because the engine runs them over the whole
warehouse after each load.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from metrics.engine.periods import FREQUENCIES, FY_START_MONTH
from metrics.engine.series_layout import SeriesLayout, series_layout
from metrics.registry.model import Metric, Polarity, TargetStep

GREEN, AMBER, RED = "green", "amber", "red"
NO_TARGET, NO_DATA = "no_target", "no_data"
RAG_VALUES = (GREEN, AMBER, RED, NO_TARGET, NO_DATA)
IMPROVING, WORSENING, NO_CHANGE, UP, DOWN = "improving", "worsening", "no_change", "up", "down"
DIRECTIONS = (IMPROVING, WORSENING, NO_CHANGE, UP, DOWN)

KEY = ["metric_id", "area_code"]
STATUS_COLUMNS = [
    "metric_id",
    "area_code",
    "period_start",
    "value",
    "target",
    "rag",
    "previous_value",
    "direction",
    "last_year_value",
    "direction_year",
    "ytd_value",
]

_SIGN = {"higher_is_better": 1, "lower_is_better": -1, "neutral": 0}
_RAG_WORDS = np.array(RAG_VALUES, dtype=object)
_RED_CODE = RAG_VALUES.index(RED)
# Rows from one period back to the same period a year before, for a series with no gaps
_PERIODS_A_YEAR = {"weekly": 52, "monthly": 12, "quarterly": 4}
_DIRECTION_WORDS = np.array([None, IMPROVING, WORSENING, UP, DOWN, NO_CHANGE], dtype=object)
# Values stored with a few decimals rarely compare exactly; this counts as "the same"
_EPSILON = 1e-9


def rag(value: float | None, target: float | None, polarity: Polarity, band: float = 0.0) -> str:
    """Red, amber or green for one value against its target, with an amber band this wide."""
    out = rag_array(
        np.array([np.nan if value is None else value], dtype=float),
        np.array([np.nan if target is None else target], dtype=float),
        np.array([_SIGN[polarity]]),
        np.array([band], dtype=float),
    )
    return str(out[0])


def rag_array(
    values: np.ndarray, targets: np.ndarray, signs: np.ndarray, bands: np.ndarray
) -> np.ndarray:
    """RAG for many values: `signs` is +1 (higher is better), -1 (lower) or 0 (neutral)."""
    return _RAG_WORDS[_rag_codes(values, targets, signs, bands)]


def _rag_codes(
    values: np.ndarray, targets: np.ndarray, signs: np.ndarray, bands: np.ndarray
) -> np.ndarray:
    """rag_array as positions in RAG_VALUES: far cheaper than a string per row."""
    # Turning every measure into "higher is better" lets one comparison serve both polarities
    shortfall = (targets - values) * signs
    slack = _EPSILON * np.maximum(1.0, np.abs(targets))
    code = np.where(shortfall <= bands + slack, 1, 2)
    code[shortfall <= slack] = 0
    code[np.isnan(values)] = 4
    code[np.isnan(targets) | (signs == 0)] = 3
    return code


def direction(current: float | None, previous: float | None, polarity: Polarity) -> str | None:
    """Improving, worsening or no change (up, down or no change for a neutral measure)."""
    out = direction_array(
        np.array([np.nan if current is None else current], dtype=float),
        np.array([np.nan if previous is None else previous], dtype=float),
        np.array([_SIGN[polarity]]),
    )
    return None if out[0] is None else str(out[0])


def direction_array(current: np.ndarray, previous: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Direction of travel for many pairs of values; None where either value is missing."""
    change = current - previous
    slack = _EPSILON * np.maximum(1.0, np.abs(previous))
    better = change * signs
    code = np.zeros(current.shape, dtype=np.int8)
    known = ~np.isnan(change)
    code[known & (better > slack)] = 1
    code[known & (better < -slack)] = 2
    neutral = known & (signs == 0)
    code[neutral & (change > slack)] = 3
    code[neutral & (change < -slack)] = 4
    code[known & (np.abs(change) <= slack)] = 5
    return _DIRECTION_WORDS[code]


def targets_for(metric: Metric, starts: np.ndarray) -> np.ndarray:
    """The council's own target in force for each period start (datetime64[D]); NaN if none."""
    return _schedule(metric.target, starts)


def area_targets_for(
    metric: Metric, area_code: str, county: str | None, starts: np.ndarray
) -> np.ndarray:
    """The target for each period of one area: the county's, or a district's own.

    A district has a target only by the metric's `district_targets`; a county target is
    never simply applied to a district (a count for the whole county is not a district's).
    `county` None means every area is the council's own.
    """
    if county is None or area_code == county:
        return targets_for(metric, starts)
    rule = metric.district_targets
    if rule is None:
        return np.full(len(starts), np.nan)
    if area_code in rule.areas:
        return _schedule(rule.areas[area_code], starts)
    if area_code in rule.share_of_county:
        return targets_for(metric, starts) * rule.share_of_county[area_code]
    if rule.same_as_county:
        return targets_for(metric, starts)
    return np.full(len(starts), np.nan)


def _schedule(target: float | tuple[TargetStep, ...] | None, starts: np.ndarray) -> np.ndarray:
    if target is None:
        return np.full(len(starts), np.nan)
    if isinstance(target, int | float):
        return np.full(len(starts), float(target))
    steps = np.array([s.from_ for s in target], dtype="datetime64[D]")
    values = np.array([np.nan] + [s.value for s in target], dtype=float)
    return values[np.searchsorted(steps, starts.astype("datetime64[D]"), side="right")]


def tolerance_bands(metric: Metric, targets: np.ndarray) -> np.ndarray:
    """Width of the amber band for each target (zero when the metric has no tolerance)."""
    tolerance = metric.tolerance
    if tolerance is None:
        return np.zeros(len(targets))
    if tolerance.absolute is not None:
        return np.full(len(targets), tolerance.absolute)
    return np.abs(targets) * (tolerance.percent or 0.0) / 100.0


def figure_rag(metric: Metric, target: float | None, value: float | None) -> str:
    """One figure against a target, with the metric's tolerance and polarity: as the engine
    judges a stored figure, for a figure not yet loaded (a data return)."""
    band = float(tolerance_bands(metric, np.array([np.nan if target is None else target]))[0])
    return rag(value, target, metric.polarity, 0.0 if np.isnan(band) else band)


def status_table(
    metrics: Iterable[Metric], observations: pd.DataFrame, county: str | None = None
) -> pd.DataFrame:
    """Status of every observation of these metrics: target, RAG, directions and year to date.

    `observations` needs metric_id, area_code, period_start and value; rows for metrics not
    given are dropped. `county` is the council's own area: other areas are judged against
    their district targets only (see `area_targets_for`); None treats every row as the
    council's own. The result is in series order (metric, area, period). Previous-period
    and last-year values are looked up by date, so a gap in a series gives no direction
    rather than a comparison with the wrong period.
    """
    return status_layout(metrics, series_layout(observations), county).frame


def status_layout(
    metrics: Iterable[Metric], layout: SeriesLayout, county: str | None = None
) -> SeriesLayout:
    """`status_table` of observations already laid out by series, laid out alike.

    The engine lays its observations out once and passes the layout along.
    """
    found = _judge(metrics, layout, county)
    out = found.layout.frame.assign(
        rag=rag_array(found.values, found.targets, found.signs, found.bands),
        previous_value=found.previous,
        direction=direction_array(found.values, found.previous, found.signs),
        last_year_value=found.last_year,
        direction_year=direction_array(found.values, found.last_year, found.signs),
        ytd_value=found.ytd,
    )
    return replace(found.layout, frame=out[STATUS_COLUMNS])


def latest_judged(
    metrics: Iterable[Metric], layout: SeriesLayout, county: str | None = None
) -> tuple[SeriesLayout, pd.DataFrame, pd.Series]:
    """What the status snapshot needs of `status_table`, without judging every row in full.

    Returns the observations judged (metric_id, area_code, period_start, value and target,
    laid out by series), `latest_status` of the status table and its `consecutive_red`.
    Every row is judged red or not; directions, and RAG in words, only for each series'
    latest row, the one the snapshot stores.
    """
    found = _judge(metrics, layout, county, latest_only=True)
    has_value = ~np.isnan(found.values)
    red_periods = _red_in_a_row(found.layout, has_value, _red_rows(found))
    rows = found.asked
    values, signs = found.values[rows], found.signs[rows]
    codes = _rag_codes(values, found.targets[rows], signs, found.bands[rows])
    latest = (
        found.layout.frame.iloc[rows]
        .reset_index(drop=True)
        .assign(
            rag=_RAG_WORDS[codes],
            previous_value=found.previous,
            direction=direction_array(values, found.previous, signs),
            last_year_value=found.last_year,
            direction_year=direction_array(values, found.last_year, signs),
            ytd_value=found.ytd,
        )
    )
    return found.layout, latest[STATUS_COLUMNS], red_periods


def _red_rows(found: _Judged) -> np.ndarray:
    """Which rows are red: `_rag_codes` worked out only where a row has a target to miss."""
    red = np.zeros(found.values.size, dtype=bool)
    # Rows with no target, or of a neutral measure, are never red: most rows of most series
    judged = np.flatnonzero(~np.isnan(found.targets) & (found.signs != 0))
    codes = _rag_codes(
        found.values[judged], found.targets[judged], found.signs[judged], found.bands[judged]
    )
    red[judged] = codes == _RED_CODE
    return red


@dataclass(frozen=True)
class _Judged:
    """Observations with their targets, and for the rows asked about, the figures they are
    compared with, as numbers."""

    layout: SeriesLayout  # metric_id, area_code, period_start, value and target
    values: np.ndarray
    targets: np.ndarray
    signs: np.ndarray
    bands: np.ndarray
    asked: np.ndarray  # the rows `previous`, `last_year` and `ytd` are for
    previous: np.ndarray
    last_year: np.ndarray
    ytd: np.ndarray


def _judge(
    metrics: Iterable[Metric], layout: SeriesLayout, county: str | None, latest_only: bool = False
) -> _Judged:
    by_id = {m.id: m for m in metrics}
    # Unknown metrics are dropped by series, not by comparing every row's metric id
    layout = layout.subset(np.array([m in by_id for m in layout.metric_ids], dtype=bool))
    frame = layout.frame[["metric_id", "area_code", "period_start", "value"]]
    starts = frame["period_start"].to_numpy(dtype="datetime64[D]")
    values = frame["value"].to_numpy(dtype=float)
    n = len(frame)
    if latest_only:
        asked = _last_true(layout, ~np.isnan(values))
        asked = asked[asked >= 0]
    else:
        asked = np.arange(n)
    targets = np.full(n, np.nan)
    bands = np.zeros(n)
    signs = np.zeros(n, dtype=np.int64)
    wants_ytd = np.zeros(n, dtype=bool)
    asked_starts = starts[asked]
    back = np.zeros(asked.size, dtype="datetime64[D]")
    year_back = np.zeros(asked.size, dtype="datetime64[D]")
    per_year = np.ones(asked.size, dtype=np.int64)
    biennial = np.zeros(asked.size, dtype=bool)
    # Each row's area is read only for measures with district targets (the copy is not cheap)
    areas: np.ndarray | None = None
    # Rows of areas other than the county, compared once per series rather than per row
    elsewhere = np.repeat(layout.area_codes != county, layout.lengths)
    for metric_id, rows in layout.metric_rows():
        metric = by_id[metric_id]
        if county is None or metric.district_targets is None:
            # Only the council's own rows have a target: the common case, done in one go
            targets[rows] = targets_for(metric, starts[rows])
            if county is not None:
                targets[rows][elsewhere[rows]] = np.nan
        else:
            if areas is None:
                areas = frame["area_code"].to_numpy(dtype=object)
            for area in np.unique(areas[rows]):
                mine = np.flatnonzero(areas[rows] == area) + rows.start
                targets[mine] = area_targets_for(metric, str(area), county, starts[mine])
        bands[rows] = tolerance_bands(metric, targets[rows])
        signs[rows] = _SIGN[metric.polarity]
        wants_ytd[rows] = metric.year_to_date == "sum"
        first, last = np.searchsorted(asked, [rows.start, rows.stop]).tolist()
        mine_asked = slice(first, last)
        back[mine_asked], year_back[mine_asked] = earlier_starts(
            metric.frequency, asked_starts[mine_asked]
        )
        per_year[mine_asked] = _PERIODS_A_YEAR.get(metric.frequency, 1)
        biennial[mine_asked] = metric.frequency == "biennial"

    series = layout.row_series()
    previous = _lookup(series, starts, values, asked, back, 1)
    if biennial.any():
        # A survey put off a year (as in 2020) is still the survey before: look a year further
        later = (back.astype("datetime64[M]") - np.timedelta64(12, "M")).astype("datetime64[D]")
        missing = biennial & np.isnan(previous)
        previous[missing] = _lookup(series, starts, values, asked, later, 1)[missing]
        year_back = np.where(biennial, back, year_back)
    last_year = _lookup(series, starts, values, asked, year_back, per_year)
    if biennial.any():
        last_year = np.where(biennial, previous, last_year)
    judged = frame.assign(
        period_start=starts.astype("datetime64[ns]"), value=values, target=targets
    )
    return _Judged(
        layout=replace(layout, frame=judged),
        values=values,
        targets=targets,
        signs=signs,
        bands=bands,
        asked=asked,
        previous=previous,
        last_year=last_year,
        ytd=_year_to_date(series, starts, values, wants_ytd)[asked]
        if not latest_only
        else _year_to_date_at(series, starts, values, wants_ytd, asked),
    )


def target_status(
    metric: Metric, observations: pd.DataFrame, county: str | None = None
) -> pd.DataFrame:
    """Status of one metric's observations (every area it has)."""
    return status_table([metric], observations, county)


def latest_status(table: pd.DataFrame, layout: SeriesLayout | None = None) -> pd.DataFrame:
    """The latest period with a value, for each metric and area of a status table.

    Pass the table's `layout` when you already have it, to save working it out again.
    """
    layout = layout or series_layout(table)
    has_value = layout.frame["value"].notna().to_numpy()
    rows = _last_true(layout, has_value)
    return layout.frame.iloc[rows[rows >= 0]].reset_index(drop=True)


def consecutive_red(table: pd.DataFrame, layout: SeriesLayout | None = None) -> pd.Series:
    """For each metric and area, how many of its latest periods with a value in a row are red."""
    layout = layout or series_layout(table)
    frame = layout.frame
    has_value = frame["value"].notna().to_numpy()
    return _red_in_a_row(layout, has_value, (frame["rag"] == RED).to_numpy())


def _red_in_a_row(layout: SeriesLayout, has_value: np.ndarray, red: np.ndarray) -> pd.Series:
    # Reds in a row are those after the last period with a value that was not red
    last_break = _last_true(layout, has_value & ~red)
    series = layout.row_series()
    after_break = np.arange(len(red)) > np.where(last_break >= 0, last_break, -1)[series]
    counts = np.bincount(series[after_break & red & has_value], minlength=layout.count)
    index = pd.MultiIndex.from_arrays([layout.metric_ids, layout.area_codes], names=KEY)
    return pd.Series(counts.astype(np.int64), index=index, name="red_periods")


def _last_true(layout: SeriesLayout, mask: np.ndarray) -> np.ndarray:
    """For each series, the row of its last True in `mask`, or -1 when it has none."""
    if layout.count == 0:
        return np.array([], dtype=np.int64)
    marked = np.where(mask, np.arange(len(mask)), -1)
    return np.maximum.reduceat(marked, layout.bounds[:-1]) if len(mask) else marked


def earlier_starts(frequency: str, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The start of the previous period, and of the same period a year before, for each start."""
    if frequency == "weekly":
        return starts - np.timedelta64(7, "D"), starts - np.timedelta64(364, "D")
    months = starts.astype("datetime64[M]")
    step = FREQUENCIES[frequency].step_months
    # A survey every other year is compared with the survey before, not an empty year
    year = max(step, 12)
    return (
        (months - np.timedelta64(step, "M")).astype("datetime64[D]"),
        (months - np.timedelta64(year, "M")).astype("datetime64[D]"),
    )


def _lookup(
    series: np.ndarray,
    starts: np.ndarray,
    values: np.ndarray,
    asked: np.ndarray,
    wanted: np.ndarray,
    rows_back: int | np.ndarray,
) -> np.ndarray:
    """For each row asked about, the value its series has on the `wanted` day (NaN if none).

    `rows_back` is where the wanted day usually is (that many rows earlier, in a series
    without gaps): checking there first leaves the binary search only the few rows it misses.
    """
    days = starts.astype(np.int64)
    want = wanted.astype(np.int64)
    n = len(values)
    out = np.full(asked.size, np.nan)
    if asked.size == 0:
        return out
    guess = np.maximum(asked - rows_back, 0)
    hit = (days[guess] == want) & (series[guess] == series[asked])
    out[hit] = values[guess[hit]]
    missed = np.flatnonzero(~hit)
    if missed.size:
        # Rows are sorted by series then date, so (series, day) keys are sorted and searchable
        keys = series.astype(np.int64) * 1_000_000 + days
        wanted_keys = series[asked[missed]].astype(np.int64) * 1_000_000 + want[missed]
        at = np.searchsorted(keys, wanted_keys)
        found = at < n
        found[found] = keys[at[found]] == wanted_keys[found]
        out[missed[found]] = values[at[found]]
    return out


def _year_to_date(
    series: np.ndarray, starts: np.ndarray, values: np.ndarray, wanted: np.ndarray
) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if not wanted.any():
        return out
    known = np.nan_to_num(values)
    running = np.cumsum(known)
    # Only the series wanted need their years worked out (every row of them, so that each
    # year's first row is there)
    whole = (np.bincount(series[wanted], minlength=int(series.max()) + 1) > 0)[series]
    rows = np.flatnonzero(whole)
    days = starts[rows].astype("datetime64[D]")
    # Which financial year each day is in, as how many year starts have passed: a binary
    # search over a few dozen dates is much cheaper than turning every day into a month
    first, last = (int(str(d.astype("datetime64[Y]"))) for d in (days.min(), days.max()))
    year_starts = np.array(
        [f"{y:04d}-{FY_START_MONTH:02d}-01" for y in range(first - 1, last + 2)],
        dtype="datetime64[D]",
    )
    group = series[rows].astype(np.int64) * 10_000 + np.searchsorted(
        year_starts, days, side="right"
    )
    first_rows = np.r_[True, group[1:] != group[:-1]]
    # Subtract the running total just before each year began, for every row of that year
    began = rows[np.maximum.accumulate(np.where(first_rows, np.arange(rows.size), 0))]
    out[rows] = running[rows] - (running[began] - known[began])
    out[~wanted | np.isnan(values)] = np.nan
    return out


def _year_to_date_at(
    series: np.ndarray, starts: np.ndarray, values: np.ndarray, wanted: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """`_year_to_date(...)[rows]`, the same to the last bit, without working out every row.

    Each row's year is found from its own date, and the year's first row of its series by a
    binary search; the sums are the same differences of the same running total.
    """
    out = np.full(rows.size, np.nan)
    if not wanted.any():
        return out
    known = np.nan_to_num(values)
    running = np.cumsum(known)
    mine = np.flatnonzero(wanted[rows] & ~np.isnan(values[rows]))
    at = rows[mine]
    days = starts[at].astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    # The financial year began in its April: this calendar year's, or last year's before April
    into_year = (months - years.astype("datetime64[M]")).astype(np.int64)
    began_year = years - (into_year < FY_START_MONTH - 1).astype(np.int64)
    year_start = (
        began_year.astype("datetime64[M]") + np.timedelta64(FY_START_MONTH - 1, "M")
    ).astype("datetime64[D]")
    # Rows are sorted by series then date, so (series, day) keys are sorted and searchable
    keys = series.astype(np.int64) * 1_000_000 + starts.astype("datetime64[D]").astype(np.int64)
    wanted_keys = series[at].astype(np.int64) * 1_000_000 + year_start.astype(np.int64)
    began = np.searchsorted(keys, wanted_keys, side="left")
    out[mine] = running[at] - (running[began] - known[began])
    return out

"""`metrics.spc.xmr_all` (every series at once) gives exactly what `metrics.spc.xmr` gives each
series: the same variation, assurance, mean, limits, trial flag and warnings, to the last bit.

Hand-made series aim at each rule's edges; thousands of random series (fixed seed) cover the
combinations. Every batch runs its series end to end in one call, so a rule leaking from one
series (or segment) into the next would show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from metrics.engine.series import Rebase, rebase_points, series_rebases, spc_for
from metrics.engine.series_layout import series_layout
from metrics.engine.snapshot import spc_table
from metrics.registry.loader import Registry
from metrics.spc import SpcHeadlines, xmr, xmr_all

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Case:
    """One series and the xmr options it is read with."""

    values: Sequence[float]
    improvement: str = "increase"
    target: float | None = None
    rebase_at: tuple[int, ...] = ()
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    run_length: int = 7
    trend_length: int = 7
    name: str = field(default="", compare=False)


def run_batch(cases: list[Case]) -> SpcHeadlines:
    """All the cases in one call of xmr_all."""
    lengths = [len(c.values) for c in cases]
    bounds = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    rebase = np.zeros(int(bounds[-1]), dtype=bool)
    for start, case in zip(bounds[:-1], cases, strict=False):
        rebase[[start + i for i in case.rebase_at]] = True
    return xmr_all(
        np.array([v for c in cases for v in c.values], dtype=float),
        bounds,
        improvement=[c.improvement for c in cases],
        target=[c.target for c in cases],
        rebase=rebase,
        fix_after_n_points=[c.fix_after_n_points for c in cases],
        screen_outliers=[c.screen_outliers for c in cases],
        run_length=[c.run_length for c in cases],
        trend_length=[c.trend_length for c in cases],
        warnings=True,
    )


def same_number(got: float, expected: float | None) -> bool:
    """NaN stands for None; otherwise the very same float."""
    if expected is None:
        return math.isnan(got)
    return got == expected and math.copysign(1, got) == math.copysign(1, expected)


def assert_identical(cases: list[Case]) -> None:
    """Every headline of every case matches xmr run on that case alone."""
    batch = run_batch(cases)
    assert len(batch) == len(cases)
    assert batch.warnings is not None
    for number, case in enumerate(cases):
        one = xmr(
            case.values,
            improvement=case.improvement,
            target=case.target,
            rebase_at=case.rebase_at,
            fix_after_n_points=case.fix_after_n_points,
            screen_outliers=case.screen_outliers,
            run_length=case.run_length,
            trend_length=case.trend_length,
        )
        where = f"series {number} {case.name or case}"
        assert batch.variation[number] == one.variation, where
        assert batch.assurance[number] == one.assurance, where
        for name in ("mean", "lpl", "upl"):
            got, expected = getattr(batch, name)[number], getattr(one, name)
            assert same_number(got, expected), f"{where}: {name} {got!r} != {expected!r}"
        assert bool(batch.trial[number]) == one.trial, where
        assert list(batch.warnings[number]) == one.warnings, where


# --- hand-made series at the edges of each rule -------------------------------------------

NOISE = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 12, 11, 10, 11]
JUMP = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40]  # the 30 range is screened out
RUN_OF_7 = [12, 10] * 6 + [13] * 7  # the last seven above the mean, the one before below
RUN_OF_6 = [12, 10] * 6 + [13] * 6
TREND_OF_7 = [11, 10] * 5 + [9.5, 10.2, 10.4, 10.6, 10.8, 11.0, 11.2]  # seven rising
TREND_OF_6 = [11, 10] * 5 + [9.5, 10.2, 10.4, 10.6, 10.8, 11.0]
# The last and last but two between the 2-sigma line and the upper limit, the middle above the mean
TWO_IN_THREE = [11, 11.5] * 8 + [12.4, 11.6, 12.4]


def _limit(values: Sequence[float], which: str) -> float:
    found = getattr(xmr(values), which)
    assert found is not None
    return float(found)


HAND_MADE = [
    Case([], name="no values"),
    Case([5.0], name="one point"),
    Case([5.0], target=5.0, name="one point with a target"),
    Case([5.0, 6.0], target=5.5, name="two points"),
    Case([NAN, NAN, NAN], name="only gaps"),
    Case([INF, 3.0, NAN], name="an infinity and one point"),
    Case([-INF, INF], name="only infinities"),
    Case([4.0] * 15, target=4.0, name="flat on its target"),
    Case([4.0] * 15, target=4.5, improvement="decrease", name="flat under target"),
    Case([4.0] * 3 + [NAN] + [4.0] * 3, name="flat with a gap"),
    Case([1, NAN, 2, INF, 3, NAN, 4, 5, 6, 7, 8, 9, 10, NAN], name="a trend across gaps"),
    Case(NOISE, name="noise"),
    Case(NOISE, improvement="neutral", target=10.0, name="neutral with a target"),
    Case(JUMP, name="an outlier screened"),
    Case(JUMP, screen_outliers=False, name="an outlier not screened"),
    Case(JUMP, improvement="decrease", target=15.0, name="outlier, lower is better"),
    Case(RUN_OF_7, name="run of exactly 7"),
    Case(RUN_OF_7, improvement="decrease", name="run of 7, lower is better"),
    Case(RUN_OF_6, name="run of 6"),
    Case(RUN_OF_6, run_length=6, name="run of 6 with run_length 6"),
    Case(TREND_OF_7, name="trend of exactly 7"),
    Case(TREND_OF_6, name="trend of 6"),
    Case(TREND_OF_6, trend_length=6, improvement="neutral", name="trend of 6, length 6"),
    Case([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], name="rise then fall: the peak"),
    Case([5, 5, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12], name="a trend between ties"),
    Case(TWO_IN_THREE, name="two in three near the upper limit"),
    Case([22 - x for x in TWO_IN_THREE], improvement="decrease", name="two in three low"),
    Case(NOISE, target=_limit(NOISE, "upl"), name="target exactly on the upper limit"),
    Case(NOISE, target=_limit(NOISE, "lpl"), name="target exactly on the lower limit"),
    Case(
        NOISE,
        target=_limit(NOISE, "upl"),
        improvement="decrease",
        name="on the upper limit, lower is better",
    ),
    Case(NOISE, target=_limit(NOISE, "upl") + 1e-9, name="just above the upper limit"),
    Case(NOISE, target=_limit(NOISE, "lpl") - 1e-9, name="just below the lower limit"),
    Case(NOISE[:11], target=11.0, name="eleven points"),
    Case(NOISE[:11] + [NAN], name="eleven points and a gap"),
    Case(NOISE * 2, rebase_at=(14,), target=10.5, name="a rebase"),
    Case(NOISE * 2, rebase_at=(0, 14, 14), name="a rebase given twice, and at 0"),
    Case(NOISE * 2, rebase_at=(27,), name="a rebase leaving one point"),
    Case(NOISE * 2, rebase_at=(26,), name="a rebase leaving two points"),
    Case([*NOISE, NAN, NAN], rebase_at=(14,), name="a rebase into trailing gaps"),
    Case([*NOISE, NAN, NAN, 12.0], rebase_at=(14,), name="a rebase onto a gap"),
    Case(NOISE * 3, rebase_at=(5, 30), fix_after_n_points=4, name="fixed and rebased"),
    Case(NOISE * 2, fix_after_n_points=12, target=11.0, name="a fixed baseline"),
    Case(NOISE * 2, fix_after_n_points=40, name="fixed beyond the end"),
    Case([NAN, NAN, *NOISE], fix_after_n_points=3, name="fixed, gaps first"),
    Case(RUN_OF_7, fix_after_n_points=2, name="fixed on two points"),
    Case([1e12 + x for x in NOISE], name="large values"),
    Case([1e-12 * x for x in NOISE], name="tiny values"),
    Case([-x for x in TREND_OF_7], target=-12.0, name="negative values"),
    Case([0.1 * x for x in range(200)], name="longer than numpy's summing block"),
]


def test_hand_made_series_read_alike() -> None:
    assert_identical(HAND_MADE)


@pytest.mark.parametrize(
    ("values", "rule", "fires"),
    [
        (RUN_OF_7, "in_run", True),
        (RUN_OF_6, "in_run", False),
        (TREND_OF_7, "in_trend", True),
        (TREND_OF_6, "in_trend", False),
        (TWO_IN_THREE, "two_in_three", True),
        (JUMP, "outside_limits", True),
    ],
)
def test_the_hand_made_series_are_at_the_edges_they_are_named_for(
    values: Sequence[float], rule: str, fires: bool
) -> None:
    """Each edge case really is at its edge: the rule fires (or not) on its last point."""
    assert bool(xmr(values).points[rule].iloc[-1]) is fires


def test_each_hand_made_series_alone_reads_alike() -> None:
    for case in HAND_MADE:
        assert_identical([case])


def test_no_series_at_all() -> None:
    found = xmr_all([], [0])
    assert len(found) == 0
    assert found.frame().empty


# --- thousands of random series ---------------------------------------------------------


def random_case(rng: np.random.Generator) -> Case:
    """A series with ties, level shifts, ramps, outliers and gaps, and random options."""
    n = int(rng.choice([rng.integers(0, 15), rng.integers(10, 70), rng.integers(60, 300)]))
    decimals = int(rng.integers(0, 3))
    values = rng.normal(0, 1, n).round(decimals)
    if n and rng.random() < 0.5:
        values += np.repeat(rng.normal(0, 2, 3), -(-n // 3))[:n]
    if rng.random() < 0.3:
        values += np.linspace(0, rng.normal(0, 6), n)
    if n and rng.random() < 0.2:
        values[rng.integers(0, n)] += rng.normal(0, 30)
    if n and rng.random() < 0.1:
        values[:] = round(float(values[0]), 1)
    if rng.random() < 0.3:
        values = values * 10.0 ** float(rng.integers(-3, 6)) + rng.normal(0, 100)
    listed: list[float] = values.tolist()
    if n and rng.random() < 0.3:
        for at in rng.integers(0, n, int(rng.integers(1, 4))).tolist():
            listed[at] = float(rng.choice([NAN, NAN, INF, -INF]))
    rebases = tuple(rng.integers(0, n, int(rng.integers(0, 3))).tolist()) if n else ()
    target = None
    if rng.random() < 0.7 and n:
        target = float(np.nanmedian(np.where(np.isfinite(values), values, np.nan)) + rng.normal())
    return Case(
        listed,
        improvement=str(rng.choice(["increase", "decrease", "neutral"])),
        target=None if target is None or math.isnan(target) else target,
        rebase_at=rebases if rng.random() < 0.4 else (),
        fix_after_n_points=int(rng.integers(2, 20)) if rng.random() < 0.2 else None,
        screen_outliers=bool(rng.random() < 0.8),
        run_length=int(rng.choice([7, 7, int(rng.integers(2, 10))])),
        trend_length=int(rng.choice([7, 7, int(rng.integers(2, 10))])),
    )


def test_thousands_of_random_series_read_alike() -> None:
    rng = np.random.default_rng(18)
    cases = [random_case(rng) for _ in range(3000)]
    assert_identical(cases)


def test_random_series_with_one_setting_for_all() -> None:
    rng = np.random.default_rng(1800)
    cases = [
        Case(random_case(rng).values, improvement="decrease", target=0.5, fix_after_n_points=9)
        for _ in range(500)
    ]
    batch = xmr_all(
        np.array([v for c in cases for v in c.values]),
        np.r_[0, np.cumsum([len(c.values) for c in cases])],
        improvement="decrease",
        target=0.5,
        fix_after_n_points=9,
    )
    for number, case in enumerate(cases):
        one = xmr(case.values, improvement="decrease", target=0.5, fix_after_n_points=9)
        assert (batch.variation[number], batch.assurance[number]) == (
            one.variation,
            one.assurance,
        )
        assert same_number(batch.upl[number], one.upl)


# --- the engine's reading of every series -------------------------------------------------


def test_the_snapshot_readings_are_those_of_each_series_alone(registry: Registry) -> None:
    """spc_table (every series at once) against spc_for on each series' window and rebases."""
    rng = np.random.default_rng(5)
    metrics = [m for m in registry.metrics if m.frequency == "monthly"][:6]
    county = registry.plan.county.code
    first = date(2015, 4, 1)
    rows, recorded = [], {}
    for number, metric in enumerate(metrics):
        count = [3, 40, 61, 90, 120, 12][number]
        starts = pd.date_range(first, periods=count, freq="MS")
        values = rng.normal(50, 3, count).round(1) + np.linspace(0, number, count)
        values[rng.integers(0, count)] = np.nan
        rows.append(
            pd.DataFrame(
                {
                    "metric_id": metric.id,
                    "area_code": county,
                    "period_start": starts,
                    "value": values,
                    "target": np.where(np.arange(count) % 2, 49.0, np.nan),
                }
            )
        )
        if number % 2:
            at = starts[count // 2].date()
            recorded[(metric.id, county)] = (
                Rebase(at, "A new service"),
                Rebase(starts[1].date(), "Before the window"),
                Rebase(date(2030, 1, 1), "Not yet"),
            )
    frame = pd.concat(rows, ignore_index=True)
    layout = series_layout(frame)
    table = spc_table(registry, layout, recorded)
    for metric in metrics:
        part = frame[frame["metric_id"] == metric.id].tail(60)
        rebases = recorded.get((metric.id, county), ())
        one = spc_for(
            metric,
            part["value"].to_numpy(),
            [d.date() for d in part["period_start"]],
            None if math.isnan(part["target"].iloc[-1]) else float(part["target"].iloc[-1]),
            series_rebases(metric, county, recorded),
        )
        row: dict[Any, Any] = table.xs((metric.id, county)).to_dict()
        assert row["variation"] == one.variation
        assert row["assurance"] == one.assurance or (
            one.assurance is None and pd.isna(row["assurance"])
        )
        assert same_number(row["lpl"], one.lpl) and same_number(row["upl"], one.upl)
        if rebases:
            assert rebase_points([d.date() for d in part["period_start"]], rebases)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"improvement": "up"},
        {"run_length": 1},
        {"trend_length": 2.5},
        {"fix_after_n_points": True},
    ],
)
def test_bad_options_are_refused_as_xmr_refuses_them(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        xmr([1.0, 2.0, 3.0], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        xmr_all([1.0, 2.0, 3.0], [0, 3], **kwargs)  # type: ignore[arg-type]

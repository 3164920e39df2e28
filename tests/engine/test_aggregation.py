"""The county figure worked out from the districts: sums, rates, and when nothing is derived."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.engine.aggregation import rates_missing_county, row_scales, with_derived_county
from metrics.engine.evaluate import evaluate
from metrics.engine.snapshot import build_snapshot
from metrics.registry.loader import Registry
from tests.engine.test_status import metric
from warehouse.engine import get_engine
from warehouse.observations import load_observations
from warehouse.schema import add_missing_columns, create_tables
from warehouse.snapshot import read_snapshot

COUNTY = "E10000028"
DISTRICTS = [f"E0700019{n}" for n in range(2, 10)]
APRIL, MAY, JUNE = "2024-04-01", "2024-05-01", "2024-06-01"
COLUMNS = ["metric_id", "area_code", "period_start", "value", "numerator", "denominator"]


def with_metrics(registry: Registry, *metrics: Any) -> Registry:
    """The shipped plan (one county, eight districts) with only these metrics."""
    return dataclasses.replace(registry, metrics=tuple(metrics))


def rows(
    metric_id: str, start: str, figures: Mapping[str, tuple[float | None, ...]]
) -> pd.DataFrame:
    """Rows for one period: each area's (value,) or (value, numerator, denominator)."""
    out = pd.DataFrame(
        [(metric_id, area, start, *(list(f) + [None, None])[:3]) for area, f in figures.items()],
        columns=COLUMNS,
    )
    out["period_start"] = pd.to_datetime(out["period_start"])
    return out.astype({"value": float, "numerator": float, "denominator": float})


def counts(metric_id: str, start: str, values: Sequence[float | None]) -> pd.DataFrame:
    """One count per district, in the plan's order."""
    return rows(metric_id, start, {a: (v,) for a, v in zip(DISTRICTS, values, strict=True)})


def rates(
    metric_id: str, start: str, scale: float, parts: Sequence[tuple[float, float]]
) -> pd.DataFrame:
    """One rate per district from (numerator, denominator), as sources round it: 1 decimal."""
    figures = {
        a: (round(n / d * scale, 1), n, d) for a, (n, d) in zip(DISTRICTS, parts, strict=True)
    }
    return rows(metric_id, start, figures)


def county_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["area_code"] == COUNTY].reset_index(drop=True)


JOBS = metric(
    id="jobs",
    unit="count",
    aggregation="sum",
    area_level="districts",
    target=375,
    year_to_date="sum",
)
SHARE = metric(id="share", unit="percent", aggregation="weighted", area_level="districts")
PER_100K = metric(id="deaths", unit="rate per 100k", aggregation="weighted", area_level="districts")
PARTS = [(120, 1000), (30, 400), (55, 900), (7, 250), (300, 2000), (81, 810), (12, 96), (40, 700)]


def test_a_count_county_is_the_sum_of_its_districts(registry: Registry) -> None:
    frame = pd.concat(
        [
            counts("jobs", APRIL, [10, 20, 30, 40, 50, 60, 70, 80]),
            counts("jobs", MAY, [1, 2, 3, 4, 5, 6, 7, 8.5]),
        ]
    )
    out = with_derived_county(with_metrics(registry, JOBS), frame)
    county = county_rows(out)
    assert county["value"].tolist() == [360.0, 36.5]
    assert county["derived"].tolist() == [True, True]
    assert not out.loc[out["area_code"] != COUNTY, "derived"].any()
    assert len(out) == 18
    assert out["derived"].dtype == bool


def test_a_percentage_is_summed_numerators_over_summed_denominators(registry: Registry) -> None:
    out = with_derived_county(with_metrics(registry, SHARE), rates("share", APRIL, 100, PARTS))
    county = county_rows(out).iloc[0]
    numerator, denominator = sum(n for n, _ in PARTS), sum(d for _, d in PARTS)
    assert county["value"] == pytest.approx(numerator / denominator * 100)
    assert (county["numerator"], county["denominator"]) == (numerator, denominator)
    assert county["derived"]
    # Not the mean of the district percentages, which weighs a small district like a large one
    assert county["value"] != pytest.approx(np.mean([n / d * 100 for n, d in PARTS]))


def test_a_rate_per_100k_keeps_the_districts_scale(registry: Registry) -> None:
    parts = [(n, d * 100) for n, d in PARTS]
    out = with_derived_county(with_metrics(registry, PER_100K), rates("deaths", APRIL, 1e5, parts))
    county = county_rows(out).iloc[0]
    assert county["value"] == pytest.approx(
        sum(n for n, _ in parts) / sum(d for _, d in parts) * 1e5
    )


def test_rates_on_different_scales_or_no_scale_derive_nothing(registry: Registry) -> None:
    mixed = rates("share", APRIL, 100, PARTS)
    mixed.loc[0, "value"] = 0.12  # a share, where the other districts sent percentages
    unrelated = rates("share", MAY, 100, PARTS)
    unrelated.loc[0, "value"] = 45.0  # 120 of 1,000 is 12%, not 45 on any scale
    out = with_derived_county(with_metrics(registry, SHARE), pd.concat([mixed, unrelated]))
    assert county_rows(out).empty


def test_a_rate_needs_numerators_and_denominators(registry: Registry) -> None:
    values = rates("share", APRIL, 100, PARTS)[["metric_id", "area_code", "period_start", "value"]]
    out = with_derived_county(with_metrics(registry, SHARE), values)
    assert county_rows(out).empty
    assert not out["derived"].any()


def test_each_row_fits_a_power_of_ten_within_rounding() -> None:
    value = np.array([12.0, 0.12, 14.3, 33.3, 0.0, 1.0, 5.0, 5.0])
    numerator = np.array([12, 12, 1, 1, 0, 1, 1, 1], dtype=float)
    denominator = np.array([100, 100, 7, 3, 50, 150_000, 0, np.nan])
    scales = row_scales(value, numerator, denominator, np.full(8, 1.0))
    # 1 in 150,000 is 0.67 per 100k: a source rounding to whole numbers is not within rounding
    expected = [100, 1, 100, 100, 0, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(scales, np.array(expected, dtype=float))


def test_only_zero_numerators_make_a_zero_rate(registry: Registry) -> None:
    zeros = rates("share", APRIL, 100, [(0, d) for _, d in PARTS])
    county = county_rows(with_derived_county(with_metrics(registry, SHARE), zeros)).iloc[0]
    assert county["value"] == 0.0


@pytest.mark.parametrize("missing", ["no row", "no value"])
def test_a_missing_district_derives_no_county(registry: Registry, missing: str) -> None:
    frame = counts("jobs", APRIL, [10, 20, 30, 40, 50, 60, 70, 80])
    if missing == "no row":
        frame = frame.iloc[1:]
    else:
        frame.loc[3, "value"] = None
    out = with_derived_county(with_metrics(registry, JOBS), frame)
    assert county_rows(out).empty
    assert len(out) == len(frame)


def test_a_county_row_that_arrived_always_wins(registry: Registry) -> None:
    frame = pd.concat(
        [
            counts("jobs", APRIL, [10] * 8),
            rows("jobs", APRIL, {COUNTY: (95,)}),  # not the sum of 80: the county's own count
            counts("jobs", MAY, [10] * 8),
            rows("jobs", JUNE, {COUNTY: (None,)}),  # arrived without a figure: still the county's
            counts("jobs", JUNE, [10] * 8),
        ]
    )
    county = county_rows(with_derived_county(with_metrics(registry, JOBS), frame))
    assert county["period_start"].dt.strftime("%Y-%m-%d").tolist() == [APRIL, MAY, JUNE]
    assert county["value"].tolist()[:2] == [95.0, 80.0]
    assert np.isnan(county["value"].iloc[2])
    assert county["derived"].tolist() == [False, True, False]


def test_benchmark_rows_are_neither_used_nor_changed(registry: Registry) -> None:
    own = counts("jobs", APRIL, [10] * 8).iloc[1:].assign(is_benchmark=False)
    benchmark = rows("jobs", APRIL, {DISTRICTS[0]: (10,), "E10000019": (500,)})
    frame = pd.concat([own, benchmark.assign(is_benchmark=True)], ignore_index=True)
    out = with_derived_county(with_metrics(registry, JOBS), frame)
    assert county_rows(out).empty
    pd.testing.assert_frame_equal(out.drop(columns="derived"), frame)

    complete = pd.concat(
        [frame, counts("jobs", APRIL, [10] * 8).iloc[:1].assign(is_benchmark=False)]
    )
    county = county_rows(with_derived_county(with_metrics(registry, JOBS), complete)).iloc[0]
    assert county["value"] == 80.0
    assert not county["is_benchmark"]


@pytest.mark.parametrize(
    ("aggregation", "area_level"),
    [("none", "districts"), ("mean", "districts"), ("sum", "county")],
)
def test_no_rule_no_county_figure(registry: Registry, aggregation: str, area_level: str) -> None:
    other = metric(id="jobs", unit="count", aggregation=aggregation, area_level=area_level)
    frame = counts("jobs", APRIL, [10] * 8)
    out = with_derived_county(with_metrics(registry, other), frame)
    assert county_rows(out).empty


def test_rates_missing_county_names_only_rates_with_a_gap(registry: Registry) -> None:
    gap = rates("share", APRIL, 100, PARTS)
    frame = pd.concat([gap, counts("jobs", APRIL, [10] * 8)])
    both = with_metrics(registry, SHARE, JOBS)
    assert rates_missing_county(both, frame) == ["share"]
    arrived = rows("share", APRIL, {COUNTY: (12.0, 645, 5356)})
    assert rates_missing_county(both, pd.concat([frame, arrived])) == []


def test_the_snapshot_judges_and_marks_the_derived_county(registry: Registry) -> None:
    frame = pd.concat([counts("jobs", APRIL, [40] * 8), counts("jobs", MAY, [50] * 8)])
    snapshot = build_snapshot(with_metrics(registry, JOBS), frame, date(2024, 6, 1))
    county = snapshot.set_index("area_code").loc[COUNTY]
    assert (county["value"], county["rag"], county["direction"]) == (400.0, "green", "improving")
    assert county["ytd_value"] == 720.0
    assert bool(county["derived"]) is True
    assert not snapshot.loc[snapshot["area_code"] != COUNTY, "derived"].any()


def test_a_derived_county_is_never_fresher_than_its_districts(registry: Registry) -> None:
    monthly = metric(id="jobs", unit="count", aggregation="sum", area_level="districts", lag_days=0)
    late = counts("jobs", MAY, [10] * 8).iloc[1:]  # the first district has not sent May
    frame = pd.concat([counts("jobs", APRIL, [10] * 8), late])
    snapshot = build_snapshot(with_metrics(registry, monthly), frame, date(2024, 6, 5))
    by_area = snapshot.set_index("area_code")
    assert by_area.loc[COUNTY, "period_start"] == date(2024, 4, 1)
    assert by_area.loc[COUNTY, "freshness"] == "stale"
    assert by_area.loc[DISTRICTS[0], "freshness"] == "stale"
    assert by_area.loc[DISTRICTS[1], "freshness"] == "fresh"


def _districts_only(metric_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(metric_id=metric_id)
    frame["period_end"] = frame["period_start"] + pd.offsets.MonthEnd(0)
    return frame


def test_evaluate_derives_the_county_in_a_real_warehouse(
    registry: Registry, engine: sa.Engine
) -> None:
    quarter = counts("jobs-created", APRIL, [10, 20, 30, 40, 50, 60, 70, 80])
    quarter["period_end"] = pd.Timestamp("2024-06-30")
    claimants: pd.DataFrame = pd.concat(
        [
            _districts_only("claimant-rate", rates("share", APRIL, 100, PARTS)),
            _districts_only("claimant-rate", rates("share", MAY, 100, PARTS[::-1])),
        ]
    )
    with engine.begin() as conn:
        load_observations(conn, pd.concat([quarter, claimants]), run_id=None, now=datetime.now())
    evaluate(registry, engine, today=date(2024, 7, 1))
    snapshot = read_snapshot(engine, area_codes=[COUNTY]).set_index("metric_id")
    jobs = snapshot.loc["jobs-created"]
    assert (jobs["value"], jobs["derived"], jobs["rag"]) == (360.0, True, "amber")
    rate = snapshot.loc["claimant-rate"]
    assert rate["derived"]
    assert rate["value"] == pytest.approx(sum(n for n, _ in PARTS) / sum(d for _, d in PARTS) * 100)
    assert not snapshot.loc["neet-16-17", "derived"]  # nothing loaded, nothing derived


def test_an_old_warehouse_gains_the_derived_column(db_url: str, registry: Registry) -> None:
    engine = get_engine(db_url)
    try:
        create_tables(engine)
        with engine.begin() as conn:
            # As a PMF from before migrations and before the column made it
            conn.exec_driver_sql("ALTER TABLE status_snapshot DROP COLUMN derived")
            conn.exec_driver_sql("DROP TABLE alembic_version")
            conn.exec_driver_sql("DROP TABLE jobs")
            conn.exec_driver_sql("DROP SEQUENCE jobs_id_seq")
            for table in (
                "spc_rebases",
                "return_cycles",
                "data_returns",
                "return_events",
                "notifications",
                "savings_delivery",
            ):
                conn.exec_driver_sql(f"DROP TABLE {table}")
                conn.exec_driver_sql(f"DROP SEQUENCE {table}_id_seq")
            for column in ("email", "portfolio", "weekly_pack"):
                conn.exec_driver_sql(f"ALTER TABLE users DROP COLUMN {column}")
            conn.exec_driver_sql(
                "INSERT INTO status_snapshot (metric_id, area_code, rag, open_flags, computed_at)"
                " VALUES ('jobs-created', 'E10000028', 'no_data', 0, TIMESTAMP '2024-01-01')"
            )
        create_tables(engine)
        kept = read_snapshot(engine)
        assert kept["metric_id"].tolist() == ["jobs-created"]
        assert kept["derived"].isna().all()
        with engine.begin() as conn:
            assert add_missing_columns(conn) == []  # a second run changes nothing
        evaluate(registry, engine, today=date(2024, 7, 1))
        assert read_snapshot(engine)["derived"].notna().all()
    finally:
        engine.dispose()
        get_engine.cache_clear()

"""Status against target, direction of travel and year to date, on hand-worked cases."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from metrics.engine.status import (
    consecutive_red,
    direction,
    latest_status,
    rag,
    status_table,
    targets_for,
)
from metrics.registry.model import Metric


def metric(**overrides: Any) -> Metric:
    """A valid monthly metric, changed by keyword."""
    fields: dict[str, Any] = {
        "id": "test-metric",
        "name": "Test metric",
        "description": "A metric for tests.",
        "unit": "percent",
        "polarity": "higher_is_better",
        "portfolio": "leader",
        "select_committee": "corporate-review",
        "owner": "Tester",
        "priority": "jobs-growth",
    }
    fields.update(overrides)
    return Metric.model_validate(fields)


def words(column: pd.Series) -> list[str | None]:
    """A column of words, with blanks as None (pandas may hold them as NaN)."""
    return [None if pd.isna(v) else str(v) for v in column]


def frame(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    """Observations from (metric_id, area_code, period_start, value) tuples."""
    out = pd.DataFrame(rows, columns=["metric_id", "area_code", "period_start", "value"])
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["value"] = out["value"].astype(float)
    return out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90.0, "green"),  # meets the target exactly
        (95.0, "green"),
        (85.5, "amber"),  # 5% of 90 is 4.5: the edge of the band is still amber
        (85.4, "red"),
        (None, "no_data"),
    ],
)
def test_higher_is_better_with_percent_tolerance(value: float | None, expected: str) -> None:
    band = metric(target=90, tolerance={"percent": 5}).tolerance.band(90)  # type: ignore[union-attr]
    assert band == pytest.approx(4.5)
    assert rag(value, 90, "higher_is_better", band) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8.5, "green"), (8.0, "green"), (9.0, "amber"), (9.01, "red")],
)
def test_lower_is_better_with_absolute_tolerance(value: float, expected: str) -> None:
    # Sickness days: target 8.5, amber up to 0.5 days over
    assert rag(value, 8.5, "lower_is_better", 0.5) == expected


def test_percent_and_absolute_tolerances_differ_on_the_same_numbers() -> None:
    # Debt target £5m: 10% is £500k, an absolute £100k is far tighter
    percent = metric(polarity="lower_is_better", target=5e6, tolerance={"percent": 10})
    absolute = metric(polarity="lower_is_better", target=5e6, tolerance={"absolute": 100_000})
    assert rag(5.4e6, 5e6, "lower_is_better", percent.tolerance.band(5e6)) == "amber"  # type: ignore[union-attr]
    assert rag(5.4e6, 5e6, "lower_is_better", absolute.tolerance.band(5e6)) == "red"  # type: ignore[union-attr]


def test_no_tolerance_means_any_miss_is_red_and_no_target_is_said_so() -> None:
    assert rag(89.9, 90, "higher_is_better") == "red"
    assert rag(50.0, None, "higher_is_better") == "no_target"
    assert rag(50.0, None, "neutral") == "no_target"


def test_float_noise_does_not_turn_a_met_target_amber() -> None:
    assert rag(0.1 + 0.2, 0.3, "higher_is_better") == "green"
    assert rag(0.7, 0.6, "lower_is_better", 0.1) == "amber"


def test_direction_is_judged_by_polarity() -> None:
    assert direction(12.0, 10.0, "higher_is_better") == "improving"
    assert direction(12.0, 10.0, "lower_is_better") == "worsening"
    assert direction(8.0, 10.0, "lower_is_better") == "improving"
    assert direction(10.0, 10.0, "lower_is_better") == "no_change"
    assert direction(12.0, 10.0, "neutral") == "up"
    assert direction(8.0, 10.0, "neutral") == "down"
    assert direction(10.0, None, "higher_is_better") is None


def test_target_schedule_applies_from_each_step() -> None:
    m = metric(target=[{"from": "2019-04-01", "value": 60}, {"from": "2020-04-01", "value": 65}])
    starts = np.array(["2019-03-01", "2019-04-01", "2020-03-01", "2020-04-01"], "datetime64[D]")
    found = targets_for(m, starts)
    assert np.isnan(found[0])  # before the first step there is no target
    assert found[1:].tolist() == [60.0, 60.0, 65.0]
    assert m.target_for(date(2020, 3, 1)) == 60.0  # the same answer as the model gives


def test_status_table_uses_the_target_in_force_each_period() -> None:
    m = metric(
        target=[{"from": "2024-01-01", "value": 60}, {"from": "2024-03-01", "value": 65}],
        tolerance={"absolute": 2},
    )
    obs = frame(
        [
            (m.id, "A", "2024-01-01", 61),
            (m.id, "A", "2024-02-01", 59),
            (m.id, "A", "2024-03-01", 62),
        ]
    )
    table = status_table([m], obs)
    assert table["target"].tolist() == [60.0, 60.0, 65.0]
    assert table["rag"].tolist() == ["green", "amber", "red"]


def test_directions_look_up_the_previous_period_and_last_year_by_date() -> None:
    m = metric(polarity="lower_is_better")
    obs = frame(
        [
            (m.id, "A", "2023-03-01", 10.0),
            (m.id, "A", "2024-01-01", 9.0),
            # February 2024 is missing: March has no previous-period direction
            (m.id, "A", "2024-03-01", 8.0),
            (m.id, "A", "2024-04-01", 8.0),
        ]
    )
    table = status_table([m], obs)
    assert words(table["direction"]) == [None, None, None, "no_change"]
    assert table["previous_value"].isna().tolist() == [True, True, True, False]
    # March 2024 against March 2023: 8 is lower, which is better
    assert words(table["direction_year"]) == [None, None, "improving", None]


def test_weekly_and_quarterly_periods_step_back_correctly() -> None:
    weekly = metric(id="weekly", frequency="weekly")
    quarterly = metric(id="quarterly", frequency="quarterly")
    obs = frame(
        [
            ("quarterly", "A", "2023-07-01", 5.0),
            ("quarterly", "A", "2024-04-01", 4.0),
            ("quarterly", "A", "2024-07-01", 6.0),
            ("weekly", "A", "2023-07-03", 1.0),
            ("weekly", "A", "2024-06-24", 3.0),
            ("weekly", "A", "2024-07-01", 2.0),  # 52 weeks after 3 Jul 2023
        ]
    )
    table = status_table([weekly, quarterly], obs).set_index(["metric_id", "period_start"])
    assert table.loc[("quarterly", pd.Timestamp("2024-07-01")), "direction"] == "improving"
    assert table.loc[("quarterly", pd.Timestamp("2024-07-01")), "direction_year"] == "improving"
    assert table.loc[("weekly", pd.Timestamp("2024-07-01")), "direction"] == "worsening"
    assert table.loc[("weekly", pd.Timestamp("2024-07-01")), "last_year_value"] == 1.0


def test_year_to_date_sums_from_april_and_restarts_each_financial_year() -> None:
    flows = metric(id="flows", unit="count", year_to_date="sum")
    stock = metric(id="stock")
    obs = frame(
        [
            ("flows", "A", "2024-02-01", 10.0),
            ("flows", "A", "2024-03-01", 20.0),
            ("flows", "A", "2024-04-01", 5.0),  # a new financial year starts
            ("flows", "A", "2024-05-01", 7.0),
            ("flows", "B", "2024-04-01", 1.0),  # another area keeps its own total
            ("stock", "A", "2024-04-01", 50.0),
        ]
    )
    table = status_table([flows, stock], obs)
    ytd = table.set_index(["metric_id", "area_code", "period_start"])["ytd_value"]
    assert ytd["flows", "A"].tolist() == [10.0, 30.0, 5.0, 12.0]
    assert ytd["flows", "B"].tolist() == [1.0]
    assert np.isnan(ytd["stock", "A"].iloc[0])


def test_unsorted_input_and_unknown_metrics_are_handled() -> None:
    m = metric(target=10)
    obs = frame(
        [
            (m.id, "B", "2024-02-01", 12.0),
            ("not-in-registry", "A", "2024-01-01", 1.0),
            (m.id, "A", "2024-02-01", 8.0),
            (m.id, "B", "2024-01-01", 9.0),
            (m.id, "A", "2024-01-01", 11.0),
        ]
    )
    table = status_table([m], obs)
    assert table["area_code"].tolist() == ["A", "A", "B", "B"]
    assert words(table["direction"]) == [None, "worsening", None, "improving"]


def test_latest_status_and_red_streaks() -> None:
    m = metric(target=10)
    obs = frame(
        [
            (m.id, "A", "2024-01-01", 8.0),
            (m.id, "A", "2024-02-01", 12.0),
            (m.id, "A", "2024-03-01", 8.0),
            (m.id, "A", "2024-04-01", 7.0),
            (m.id, "A", "2024-05-01", None),  # a blank latest row: the streak carries on
            (m.id, "B", "2024-01-01", 8.0),
            (m.id, "B", "2024-02-01", 9.0),
            (m.id, "C", "2024-01-01", 11.0),
        ]
    )
    table = status_table([m], obs)
    latest = latest_status(table).set_index("area_code")
    assert latest.loc["A", "period_start"] == pd.Timestamp("2024-04-01")
    assert latest.loc["A", "value"] == 7.0
    reds = consecutive_red(table)
    assert reds[(m.id, "A")] == 2
    assert reds[(m.id, "B")] == 2
    assert reds[(m.id, "C")] == 0

"""The snapshot's judgement of each series' latest figure is the full status table's, exactly.

`latest_judged` works out RAG only where a row has a target, and year to date only for the
rows it is asked about; these tests compare it, on random series with gaps, empty figures,
target schedules and tolerances, with `status_table` judging every row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from metrics.engine.series_layout import series_layout
from metrics.engine.status import (
    consecutive_red,
    latest_judged,
    latest_status,
    status_table,
)
from metrics.registry.model import Metric

COUNTY = "E10000028"
AREAS = [COUNTY, "E07000192", "E07000193"]
FREQUENCIES = ["monthly", "quarterly", "weekly", "annual"]


def metric(number: int, rng: np.random.Generator) -> Metric:
    """A random metric: polarity, frequency, target (plain or a schedule), tolerance, ytd."""
    fields: dict[str, Any] = {
        "id": f"m-{number:03d}",
        "name": f"Measure {number}",
        "description": "A random measure.",
        "unit": "count",
        "polarity": ["higher_is_better", "lower_is_better", "neutral"][number % 3],
        "frequency": FREQUENCIES[number % len(FREQUENCIES)],
        "portfolio": "leader",
        "select_committee": "corporate-review",
        "owner": "Tester",
        "priority": "jobs-growth",
    }
    if fields["polarity"] != "neutral" and number % 5:
        if number % 2:
            fields["target"] = 50
        else:
            fields["target"] = [
                {"from": "2001-04-01", "value": 48},
                {"from": "2019-04-01", "value": 52},
            ]
        fields["tolerance"] = {"percent": 5} if number % 4 else {"absolute": 1.5}
    if number % 2 == 0:
        fields["year_to_date"] = "sum"
    if number % 7 == 0:
        fields["district_targets"] = {"same_as_county": True}
    return Metric.model_validate(fields)


def starts(frequency: str, count: int, first: date) -> list[date]:
    """Consecutive period starts of a frequency."""
    if frequency == "weekly":
        return [d.date() for d in pd.date_range(first, periods=count, freq="7D")]
    step = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    return [d.date() for d in pd.date_range(first, periods=count, freq=f"{step}MS")]


def observations(metrics: list[Metric], rng: np.random.Generator) -> pd.DataFrame:
    """Random series: some start before 1970 or mid-year, some have gaps and empty figures."""
    frames = []
    for m in metrics:
        for area in AREAS:
            count = int(rng.integers(1, 60))
            year = int(rng.choice([1965, 1999, 2015, 2020]))
            month = int(rng.integers(1, 13)) if m.frequency == "monthly" else 1
            days = starts(m.frequency, count + 10, date(year, month, 1))
            keep = np.sort(rng.choice(len(days), size=count, replace=False))
            values = np.round(rng.normal(50, 4, count), 1)
            values[rng.random(count) < 0.1] = np.nan
            frames.append(
                pd.DataFrame(
                    {
                        "metric_id": m.id,
                        "area_code": area,
                        "period_start": pd.to_datetime([days[k] for k in keep]),
                        "value": values,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def same(a: pd.Series, b: pd.Series) -> bool:
    """Equal to the last bit, blanks alike."""
    left, right = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    return all(
        (pd.isna(x) and pd.isna(y)) or (x == y and type(x) is type(y))
        for x, y in zip(left, right, strict=True)
    )


def test_latest_judged_is_the_full_status_tables_latest_rows() -> None:
    rng = np.random.default_rng(18)
    for _ in range(5):
        metrics = [metric(n, rng) for n in range(40)]
        frame = observations(metrics, rng)
        full = status_table(metrics, frame, COUNTY)
        layout = series_layout(full)
        expected = latest_status(full, layout)
        reds = consecutive_red(full, layout)

        _, latest, red_periods = latest_judged(metrics, series_layout(frame), COUNTY)

        assert list(latest.columns) == list(expected.columns)
        for column in expected.columns:
            assert same(latest[column], expected[column]), column
        assert (expected["ytd_value"].notna()).any()
        pd.testing.assert_series_equal(red_periods, reds.rename("red_periods"))
        assert (red_periods > 0).any()

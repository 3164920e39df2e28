"""The engine's bulk read of current values, on every supported warehouse."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.bulk import current_values
from warehouse.observations import load_observations
from warehouse.schema import create_tables


def _rows(
    metric: str, area: str, values: list[float | None], benchmark: bool = False
) -> pd.DataFrame:
    months = range(1, len(values) + 1)
    return pd.DataFrame(
        {
            "metric_id": metric,
            "area_code": area,
            "period_start": [date(2024, m, 1) for m in months],
            "period_end": [date(2024, m, 28) for m in months],
            "value": values,
            "is_benchmark": benchmark,
        }
    )


def test_current_values_are_every_current_own_figure_in_series_order(engine: sa.Engine) -> None:
    create_tables(engine)
    # Loaded out of order, with an empty figure, a restated one and a benchmark row
    first = pd.concat(
        [
            _rows("jobs", "E07000193", [3.0, None, 5.0]),
            _rows("claims", "E10000028", [1.5, 2.5]),
            _rows("jobs", "E07000192", [7.0]),
            _rows("claims", "E92000001", [9.9], benchmark=True),
        ],
        ignore_index=True,
    )
    with engine.begin() as conn:
        load_observations(conn, first, run_id=None, now=datetime(2024, 5, 1))
        load_observations(
            conn, _rows("claims", "E10000028", [1.5, 2.75]), run_id=None, now=datetime(2024, 6, 1)
        )
    found = current_values(engine)
    assert list(found.columns) == ["metric_id", "area_code", "period_start", "value"]
    assert found["period_start"].dtype.kind == "M"
    assert found["value"].dtype == np.float64
    expected = pd.DataFrame(
        {
            "metric_id": ["claims", "claims", "jobs", "jobs", "jobs", "jobs"],
            "area_code": ["E10000028", "E10000028", "E07000192", *["E07000193"] * 3],
            "period_start": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01"]
            ).astype("datetime64[ns]"),
            "value": [1.5, 2.75, 7.0, 3.0, np.nan, 5.0],
        }
    )
    plain = found.astype({"metric_id": str, "area_code": str})
    plain["period_start"] = plain["period_start"].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(plain, expected)


def test_current_values_of_an_empty_warehouse(engine: sa.Engine) -> None:
    create_tables(engine)
    found = current_values(engine)
    assert found.empty
    assert list(found.columns) == ["metric_id", "area_code", "period_start", "value"]

"""The districts' values laid out by period and area are exactly what pandas' pivot table
gives: periods and areas in order, gaps and missing figures left empty, the first of two rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layouts._components.metric_sections import values_by_period


def pivoted(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.pivot_table(
        index="period_start", columns="area_code", values="value", aggfunc="first"
    ).sort_index()


def test_values_by_period_are_the_pivot_tables_on_random_rows() -> None:
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(400):
        n = int(rng.integers(1, 60))
        rows = pd.DataFrame(
            {
                "period_start": pd.Timestamp("2020-01-01")
                + pd.to_timedelta(rng.integers(0, 8, n) * 31, unit="D"),
                "area_code": pd.Series(rng.choice(["E1", "E2", "E3", "E10"], n), dtype="str"),
                # Missing figures, and repeats of a period and area (the first one wins)
                "value": np.where(rng.random(n) < 0.2, np.nan, np.round(rng.normal(5, 2, n), 1)),
            }
        )
        if rows["value"].isna().all():
            continue
        pd.testing.assert_frame_equal(values_by_period(rows), pivoted(rows))
        compared += 1
    assert compared > 300


def test_nothing_to_lay_out_gives_an_empty_table() -> None:
    rows = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2024-01-01"]),
            "area_code": pd.Series(["E1"], dtype="str"),
            "value": [np.nan],
        }
    )
    laid_out = values_by_period(rows)
    assert laid_out.empty and list(laid_out.columns) == []

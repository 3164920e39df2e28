"""The flag rules read a snapshot's rows exactly as pandas' itertuples gives them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics.flags.rules import _rows


def test_rows_are_those_itertuples_gives_with_the_same_python_types() -> None:
    frame = pd.DataFrame(
        {
            "metric_id": pd.array(["jobs", "claims", "jobs"], dtype="str"),
            "rag": pd.array(["red", None, "green"], dtype="str"),
            "value": [1.5, np.nan, 3.0],
            "red_periods": np.array([2, 0, 1], dtype=np.int64),
            "derived": [True, False, False],
            "period_start": [date(2024, 4, 1), None, date(2024, 6, 1)],
            "loaded": np.array(["2024-05-01", "NaT", "2024-07-01"], dtype="datetime64[ns]"),
            "area": pd.Categorical(["E1", "E2", "E1"]),
            "class": ["a", "b", "c"],  # not a valid field name: renamed as itertuples does
        }
    )
    expected = list(frame.itertuples(index=False))
    found = list(_rows(frame))
    assert len(found) == len(expected) == 3
    for mine, theirs in zip(found, expected, strict=True):
        assert mine._fields == theirs._fields
        for a, b in zip(mine, theirs, strict=True):
            assert type(a) is type(b)
            assert a == b or (pd.isna(a) and pd.isna(b))

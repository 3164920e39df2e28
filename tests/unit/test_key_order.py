"""Rows read without ORDER BY are put in key order only when they are not in it already, in the
order DuckDB's binary ORDER BY gives (code points, capitals before small letters)."""

from __future__ import annotations

import pandas as pd

from warehouse.frames import in_key_order

KEY = ("metric_id", "area_code")


def test_rows_already_in_order_are_the_same_frame() -> None:
    frame = pd.DataFrame(
        {"metric_id": ["a", "a", "b", "b"], "area_code": ["x", "y", "a", "a"], "n": [1, 2, 3, 4]}
    )
    assert in_key_order(frame, KEY) is frame
    assert in_key_order(frame.iloc[:1], KEY).equals(frame.iloc[:1])
    assert in_key_order(frame.iloc[:0], KEY).empty


def test_rows_out_of_order_are_sorted_by_each_key_column_in_turn_and_stably() -> None:
    frame = pd.DataFrame(
        {
            "metric_id": ["b", "a", "a", "B", "a"],
            "area_code": ["a", "z", "y", "q", "y"],
            "n": [1, 2, 3, 4, 5],
        },
        index=[10, 11, 12, 13, 14],
    )
    ordered = in_key_order(frame, KEY)
    assert list(ordered["n"]) == [4, 3, 5, 2, 1]  # "B" before "a"; equal keys as they came
    assert list(ordered.index) == [0, 1, 2, 3, 4]
    assert in_key_order(ordered, KEY) is ordered

"""Reporting periods follow the financial year (April to March)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.engine.periods import (
    is_period_start,
    next_period,
    period_bounds,
    period_label,
    period_starts,
    same_period_last_year,
)


@pytest.mark.parametrize(
    ("frequency", "day", "expected"),
    [
        ("monthly", date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        ("quarterly", date(2024, 2, 10), (date(2024, 1, 1), date(2024, 3, 31))),
        ("quarterly", date(2024, 4, 1), (date(2024, 4, 1), date(2024, 6, 30))),
        ("annual", date(2024, 3, 31), (date(2023, 4, 1), date(2024, 3, 31))),
        ("weekly", date(2024, 6, 5), (date(2024, 6, 3), date(2024, 6, 9))),
    ],
)
def test_period_bounds(frequency: str, day: date, expected: tuple[date, date]) -> None:
    assert period_bounds(frequency, day) == expected


def test_labels_use_council_conventions() -> None:
    assert period_label("annual", date(2022, 4, 1)) == "2022-23"
    assert period_label("quarterly", date(2019, 7, 1)) == "Q2 2019-20"
    assert period_label("monthly", date(2023, 3, 1)) == "Mar 2023"
    assert period_label("weekly", date(2024, 6, 3)) == "w/c 3 Jun 2024"


def test_sequences_and_alignment() -> None:
    assert period_starts("quarterly", date(2023, 5, 1), date(2023, 12, 31)) == [
        date(2023, 4, 1),
        date(2023, 7, 1),
        date(2023, 10, 1),
    ]
    assert next_period("monthly", date(2023, 12, 1)) == date(2024, 1, 1)
    assert same_period_last_year("quarterly", date(2024, 1, 1)) == date(2023, 1, 1)
    assert is_period_start("annual", date(2023, 4, 1)) and not is_period_start(
        "annual", date(2023, 1, 1)
    )
    with pytest.raises(ValueError, match="unknown frequency"):
        period_bounds("fortnightly", date(2024, 1, 1))

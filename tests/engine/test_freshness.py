"""Freshness: each period's data is due its last day plus the lag; hand-worked dates."""

from __future__ import annotations

from datetime import date

from metrics.engine.freshness import due_date, expected_period, freshness


def test_monthly_data_is_due_thirty_days_after_the_month_ends() -> None:
    assert due_date("monthly", 30, date(2024, 9, 1)) == date(2024, 10, 30)
    # On 25 November, October's data (due 30 November) is not yet due; September's is
    assert expected_period("monthly", 30, date(2024, 11, 25)) == date(2024, 9, 1)
    # On its due date a period counts as due
    assert expected_period("monthly", 30, date(2024, 11, 30)) == date(2024, 10, 1)


def test_fresh_data_points_at_the_next_due_date() -> None:
    found = freshness("monthly", 30, date(2024, 9, 1), date(2024, 11, 25))
    assert found.status == "fresh"
    assert found.expected_period_start == date(2024, 9, 1)
    # September is in; October's figures are the next to come, due 30 November
    assert found.due_by == date(2024, 11, 30)


def test_stale_data_says_when_the_first_missing_period_was_due() -> None:
    found = freshness("monthly", 30, date(2024, 7, 1), date(2024, 11, 25))
    assert found.status == "stale"
    # August was due on 30 September and never came
    assert found.due_by == date(2024, 9, 30)


def test_no_data_at_all_is_missing() -> None:
    found = freshness("quarterly", 45, None, date(2024, 11, 25))
    assert found.status == "missing"
    # Q2 (July to September) is due 45 days after 30 September
    assert found.expected_period_start == date(2024, 7, 1)
    assert found.due_by == date(2024, 11, 14)


def test_quarterly_annual_and_weekly_lags() -> None:
    # Q2 ends 30 Sep; with a 60-day lag it is due 29 Nov, so on 25 Nov only Q1 is due
    assert expected_period("quarterly", 60, date(2024, 11, 25)) == date(2024, 4, 1)
    # 2023-24 ends 31 Mar 2024; with 270 days it is due 26 Dec 2024
    assert expected_period("annual", 270, date(2024, 11, 25)) == date(2022, 4, 1)
    assert freshness("annual", 270, date(2022, 4, 1), date(2024, 11, 25)).status == "fresh"
    # Week of Mon 11 Nov ends Sun 17 Nov; with 7 days it is due 24 Nov
    assert expected_period("weekly", 7, date(2024, 11, 25)) == date(2024, 11, 11)
    assert freshness("weekly", 7, date(2024, 11, 4), date(2024, 11, 25)).status == "stale"


def test_data_ahead_of_schedule_is_fresh() -> None:
    found = freshness("monthly", 30, date(2024, 10, 1), date(2024, 11, 25))
    assert found.status == "fresh"
    assert found.due_by == date(2024, 12, 30)  # October came early; November's come next

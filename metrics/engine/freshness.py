"""Data freshness: has each measure's latest data arrived by the date it was due?

A period's data is due `lag_days` after the period ends. On any day, the latest period due
is the last one whose due date has passed. A series that has that period (or a later one)
is fresh; one that stops earlier is stale; one with no data at all is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from metrics.engine.periods import next_period, period_bounds, previous_period

FRESH, STALE, MISSING = "fresh", "stale", "missing"


@dataclass(frozen=True)
class Freshness:
    """Whether data is up to date, and the date that matters for chasing it.

    `due_by` is when the data people are waiting for is (or was) due: for fresh data, the next
    period's due date; for stale or missing data, the due date of the first period missing.
    """

    status: str
    expected_period_start: date
    due_by: date


def due_date(frequency: str, lag_days: int, period_start: date) -> date:
    """The day a period's data is due: its last day plus the lag."""
    return period_bounds(frequency, period_start)[1] + timedelta(days=lag_days)


def expected_period(frequency: str, lag_days: int, today: date) -> date:
    """Start of the latest period whose data should have arrived by `today`."""
    start = period_bounds(frequency, today - timedelta(days=lag_days))[0]
    if due_date(frequency, lag_days, start) > today:
        return previous_period(frequency, start)
    return start


def freshness(
    frequency: str, lag_days: int, latest_period_start: date | None, today: date
) -> Freshness:
    """Fresh, stale or missing, for a series whose latest period starts on `latest_period_start`."""
    if frequency == "biennial":
        return _biennial(lag_days, latest_period_start, today)
    expected = expected_period(frequency, lag_days, today)
    if latest_period_start is None:
        return Freshness(MISSING, expected, due_date(frequency, lag_days, expected))
    if latest_period_start >= expected:
        following = next_period(frequency, max(expected, latest_period_start))
        return Freshness(FRESH, expected, due_date(frequency, lag_days, following))
    first_missing = next_period(frequency, latest_period_start)
    return Freshness(STALE, expected, due_date(frequency, lag_days, first_missing))


def _biennial(lag_days: int, latest_period_start: date | None, today: date) -> Freshness:
    """A survey every other year: the latest year due may be an off year with nothing to come,
    so data is fresh while it is no more than one year older than the latest year due."""
    expected = expected_period("annual", lag_days, today)
    if latest_period_start is None:
        return Freshness(MISSING, expected, due_date("annual", lag_days, expected))
    following = next_period("biennial", latest_period_start)
    status = FRESH if latest_period_start >= previous_period("annual", expected) else STALE
    return Freshness(status, expected, due_date("annual", lag_days, following))

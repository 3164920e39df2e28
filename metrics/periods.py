"""Reporting periods: weeks, months, financial quarters and financial years (April to March)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

FY_START_MONTH = 4


def month_end(day: date) -> date:
    """Last day of the month that `day` falls in."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_start(day: date) -> date:
    """1 April of the financial year containing `day`."""
    year = day.year if day.month >= FY_START_MONTH else day.year - 1
    return date(year, FY_START_MONTH, 1)


def period_bounds(frequency: str, day: date) -> tuple[date, date]:
    """The (start, end) of the period of this frequency that contains `day`."""
    if frequency == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if frequency == "monthly":
        start = day.replace(day=1)
        return start, month_end(start)
    if frequency == "quarterly":
        fy = financial_year_start(day)
        quarter = ((day.year - fy.year) * 12 + day.month - fy.month) // 3
        start = add_months(fy, quarter * 3)
        return start, month_end(add_months(start, 2))
    if frequency == "annual":
        start = financial_year_start(day)
        return start, date(start.year + 1, FY_START_MONTH, 1) - timedelta(days=1)
    raise ValueError(f"unknown frequency '{frequency}'; use weekly, monthly, quarterly or annual")


def is_period_start(frequency: str, day: date) -> bool:
    """Whether `day` is the first day of a period of this frequency."""
    return period_bounds(frequency, day)[0] == day


def next_period(frequency: str, start: date) -> date:
    """The start of the period after the one starting on `start`."""
    return period_bounds(frequency, start)[1] + timedelta(days=1)


def previous_period(frequency: str, start: date) -> date:
    """The start of the period before the one starting on `start`."""
    return period_bounds(frequency, start - timedelta(days=1))[0]


def same_period_last_year(frequency: str, start: date) -> date:
    """The start of the matching period a year earlier."""
    if frequency == "weekly":
        return start - timedelta(weeks=52)
    return period_bounds(frequency, date(start.year - 1, start.month, 1))[0]


def period_starts(frequency: str, first: date, last: date) -> list[date]:
    """Starts of every period from the one containing `first` to the one containing `last`."""
    starts = []
    current = period_bounds(frequency, first)[0]
    while current <= last:
        starts.append(current)
        current = next_period(frequency, current)
    return starts


def fy_label(start: date) -> str:
    """A financial year label such as 2022-23."""
    fy = financial_year_start(start)
    return f"{fy.year}-{(fy.year + 1) % 100:02d}"


def period_label(frequency: str, start: date) -> str:
    """A short human label: 'w/c 3 Jun 2024', 'Mar 2023', 'Q2 2019-20', '2022-23'."""
    if frequency == "weekly":
        return f"w/c {start.day} {start:%b %Y}"
    if frequency == "monthly":
        return f"{start:%b %Y}"
    if frequency == "quarterly":
        fy = financial_year_start(start)
        quarter = ((start.year - fy.year) * 12 + start.month - fy.month) // 3 + 1
        return f"Q{quarter} {fy_label(start)}"
    return fy_label(start)

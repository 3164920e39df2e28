"""Reporting periods: weeks, months, financial quarters and years, calendar years, and
financial years surveyed every other year.

`FREQUENCIES` is the one table of what each frequency means; everything else that needs to
know how long a period is, what it is called or where it starts reads it.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

FY_START_MONTH = 4


@dataclass(frozen=True)
class FrequencyFacts:
    """What a frequency means: its step, its nouns, where its periods start, how fine it is."""

    step_months: int  # months from one period's start to the next (0: weekly, 7 days)
    nouns: tuple[str, str]  # one, many: "7 months in a row"
    starts: str  # where its periods start, for a row that does not
    span: int  # how fine a period is: a form of period may name this span or a finer one


FREQUENCIES: dict[str, FrequencyFacts] = {
    "weekly": FrequencyFacts(0, ("week", "weeks"), "weekly periods start on a Monday", 0),
    "monthly": FrequencyFacts(
        1, ("month", "months"), "monthly periods start on the 1st of the month", 1
    ),
    "quarterly": FrequencyFacts(
        3,
        ("quarter", "quarters"),
        "quarters start on 1 April, 1 July, 1 October or 1 January",
        2,
    ),
    "annual": FrequencyFacts(12, ("year", "years"), "financial years start on 1 April", 3),
    "calendar_year": FrequencyFacts(12, ("year", "years"), "calendar years start on 1 January", 3),
    # A survey run every other year: each period is a financial year, the next is two on
    "biennial": FrequencyFacts(
        24, ("survey", "surveys"), "survey years are financial years, starting on 1 April", 3
    ),
}


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
    if frequency in ("annual", "biennial"):
        start = financial_year_start(day)
        return start, date(start.year + 1, FY_START_MONTH, 1) - timedelta(days=1)
    if frequency == "calendar_year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"unknown frequency '{frequency}'; use one of {', '.join(FREQUENCIES)}")


def is_period_start(frequency: str, day: date) -> bool:
    """Whether `day` is the first day of a period of this frequency."""
    return period_bounds(frequency, day)[0] == day


def next_period(frequency: str, start: date) -> date:
    """The start of the period after the one starting on `start` (a biennial's: two years on)."""
    if frequency == "biennial":
        return add_months(period_bounds(frequency, start)[0], 24)
    return period_bounds(frequency, start)[1] + timedelta(days=1)


def previous_period(frequency: str, start: date) -> date:
    """The start of the period before the one starting on `start`."""
    if frequency == "biennial":
        return add_months(period_bounds(frequency, start)[0], -24)
    return period_bounds(frequency, start - timedelta(days=1))[0]


def same_period_last_year(frequency: str, start: date) -> date:
    """The start of the matching period a year earlier (a biennial's: the survey before)."""
    if frequency == "weekly":
        return start - timedelta(weeks=52)
    if frequency == "biennial":
        return previous_period(frequency, start)
    return period_bounds(frequency, date(start.year - 1, start.month, 1))[0]


def periods_text(count: int, frequency: str) -> str:
    """'7 months', '1 quarter', '3 surveys'."""
    one, many = FREQUENCIES[frequency].nouns if frequency in FREQUENCIES else ("period", "periods")
    return f"{count} {one if count == 1 else many}"


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


@functools.lru_cache(maxsize=8192)  # a page labels hundreds of periods, the same ones each time
def period_label(frequency: str, start: date) -> str:
    """A short human label: 'w/c 3 Jun 2024', 'Mar 2023', 'Q2 2019-20', '2022-23', '2024'."""
    if frequency == "weekly":
        return f"w/c {start.day} {start:%b %Y}"
    if frequency == "monthly":
        return f"{start:%b %Y}"
    if frequency == "quarterly":
        fy = financial_year_start(start)
        quarter = ((start.year - fy.year) * 12 + start.month - fy.month) // 3 + 1
        return f"Q{quarter} {fy_label(start)}"
    if frequency == "calendar_year":
        return str(start.year)
    return fy_label(start)

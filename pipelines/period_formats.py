"""Read the period forms councils actually send: 2018-19, 2018/19, 2019 Q2, Mar 2023, Excel dates.

Each parser turns one text into the first day of a period (or the day written, for dates),
or None when the text is not in its form. Columns are parsed once per distinct value, and
each value keeps the form it was read in (`auto` tries them in turn), so a financial year
cannot pass for a month.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.engine.periods import FY_START_MONTH, add_months

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug
# Serial numbers outside 1927-2119 are far more likely to be counts than dates
EXCEL_SERIAL_RANGE = (10_000, 80_000)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_FY = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
_QUARTER_YEAR = re.compile(r"^(\d{4})\s*[- ]?\s*q([1-4])$|^q([1-4])\s*[- ]?\s*(\d{4})$")
_QUARTER_FY = re.compile(
    r"^(\d{4})\s*[-/]\s*(\d{2})\s*[- ]?\s*q([1-4])$|^q([1-4])\s*[- ]?\s*(\d{4})\s*[-/]\s*(\d{2})$"
)
_MONTH_NAME = re.compile(r"^([a-z]{3,9})[\s\-.]*(\d{4}|\d{2})$")
_MONTH_NUMBER = re.compile(r"^(\d{4})-(\d{1,2})$|^(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ t]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_LONG_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\s+(\d{4})$")
_SERIAL = re.compile(r"^\d{4,6}(?:\.0+)?$")
_YEAR = re.compile(r"^(\d{4})$")


def _full_year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def _financial_year(text: str, quarters: str) -> date | None:
    match = _FY.match(text)
    if not match:
        return None
    first, second = int(match.group(1)), match.group(2)
    expected = first + 1
    if (len(second) == 2 and int(second) != expected % 100) or (
        len(second) == 4 and int(second) != expected
    ):
        return None
    return date(first, FY_START_MONTH, 1)


def _quarter(text: str, quarters: str) -> date | None:
    match = _QUARTER_FY.match(text)
    if match:
        year, tail, q = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(5), match.group(6), match.group(4))
        )
        if int(tail) != (int(year) + 1) % 100:
            return None
        return add_months(date(int(year), FY_START_MONTH, 1), 3 * (int(q) - 1))
    match = _QUARTER_YEAR.match(text)
    if not match:
        return None
    year, q = (
        (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    )
    if quarters == "financial":
        return add_months(date(int(year), FY_START_MONTH, 1), 3 * (int(q) - 1))
    return date(int(year), 3 * (int(q) - 1) + 1, 1)


def _month(text: str, quarters: str) -> date | None:
    match = _MONTH_NAME.match(text)
    if match and match.group(1) in MONTHS:
        return date(_full_year(match.group(2)), MONTHS[match.group(1)], 1)
    match = _MONTH_NUMBER.match(text)
    if match:
        year, month = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
        if 1 <= int(month) <= 12:
            return date(int(year), int(month), 1)
    return None


def _month_or_first_day(text: str, quarters: str) -> date | None:
    # An Excel date cell shown as 'Apr-24' arrives as the ISO date of the 1st
    found = _month(text, quarters)
    if found is None and _ISO.match(text):
        day = _date(text, quarters)
        return day if day is not None and day.day == 1 else None
    return found


def _date(text: str, quarters: str) -> date | None:
    try:
        match = _ISO.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _UK_DATE.match(text)
        if match:  # councils in England write day first
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _LONG_DATE.match(text)
        if match and match.group(2) in MONTHS:
            return date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        return None  # 31 February and the like
    if _SERIAL.match(text):
        serial = int(float(text))
        if EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=serial)
    return None


def _year(text: str, quarters: str) -> date | None:
    match = _YEAR.match(text)
    return date(int(match.group(1)), FY_START_MONTH, 1) if match else None


def _calendar_year(text: str, quarters: str) -> date | None:
    match = _YEAR.match(text)
    return date(int(match.group(1)), 1, 1) if match else None


# The order `auto` tries the forms in, each with the form's name
_AUTO_ORDER: tuple[tuple[str, Callable[[str, str], date | None]], ...] = (
    ("financial-year", _financial_year),
    ("quarter", _quarter),
    ("month", _month),
    ("date", _date),
    ("year", _year),
)


def _auto(text: str, quarters: str) -> date | None:
    found = _auto_form(text, quarters)
    return found[0] if found else None


def _auto_form(text: str, quarters: str) -> tuple[date, str] | None:
    for form, parser in _AUTO_ORDER:
        day = parser(text, quarters)
        if day is not None:
            return day, form
    return None


@dataclass(frozen=True)
class PeriodFormat:
    """A named way of writing periods, the metric frequencies it suits, and an example."""

    parse: Callable[[str, str], date | None]
    frequencies: tuple[str, ...]
    example: str


ALL_FREQUENCIES = ("weekly", "monthly", "quarterly", "annual", "calendar_year", "biennial")
FINANCIAL_YEARS = ("annual", "biennial")
PERIOD_FORMATS: dict[str, PeriodFormat] = {
    "auto": PeriodFormat(_auto, ALL_FREQUENCIES, "2018-19, 2019 Q2, Mar 2023, a date"),
    "financial-year": PeriodFormat(_financial_year, FINANCIAL_YEARS, "2018-19 or 2018/19"),
    "quarter": PeriodFormat(_quarter, ("quarterly",), "2019 Q2, Q2 2019 or 2019-20 Q2"),
    "month": PeriodFormat(
        _month_or_first_day,
        ("monthly", "quarterly", "annual", "calendar_year", "biennial"),
        "Mar 2023, March 2023 or 2023-03",
    ),
    "date": PeriodFormat(_date, ALL_FREQUENCIES, "2023-03-01, 01/03/2023 or an Excel date"),
    "year": PeriodFormat(_year, FINANCIAL_YEARS, "2014 (the financial year from April 2014)"),
    "calendar-year": PeriodFormat(
        _calendar_year, ("calendar_year",), "2014 (January to December 2014)"
    ),
}
YEARLY_FORMATS = frozenset({"financial-year", "year", "calendar-year"})
# How long a period each form names; a form may name a period of its length or longer only
FORM_SPAN = {
    "date": 0,
    "month": 1,
    "quarter": 2,
    "financial-year": 3,
    "year": 3,
    "calendar-year": 3,
}
FORM_WORDS = {
    "date": "a date",
    "month": "a month",
    "quarter": "a quarter",
    "financial-year": "a financial year",
    "year": "a year",
    "calendar-year": "a calendar year",
}
# datetime64[ns] holds 1677 to 2262: a date outside is refused, never allowed to crash a run
STORABLE = (date(1678, 1, 1), date(2262, 1, 1))


def parse_period(value: object, fmt: str = "auto", quarters: str = "calendar") -> date | None:
    """The date a period value stands for, or None if it is not in the named format."""
    found = read_period(value, fmt, quarters)
    return found[0] if found else None


def read_period(
    value: object, fmt: str = "auto", quarters: str = "calendar"
) -> tuple[date, str] | None:
    """The date a period value stands for and the form it was written in, or None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date(), "date"
    if isinstance(value, date):
        return value, "date"
    text = " ".join(str(value).strip().lower().split())
    if not text:
        return None
    if fmt == "auto":
        return _auto_form(text, quarters)
    day = PERIOD_FORMATS[fmt].parse(text, quarters)
    return (day, fmt) if day is not None else None


@dataclass(frozen=True)
class Periods:
    """A column of periods read: dates, the form of each, and which fell outside storable dates."""

    dates: pd.Series
    forms: pd.Series
    outside: pd.Series  # -1 before 1678, 1 after 2261, else 0 (the date is then NaT)


def read_periods(values: pd.Series, fmt: str = "auto", quarters: str = "calendar") -> Periods:
    """Read a column of period values once per distinct value (NaT where unreadable)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    days: list[date | None] = []
    forms: list[str | None] = []
    outside: list[int] = []
    for value in uniques:
        found = read_period(value, fmt, quarters)
        day, form = found if found else (None, None)
        beyond = 0 if day is None else -1 if day < STORABLE[0] else 1 if day >= STORABLE[1] else 0
        days.append(None if beyond else day)
        forms.append(form)
        outside.append(beyond)
    known = codes >= 0
    lookup = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce").to_numpy()
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    dates[known] = lookup[codes[known]]
    per_value = pd.Categorical(forms)
    form_series = pd.Series(
        pd.Categorical.from_codes(
            np.where(known, per_value.codes[codes], -1), categories=per_value.categories
        ),
        index=values.index,
    )
    spread = np.where(known, np.array([*outside, 0], dtype=np.int8)[codes], 0).astype(np.int8)
    return Periods(dates, form_series, pd.Series(spread, index=values.index))


def parse_periods(values: pd.Series, fmt: str = "auto", quarters: str = "calendar") -> pd.Series:
    """Parse a column of period values to datetime64 (NaT where unreadable), once per value."""
    return read_periods(values, fmt, quarters).dates

"""Period codes: how the registry and the command line name one reporting period.

`2026-10` is October 2026, `2026-27-Q2` the second quarter of the financial year 2026-27,
`2026-27` that financial year, `2026` the calendar year and `2026-W45` an ISO week (a
financial year that could be read as a month, such as 2011-12, is written FY2011-12). A code
names the frequencies it serves, so a reporting cycle for `2026-27` collects the annual (and
biennial) measures and one for `2026-10` the monthly ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from metrics.engine.periods import FY_START_MONTH, add_months, fy_label, period_bounds

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")
_FINANCIAL_YEAR = re.compile(r"^(?:FY)?(\d{4})-(\d{2})$")
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
EXAMPLES = "2026-10 (a month), 2026-27-Q2 (a quarter), 2026-27 (a financial year), 2026 or 2026-W45"


@dataclass(frozen=True)
class PeriodCode:
    """One reporting period named by its code: which frequencies it serves, and its dates."""

    code: str
    frequencies: tuple[str, ...]
    start: date
    end: date


def period_code(frequency: str, start: date) -> str:
    """The code for the period of this frequency that starts on (or contains) `start`."""
    start = period_bounds(frequency, start)[0]
    if frequency == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == "monthly":
        return f"{start:%Y-%m}"
    if frequency == "quarterly":
        quarter = ((start.month - FY_START_MONTH) % 12) // 3 + 1
        return f"{fy_label(start)}-Q{quarter}"
    if frequency == "calendar_year":
        return str(start.year)
    label = fy_label(start)
    # 2011-12 would read as December 2011: such years take an FY in front
    return f"FY{label}" if _MONTH.match(label) and 1 <= int(label[-2:]) <= 12 else label


def parse_period_code(text: str) -> PeriodCode:
    """The period a code names, or ValueError saying which forms are understood."""
    code = text.strip()
    if found := _QUARTER.match(code):
        first = _financial_year(code, found.group(1), found.group(2))
        start = add_months(first, (int(found.group(3)) - 1) * 3)
        return _made(code, ("quarterly",), start)
    if found := _WEEK.match(code):
        try:
            start = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
        except ValueError:
            raise ValueError(f"'{code}' is not a week of {found.group(1)}") from None
        return _made(code, ("weekly",), start)
    if (found := _MONTH.match(code)) and 1 <= int(found.group(2)) <= 12:
        # 2011-12 is December 2011; its financial year is written FY2011-12
        return _made(code, ("monthly",), date(int(found.group(1)), int(found.group(2)), 1))
    if found := _FINANCIAL_YEAR.match(code):
        first = _financial_year(code, found.group(1), found.group(2))
        return _made(code, ("annual", "biennial"), first)
    if found := _CALENDAR_YEAR.match(code):
        return _made(code, ("calendar_year",), date(int(found.group(1)), 1, 1))
    raise ValueError(f"'{code}' is not a period PMF can read; write it as {EXAMPLES}")


def _financial_year(code: str, first: str, second: str) -> date:
    if (int(first) + 1) % 100 != int(second):
        raise ValueError(
            f"'{code}' names the years {first} and {second}, which do not follow on; "
            f"the financial year from April {first} is {first}-{(int(first) + 1) % 100:02d}"
        )
    return date(int(first), FY_START_MONTH, 1)


def _made(code: str, frequencies: tuple[str, ...], start: date) -> PeriodCode:
    end = period_bounds(frequencies[0], start)[1]
    if frequencies == ("weekly",):
        end = start + timedelta(days=6)
    return PeriodCode(code, frequencies, start, end)

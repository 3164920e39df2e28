"""Period codes as the registry and the command line write them, both ways."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.engine.period_codes import parse_period_code, period_code


@pytest.mark.parametrize(
    ("code", "frequencies", "start", "end"),
    [
        ("2026-10", ("monthly",), date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-27-Q2", ("quarterly",), date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-27-Q4", ("quarterly",), date(2027, 1, 1), date(2027, 3, 31)),
        ("2026-27", ("annual", "biennial"), date(2026, 4, 1), date(2027, 3, 31)),
        ("2026", ("calendar_year",), date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-W45", ("weekly",), date(2026, 11, 2), date(2026, 11, 8)),
        ("FY2011-12", ("annual", "biennial"), date(2011, 4, 1), date(2012, 3, 31)),
        ("2011-12", ("monthly",), date(2011, 12, 1), date(2011, 12, 31)),
    ],
)
def test_a_code_names_its_period(
    code: str, frequencies: tuple[str, ...], start: date, end: date
) -> None:
    period = parse_period_code(code)
    assert (period.frequencies, period.start, period.end) == (frequencies, start, end)
    assert period_code(frequencies[0], start) == code


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Oct 2026", "write it as 2026-10 (a month), 2026-27-Q2 (a quarter)"),
        ("2026-28", "do not follow on; the financial year from April 2026 is 2026-27"),
        ("2026-W60", "is not a week of 2026"),
        ("", "is not a period PMF can read"),
    ],
)
def test_a_code_pmf_cannot_read_says_what_it_can(text: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_period_code(text)
    assert says in str(caught.value)


def test_any_day_of_a_period_gives_its_code() -> None:
    assert period_code("monthly", date(2026, 10, 17)) == "2026-10"
    assert period_code("quarterly", date(2026, 2, 3)) == "2025-26-Q4"
    assert period_code("annual", date(2026, 3, 31)) == "2025-26"

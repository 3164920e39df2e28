"""Period forms councils send, read to the first day of their period (pure functions)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from pipelines.period_formats import parse_period, parse_periods, read_period, read_periods


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2018-19", "financial-year", date(2018, 4, 1)),
        ("2018/19", "financial-year", date(2018, 4, 1)),
        ("2018/2019", "financial-year", date(2018, 4, 1)),
        ("FY 2022-23", "auto", date(2022, 4, 1)),
        ("2019 Q2", "quarter", date(2019, 4, 1)),
        ("Q2 2019", "quarter", date(2019, 4, 1)),
        ("2019-20 Q2", "quarter", date(2019, 7, 1)),
        ("Q4 2019/20", "auto", date(2020, 1, 1)),
        ("Mar 2023", "month", date(2023, 3, 1)),
        ("March 2023", "auto", date(2023, 3, 1)),
        ("Sept 2023", "month", date(2023, 9, 1)),
        ("Mar-23", "month", date(2023, 3, 1)),
        ("2023-03", "auto", date(2023, 3, 1)),
        ("03/2023", "month", date(2023, 3, 1)),
        ("2023-03-01", "date", date(2023, 3, 1)),
        ("2023-03-01 00:00:00", "auto", date(2023, 3, 1)),
        ("31/03/2023", "date", date(2023, 3, 31)),
        ("1 April 2023", "date", date(2023, 4, 1)),
        ("45017", "date", date(2023, 4, 1)),  # an Excel serial date
        ("45017.0", "auto", date(2023, 4, 1)),
        ("2014", "year", date(2014, 4, 1)),
        ("  mar   2023 ", "auto", date(2023, 3, 1)),
    ],
)
def test_reads_the_forms_councils_send(text: str, fmt: str, expected: date) -> None:
    assert parse_period(text, fmt) == expected


def test_financial_quarters_when_asked() -> None:
    assert parse_period("2019 Q2", "quarter", "financial") == date(2019, 7, 1)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("2018-20", "financial-year"),
        ("31/02/2023", "date"),
        ("Marhc 2023", "auto"),
        ("2019 Q5", "quarter"),
        ("123", "date"),  # far too small to be an Excel date
        ("2024-04-15", "month"),  # a day that is not the 1st names no month
        ("2023-03-01", "financial-year"),
        ("", "auto"),
    ],
)
def test_rejects_what_is_not_in_the_form(text: str, fmt: str) -> None:
    assert parse_period(text, fmt) is None


def test_datetimes_from_a_workbook_pass_through() -> None:
    assert parse_period(datetime(2023, 3, 1, 0, 0)) == date(2023, 3, 1)


def test_column_is_parsed_once_per_distinct_value() -> None:
    column = pd.Series(["2018-19", "2018-19", "bad", "", "2019/20"])
    parsed = parse_periods(column, "financial-year")
    assert parsed.tolist()[:2] == [pd.Timestamp(2018, 4, 1)] * 2
    assert parsed.isna().tolist() == [False, False, True, True, False]


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("2024-25", "financial-year"),
        ("2024", "year"),
        ("Q1 2024", "quarter"),
        ("Jul 2024", "month"),
        ("2024-07-01", "date"),
    ],
)
def test_auto_says_which_form_it_read(text: str, form: str) -> None:
    found = read_period(text, "auto")
    assert found is not None and found[1] == form


def test_an_excel_month_cell_reads_under_month() -> None:
    assert read_period("2024-04-01", "month") == (date(2024, 4, 1), "month")


def test_dates_beyond_what_can_be_stored_are_marked_not_raised() -> None:
    read = read_periods(pd.Series(["3024-04-01", "Jul 1500", "Jul 2024", "bad"]), "auto")
    assert read.dates.isna().tolist() == [True, True, False, True]
    assert read.outside.tolist() == [1, -1, 0, 0]
    assert read.forms.astype(object).tolist()[:3] == ["date", "month", "month"]

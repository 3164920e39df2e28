"""Reading real-world CSV and XLSX mess into text tables with their row numbers."""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd
from openpyxl import Workbook

from pipelines.tabular import (
    RAW_LINE,
    READ_PROBLEM,
    TableError,
    number_problem,
    read_csv_bytes,
    read_xlsx_bytes,
    to_numbers,
)


def test_csv_with_bom_blank_rows_and_notes_keeps_line_numbers() -> None:
    text = (
        "\ufeffMetric,Area,Value\r\n"
        'a,E10000028,"1,234"\r\n'
        ",,\r\n"  # a blank row inside the table is skipped, not rejected
        "b,E10000028,45%\r\n"
        ",,\r\n"
        "   ,  ,\r\n"
        "\r\n"
        "Notes:\r\n"
        "Source: the service's own system\r\n"
    )
    table = read_csv_bytes(text.encode("utf-8"), label="t.csv")
    assert list(table.frame.columns) == ["Metric", "Area", "Value"]
    assert table.frame["Metric"].tolist() == ["a", "b"]
    assert table.row_numbers.tolist() == [2, 4]


def test_ragged_rows_keep_a_reason_and_the_line_for_validation() -> None:
    text = "Metric,Value\na,1\nb,2,oops,again\n"
    table = read_csv_bytes(text.encode(), label="t.csv")
    assert table.frame[READ_PROBLEM].tolist() == [
        "",
        "row has 4 cells but the heading has 2; is there an unquoted delimiter inside a cell?",
    ]
    assert table.frame[RAW_LINE].tolist() == ["", "b,2,oops,again"]
    assert table.frame["Value"].tolist() == ["1", "2"]


def test_a_quoted_line_break_is_a_cell_not_a_misread_row() -> None:
    text = 'Metric,Note,Value\na,"two\nlines",1\nb,,2\n'
    table = read_csv_bytes(text.encode(), label="t.csv")
    assert table.frame["Value"].astype(str).tolist() == ["1", "2"]
    assert READ_PROBLEM not in table.frame


def test_windows_1252_csv_is_read() -> None:
    table = read_csv_bytes("Metric,Value\nspend,£5\n".encode("cp1252"), label="t.csv")
    assert table.frame["Value"].tolist() == ["£5"]


def test_header_row_below_a_title() -> None:
    text = "Economy return\n\nMetric,Value\na,1\n"
    table = read_csv_bytes(text.encode(), label="t.csv", header_row=3)
    assert table.frame["Metric"].tolist() == ["a"] and table.row_numbers.tolist() == [4]


def test_numbers_cope_with_separators_signs_brackets_and_markers() -> None:
    text = pd.Series(["1,234", "45%", " 7 ", "£1,000", "(250)", "[c]", "", "..", "abc", "inf"])
    values, bad = to_numbers(text)
    assert values.tolist()[:5] == [1234.0, 45.0, 7.0, 1000.0, -250.0]
    assert values[5:].isna().all()
    assert bad.tolist() == [False] * 8 + [True, True]


def test_giant_and_infinite_numbers_are_not_numbers() -> None:
    giant = "9" * 40
    values, bad = to_numbers(pd.Series(["1e308", "1e400", giant, "-inf", "12"]))
    assert bad.tolist() == [False, True, True, True, False]
    assert values[0] == 1e308 and values[4] == 12.0
    assert number_problem("1e400").startswith("is too large")
    assert number_problem(giant).startswith("has more than 30 significant digits")
    assert number_problem("-inf") == "is not a finite number"
    assert number_problem("abc") == "is not a number"


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Return"
    sheet.append(["Highways return, March 2023"])
    sheet.append([])
    sheet.append(["Indicator", "Period", "Value"])
    sheet.append(["HT02", datetime(2023, 3, 1), 0.453])
    sheet["C4"].number_format = "0.0%"
    sheet.append(["HT04", 45017, 12000])
    sheet.append([None, None, None])
    sheet.append(["Note: provisional"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_dates_percent_cells_and_sheet_row_numbers() -> None:
    table = read_xlsx_bytes(_workbook(), label="r.xlsx", sheet="Return", header_row=3)
    assert table.frame.to_dict("records") == [
        {"Indicator": "HT02", "Period": "2023-03-01", "Value": "45.3%"},
        {"Indicator": "HT04", "Period": "45017", "Value": "12000"},
    ]
    assert table.row_numbers.tolist() == [4, 5]


RETURN = [
    "Metric,Area,Note,Value",
    "spend,E10000028,Café £5 a head,12",
    "spend,E07000192,,7.5",
    "",
    "Notes: provisional",
]


def _saved(encoding: str, line_end: str, bom: bool = False) -> bytes:
    data = line_end.join(RETURN).encode(encoding) + line_end.encode()
    return (b"\xef\xbb\xbf" if bom else b"") + data


def test_a_return_reads_the_same_however_it_was_saved() -> None:
    # Excel on Windows (Windows-1252, or UTF-8 with a BOM, CRLF line ends) and on a Mac (UTF-8,
    # newlines): the figures, the text and the row numbers are the same
    saved = [
        _saved("utf-8", "\n"),
        _saved("utf-8", "\r\n", bom=True),
        _saved("cp1252", "\r\n"),
        _saved("cp1252", "\n"),
    ]
    tables = [read_csv_bytes(data, label="t.csv", numeric=("Value",)) for data in saved]
    first = tables[0]
    assert first.frame["Value"].tolist() == [12.0, 7.5]
    assert first.frame["Note"].astype(str).tolist() == ["Café £5 a head", ""]
    assert first.row_numbers.tolist() == [2, 3]
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table.frame, first.frame)
        assert table.row_numbers.tolist() == first.row_numbers.tolist()


def test_a_file_of_blank_lines_or_a_bom_alone_is_empty() -> None:
    for data in (b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"   \n\t\n", "\u00a0\n".encode()):
        try:
            read_csv_bytes(data, label="t.csv", numeric=("Value",))
        except TableError as exc:
            assert str(exc) == "t.csv is empty"
        else:
            raise AssertionError(f"{data!r} was read as a table")

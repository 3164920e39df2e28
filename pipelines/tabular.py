"""Read CSV and XLSX into text tables, coping with the mess real returns arrive in.

A byte-order mark, Windows-1252 text, blank rows, notes under the table, ragged rows,
thousands separators, % signs, (negative) accounting brackets and suppression markers.
Every cell stays text until a mapping says what it is; each row keeps its line number.
A row that could not be read as written (more cells than headings, a stray carriage return)
is kept with a sentence saying why, for validation to quarantine: never realigned.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_float_dtype

from pipelines.period_formats import parse_period
from pipelines.ragged import RAW_LINE, READ_PROBLEM, STRAY_CR, ragged_csv

HIDDEN = (READ_PROBLEM, RAW_LINE)
# What str.strip() takes for blank among ASCII characters (bytes.strip() takes fewer)
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())
# Beyond this a figure is more likely a corrupt cell than a count; the text path counts digits
GIANT = 1e30
MAX_DIGITS = 30
# What statisticians write for "no figure": suppressed, not applicable, not available
MISSING_MARKERS = frozenset(
    {"", "-", "–", "..", ".", "*", "x", "c", "z", "n/a", "na", "nan", "null", "none", ":"}
    | {"[c]", "[x]", "[z]", "[low]", "[u]", "[w]"}
)


class TableError(Exception):
    """A file that cannot be read as a table at all; the message says why and where."""


@dataclass(frozen=True)
class Table:
    """Text cells under their headings, and the source row number of each row."""

    frame: pd.DataFrame
    row_numbers: np.ndarray


def read_csv_bytes(
    data: bytes,
    *,
    label: str,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    header_row: int = 1,
    numeric: Collection[str] = (),
) -> Table:
    """Parse CSV bytes; the header is on `header_row` (1-based) and row numbers are lines.

    Columns named in `numeric` (matched ignoring case and spaces) are first tried as numbers
    by pandas' C parser; if any cell in them is not a plain number ("1,234", "45%", "[c]"),
    the whole file is read as text and the cells are cleaned one by one later.
    """
    payload = _plain_utf8(data, encoding)
    text: str | None = None
    if payload is None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" as Windows-1252 (the £ sign gives it away)
            text = data.decode("cp1252", errors="replace")
        if not text.strip():
            raise TableError(f"{label} is empty")
        text, stray = _line_ends(text)
        # pandas parses bytes without first copying the text into a buffer of its own
        payload = None if stray else text.encode("utf-8")
    options: dict[str, Any] = {
        "skip_blank_lines": False,
        "sep": delimiter,
        "header": header_row - 1,
        # Leading spaces go, so a cell of spaces reads as blank at C speed
        "skipinitialspace": True,
        # Without it pandas takes a surplus cell on the first data row for an index column,
        # shifting every column of the file one place
        "index_col": False,
        "encoding": "utf-8",
    }
    frame, numbers = None, None
    if payload is not None and not _first_row_too_wide(payload, delimiter, header_row):
        try:
            frame = _numeric_first(payload, options, numeric)
            if frame is None:
                frame = pd.read_csv(
                    io.BytesIO(payload), dtype="category", na_filter=False, **options
                )
        except pd.errors.ParserError:
            frame = None  # a later row with surplus cells: the slow path says which
        except pd.errors.EmptyDataError:
            raise TableError(f"{label} has no heading row at line {header_row}") from None
    if frame is None:
        if text is None:
            assert payload is not None
            text = payload.decode("utf-8")
        try:
            frame, numbers = ragged_csv(text, delimiter, header_row)
        except ValueError:
            raise TableError(f"{label} has no heading row at line {header_row}") from None
    frame.columns = _headings(list(frame.columns))
    if numbers is None:
        numbers = np.arange(len(frame), dtype=np.int64) + header_row + 1
    return tidy(frame, numbers)


def _plain_utf8(data: bytes, encoding: str) -> bytes | None:
    """The file as UTF-8 bytes with newline line ends, when it already is one (the usual case).

    Such a file is parsed as it came, without decoding it into a string and back. None sends
    anything else (another encoding, carriage returns alone, a blank file) the way of the text.
    """
    codec = codecs.lookup(encoding).name
    if codec not in ("utf-8", "utf-8-sig"):
        return None
    if codec == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    if data.isascii():
        # Stripping copies the bytes: look at the start first, where a table's heading is
        return data if data[:1024].strip(_ASCII_SPACE) or data.strip(_ASCII_SPACE) else None
    try:
        return data if data.decode("utf-8").strip() else None
    except UnicodeDecodeError:
        return None


def _line_ends(text: str) -> tuple[str, bool]:
    """Text with newline line ends, and whether a carriage return is left inside a line."""
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return text, False
    if "\n" not in text:
        return text.replace("\r", "\n"), False  # old Mac files end lines with CR alone
    # A lone CR among newline line ends is inside a cell: pandas would break the row there
    return text.replace("\r", STRAY_CR), True


def _first_row_too_wide(payload: bytes, delimiter: str, header_row: int) -> bool:
    """Whether the first data row has more cells than the heading (pandas cannot say)."""
    reader = csv.reader(_lines(payload), delimiter=delimiter)
    rows = [row for _, row in zip(range(header_row + 1), reader, strict=False)]
    return len(rows) > header_row and len(rows[header_row]) > len(rows[header_row - 1])


def _lines(payload: bytes) -> Iterator[str]:
    """The lines of UTF-8 bytes one at a time, for a reader that needs only the first few."""
    start = 0
    while start < len(payload):
        end = payload.find(b"\n", start) + 1 or len(payload)
        yield payload[start:end].decode("utf-8")
        start = end


def _key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def _numeric_first(
    payload: bytes, options: dict[str, Any], numeric: Collection[str]
) -> pd.DataFrame | None:
    if not numeric:
        return None
    header = pd.read_csv(io.BytesIO(payload), nrows=0, **options).columns
    wanted = {_key(n) for n in numeric}
    floats = [c for c in header if _key(c) in wanted]
    if not floats:
        return None
    # Text as categories: a column of a million cells holds a few hundred distinct values
    dtypes: defaultdict[Any, Any] = defaultdict(lambda: "category", {c: "float64" for c in floats})
    try:
        frame = pd.read_csv(
            io.BytesIO(payload),
            dtype=dtypes,
            keep_default_na=False,
            na_values={c: [""] for c in floats},
            **options,
        )
    except ValueError:
        return None  # a cell that is not a plain number: read it all as text
    for column in floats:
        # inf, 1e400 or a run of 40 digits: the text path says which cell and why
        if (np.abs(frame[column].to_numpy()) >= GIANT).any():
            return None
    return frame


def read_xlsx_bytes(
    data: bytes, *, label: str, sheet: str | None = None, header_row: int = 1
) -> Table:
    """Read one sheet of a workbook as text; row numbers are the sheet's own."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or non-XLSX file
        raise TableError(f"{label} is not a readable XLSX workbook ({exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(book.sheetnames)
            raise TableError(f"{label} has no sheet '{sheet}'; its sheets are {names}")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows: list[list[str]] = []
        numbers: list[int] = []
        header: list[str] | None = None
        for index, row in enumerate(worksheet.iter_rows(), start=1):
            # A cell beyond the headings keeps its column letter, to say where it is
            texts = [cell_text(c.value, getattr(c, "number_format", None)) for c in row]
            if index == header_row:
                header = texts
            elif index > header_row:
                rows.append(texts)
                numbers.append(index)
    finally:
        book.close()
    if header is None:
        raise TableError(f"{label} has no heading row at row {header_row}")
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    cells = [(r + [""] * (width - len(r)))[:width] for r in rows]
    frame = pd.DataFrame(cells, columns=_headings(header), dtype=str)
    problems = [_beyond_headings(r, width) for r in rows]
    if any(problems):
        frame[READ_PROBLEM] = problems
    return tidy(frame, np.array(numbers, dtype=np.int64))


def _beyond_headings(row: list[str], width: int) -> str:
    from openpyxl.utils import get_column_letter

    found = [i for i in range(width, len(row)) if row[i].strip()]
    if not found:
        return ""
    where = ", ".join(get_column_letter(i + 1) for i in found)
    return (
        f"the row has a value beyond the last heading (column {where}); "
        "add a heading for it or move it under one"
    )


def records_table(records: list[Any], *, label: str) -> Table:
    """A table from JSON records (a list of objects); row numbers count records from 1."""
    if not all(isinstance(r, dict) for r in records):
        raise TableError(f"{label}: expected a list of records (objects), found something else")
    columns = list(dict.fromkeys(str(k) for r in records for k in r))
    cells = [[cell_text(r.get(c)) for c in columns] for r in records]
    frame = pd.DataFrame(cells, columns=columns, dtype=str)
    return tidy(frame, np.arange(1, len(records) + 1, dtype=np.int64), notes=False)


def cell_text(value: Any, number_format: str | None = None) -> str:
    """One cell as text: dates as ISO, whole numbers without '.0', Excel percentages as 45%."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if number_format and _shows_month(number_format):
            # Excel shows 'Apr-24' whatever day is stored: the officer sees, and means, a month
            return value.date().replace(day=1).isoformat()
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if number_format and "%" in number_format:
            # Excel stores 45% as 0.45; the return meant 45
            return f"{float(value) * 100:.10g}%"
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    text = str(value)
    return text if text.strip() else ""


def _shows_month(number_format: str) -> bool:
    """Whether an Excel number format shows a month and year but no day or time."""
    # Quoted literals and [colour] or [$-locale] parts are not date codes
    codes = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format).lower()
    return "m" in codes and "y" in codes and not any(c in codes for c in "dhs")


def _headings(names: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for position, name in enumerate(names, start=1):
        text = " ".join(str(name if name is not None else "").split()) or f"column {position}"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        result.append(text)
    return result


def tidy(frame: pd.DataFrame, numbers: np.ndarray, *, notes: bool = True) -> Table:
    """Drop blank rows, and notes under the table (rows filling few cells), from a sheet.

    A sparse row under the table is a note only if it does not look like data: a row with a
    cell that reads as a period and another that reads as a number is data, however sparse.
    Records from JSON or SQL are kept as they are (`notes=False`): they have no notes, and a
    sparse record is data that must be validated, not dropped.
    """
    if frame.empty or not notes:
        return Table(frame.reset_index(drop=True), numbers[: len(frame)])
    columns = [c for c in frame.columns if c not in HIDDEN]
    filled = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        cells = frame[column]
        filled += (cells.notna() if is_float_dtype(cells) else cells != "").to_numpy()
    width = len(columns)
    enough = filled >= max(1, min(2, width), math.ceil(width / 2))
    last = int(np.flatnonzero(enough)[-1]) + 1 if enough.any() else 0
    misread = (
        (frame[READ_PROBLEM] != "").to_numpy()
        if READ_PROBLEM in frame
        else np.zeros(len(frame), dtype=bool)
    )
    keep = (filled > 0) | misread
    if last < len(frame):
        tail = frame.iloc[last:]
        keep[last:] &= misread[last:] | _looks_like_data(tail[columns])
    if keep.all():
        return Table(frame.reset_index(drop=True), numbers)
    return Table(frame[keep].reset_index(drop=True), numbers[keep])


def _looks_like_data(frame: pd.DataFrame) -> np.ndarray:
    """Per row, whether one cell reads as a period and another as a number (a note's do not)."""
    periods = np.zeros(len(frame), dtype=np.int64)
    figures = np.zeros(len(frame), dtype=np.int64)
    either = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        # Each distinct cell is judged once: a whole sheet can be sparse
        codes, uniques = pd.factorize(frame[column])
        texts = [cell_text(u) if not isinstance(u, str) else u.strip() for u in uniques]
        is_period = np.array(
            [bool(t) and parse_period(t) is not None for t in texts] + [False], dtype=bool
        )
        is_number = np.array(
            [bool(t) and isinstance(_clean_number(t), float) for t in texts] + [False], dtype=bool
        )
        periods += is_period[codes]
        figures += is_number[codes]
        either += (is_period | is_number)[codes]
    return (periods > 0) & (figures > 0) & (either > 1)


def to_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from text cells: (values with NaN for blanks, mask of cells that are not numbers)."""
    if is_float_dtype(text):
        return text, pd.Series(False, index=text.index)
    if isinstance(text.dtype, pd.CategoricalDtype):
        # Convert each distinct cell once, then spread the results by code
        per_value, per_bad = to_numbers(pd.Series(text.cat.categories.astype(str)))
        codes = text.cat.codes.to_numpy()
        known = codes >= 0
        spread = np.where(known, per_value.to_numpy()[codes], np.nan)
        flags = np.where(known, per_bad.to_numpy()[codes], False)
        return pd.Series(spread, index=text.index), pd.Series(flags, index=text.index)
    parsed = pd.to_numeric(text, errors="coerce")
    values = pd.Series(np.asarray(parsed, dtype="float64"), index=text.index)
    bad = pd.Series(False, index=text.index)
    # Giant values go the slow way too, where their digits are counted
    unread = (values.isna() | (values.abs() >= GIANT)) & (text != "")
    if not unread.any():
        return values, bad
    # Plain lists: pandas would turn a None result into NaN and lose "not a number"
    cleaned = [_clean_number(v) for v in text[unread].tolist()]
    values[unread] = np.array([v if isinstance(v, float) else np.nan for v in cleaned])
    bad[unread] = np.array([v is None for v in cleaned], dtype=bool)
    return values, bad


def _clean_number(raw: Any) -> float | None | str:
    """A float, 'blank' for a missing marker, or None for text that is not a number."""
    text = str(raw).strip().lower().replace("\u00a0", " ")
    if text in MISSING_MARKERS:
        return "blank"
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").replace(",", "").replace("£", "").replace("%", "").replace(" ", "")
    if significant_digits(text) > MAX_DIGITS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return -number if negative else number


def significant_digits(text: str) -> int:
    """How many significant digits a number written as text has (its exponent aside)."""
    mantissa = re.split(r"[eE]", text, maxsplit=1)[0]
    return len(re.sub(r"\D", "", mantissa).lstrip("0"))


def number_problem(raw: str) -> str:
    """Why a cell that is not a blank nor a number was refused, as the end of a sentence."""
    text = raw.strip().lower().replace(",", "").replace("£", "").replace("%", "")
    text = text.strip("()").replace(" ", "")
    if significant_digits(text) > MAX_DIGITS and re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?", text):
        return f"has more than {MAX_DIGITS} significant digits, more than any figure needs"
    try:
        number = float(text)
    except ValueError:
        return "is not a number"
    if math.isinf(number) and re.search(r"\d", text):
        return "is too large to be a figure (more than about 1.8e308)"
    return "is not a finite number"


def shorten(text: str, limit: int = 40) -> str:
    """A cell cut short for a message, saying how long it was."""
    return text if len(text) <= limit else f"{text[: limit - 10]}… ({len(text):,} characters)"


def percent_signs(text: pd.Series) -> pd.Series:
    """Per row, whether the cell was written with a % sign (checking each distinct cell once)."""
    if is_float_dtype(text):
        return pd.Series(False, index=text.index)
    if isinstance(text.dtype, pd.CategoricalDtype):
        per = np.append(text.cat.categories.astype(str).str.contains("%", regex=False), False)
        return pd.Series(per[text.cat.codes.to_numpy()], index=text.index)
    return text.astype(str).str.contains("%", regex=False)

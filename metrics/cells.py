"""Text that a spreadsheet would run as a formula is written as text, in XLSX and in CSV.

A flag's action, an owner or a definition is typed by people (or arrives in a source file),
and a spreadsheet runs a cell beginning `=`, `+`, `-` or `@` as a formula: `=HYPERLINK(...)`
can send the sheet's data elsewhere, and `=cmd|...` starts programs in old versions of Excel.
Tab and carriage return are included because some programs skip them before deciding. Numbers
stay numbers: only text is changed, and text that is just a number (`-3.5`, `+2%`) is left as
it is, since it cannot call anything.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A whole number or decimal, perhaps signed, with thousands commas or a percent sign
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?%?")


def is_formula_text(value: object) -> bool:
    """Whether a spreadsheet would read this value as a formula (only text can be one)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    return not (any(c.isdigit() for c in value) and _PLAIN_NUMBER.fullmatch(value))


def csv_text(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading apostrophe (OWASP's advice)."""
    return "'" + value if is_formula_text(value) else value


def safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text, headings included, with formula-like text neutralised."""
    safe = frame.rename(columns=lambda name: csv_text(str(name)))
    text_columns = [c for c in safe.columns if not pd.api.types.is_numeric_dtype(safe[c])]
    if text_columns:
        safe = safe.astype({c: object for c in text_columns})
        for column in text_columns:
            safe[column] = safe[column].map(csv_text)
    return safe.to_csv(index=False)


def text_cells(sheet: Worksheet) -> None:
    """Store every formula-like text cell of a sheet as plain text, marked to stay text."""
    for row in sheet.iter_rows():
        for cell in row:
            if is_formula_text(cell.value):
                # openpyxl makes any text starting "=" a formula; "s" writes it as a string,
                # and the quote prefix keeps Excel from reading it as one if it is edited
                cell.data_type = "s"
                cell.quotePrefix = True

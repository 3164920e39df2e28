"""The slow, exact CSV path: every row's own cells, and a sentence for a row misread.

pandas reads well-formed files fast. A file with a row wider than its heading, or with a
carriage return inside a line, is read here instead, row by row, so each such row can be
quarantined with the reason and the line as received, rather than realigned in silence.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

READ_PROBLEM = "__read_problem__"
RAW_LINE = "__raw_line__"
# Stands in for a lone carriage return while parsing, so the row is not broken in two there
STRAY_CR = "\ue00d"
_LEADING_GROUP = re.compile(r"^[-(£]?\d{1,3}$")
_TRAILING_GROUP = re.compile(r"^\d{3}(?:\.\d+)?%?\)?$")


def ragged_csv(text: str, delimiter: str, header_row: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells under the heading, a read problem and raw line per row, and each row's line number.

    Raises ValueError when the text has no row `header_row`.
    """
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    for cells in reader:
        start = spans[-1][1] + 1 if spans else 1
        records.append(cells)
        spans.append((start, reader.line_num))
    if len(records) < header_row:
        raise ValueError("no heading row")
    header = [c.replace(STRAY_CR, " ") for c in records[header_row - 1]]
    width = len(header)
    cells_out, problems, raws = [], [], []
    for cells, (first, last) in zip(records[header_row:], spans[header_row:], strict=True):
        problem = _problem(cells, header, delimiter)
        problems.append(problem)
        raws.append("\n".join(lines[first - 1 : last]).replace(STRAY_CR, "\r") if problem else "")
        padded = (cells + [""] * (width - len(cells)))[:width]
        cells_out.append([c.replace(STRAY_CR, "\r") if c.strip() else "" for c in padded])
    frame = pd.DataFrame(cells_out, columns=header, dtype=str)
    frame[READ_PROBLEM] = problems
    frame[RAW_LINE] = raws
    numbers = np.array([first for first, _ in spans[header_row:]], dtype=np.int64)
    return frame, numbers


def _problem(cells: list[str], header: list[str], delimiter: str) -> str:
    """Why a row cannot be read as written, or '' when it can."""
    if not any(c.strip() for c in cells):
        return ""  # a blank row, however many delimiters it has
    found = []
    width = len(header)
    if len(cells) > width:
        found.append(
            f"row has {len(cells)} cells but the heading has {width}; "
            + _surplus_hint(cells, width, delimiter)
        )
    for position, cell in enumerate(cells):
        if STRAY_CR in cell:
            column = f"'{header[position]}'" if position < width else f"{position + 1}"
            found.append(
                f"the cell in column {column} holds a carriage return outside quotes (a line "
                "break from another system), so the row may have been split; retype the row"
            )
    return "; ".join(found)


def _surplus_hint(cells: list[str], width: int, delimiter: str) -> str:
    if delimiter == ",":
        for before, after in zip(cells, cells[1:], strict=False):
            if _LEADING_GROUP.match(before.strip()) and _TRAILING_GROUP.match(after.strip()):
                return (
                    f"an unquoted thousands separator ({before.strip()},{after.strip()}) "
                    "may have split a number"
                )
    if not any(c.strip() for c in cells[width:]):
        return "is there a stray delimiter at the end of the line?"
    return "is there an unquoted delimiter inside a cell?"

"""Reading a filled-in returns template back, and checking every row before anything is saved.

Each filled row is checked as `cycle.entry.save_return` will check it (the owner, the lock, the
state, the figures), and also against the template's record of the cycle it was made for; each
problem names Excel's row number, the column, the value and what would be valid.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from access.identity import Viewer
from cycle.entry import Figures, ReturnKey, ReturnRefused, check_can_change, figure_errors
from cycle.opening import areas_returned
from cycle.template_sheet import (
    COLUMN_NUMBER,
    FIELD_HEADINGS,
    HEADINGS,
    KEY_HEADINGS,
    META_HEADINGS,
    META_SHEET,
    OWN_HEADINGS,
    SHEET,
    TEMPLATE_KIND,
    column_letter,
)
from metrics.engine.period_codes import parse_period_code
from metrics.registry.loader import Registry
from metrics.registry.model import Metric
from warehouse.returns import find_return

# A '%' outside quotes scales the shown figure by 100 ('"%"' is just a sign after it)
_QUOTED = re.compile(r'"[^"]*"')


@dataclass(frozen=True)
class UploadProblem:
    """One thing wrong with an upload: where (Excel's row number and the column's heading,
    None for the whole file or row), the value found, and what is wrong or would be valid."""

    row: int | None
    column: str | None
    value: str
    message: str

    def __str__(self) -> str:
        if self.row is None or self.column is None:
            return self.message
        letter = column_letter(self.column) if self.column in COLUMN_NUMBER else "?"
        shown = f" '{self.value}'" if self.value and f"'{self.value}'" not in self.message else ""
        return f"Row {self.row}, column {letter} ({self.column}){shown}: {self.message}"


@dataclass(frozen=True)
class Template:
    """What a template's hidden sheet recorded when it was made."""

    owner: str
    cycles: dict[str, int]  # period code -> the cycle's id when the template was made
    returns: dict[tuple[str, str, str], int]  # (period, measure, area) -> return id


@dataclass(frozen=True)
class Filled:
    """A row the owner filled in: Excel's row number, the return it names, what was typed."""

    row: int
    key: ReturnKey
    figures: Figures


def open_upload(
    data: bytes | Path, name: str
) -> tuple[Worksheet, Worksheet, Template] | UploadProblem:
    """The Returns sheet (as typed, and with formulas' saved results) and the template's
    record, or the one problem that stops the file being read at all."""
    try:
        raw = data.read_bytes() if isinstance(data, Path) else data
        book = load_workbook(io.BytesIO(raw))
        results = load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return _whole(
            f"{name} is not an Excel workbook (.xlsx) PMF can read ({type(exc).__name__}); "
            "upload the file 'pmf returns template' wrote, saved as an Excel workbook."
        )
    if SHEET not in book.sheetnames:
        return _whole(
            f"{name} has no sheet called '{SHEET}' (its sheets: {', '.join(book.sheetnames)}); "
            "upload the file 'pmf returns template' wrote."
        )
    sheet = book[SHEET]
    found = [_text(cell.value) for cell in sheet[1]]
    wrong = [
        f"column {get_column_letter(number)} is headed '{found[number - 1]}', not '{heading}'"
        if number <= len(found) and found[number - 1]
        else f"column {get_column_letter(number)} should be headed '{heading}' but is empty"
        for number, heading in enumerate(HEADINGS, start=1)
        if number > len(found) or found[number - 1].lower() != heading.lower()
    ]
    if wrong:
        return _whole(
            f"The '{SHEET}' sheet's headings are not the template's: {'; '.join(wrong)}. "
            "Keep the columns as the template has them (download a new one with 'pmf returns "
            "template')."
        )
    template = read_template(book)
    if template is None:
        return _whole(
            f"{name} has no '{META_SHEET}' sheet recording whose returns it holds, so it was "
            "not made by 'pmf returns template' (or the sheet was deleted); download a new "
            "template and copy the figures into it."
        )
    return sheet, results[SHEET], template


def read_template(book: Workbook) -> Template | None:
    """What the hidden sheet says of the template, or None if it is missing or unreadable."""
    if META_SHEET not in book.sheetnames:
        return None
    rows = [list(row) for row in book[META_SHEET].iter_rows(values_only=True)]
    facts = {str(row[0]): row[1] for row in rows[:4] if row and row[0] is not None}
    if facts.get("kind") != TEMPLATE_KIND or not facts.get("owner"):
        return None
    try:
        start = next(i for i, row in enumerate(rows) if tuple(row[:5]) == META_HEADINGS) + 1
        listed = [(int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows[start:]]
    except (StopIteration, TypeError, ValueError, IndexError):
        return None
    return Template(
        owner=str(facts["owner"]),
        cycles={period: cycle for _, cycle, period, _, _ in listed},
        returns={(p, m, a): return_id for return_id, _, p, m, a in listed},
    )


def filled_rows(
    registry: Registry, sheet: Worksheet, cached: Worksheet
) -> tuple[list[Filled], int, list[UploadProblem]]:
    """Each filled row's key and figures as typed, how many rows were left blank, and the
    problems found in the cells themselves (a key that names nothing, a formula with no
    result, a repeated row)."""
    filled: list[Filled] = []
    skipped = 0
    problems: list[UploadProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for typed, shown in zip(
        sheet.iter_rows(min_row=2, max_col=len(HEADINGS)),
        cached.iter_rows(min_row=2, max_col=len(HEADINGS)),
        strict=True,
    ):
        number = typed[0].row
        cells = {heading: (typed[i], shown[i]) for i, heading in enumerate(HEADINGS)}
        read: dict[str, str] = {}
        bad = False
        for heading in (*KEY_HEADINGS, *OWN_HEADINGS):
            text, problem = _cell_text(number, heading, *cells[heading])
            read[heading] = text
            if problem is not None:
                problems.append(problem)
                bad = True
        entered = any(read[h] for h in OWN_HEADINGS)
        if not entered:
            skipped += 1 if any(read[h] for h in KEY_HEADINGS) else 0
            continue
        if bad:
            continue
        key, key_problems = _key(registry, number, read)
        problems += key_problems
        if key is None:
            continue
        ident = (key.period, key.metric_id, key.area_code)
        if ident in seen:
            problems.append(
                UploadProblem(
                    number,
                    None,
                    "",
                    f"Rows {seen[ident]} and {number} are both for {key.metric_id} "
                    f"({registry.area_name(key.area_code)}) in {key.period}: keep one of them.",
                )
            )
            continue
        seen[ident] = number
        figures = Figures(
            value=read["Value"] or None,
            numerator=read["Numerator"] or None,
            denominator=read["Denominator"] or None,
            commentary=read["Commentary"],
        )
        filled.append(Filled(number, key, figures))
    return filled, skipped, problems


def _cell_text(
    number: int, heading: str, typed: Cell, shown: Cell
) -> tuple[str, UploadProblem | None]:
    """A cell's content as text, as the owner sees it (a formula by its saved result, a
    number formatted as a percentage as the percentage shown)."""
    value = typed.value
    if typed.data_type == "f" and heading == "Commentary":
        # Commentary that begins '=' or '-' reads as a formula to Excel; what was typed is meant
        return str(typed.value).strip(), None
    if typed.data_type == "f":
        value = shown.value
        if value is None:
            return "", UploadProblem(
                number,
                heading,
                str(typed.value),
                "The cell holds a formula whose result was not saved with the file; type the "
                f"{heading.lower()} itself.",
            )
    if value is None:
        return "", None
    if isinstance(value, datetime | date):
        if heading == "Period":
            return f"{value:%Y-%m}", None  # Excel turns a typed 2026-10 into 1 Oct 2026
        if heading == "Commentary":
            return f"{value:%d %b %Y}", None
        return "", UploadProblem(
            number, heading, f"{value:%d %b %Y}", "A date is not a figure; type a number."
        )
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int | float):
        if heading == "Value" and "%" in _QUOTED.sub("", str(typed.number_format)):
            value = value * 100  # 85% typed in Excel is stored as 0.85
        return f"{float(value):.15g}", None
    return str(value).strip(), None


def _key(
    registry: Registry, number: int, read: dict[str, str]
) -> tuple[ReturnKey | None, list[UploadProblem]]:
    """The return a row names, or the problems with its period, measure and area."""
    problems: list[UploadProblem] = []
    period = read["Period"]
    if not period:
        problems.append(
            UploadProblem(number, "Period", "", "No period; give its code, e.g. 2026-10.")
        )
    else:
        try:
            period = parse_period_code(period).code
        except ValueError as exc:
            problems.append(UploadProblem(number, "Period", "", f"{exc}."))
    metric = _measure(registry, number, read["Measure id"], problems)
    area = read["Area code"]
    if metric is not None:
        valid = areas_returned(registry, metric)
        if area not in valid:
            problems.append(
                UploadProblem(number, "Area code", area, _area_hint(registry, area, valid))
            )
    if problems or metric is None:
        return None, problems
    return ReturnKey(period, metric.id, area), []


def _measure(
    registry: Registry, number: int, text: str, problems: list[UploadProblem]
) -> Metric | None:
    manual = [m for m in registry.metrics if m.is_manual]
    if registry.has_metric(text) and registry.metric(text).is_manual:
        return registry.metric(text)
    if registry.has_metric(text):
        message = f"{text} is not a manual measure: its figures come from a pipeline."
    elif not text:
        message = "No measure id; copy it from the template."
    else:
        by_name = [m.id for m in manual if m.name.lower() == text.lower()]
        close = by_name or difflib.get_close_matches(text, [m.id for m in manual], n=1)
        message = (
            f"There is no measure with this id; did you mean '{close[0]}'?"
            if close
            else "There is no manual measure with this id; copy the id from the template."
        )
    problems.append(UploadProblem(number, "Measure id", text, message))
    return None


def _area_hint(registry: Registry, text: str, valid: list[str]) -> str:
    by_name = [code for code in valid if registry.area_name(code).lower() == text.lower()]
    close = by_name or difflib.get_close_matches(text, valid, n=1)
    if close:
        return (
            f"The measure is not returned for this area code; did you mean '{close[0]}' "
            f"({registry.area_name(close[0])})?"
        )
    listed = ", ".join(f"{code} ({registry.area_name(code)})" for code in valid[:10])
    return f"The measure is returned for {listed}{' and others' if len(valid) > 10 else ''}."


def check_rows(
    registry: Registry,
    engine: sa.Engine,
    filled: list[Filled],
    template: Template,
    by: Viewer,
    submit: bool,
    today: date | None,
) -> list[UploadProblem]:
    """Check each filled row against its stored return as `save_return` will: the template's
    cycle, the owner, the lock, the state, and the figures."""
    problems: list[UploadProblem] = []
    # period -> (whether its cycle is closed, the rows for it)
    stale: dict[str, tuple[bool, list[int]]] = {}
    with engine.connect() as conn:
        stored = {row.row: find_return(conn, *_key_tuple(row.key)) for row in filled}
    for row in filled:
        key, found = row.key, stored[row.row]
        if found is None:
            problems.append(
                UploadProblem(
                    row.row,
                    None,
                    "",
                    f"Row {row.row}: there is no return for {key.metric_id} "
                    f"({registry.area_name(key.area_code)}) in {key.period}; 'pmf cycle status' "
                    "lists the open cycles' returns.",
                )
            )
            continue
        recorded = template.cycles.get(key.period)
        recorded_return = template.returns.get(_key_tuple(key))
        if recorded is not None and (
            found["cycle_closed_at"] is not None
            or int(found["cycle_id"]) != recorded
            or recorded_return not in (None, int(found["id"]))
        ):
            stale.setdefault(key.period, (found["cycle_closed_at"] is not None, []))[1].append(
                row.row
            )
            continue
        if found["owner"] != by.username:
            problems.append(
                UploadProblem(
                    row.row,
                    None,
                    "",
                    f"Row {row.row} is {found['owner']}'s return; you are {by.username}.",
                )
            )
            continue
        try:
            check_can_change(found, by)
        except ReturnRefused as exc:
            problems.append(UploadProblem(row.row, None, "", f"Row {row.row}: {exc}"))
            continue
        metric = registry.metric(key.metric_id)
        errors = figure_errors(registry, metric, found, row.figures, submit=submit, today=today)
        for field, message in errors.items():
            heading = FIELD_HEADINGS.get(field)
            if heading is None:  # a refusal of the whole return, not of one cell
                problems.append(UploadProblem(row.row, None, "", f"Row {row.row}: {message}"))
                continue
            value = getattr(row.figures, field) or ""
            problems.append(UploadProblem(row.row, heading, str(value), message))
    for period, (is_closed, numbers) in stale.items():
        which = "which is closed" if is_closed else "which is not the cycle open now"
        problems.insert(
            0,
            UploadProblem(
                numbers[0],
                None,
                "",
                f"This template is for cycle {period}, {which} (row"
                f"{'s' if len(numbers) > 1 else ''} {_spans(numbers)}); download a new "
                "template with 'pmf returns template'.",
            ),
        )
    return problems


def _key_tuple(key: ReturnKey) -> tuple[str, str, str]:
    return key.period, key.metric_id, key.area_code


def _spans(numbers: list[int]) -> str:
    """'2-5, 8' for rows 2, 3, 4, 5 and 8."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _whole(message: str) -> UploadProblem:
    return UploadProblem(None, None, "", message)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from access.identity import Viewer
from cycle.entry import ReturnRefused, has_fraction, save_return
from cycle.opening import CycleProblem
from cycle.states import EDITABLE
from cycle.template_sheet import (
    COLUMN_NUMBER,
    COLUMNS,
    HEADINGS,
    KEY_HEADINGS,
    META_HEADINGS,
    META_SHEET,
    OWN_HEADINGS,
    SHEET,
    TEMPLATE_KIND,
)
from cycle.upload_checks import UploadProblem, check_rows, filled_rows, open_upload
from cycle.worklist import owner_returns
from metrics.cells import text_cells
from metrics.registry.loader import Registry
from metrics.words import LATE, plural, return_state_word
from reports.xlsx import number_format

__all__ = ["UploadProblem", "UploadResult", "read_upload", "write_template"]

# The owner's cells stand out: yellow under brown headings; grey for a field a measure lacks
_OWN_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNUSED_FILL = PatternFill("solid", fgColor="D9D9D9")
_OWN_HEADING = PatternFill("solid", fgColor="7F6000")
_READ_HEADING = PatternFill("solid", fgColor="1F3864")


def write_template(
    registry: Registry,
    engine: sa.Engine,
    owner: str,
    out: Path | BinaryIO,
    *,
    today: date | None = None,
) -> int:
    """Write the owner's returns still to enter in every open cycle as an XLSX template;
    how many rows it holds."""
    today = today or date.today()
    frame = owner_returns(registry, engine, owner, today=today)
    if frame.empty:
        raise CycleProblem(
            f"{owner} owns no return in an open cycle, so there is nothing to put in a "
            "template; 'pmf cycle status' lists the open cycles' returns and their owners."
        )
    rows = frame[frame["state"].isin(EDITABLE)]
    if rows.empty:
        periods = ", ".join(sorted(set(map(str, frame["period"]))))
        raise CycleProblem(
            f"Every return of {owner} in the open cycles ({periods}) has been submitted or "
            "approved; nothing is left to enter. An approver can send one back to change it."
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = SHEET
    _headings(sheet)
    for number, record in enumerate(rows.to_dict("records"), start=2):
        _write_row(registry, sheet, number, {str(k): v for k, v in record.items()})
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADINGS))}{len(rows) + 1}"
    _meta_sheet(book, owner, rows)
    for each in book.worksheets:
        text_cells(each)
    buffer = io.BytesIO()
    book.save(buffer)
    if isinstance(out, Path):
        out.write_bytes(buffer.getvalue())
    else:
        out.write(buffer.getvalue())
    return len(rows)


def _headings(sheet: Worksheet) -> None:
    for number, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=number, value=column.heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _OWN_HEADING if column.editable else _READ_HEADING
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(column.note, "PMF")
        sheet.column_dimensions[get_column_letter(number)].width = column.width


def _write_row(
    registry: Registry,
    sheet: Worksheet,
    number: int,
    record: dict[str, Any],
) -> None:
    """One return: what it is and what the owner needs beside it, then the cells to fill."""
    metric = registry.metric(str(record["metric_id"]))
    area = str(record["area_code"])
    state = return_state_word(str(record["state"])) + (f" ({LATE})" if record["late"] else "")
    fraction = has_fraction(metric)
    values: dict[str, Any] = {
        "Period": str(record["period"]),
        "Measure id": metric.id,
        "Measure": metric.name,
        "Area code": area,
        "Area": registry.area_name(area),
        "Unit": metric.unit,
        "Target": _blank_none(record["target"]),
        "Last approved": _blank_none(record["last_value"]),
        "Last approved for": record["last_period"] or "none yet",
        "Due": record["due"],
        "State": state,
        "Approver's note": _blank_none(record.get("note")),
        "Value": _blank_none(record.get("value")),
        "Numerator": _blank_none(record.get("numerator")) if fraction else None,
        "Denominator": _blank_none(record.get("denominator")) if fraction else None,
        "Commentary": _blank_none(record.get("commentary")),
    }
    for heading, value in values.items():
        cell = sheet.cell(row=number, column=COLUMN_NUMBER[heading], value=value)
        cell.alignment = Alignment(vertical="top", wrap_text=heading in ("Commentary", "Measure"))
        if heading in ("Target", "Last approved", "Value"):
            cell.number_format = number_format(metric)
        elif heading == "Due":
            cell.number_format = "d mmm yyyy"
        elif heading in KEY_HEADINGS:
            cell.number_format = "@"  # so Excel keeps 2026-10 as text if it is typed again
        if heading in OWN_HEADINGS:
            unused = heading in ("Numerator", "Denominator") and not fraction
            cell.fill = _UNUSED_FILL if unused else _OWN_FILL


def _meta_sheet(book: Workbook, owner: str, rows: pd.DataFrame) -> None:
    meta = book.create_sheet(META_SHEET)
    meta.append(["kind", TEMPLATE_KIND])
    meta.append(["owner", owner])
    meta.append(["made", datetime.now().isoformat(timespec="seconds")])
    meta.append([])
    meta.append(list(META_HEADINGS))
    for record in rows.to_dict("records"):
        meta.append(
            [int(record["return_id"]), int(record["cycle_id"])]
            + [str(record[name]) for name in ("period", "metric_id", "area_code")]
        )
    meta.sheet_state = "hidden"


@dataclass(frozen=True)
class UploadResult:
    """What an upload did: how many returns it saved (submitted, or as drafts), how many rows
    were left blank, and every problem (nothing is saved when there is one)."""

    saved: int
    submitted: bool
    skipped: int
    problems: tuple[UploadProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every row passed (and so each filled one was saved)."""
        return not self.problems

    def summary(self) -> str:
        """One sentence for the owner."""
        blank = f"; {plural(self.skipped, 'row')} left blank" if self.skipped else ""
        if not self.ok:
            return (
                f"Nothing was saved: {plural(len(self.problems), 'problem')}. Correct "
                f"{'it' if len(self.problems) == 1 else 'them'} and upload the file again."
            )
        if not self.saved:
            return f"Nothing to save: every row was left blank ({plural(self.skipped, 'row')})."
        done = (
            "submitted for sign-off"
            if self.submitted
            else "saved as drafts"
            if self.saved > 1
            else "saved as a draft"
        )
        return f"{plural(self.saved, 'return')} {done}{blank}."


def read_upload(
    registry: Registry,
    engine: sa.Engine,
    data: bytes | Path,
    *,
    by: Viewer,
    submit: bool = True,
    today: date | None = None,
) -> UploadResult:
    """Check every row of a filled-in template and, only if all pass, save each filled row
    (submitted, or as a draft); blank rows are skipped."""
    name = f"'{data.name}'" if isinstance(data, Path) else "The upload"
    opened = open_upload(data, name)
    if isinstance(opened, UploadProblem):
        return UploadResult(0, submit, 0, (opened,))
    sheet, cached, template = opened
    filled, skipped, problems = filled_rows(registry, sheet, cached)
    problems += check_rows(registry, engine, filled, template, by, submit, today)
    if problems:
        in_order = sorted(problems, key=lambda problem: problem.row or 0)
        return UploadResult(0, submit, skipped, tuple(in_order))
    for done, row in enumerate(filled):
        try:
            save_return(registry, engine, row.key, row.figures, by=by, submit=submit, today=today)
        except ReturnRefused as exc:
            # Every row was checked as save_return checks it: only a change made meanwhile
            # (a return sent back or the cycle closed) can land here
            raise ReturnRefused(
                {
                    "": f"Row {row.row} could not be saved although it passed the checks "
                    f"({plural(done, 'row')} before it were saved): {exc}"
                }
            ) from None
    return UploadResult(len(filled), submit, skipped)


def _blank_none(value: object) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value

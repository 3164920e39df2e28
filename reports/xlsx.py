"""Render a pack as a workbook: the summary, every figure, definitions, flags and milestones.

Numbers are stored as numbers with a display format in the measure's unit, so a reader can
sort, filter and chart them; each sheet is an Excel table with a header row. Everything is
named as people know it (measure, area, portfolio, committee, priority and source names), with
the measure id and area code kept in their own columns for joining other data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from metrics.cells import text_cells
from metrics.engine.periods import period_label
from metrics.figures import UNIT_TITLES
from metrics.flags.register import STATUS_WORDS
from metrics.flags.rules import RULE_NAMES
from metrics.readmodel.suppression import SUPPRESSED
from metrics.registry.model import Metric
from metrics.words import assurance_text, direction_parts, rag_word, variation_text
from reports.glossary import glossary_rows
from reports.narrative import day_text, is_number
from reports.pack import Pack, records

SHEETS = (
    "Summary",
    "Measures",
    "Data",
    "Definitions",
    "Flags",
    "Milestones",
    "Savings",
    "Risks",
    "Glossary",
)
POUNDS = '"£"#,##0'
# Money columns of the Savings sheet (not "Planned"/"Forecast", which are milestone dates)
SAVINGS_MONEY = ("Planned (£)", "Forecast (£)", "Delivered (£)")
FREQUENCY_WORDS = {
    "weekly": "Weekly",
    "monthly": "Monthly",
    "quarterly": "Quarterly (financial)",
    "annual": "Yearly (financial year)",
    "calendar_year": "Yearly (calendar year)",
    "biennial": "Every other year",
}
POLARITY_WORDS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "Neither",
}


def number_format(metric: Metric) -> str:
    """An Excel display format for a measure's unit: £1,234, 12.5%, 18.3."""
    decimals = "." + "0" * metric.decimals if metric.decimals else ""
    if metric.unit == "GBP":
        return POUNDS
    if metric.unit == "percent":
        return f'#,##0{decimals}"%"'
    return f"#,##0{decimals}"


def direction_words(direction: object, polarity: object) -> str:
    """A direction of travel as the pages write it: '↓ Down, improving' (arrow, then words)."""
    arrow, words = direction_parts(_text(direction), polarity)
    return f"{arrow} {words}" if arrow else words


def render_xlsx(pack: Pack) -> bytes:
    """The workbook as bytes."""
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook always has one sheet
    _summary_sheet(summary, pack)
    metrics = {s.metric.id: s.metric for s in pack.sections}
    _table_sheet(book, "Measures", *_measures(pack), metrics)
    _table_sheet(book, "Data", *_data(pack), metrics)
    _table_sheet(book, "Definitions", *_definitions(pack), metrics)
    _table_sheet(book, "Flags", *_flags(pack), metrics)
    _table_sheet(book, "Milestones", *_milestones(pack), metrics)
    _table_sheet(book, "Savings", *_savings(pack), metrics)
    _money_columns(book["Savings"], SAVINGS_MONEY)
    _table_sheet(book, "Risks", *_risks(pack), metrics)
    _table_sheet(
        book, "Glossary", ["Term", "Meaning"], [list(row) for row in glossary_rows()], metrics
    )
    for sheet in book.worksheets:
        text_cells(sheet)
    book.properties.title = f"{pack.title}, as at {day_text(pack.as_at)}"
    book.properties.creator = "PMF"
    book.properties.created = pack.produced_at
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet: Worksheet, pack: Pack) -> None:
    sheet.title = "Summary"
    sheet.append([pack.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{pack.council}. For: {pack.scope.audience}."])
    sheet.append([f"As at {day_text(pack.as_at)}; produced {pack.produced_at:%d %b %Y %H:%M}."])
    sheet.append([])
    for para in pack.summary:
        sheet.append([para.full])
    sheet.append([])
    sheet.append(["Savings and risks"])
    for para in pack.finance.paras:
        sheet.append([para.full])
    sheet.append([])
    sheet.append(["Sheets: " + ", ".join(SHEETS[1:]) + "."])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _measures(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Measure",
        "Measure id",
        "Period",
        "Value",
        "Target",
        "Status",
        "Since the previous period",
        "Since a year earlier",
        "Year to date",
        "SPC reading",
        "Assurance",
        "Data",
        "Open flags",
    ]
    snap = pack.data.snapshot
    rows = []
    for section in pack.sections:
        metric = section.metric
        found = snap[(snap["metric_id"] == metric.id) & (snap["area_code"] == pack.data.county)]
        r: dict[str, Any] = records(found)[0] if not found.empty else {}
        start = r.get("period_start")
        variation = section.view.spc.variation if section.view.spc is not None else None
        rows.append(
            [
                metric.name,
                metric.id,
                period_label(metric.frequency, start) if isinstance(start, date) else None,
                SUPPRESSED if r.get("suppressed") is True else _number(r.get("value")),
                _number(r.get("target")),
                rag_word(section.rag),
                direction_words(r.get("direction"), metric.polarity),
                direction_words(r.get("direction_year"), metric.polarity),
                _number(r.get("ytd_value")),
                variation_text(variation),
                assurance_text(_text(r.get("assurance"))),
                _text(r.get("freshness")) or "",
                sum(1 for a in section.actions),
            ]
        )
    return headers, rows


def _data(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Measure",
        "Measure id",
        "Area",
        "Area code",
        "Period",
        "Period start",
        "Value",
        "Numerator",
        "Denominator",
        "Target",
        "Status",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "SPC reading",
    ]
    data = pack.data
    rows: list[list[Any]] = []
    for section in pack.sections:
        metric = section.metric
        own = data.observations[data.observations["metric_id"] == metric.id]
        if own.empty:
            continue
        status = data.status[data.status["metric_id"] == metric.id]
        keys = zip(status["area_code"], pd.to_datetime(status["period_start"]).dt.date, strict=True)
        rags = dict(zip(keys, status["rag"], strict=True))
        for code in sorted(own["area_code"].unique(), key=lambda c: (c != data.county, c)):
            # Every figure held; the SPC columns are those of the chart (the periods it shows),
            # so the workbook and the pack's chart give the same limits and readings
            every = data.series(metric, str(code), whole=True).frame
            charted = data.series(metric, str(code)).frame
            spc = [c for c in ("mean", "lpl", "upl", "point_type") if c in charted]
            frame = every.drop(columns=[c for c in spc if c in every]).merge(
                charted[["period_start", *spc]], on="period_start", how="left"
            )
            hidden = data.hidden(metric.id, str(code))
            for record in frame.to_dict("records"):
                # A public pack marks small numbers: those cells read [c], as on the pages
                cover = record["period_start"] in hidden
                rows.append(
                    [
                        metric.name,
                        metric.id,
                        pack.area_names.get(str(code), str(code)),
                        code,
                        record["period"],
                        record["period_start"],
                        SUPPRESSED if cover else _number(record["value"]),
                        SUPPRESSED if cover else _number(record.get("numerator")),
                        SUPPRESSED if cover else _number(record.get("denominator")),
                        _number(record["target"]),
                        rag_word(rags.get((code, record["period_start"]))),
                        _number(record.get("mean")),
                        _number(record.get("lpl")),
                        _number(record.get("upl")),
                        variation_text(pt)
                        if isinstance(pt := record.get("point_type"), str) and pt
                        else "",
                    ]
                )
    return headers, rows


def _definitions(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Measure",
        "Measure id",
        "Definition",
        "Unit",
        "Better is",
        "Reported",
        "Target now",
        "Tolerance",
        "Owner",
        "Portfolio",
        "Select committee",
        "Priority",
        "Areas",
        "Source",
        "Data due (days after period end)",
    ]
    registry = pack.data.registry
    rows = []
    for section in pack.sections:
        m = section.metric
        tolerance = ""
        if m.tolerance is not None:
            tolerance = (
                f"{m.tolerance.percent:g}% of target"
                if m.tolerance.percent is not None
                else f"{m.tolerance.absolute:g} ({UNIT_TITLES.get(m.unit, m.unit).lower()})"
            )
        rows.append(
            [
                m.name,
                m.id,
                m.description,
                UNIT_TITLES.get(m.unit, m.unit),
                POLARITY_WORDS[m.polarity],
                FREQUENCY_WORDS.get(m.frequency, m.frequency),
                m.target_for(pack.as_at),
                tolerance,
                m.owner,
                registry.name_of("portfolios", m.portfolio),
                registry.name_of("select_committees", m.select_committee),
                registry.name_of("priorities", m.priority),
                "County and districts" if m.area_level == "districts" else "County",
                registry.pipeline_name(m.source_id),
                registry.lag_days_for(m),
            ]
        )
    return headers, rows


def _flags(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Flag id",
        "Subject",
        "Area",
        "Rule",
        "Status at the as-at date",
        "Raised",
        "Why",
        "Owner",
        "Action",
        "Due",
        "Action overdue",
    ]
    names = {s.metric.id: s.metric.name for s in pack.sections}
    titles = {m.title: m.title for m in pack.milestones}
    milestone_titles = dict(
        zip(pack.data.milestones["id"].astype(str), pack.data.milestones["title"], strict=True)
    )
    rows = []
    for flag in pack.data.flags.to_dict("records"):
        subject = str(flag["subject_id"])
        due = flag.get("due_date")
        rows.append(
            [
                int(flag["id"]),
                names.get(subject) or titles.get(milestone_titles.get(subject, ""), subject),
                pack.area_names.get(code, code) if (code := _text(flag.get("area_code"))) else "",
                RULE_NAMES.get(str(flag["rule"]), str(flag["rule"])),
                STATUS_WORDS.get(str(flag["status"]), str(flag["status"])),
                pd.Timestamp(flag["raised_at"]).to_pydatetime(),
                _text(flag.get("detail")) or "",
                _text(flag.get("owner")) or "",
                _text(flag.get("action")) or "",
                None if due is None or pd.isna(due) else pd.Timestamp(due).date(),
                "Yes" if bool(flag.get("action_overdue")) else "No",
            ]
        )
    return headers, rows


def _milestones(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = ["Milestone", "Programme", "Owner", "Planned", "Forecast", "Status", "Days late"]
    rows = [
        [m.title, m.programme, m.owner, m.baseline, m.forecast, m.status_word, m.slip_days]
        for m in pack.milestones
    ]
    return headers, rows


def _savings(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Proposal",
        "Proposal id",
        "Portfolio",
        "Owner",
        "Financial year",
        *SAVINGS_MONEY,
        "Status",
        "Why",
    ]
    rows = [
        [
            s.title,
            s.id,
            s.portfolio,
            s.owner,
            pack.finance.year,
            s.planned,
            s.forecast,
            s.delivered,
            s.status_word,
            s.why,
        ]
        for s in pack.finance.savings
    ]
    return headers, rows


def _risks(pack: Pack) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "Risk",
        "Risk id",
        "Category",
        "Portfolio",
        "Owner",
        "Likelihood",
        "Impact",
        "Score",
        "Rating",
        "Appetite",
        "Next review",
        "Why listed",
    ]
    rows = [
        [
            r.title,
            r.id,
            r.category,
            r.portfolio,
            r.owner,
            r.likelihood,
            r.impact,
            r.score,
            r.rating_word,
            r.appetite,
            r.review_date,
            r.why,
        ]
        for r in pack.finance.risks
    ]
    return headers, rows


def _money_columns(sheet: Worksheet, headers: Sequence[str]) -> None:
    """Pounds shown as £1,234 in the named columns (the values stay numbers)."""
    names = [cell.value for cell in sheet[1]]
    for header in headers:
        column = names.index(header) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = POUNDS


def _table_sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    metrics: dict[str, Metric],
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    if not rows:
        rows = [[f"No {title.lower()} in this pack."] + [None] * (len(headers) - 1)]
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _format_numbers(sheet, headers, metrics)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))
    ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    table = Table(displayName=f"{title}Table", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)


def _format_numbers(sheet: Worksheet, headers: Sequence[str], metrics: dict[str, Metric]) -> None:
    """Give value columns their measure's unit format, and date columns a date format."""
    value_columns = {"Value", "Target", "Year to date", "Mean"} | {
        "Lower process limit",
        "Upper process limit",
    }
    if "Measure id" not in headers:
        for column, header in enumerate(headers, start=1):
            if header in ("Planned", "Forecast", "Due", "Raised", "Period start", "Next review"):
                for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = "d mmm yyyy"
        return
    id_column = list(headers).index("Measure id")
    for row in sheet.iter_rows(min_row=2):
        metric = metrics.get(str(row[id_column].value))
        for cell, header in zip(row, headers, strict=False):
            if header in value_columns and metric is not None:
                cell.number_format = number_format(metric)
            elif header in ("Period start", "Due", "Raised"):
                cell.number_format = "d mmm yyyy"


def _number(value: Any) -> float | None:
    return float(value) if is_number(value) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None

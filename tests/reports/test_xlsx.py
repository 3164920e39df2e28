"""The XLSX pack: the figures as numbers in their units, definitions, flags and milestones."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from layouts._components.status import direction_badge
from reports.pack import Pack, build_pack
from reports.scope import resolve_scope
from reports.xlsx import SHEETS, render_xlsx
from tests.reports.conftest import Sample


@pytest.fixture(scope="module")
def finance(sample: Sample) -> Pack:
    scope = resolve_scope(sample.registry, "portfolio", "finance")
    return build_pack(sample.registry, sample.engine, scope, sample.as_at)


@pytest.fixture(scope="module")
def book(finance: Pack) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(finance)))


def rows(book: Workbook, sheet: str) -> list[dict[str, object]]:
    values = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_workbook_has_every_sheet_with_a_table(book: Workbook) -> None:
    assert book.sheetnames == list(SHEETS)
    for name in SHEETS[1:]:
        assert book[name].tables, name  # an Excel table: headers a screen reader announces
        assert book[name].freeze_panes == "A2"


def test_measures_and_definitions_cover_exactly_the_portfolio(
    book: Workbook, sample: Sample
) -> None:
    expected = [m.id for m in sample.registry.for_portfolio("finance")]
    assert [r["Measure id"] for r in rows(book, "Measures")] == expected
    assert [r["Measure id"] for r in rows(book, "Definitions")] == expected
    debt = next(r for r in rows(book, "Measures") if r["Measure id"] == "general-debt-outstanding")
    assert debt["Status"] == "Off target" and debt["Period"] == "Oct 2024"
    assert debt["Value"] == pytest.approx(9_221_388, rel=0.01)
    assert debt["Target"] == 5_000_000
    definition = rows(book, "Definitions")[expected.index("general-debt-outstanding")]
    assert definition["Better is"] == "Lower is better"
    assert definition["Tolerance"] == "10% of target"


def test_data_sheet_holds_every_figure_with_units_as_formats(book: Workbook, finance: Pack) -> None:
    data = rows(book, "Data")
    assert len(data) == len(finance.data.observations)
    assert {r["Measure id"] for r in data} == {s.metric.id for s in finance.sections}
    sheet = book["Data"]
    headers = [c.value for c in sheet[1]]
    value_column, id_column = headers.index("Value"), headers.index("Measure id")
    formats = {
        row[id_column].value: row[value_column].number_format for row in sheet.iter_rows(min_row=2)
    }
    assert formats["general-debt-outstanding"] == '"£"#,##0'
    assert formats["invoices-paid-30-days"] == '#,##0.0"%"'
    latest_debt = [r for r in data if r["Measure id"] == "general-debt-outstanding"][-1]
    assert latest_debt["Period"] == "Oct 2024" and latest_debt["Status"] == "Off target"
    assert latest_debt["SPC reading"] == "Special cause: concern"


def test_flags_and_summary_sheets(book: Workbook, finance: Pack) -> None:
    flags = rows(book, "Flags")
    assert len(flags) == len(finance.data.flags)
    overdue = [f for f in flags if f["Action overdue"] == "Yes"]
    assert [f["Action"] for f in overdue] == [
        "Weekly recovery sweeps on debts more than 90 days old"
    ]
    summary = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    assert summary[0] == "Finance and Resources portfolio: performance pack"
    assert any("General debt outstanding (£9.2m against a target of £5.0m)" in s for s in summary)


def test_every_sheet_names_what_it_holds_with_ids_only_beside_the_names(
    book: Workbook, sample: Sample
) -> None:
    registry = sample.registry
    for sheet in ("Measures", "Data", "Definitions"):
        headers = [c.value for c in book[sheet][1]]
        # The name comes first; the id is kept beside it for joining other data
        assert headers[:2] == ["Measure", "Measure id"], sheet
    data = rows(book, "Data")
    areas = {a.code: a.name for a in registry.plan.areas}
    assert all(r["Area"] == areas[str(r["Area code"])] for r in data)
    definition = next(
        r for r in rows(book, "Definitions") if r["Measure id"] == "general-debt-outstanding"
    )
    metric = registry.metric("general-debt-outstanding")
    assert definition["Measure"] == metric.name
    assert definition["Portfolio"] == "Finance and Resources"
    assert definition["Select committee"] == registry.name_of(
        "select_committees", metric.select_committee
    )
    assert definition["Priority"] == registry.name_of("priorities", metric.priority)
    assert definition["Unit"] == "£" and definition["Reported"] == "Monthly"
    # A source is the pipeline's name, never its id
    assert definition["Source"] == registry.pipeline_name(metric.source) != metric.source
    ids = {registry.name_of("portfolios", p.id): p.id for p in registry.plan.portfolios}
    for row in rows(book, "Definitions"):
        assert row["Portfolio"] in ids and row["Portfolio"] != ids[str(row["Portfolio"])]
    flags = rows(book, "Flags")
    assert flags and all(f["Area"] in areas.values() or f["Area"] == "" for f in flags)


def test_directions_read_as_on_the_pages_arrow_then_words(book: Workbook, finance: Pack) -> None:
    measures = {r["Measure id"]: r for r in rows(book, "Measures")}
    # Debt is lower-is-better and rose: the arrow says up, the words say worse
    assert measures["general-debt-outstanding"]["Since the previous period"] == "↑ Up, worsening"
    assert measures["capital-receipts"]["Since a year earlier"] == "↑ Up, improving"
    words = {v for r in measures.values() for v in (r["Since the previous period"],)}
    assert not words & {"Improving", "Worsening"}
    # The same words as the page's badge for the same judgement
    snap = finance.data.snapshot
    county = snap[snap["area_code"] == finance.data.county].set_index("metric_id")
    for section in finance.sections:
        direction = county.loc[section.metric.id, "direction"]
        badge = direction_badge(
            direction if isinstance(direction, str) else None, section.metric.polarity
        )
        arrow, text = badge.children
        page = (arrow.children if arrow is not None else "") + text
        assert measures[section.metric.id]["Since the previous period"] == page

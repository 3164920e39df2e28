"""The savings delivery pipeline loading the finance team's workbook into a real warehouse."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from pydantic import ValidationError

from metrics.registry.finance import Finance
from metrics.registry.loader import Registry
from pipelines.config import Pipeline, load_pipelines
from pipelines.runner import RunResult, run_pipeline
from tests.engine.test_savings_judgement import proposal
from tests.pipelines.conftest import rejected, runs
from warehouse.savings import current_delivery, delivery_history

HEADINGS = [
    "Ref",
    "Saving",
    "Directorate",
    "Financial year",
    "Month",
    "Planned £",
    "Forecast £",
    "Delivered to date £",
    "Commentary",
]
IDS = ("S-ASC-01", "S-HWY-02", "S-CORP-03")


PLAN = {"2025-26": 500_000.0, "2026-27": 1_000_000.0}


@pytest.fixture
def finance_registry(registry: Registry) -> Registry:
    """The shipped registry with three savings proposals of its own."""
    return dataclasses.replace(
        registry, finance=Finance(proposals=tuple(proposal(i, PLAN) for i in IDS))
    )


def workbook(path: Path, rows: list[list[object]], headings: list[str] = HEADINGS) -> Path:
    """The finance team's workbook: a title row above the table, as they send it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Savings delivery"
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def load(
    registry: Registry,
    engine: sa.Engine,
    tmp_path: Path,
    rows: list[list[object]],
    name: str = "returns.xlsx",
    headings: list[str] = HEADINGS,
) -> RunResult:
    """Drop one workbook of `rows` in the savings folder and run `savings-delivery`."""
    drops = tmp_path / "drops"
    workbook(drops / "savings" / name, rows, headings)
    return run_pipeline(registry, engine, "savings-delivery", drop_folder=drops)


def row(
    ref: object,
    year: object,
    month: object,
    forecast: object,
    delivered: object,
    note: str | None = None,
) -> list[object]:
    return [ref, "A saving", "Corporate", year, month, 1_000_000, forecast, delivered, note]


GOOD = [
    row("S-ASC-01", "2025/26", "Mar 2026", 450_000, 450_000, "Outturn: £50k carried forward."),
    row("S-ASC-01", "2026/27", datetime(2026, 10, 31), "£1,000,000", "£400,000"),
    row("S-ASC-01", "2026-27", "Nov 2026", 950_000, "480,000", "Care package reviews slipping."),
    row("s-hwy-02", "2026/2027", "2026-11", 1_000_000.0, 1_000_000, "Delivered in full."),
    row("S-CORP-03", "FY 2026/27", "30/11/2026", 400_000, 150_000, "Will not deliver in year."),
]


def test_a_good_workbook_loads_and_the_run_log_counts_it(
    finance_registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    result = load(finance_registry, engine, tmp_path, GOOD, "returns-nov.xlsx")
    assert result.status == "succeeded", result.summary()
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 5, 0)
    logged = runs(engine).iloc[-1]
    assert (logged["pipeline_id"], logged["rows_loaded"], logged["rows_rejected"]) == (
        "savings-delivery",
        5,
        0,
    )

    current = current_delivery(engine).set_index(["proposal_id", "financial_year"])
    assert current.to_dict("index")[("S-ASC-01", "2026-27")] == {
        "as_at": date(2026, 11, 30),
        "forecast": 950_000.0,
        "delivered": 480_000.0,
        "commentary": "Care package reviews slipping.",
    }
    assert current.loc[("S-ASC-01", "2025-26"), "as_at"] == date(2026, 3, 31)
    # The Ref is matched whatever its case and stored as config/savings spells it
    assert current.loc[("S-HWY-02", "2026-27"), "delivered"] == 1_000_000
    assert current.loc[("S-CORP-03", "2026-27"), "as_at"] == date(2026, 11, 30)
    assert delivery_history(engine, "S-ASC-01")["as_at"].tolist() == [
        date(2026, 3, 31),
        date(2026, 10, 31),
        date(2026, 11, 30),
    ]


def test_a_restated_month_supersedes_and_keeps_the_history(
    finance_registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    load(finance_registry, engine, tmp_path, GOOD, "returns-nov.xlsx")
    december = [
        *GOOD[:2],
        row("S-ASC-01", "2026/27", "Nov 2026", 900_000, 480_000, "Restated after review."),
        *GOOD[3:],
        row("S-ASC-01", "2026/27", "Dec 2026", 900_000, 560_000, "On the revised forecast."),
    ]
    result = load(finance_registry, engine, tmp_path, december, "returns-dec.xlsx")
    assert result.status == "succeeded", result.summary()
    assert (result.rows_loaded, result.rows_superseded, result.rows_unchanged) == (1, 1, 4)

    history = delivery_history(engine, "S-ASC-01")
    assert history["as_at"].tolist()[-2:] == [date(2026, 11, 30), date(2026, 12, 31)]
    assert history["forecast"].tolist()[-2:] == [900_000, 900_000]
    assert history["commentary"].tolist()[-2] == "Restated after review."
    with engine.connect() as conn:
        first = conn.execute(
            sa.text(
                "SELECT forecast, superseded_at IS NOT NULL FROM savings_delivery "
                "WHERE proposal_id = 'S-ASC-01' AND as_at = DATE '2026-11-30' ORDER BY id"
            )
        ).all()
    assert [tuple(r) for r in first] == [(950_000, True), (900_000, False)]


def test_a_messy_workbook_loads_the_good_rows_and_explains_each_bad_one(
    finance_registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    load(finance_registry, engine, tmp_path, GOOD, "returns-nov.xlsx")
    before = current_delivery(engine)

    messy = [
        row("S-ASC-01", "2026/27", "Dec 2026", 900_000, 560_000),  # row 2, good
        row("S-ASC-1", "2026/27", "Dec 2026", 900_000, 560_000),  # 3: near miss
        row("S-HWY-02", "2026/28", "Dec 2026", 1_000_000, 1_000_000),  # 4
        row("S-HWY-02", "2026/27", "Apr 2027", 1_000_000, 1_000_000),  # 5: outside the year
        row("S-CORP-03", "2026/27", "Dec 2026", "£1,2x0", 150_000),  # 6
        row("S-CORP-03", "2026/27", "Jan 2027", 400_000, "(1,000)"),  # 7: negative
        row("S-HWY-02", "2026/27", "Feb 2027", 1_000_000, 1_000_000),  # 8: repeated
        row("S-HWY-02", "2026/27", "Feb 2027", 1_000_000, 990_000),  # 9: repeated
        row(None, "2026/27", "Dec 2026", 100_000, 0),  # 10: blank Ref
        row("S-HWY-02", "2026/27", "Dec 2026", 1_000_000, 1_000_000),  # 11, good
        row("S-HWY-02", "2026/27", "Jan 2027", 1_000_000, 1_000_000),  # 12, good
        row("S-CORP-03", "2026/27", "Feb 2027", 400_000, 190_000),  # 13, good
        row("S-ASC-01", "2026/27", "Jan 2027", 900_000, 640_000),  # 14, good
        row("S-ASC-01", "2026/27", "Feb 2027", 900_000, 720_000),  # 15, good
        row("S-ASC-01", "2026/27", "Mar 2027", 900_000, 800_000),  # 16, good
        row("S-CORP-03", "2026/27", "Mar 2027", 400_000, 200_000),  # 17, good
        row("S-HWY-02", "2026/27", "Mar 2027", "", 1_000_000),  # 18: blank forecast
        row("S-HWY-02", "2025/26", "Mar 2026", 200_000, 200_000),  # 19, good
        row("S-CORP-03", "2025/26", "31/03/2026", 0, 0, "Not started."),  # 20, good
    ]
    result = load(finance_registry, engine, tmp_path, messy, "returns-dec.xlsx")
    assert result.status == "partially_rejected", result.summary()
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (19, 10, 9)

    reasons = dict(
        zip(
            rejected(engine, result.run_id)["row_number"],
            rejected(engine, result.run_id)["reasons"],
            strict=True,
        )
    )
    where = "savings/returns-dec.xlsx row"
    assert reasons == {
        3: f"{where} 3: Ref 'S-ASC-1' in column 'Ref' is not a savings proposal; "
        "did you mean 'S-ASC-01'?",
        4: f"{where} 4: financial year '2026/28' in column 'Financial year' does not span two "
        "consecutive years: 2026 is followed by 2027, so write 2026/27",
        5: f"{where} 5: month 'Apr 2027' in column 'Month' (April 2027) is not in financial "
        "year 2026-27, which runs from April 2026 to March 2027; is the year or the month wrong?",
        6: f"{where} 6: forecast '£1,2x0' in column 'Forecast £' is not an amount of money "
        "(e.g. 1250000 or £1,250,000)",
        7: f"{where} 7: delivered to date '(1,000)' in column 'Delivered to date £' is negative; "
        "a saving forecast or delivered is an amount of £0 or more",
        8: f"{where} 8: Ref 'S-HWY-02' for 2026-27 and month 'Feb 2027' appears more than once "
        "(rows 8, 9); keep one row per proposal, financial year and month",
        9: f"{where} 9: Ref 'S-HWY-02' for 2026-27 and month 'Feb 2027' appears more than once "
        "(rows 8, 9); keep one row per proposal, financial year and month",
        10: f"{where} 10: no Ref in column 'Ref'; give the savings proposal's id",
        18: f"{where} 18: no forecast in column 'Forecast £'; give an amount in pounds (0 if none)",
    }
    # Nothing stored before is lost; the good rows are added beside it
    after = current_delivery(engine)
    kept = after.merge(before, on=["proposal_id", "financial_year"], suffixes=("", "_before"))
    assert len(kept) == len(before)
    assert len(delivery_history(engine, "S-ASC-01")) == 3 + 4
    assert after.set_index(["proposal_id", "financial_year"]).loc[
        ("S-ASC-01", "2026-27"), "as_at"
    ] == date(2027, 3, 31)


def test_amounts_in_thousands_and_mapped_headings(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, tmp_path: Path
) -> None:
    registry = add_pipelines(
        """
        pipelines:
          - id: savings-thousands
            kind: savings
            description: A directorate's savings return in thousands of pounds.
            owner: Tests
            source: {kind: file, path: thousands/*.xlsx}
            amounts_in: thousands
            columns: {proposal_id: Saving ref, delivered: Achieved}
        """
    )
    registry = dataclasses.replace(
        registry, finance=Finance(proposals=(proposal("S-ASC-01", PLAN),))
    )
    headings = ["Saving ref", "FINANCIAL YEAR", "month", "Forecast (£000)", "Achieved", "notes"]
    workbook(
        tmp_path / "drops" / "thousands" / "return.xlsx",
        [["S-ASC-01", "2026-27", "Nov 2026", "1,250", 612.5, "In £000"]],
        headings,
    )
    result = run_pipeline(registry, engine, "savings-thousands", drop_folder=tmp_path / "drops")
    assert result.status == "succeeded", result.summary()
    stored = current_delivery(engine).iloc[0]
    assert (stored["forecast"], stored["delivered"]) == (1_250_000, 612_500)
    assert stored["commentary"] is None  # 'notes' is not the commentary heading


def test_amounts_headed_in_thousands_are_not_read_as_pounds(
    finance_registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    headings = [h.replace("£", "(£000)") for h in HEADINGS]
    result = load(finance_registry, engine, tmp_path, GOOD, headings=headings)
    assert result.status == "failed"
    assert result.error == (
        "savings/returns.xlsx: column 'Forecast (£000)' says its amounts are in £000, but "
        "pipeline 'savings-delivery' reads pounds; set 'amounts_in: thousands' in the "
        "pipeline, or send the amounts in pounds"
    )
    assert current_delivery(engine).empty


def test_with_no_proposals_configured_every_row_is_refused_saying_so(
    registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    empty = dataclasses.replace(registry, finance=Finance())
    result = load(empty, engine, tmp_path, GOOD[:2])
    assert result.status == "failed" and result.rows_rejected == 2
    reasons = rejected(engine, result.run_id)["reasons"].tolist()
    assert reasons[0] == (
        "savings/returns.xlsx row 2: Ref 'S-ASC-01' in column 'Ref' cannot be checked: "
        "config/savings has no savings proposals; add the proposals to config/savings/*.yaml, "
        "then load the returns again"
    )
    assert current_delivery(engine).empty


def test_a_workbook_missing_a_heading_is_named_and_nothing_loads(
    finance_registry: Registry, engine: sa.Engine, tmp_path: Path
) -> None:
    result = load(finance_registry, engine, tmp_path, [r[:7] for r in GOOD], headings=HEADINGS[:7])
    assert result.status == "failed"
    assert result.error is not None
    assert "has no column 'Delivered to date £' (delivered)" in result.error
    assert "map it under 'columns:'" in result.error


def test_the_savings_pipeline_is_configured_and_checked(registry: Registry) -> None:
    pipeline = load_pipelines(registry)["savings-delivery"]
    assert (pipeline.kind, pipeline.name, pipeline.amounts_in) == (
        "savings",
        "Savings delivery returns",
        "pounds",
    )
    base = {
        "id": "x",
        "description": "A return.",
        "owner": "Tests",
        "source": {"kind": "file", "path": ["x/*.xlsx"]},
    }
    with pytest.raises(ValidationError, match="unknown savings field"):
        Pipeline.model_validate({**base, "kind": "savings", "columns": {"ref": "Ref"}})
    with pytest.raises(ValidationError, match="'amounts_in' is for savings pipelines only"):
        Pipeline.model_validate({**base, "kind": "milestones", "amounts_in": "thousands"})

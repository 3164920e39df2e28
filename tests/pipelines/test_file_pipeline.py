"""File drops end to end on a real DuckDB file: quarantine, failure, restatement, rollback."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

import pipelines.runner
from metrics.registry.loader import Registry
from pipelines.runner import run_pipeline
from tests.pipelines.conftest import (
    RETURNS_PIPELINE,
    all_observations,
    rejected,
    runs,
    warehouse_state,
)
from warehouse.observations import current_observations, revision_history

HEADER = "Metric,Area,Period,Value,Numerator,Denominator\n"
GOOD = "".join(
    f"claimant-rate,E10000028,{m} 2022,3.{i},,\n"
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    )
)
# Line numbers in the file: the header is line 1, GOOD fills lines 2 to 13
BAD = (
    "claimant-rate,Tamworth,2023-03-01,2.5,,\n"  # 14: good (a plan area named, not coded)
    'jobs-created,E07000192,2023 Q2,"1,234",,\n'  # 15: good
    "claimant-rate,E10000028,Apr 2023,140,,\n"  # 16: percent over 100
    "clamant-rate,E10000028,Apr 2023,3.0,,\n"  # 17: misspelt metric
    "jobs-created,E10000028,2023-05-01,10,,\n"  # 18: not a quarter start
    "jobs-created,E10000028,2023 Q3,12.5,,\n"  # 19: a count must be whole
    "staff-turnover,E07000192,Mar 2023,10,,\n"  # 20: a county-only metric
    "claimant-rate,E10000028,Marhc 2023,3,,\n"  # 21: unreadable period
    "claimant-rate,E10000028,May 2023,abc,,\n"  # 22: not a number
    "claimant-rate,E10000028,Jun 2023,,120,100\n"  # 23: numerator over denominator
    "claimant-rate,E07000193,Jul 2023,3.2,,\n"  # 24: repeated key...
    "claimant-rate,E07000193,Jul 2023,3.3,,\n"  # 25: ...with line 24
    ",,,,,\n"
    "\n"
    "Notes: provisional figures\n"
)


@pytest.fixture
def returns(add_pipelines: Callable[..., Registry]) -> Registry:
    return add_pipelines(RETURNS_PIPELINE)


def _drop(drops: Path, name: str, text: str) -> Path:
    path = drops / "returns" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_malformed_file_loads_good_rows_and_quarantines_the_rest(
    returns: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, "march.csv", HEADER + GOOD + BAD)
    result = run_pipeline(returns, engine, "test-returns")
    assert result.status == "partially_rejected", result.summary()
    assert (result.rows_loaded, result.rows_rejected) == (14, 10)
    tamworth = current_observations(engine, ["claimant-rate"], ["E07000199"])
    assert tamworth["value"].tolist() == [2.5]
    assert current_observations(engine, ["jobs-created"])["value"].tolist() == [1234.0]

    reasons = dict(
        zip(
            rejected(engine, result.run_id)["row_number"],
            rejected(engine, result.run_id)["reasons"],
            strict=True,
        )
    )
    assert set(reasons) == {16, 17, 18, 19, 20, 21, 22, 23, 24, 25}
    expected = {
        16: "returns/march.csv row 16: value '140' is outside 0 to 100, "
        "and 'claimant-rate' is a percentage",
        17: "unknown metric id 'clamant-rate' in column 'Metric'; did you mean 'claimant-rate'?",
        18: "period '2023-05-01' does not start a quarterly period for 'jobs-created'",
        19: "value '12.5' is not a whole number, and 'jobs-created' is a count",
        20: "'staff-turnover' is reported for the county only (area_level: county)",
        21: "period 'Marhc 2023' in column 'Period' is not a period PMF can read",
        22: "value 'abc' in column 'Value' is not a number",
        23: "numerator '120' is more than denominator '100'",
        24: "appears more than once (rows 24, 25)",
        25: "appears more than once (rows 24, 25)",
    }
    for row, text in expected.items():
        assert text in reasons[row], reasons[row]
    # Every failed check is listed, one per line: 120/100 is also a percentage over 100
    assert len(reasons[23].splitlines()) == 2 and "outside 0 to 100" in reasons[23]

    raw = rejected(engine, result.run_id).iloc[0]["raw_record"]
    assert '"Value": "140"' in raw and '"Period": "Apr 2023"' in raw


def test_wholly_broken_file_fails_and_leaves_the_warehouse_unchanged(
    returns: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, "a.csv", HEADER + GOOD)
    assert run_pipeline(returns, engine, "test-returns").status == "succeeded"
    before = warehouse_state(engine)
    broken = HEADER + GOOD.replace(" 2022", " 20222").replace("3.", "4.")
    _drop(drops, "a.csv", broken)
    result = run_pipeline(returns, engine, "test-returns")
    assert result.status == "failed"
    assert "12 of 12 rows (100%) failed validation" in (result.error or "")
    assert "nothing was loaded" in (result.error or "")
    assert warehouse_state(engine) == before
    assert len(rejected(engine, result.run_id)) == 12  # kept for diagnosis


def test_missing_column_fails_with_a_sentence(
    returns: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, "b.csv", "Metric,Area,When,Value\nclaimant-rate,E10000028,Mar 2023,3\n")
    result = run_pipeline(returns, engine, "test-returns")
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith(
        "returns/b.csv has no column 'Period'"
    )
    assert "its columns are 'Metric', 'Area', 'When', 'Value'" in result.error
    assert runs(engine).iloc[-1]["error"] == result.error


def test_rerun_is_idempotent_and_a_restated_value_keeps_the_old_one(
    returns: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, "a.csv", HEADER + GOOD)
    first = run_pipeline(returns, engine, "test-returns")
    assert (first.status, first.rows_loaded) == ("succeeded", 12)
    again = run_pipeline(returns, engine, "test-returns")
    assert again.status == "skipped_unchanged"
    assert len(all_observations(engine)) == 12

    _drop(drops, "a.csv", HEADER + GOOD.replace("Mar 2022,3.2", "Mar 2022,3.9"))
    restated = run_pipeline(returns, engine, "test-returns")
    assert (restated.rows_loaded, restated.rows_superseded, restated.rows_unchanged) == (1, 1, 11)
    history = revision_history(engine, "claimant-rate")
    march = history[history["period_start"].astype(str).str.startswith("2022-03")]
    assert sorted(march["value"]) == [3.2, 3.9]
    assert march.loc[march["value"] == 3.2, "superseded_at"].notna().all()


def test_exception_in_the_middle_of_a_load_leaves_the_warehouse_unchanged(
    returns: Registry, engine: sa.Engine, drops: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _drop(drops, "a.csv", HEADER + GOOD)
    run_pipeline(returns, engine, "test-returns")
    before = warehouse_state(engine)
    _drop(drops, "a.csv", HEADER + GOOD.replace("3.", "5."))

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    # Observations are already inserted in the transaction when the source is recorded
    monkeypatch.setattr(pipelines.runner, "record_source", disk_full)
    result = run_pipeline(returns, engine, "test-returns")
    assert result.status == "failed"
    # The exception's own text (which may quote a file) stays in the server log
    assert result.error == (
        f"unexpected error (OSError); nothing from this run was loaded. "
        f"The details are in the server log under run {result.run_id}."
    )
    assert warehouse_state(engine) == before
    assert runs(engine).iloc[-1]["status"] == "failed"


def test_xlsx_drop_with_a_title_excel_dates_and_percent_cells(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, drops: Path
) -> None:
    registry = add_pipelines(
        """
        pipelines:
          - id: test-highways
            description: Highways return as a workbook.
            owner: Tests
            metrics: [road-defects-on-time, bus-passenger-journeys]
            source: {kind: file, path: "highways/*.xlsx", sheet: Return, header_row: 3}
            mapping:
              metric:
                column: Indicator
                codes: {HT02: road-defects-on-time, HT04: bus-passenger-journeys}
              area: E10000028
              period: {column: Month ending, format: date, marks: end}
              value: Value
        """
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Return"
    sheet.append(["Highways return"])
    sheet.append([])
    sheet.append(["Indicator", "Month ending", "Value"])
    sheet.append(["HT02", datetime(2023, 3, 31), 0.953])
    sheet["C4"].number_format = "0.0%"
    sheet.append(["HT04", 45107, 1_200_000])  # 30 June 2023 as an Excel serial
    sheet.append(["HT99", datetime(2023, 3, 31), 1])
    buffer = io.BytesIO()
    book.save(buffer)
    (drops / "highways").mkdir()
    (drops / "highways" / "june.xlsx").write_bytes(buffer.getvalue())

    result = run_pipeline(registry, engine, "test-highways")
    assert result.status == "partially_rejected"
    rows = current_observations(engine, ["road-defects-on-time", "bus-passenger-journeys"])
    assert rows[["metric_id", "value"]].values.tolist() == [
        ["bus-passenger-journeys", 1_200_000.0],
        ["road-defects-on-time", 95.3],
    ]
    assert str(rows.iloc[0]["period_start"].date()) == "2023-04-01"  # the quarter ending 30 June
    reason = rejected(engine, result.run_id).iloc[0]["reasons"]
    assert reason.startswith("highways/june.xlsx row 6: code 'HT99' in column 'Indicator'")

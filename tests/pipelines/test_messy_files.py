"""Messy drops run end to end: each ends loaded, quarantined with a reason, or refused in words.

Every test drops a real file in a temporary drop folder and runs the real pipeline into a real
DuckDB file, then reads back what was loaded, what was quarantined and why, and the run log.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from metrics.registry.loader import Registry, load_registry
from pipelines.runner import RunResult, run_pipeline
from tests.pipelines.conftest import rejected, runs
from warehouse.observations import current_observations

INCIDENTS, CLEARANCE = "library-visits", "claimant-rate"  # a monthly count and percentage
STAFFORD, LICHFIELD, TAMWORTH = "E07000197", "E07000194", "E07000199"
SECRET = "root:x:0:0:root:/root:/bin/bash"


def _pipelines(period_format: str = "month", path: str = "messy/*.csv") -> str:
    def one(pipeline_id: str, metric: str, column: str) -> str:
        return f"""
          - id: {pipeline_id}
            description: A district return with several figures per row.
            owner: Tests
            metrics: [{metric}]
            source: {{kind: file, path: "{path}"}}
            mapping:
              metric: {metric}
              area: {{column: Area}}
              period: {{column: Month, format: {period_format}}}
              value: {column}
        """

    return (
        "pipelines:"
        + one("test-incidents", INCIDENTS, "Incidents")
        + one("test-clearance", CLEARANCE, "Clearance")
    )


@pytest.fixture
def messy(add_pipelines: Callable[..., Registry]) -> Registry:
    return add_pipelines(_pipelines())


def _drop(drops: Path, text: str, name: str = "return.csv") -> Path:
    path = drops / "messy" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _loaded(engine: sa.Engine, metric: str) -> dict[tuple[str, str], float]:
    rows = current_observations(engine, [metric])
    return {
        (str(area), str(start)[:7]): float(value)
        for area, start, value in zip(
            rows["area_code"], rows["period_start"], rows["value"], strict=True
        )
    }


def _reasons(engine: sa.Engine, result: RunResult) -> dict[int, str]:
    frame = rejected(engine, result.run_id)
    return dict(zip(frame["row_number"], frame["reasons"], strict=True))


H5 = "Area,Month,Incidents,Arrests,Clearance\n"
GOOD = (
    "Stafford,Jul-24,390,12,91%\n"
    "Tamworth,Jul-24,210,7,86%\n"
    "Cannock Chase,Jul-24,305,9,90%\n"
    "Lichfield,Jul-24,280,8,89%\n"
)


# Item 6 -------------------------------------------------------------------------------------


def test_a_symlink_in_the_drop_folder_is_refused_unread(
    messy: Registry, engine: sa.Engine, drops: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n", encoding="utf-8")
    _drop(drops, H5 + GOOD, "a.csv")
    os.symlink(secret, drops / "messy" / "b.csv")
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "failed"
    assert result.error is not None
    assert "messy/b.csv" in result.error and "symbolic link" in result.error
    assert "root:x" not in result.error and "/bin/bash" not in result.error
    assert _loaded(engine, INCIDENTS) == {}


def test_a_file_reached_through_a_linked_folder_is_refused(
    messy: Registry, engine: sa.Engine, drops: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.csv").write_text(SECRET + "\n", encoding="utf-8")
    os.symlink(outside, drops / "messy")
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "failed"
    assert result.error is not None and "outside the drop folder" in result.error
    assert "root:x" not in result.error and "/bin/bash" not in result.error
    assert "root:x" not in str(runs(engine).iloc[-1]["error"])


def test_a_file_with_none_of_the_mapped_columns_is_not_echoed(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, SECRET + "\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.startswith("messy/return.csv has no column 'Area', 'Month', 'Incidents'")
    assert "line 1" in result.error and "root:x" not in result.error


# Item 7 -------------------------------------------------------------------------------------


def test_a_period_beyond_the_year_2262_is_quarantined_not_a_crash(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, drops: Path
) -> None:
    registry = add_pipelines(_pipelines("auto"))
    _drop(drops, H5 + GOOD + "Stafford,3024-04-01,400,4,88%\n")
    result = run_pipeline(registry, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert len(_loaded(engine, INCIDENTS)) == 4
    reasons = _reasons(engine, result)
    assert list(reasons) == [6]
    assert "messy/return.csv row 6: period '3024-04-01' in column 'Month' is after" in reasons[6]


# Item 8 -------------------------------------------------------------------------------------


def test_a_bare_carriage_return_and_a_surplus_cell_quarantine_their_rows(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    text = H5 + GOOD + "Staff\rord,Aug-24,400,4,88%\n" + "Tamworth,Aug-24,1,298,4,88%\n"
    _drop(drops, text)
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert len(_loaded(engine, INCIDENTS)) == 4
    reasons = _reasons(engine, result)
    assert set(reasons) == {6, 7}
    assert "carriage return" in reasons[6] and "'Area'" in reasons[6]
    assert "row has 6 cells but the heading has 5" in reasons[7]
    raws = rejected(engine, result.run_id)["raw_record"].map(json.loads).tolist()
    assert raws[1] == {"line": "Tamworth,Aug-24,1,298,4,88%"}


def test_a_file_with_carriage_returns_for_line_ends_is_read() -> None:
    from pipelines.tabular import read_csv_bytes

    table = read_csv_bytes((H5 + GOOD).replace("\n", "\r").encode(), label="mac.csv")
    assert table.frame["Area"].tolist()[:2] == ["Stafford", "Tamworth"]


# Item 9 -------------------------------------------------------------------------------------


def test_a_sparse_last_data_row_is_loaded_and_a_note_is_not(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    header = "Area,Month,Incidents,Arrests,Clearance,Satisfaction,Complaints,Notes\n"
    rows = "".join(line + ",80%,3,\n" for line in GOOD.splitlines())
    _drop(drops, header + rows + "Stafford,Aug-24,390,,,,,\n" + "Notes: figures are provisional\n")
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "succeeded", result.summary()
    assert result.rows_read == 5 and result.rows_loaded == 5
    assert _loaded(engine, INCIDENTS)[(STAFFORD, "2024-08")] == 390.0


# Item 10 ------------------------------------------------------------------------------------


def test_a_thousands_separator_with_a_blank_surplus_cell_is_never_realigned(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    header = "Area,Month,Incidents,Arrests,Clearance,Notes\n"
    rows = "".join(line + ",\n" for line in GOOD.splitlines())
    _drop(drops, header + rows + "Lichfield,Aug-24,1,298,4,88%,\n")
    for pipeline_id, metric in (("test-incidents", INCIDENTS), ("test-clearance", CLEARANCE)):
        result = run_pipeline(messy, engine, pipeline_id)
        assert result.status == "partially_rejected", result.summary()
        assert (LICHFIELD, "2024-08") not in _loaded(engine, metric)
        assert _reasons(engine, result)[6] == (
            "messy/return.csv row 6: row has 7 cells but the heading has 6; an unquoted "
            "thousands separator (1,298) may have split a number"
        )


# Item 11 ------------------------------------------------------------------------------------


def test_a_bare_fraction_among_percentages_is_refused_as_ambiguous(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    _drop(drops, H5 + GOOD + "Stafford,Aug-24,400,4,0.89\n" + "Tamworth,Aug-24,220,4,0\n")
    result = run_pipeline(messy, engine, "test-clearance")
    assert result.status == "partially_rejected", result.summary()
    loaded = _loaded(engine, CLEARANCE)
    assert (STAFFORD, "2024-08") not in loaded
    assert loaded[(STAFFORD, "2024-07")] == 91.0 and loaded[(TAMWORTH, "2024-08")] == 0.0
    reason = _reasons(engine, result)[6]
    assert "value '0.89' in column 'Clearance' has no % sign" in reason
    assert "0.89% or 89%" in reason


# Item 12 ------------------------------------------------------------------------------------


def test_auto_periods_coarser_than_a_monthly_metric_are_refused(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, drops: Path
) -> None:
    registry = add_pipelines(_pipelines("auto"))
    extra = "Stafford,2024-25,400,4,88%\nTamworth,2024,400,4,88%\nLichfield,Q1 2024,400,4,88%\n"
    _drop(drops, H5 + GOOD + extra)
    result = run_pipeline(registry, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert len(_loaded(engine, INCIDENTS)) == 4
    reasons = _reasons(engine, result)
    assert "'2024-25' is a financial year but 'library-visits' is monthly" in reasons[6]
    assert "'2024' is a year but 'library-visits' is monthly" in reasons[7]
    assert "'Q1 2024' is a quarter but 'library-visits' is monthly" in reasons[8]


# Item 13 ------------------------------------------------------------------------------------


def test_a_trailing_delimiter_on_the_first_data_row_shifts_nothing(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    lines = GOOD.splitlines()
    _drop(drops, H5 + lines[0] + ",\n" + "\n".join(lines[1:]) + "\n")
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert _loaded(engine, INCIDENTS) == {
        (TAMWORTH, "2024-07"): 210.0,
        ("E07000192", "2024-07"): 305.0,
        (LICHFIELD, "2024-07"): 280.0,
    }
    frame = rejected(engine, result.run_id)
    assert frame["row_number"].tolist() == [2]
    assert "row has 6 cells but the heading has 5" in frame["reasons"][0]
    assert json.loads(frame["raw_record"][0]) == {"line": "Stafford,Jul-24,390,12,91%,"}


# Item 14 ------------------------------------------------------------------------------------


def test_excel_date_cells_shown_as_months_are_read_as_months(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, drops: Path
) -> None:
    registry = add_pipelines(_pipelines("month", "messy/*.xlsx"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Area", "Month", "Incidents", "Clearance"])
    for row, (area, day, count) in enumerate(
        [("Stafford", datetime(2024, 4, 1), 390), ("Tamworth", datetime(2024, 5, 1), 210)],
        start=2,
    ):
        sheet.append([area, day, count, 0.9])
        sheet.cell(row, 2).number_format = "mmm-yy"
        sheet.cell(row, 4).number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    (drops / "messy").mkdir()
    (drops / "messy" / "return.xlsx").write_bytes(buffer.getvalue())
    result = run_pipeline(registry, engine, "test-incidents")
    assert result.status == "succeeded", result.summary()
    assert _loaded(engine, INCIDENTS) == {
        (STAFFORD, "2024-04"): 390.0,
        (TAMWORTH, "2024-05"): 210.0,
    }


# Item 15 ------------------------------------------------------------------------------------


def test_infinite_and_giant_numbers_and_far_periods_are_quarantined(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    giant = "9" * 200_000
    extra = (
        "Stafford,Aug-24,1e400,4,88%\n"  # 6
        "Tamworth,Aug-24,inf,4,88%\n"  # 7
        f"Lichfield,Aug-24,{giant},4,88%\n"  # 8
        "Stafford,Jul-99,400,4,88%\n"  # 9: July 2099
        "Stafford,Jul 1900,400,4,88%\n"  # 10
        "Cannock Chase,Aug-24,1e308,4,88%\n"  # 11: finite, but no council counts that many
    )
    # Eight good rows (GOOD twice, the second time for June) and six bad ones
    _drop(drops, H5 + GOOD + GOOD.replace("Jul-24", "Jun-24") + extra)
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    values = list(_loaded(engine, INCIDENTS).values())
    assert len(values) == 8 and all(math.isfinite(v) for v in values)
    reasons = _reasons(engine, result)
    assert set(reasons) == {10, 11, 12, 13, 14, 15}
    assert "value '1e400' in column 'Incidents' is too large to be a figure" in reasons[10]
    assert "value 'inf' in column 'Incidents' is not a finite number" in reasons[11]
    assert "has more than 30 significant digits" in reasons[12]
    assert len(reasons[12]) < 400  # the 200,000 digits are not repeated back
    assert "period 'Jul-99' in column 'Month' is after" in reasons[13]
    assert "period 'Jul 1900' in column 'Month' is before 1 January 1990" in reasons[14]
    assert "earliest_period" in reasons[14]
    assert "value '1e308' in column 'Incidents' is 1e+15 or more" in reasons[15]
    raw = json.loads(rejected(engine, result.run_id)["raw_record"][2])
    assert len(raw["Incidents"]) < 200


def test_the_earliest_period_is_a_setting(
    messy: Registry, engine: sa.Engine, drops: Path, config_copy: Path
) -> None:
    settings = config_copy / "settings.yaml"
    settings.write_text(settings.read_text() + "earliest_period: 2024-07-01\n", encoding="utf-8")
    registry = load_registry(config_copy)
    _drop(drops, H5 + GOOD + "Stafford,Jun-24,400,4,88%\n")
    result = run_pipeline(registry, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert "is before 1 July 2024 (setting earliest_period)" in _reasons(engine, result)[6]


def test_a_far_period_in_a_fast_numeric_file_is_quarantined(
    messy: Registry, engine: sa.Engine, drops: Path
) -> None:
    # Plain numbers take pandas' fast path; the checks must hold there too
    text = "Area,Month,Incidents\n" + "".join(
        f"{area},{month},{n}\n"
        for n, (area, month) in enumerate(
            [("Stafford", "Jul-24"), ("Tamworth", "Jul-24"), ("Stafford", "Jul-2099")]
        )
    )
    _drop(drops, text)
    result = run_pipeline(messy, engine, "test-incidents")
    assert result.status == "partially_rejected", result.summary()
    assert list(_reasons(engine, result)) == [4]
    frame = pd.DataFrame(current_observations(engine, [INCIDENTS]))
    assert len(frame) == 2


# Items 7 and 10 in a programme tracker ------------------------------------------------------


def test_a_tracker_row_with_surplus_cells_or_a_far_date_is_quarantined(
    add_pipelines: Callable[..., Registry], engine: sa.Engine, drops: Path
) -> None:
    registry = add_pipelines(
        """
        pipelines:
          - id: test-tracker
            kind: milestones
            description: A programme tracker saved as CSV.
            owner: Tests
            source: {kind: file, path: "tracker/*.csv"}
        """
    )
    text = (
        "id,title,programme,baseline_date,forecast_date\n"
        "hub-01,Tamworth hub open,Delivery hubs,2024-03-31,\n"
        "hub-02,Stafford hub open, on time,Delivery hubs,2024-09-30,\n"
        "hub-03,Leek hub open,Delivery hubs,3024-03-31,\n"
        "hub-04,Lichfield hub open,Delivery hubs,2024-05-31,\n"
        "hub-05,Cannock hub open,Delivery hubs,2024-06-30,\n"
    )
    folder = drops / "tracker"
    folder.mkdir()
    (folder / "tracker.csv").write_text(text, encoding="utf-8")
    result = run_pipeline(registry, engine, "test-tracker")
    assert result.status == "partially_rejected", result.summary()
    assert (result.rows_loaded, result.rows_rejected) == (3, 2)
    reasons = _reasons(engine, result)
    assert "row has 6 cells but the heading has 5" in reasons[3]
    assert "baseline date '3024-03-31' in column 'baseline_date' is not a date" in reasons[4]
    assert "2261" in reasons[4]

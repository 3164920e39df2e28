"""`pmf report` end to end: the file written, the run logged, and errors an officer can act on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from metrics.registry.loader import load_registry
from reports.charts import BROWSER_ENV
from tests.conftest import CONFIG
from tests.reports.conftest import Sample
from warehouse.report_runs import report_run_history


def run(sample: Sample, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--config", str(CONFIG), "--database-url", sample.url, "report", *args]
    )
    return result.exit_code, result.output


def test_report_writes_the_file_and_logs_the_run(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "finance.xlsx"
    code, output = run(
        sample,
        "--portfolio",
        "finance",
        "--period",
        "2024-11-25",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert code == 0, output
    assert output.strip() == f"Wrote {out} (8 measures, as at 25 Nov 2024)."
    assert load_workbook(out).sheetnames[0] == "Summary"
    latest = report_run_history(sample.engine).iloc[0]
    assert (latest["kind"], latest["target_id"], latest["format"]) == (
        "portfolio",
        "finance",
        "xlsx",
    )
    assert latest["status"] == "succeeded" and latest["path"] == str(out)
    assert latest["trigger"] == "manual" and str(latest["as_at"])[:10] == "2024-11-25"


def test_an_unknown_portfolio_lists_the_valid_ids(sample: Sample) -> None:
    code, output = run(sample, "--portfolio", "finances", "--format", "pdf")
    assert code == 1
    assert "There is no portfolio 'finances'" in output
    assert "Did you mean 'finance'?" in output
    assert "economy-skills (Economy and Skills)" in output


def test_exactly_one_subject_is_needed(sample: Sample) -> None:
    code, output = run(
        sample, "--portfolio", "leader", "--committee", "health-care", "--format", "html"
    )
    assert code == 1
    assert "choose exactly one of --portfolio, --committee or --priority" in output


def test_a_missing_browser_fails_with_a_hint_and_a_failed_run(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-chromium"))
    code, output = run(
        sample, "--committee", "health-care", "--format", "html", "--out", str(tmp_path / "x.html")
    )
    assert code == 1
    assert "No browser at" in output and "make system-deps" in output
    latest = report_run_history(sample.engine).iloc[0]
    assert (latest["kind"], latest["target_id"], latest["status"]) == (
        "committee",
        "health-care",
        "failed",
    )
    assert "ChartError" in latest["error"]
    assert not (tmp_path / "x.html").exists()


def test_a_pack_as_at_today_from_the_demo_built_through_the_pipelines(
    demo_url: str, tmp_path: Path
) -> None:
    registry = load_registry(CONFIG)  # the demo as at 25 Nov 2024: its engine run was today
    out = tmp_path / "finance.xlsx"
    result = CliRunner().invoke(
        main,
        ["--config", str(CONFIG), "--database-url", demo_url, "report", "--portfolio", "finance"]
        + ["--format", "xlsx", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert f"as at {date.today():%d %b %Y}" in result.output
    book = load_workbook(out)
    measures = list(book["Measures"].iter_rows(min_row=2, values_only=True))
    assert len(measures) == len(registry.for_portfolio("finance"))
    flags = list(book["Flags"].iter_rows(min_row=2, values_only=True))
    # The pipelines' own engine run raised the flags; a pack as at today sees them
    assert ("General debt outstanding", "Off target") in {(row[1], row[3]) for row in flags}


def test_a_public_report_has_public_measures_only(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "finance-public.xlsx"
    args = ["--portfolio", "finance", "--period", "2024-11-25", "--format", "xlsx"]
    code, output = run(sample, *args, "--public", "--out", str(out))
    assert code == 0, output
    public = [m for m in sample.registry.for_portfolio("finance") if m.visibility == "public"]
    assert 0 < len(public) < 7
    assert f"({len(public)} measures, as at 25 Nov 2024)" in output
    text = " ".join(
        str(cell.value) for sheet in load_workbook(out) for row in sheet.iter_rows() for cell in row
    )
    assert "General debt outstanding" not in text  # an internal measure
    assert any(m.name in text for m in public)

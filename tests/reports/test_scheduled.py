"""The weekly packs: written into the reports folder, logged, and scheduled for Monday 06:00."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.scheduler import build_scheduler
from reports.charts import BROWSER_ENV
from reports.scheduled import (
    WEEKLY_PACK_JOB_ID,
    add_weekly_pack_job,
    write_weekly_packs,
)
from tests.conftest import CONFIG
from tests.reports.conftest import Sample
from warehouse.report_runs import report_run_history


@pytest.mark.browser  # the PDF's charts are drawn by kaleido in Chromium
def test_weekly_packs_go_to_the_reports_folder_and_the_run_log(
    sample: Sample, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    paths = write_weekly_packs(str(config), sample.url, today=sample.as_at, portfolios=["leader"])
    expected = tmp_path / "data" / "reports" / "2024-11-25" / "portfolio-leader-2024-11-25.pdf"
    assert paths == [expected]
    assert expected.read_bytes().startswith(b"%PDF")
    latest = report_run_history(sample.engine).iloc[0]
    assert (latest["target_id"], latest["trigger"], latest["status"]) == (
        "leader",
        "schedule",
        "succeeded",
    )
    assert latest["path"] == str(expected)


def test_a_failure_is_logged_for_each_pack_and_never_raised(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-chromium"))
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    wanted = ["leader", "finance"]
    assert write_weekly_packs(str(config), sample.url, today=sample.as_at, portfolios=wanted) == []
    runs = report_run_history(sample.engine).head(2)
    assert sorted(runs["target_id"]) == sorted(wanted)
    assert set(runs["status"]) == {"failed"}
    assert all("No browser at" in e for e in runs["error"])


def test_the_job_runs_on_monday_mornings_london_time(tmp_path: Path) -> None:
    scheduler = build_scheduler(
        "duckdb:///unused.duckdb", jobstore=f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    )
    scheduler.start(paused=True)
    try:
        add_weekly_pack_job(scheduler, "config", "duckdb:///x.duckdb")
        job = scheduler.get_job(WEEKLY_PACK_JOB_ID)
        assert job is not None and job.args == ("config", "duckdb:///x.duckdb")
        after = job.trigger.get_next_fire_time(
            None, datetime(2024, 11, 26, 12, 0, tzinfo=job.trigger.timezone)
        )
        assert (after.strftime("%A %H:%M"), str(after.tzinfo)) == ("Monday 06:00", "Europe/London")
        assert after.date().isoformat() == "2024-12-02"
    finally:
        scheduler.shutdown(wait=False)

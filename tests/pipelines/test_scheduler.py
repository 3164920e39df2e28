"""The scheduler: fires from a cron, keeps jobs across a restart, survives failing jobs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.scheduler import (
    JOB_PREFIX,
    build_scheduler,
    jobstore_url,
    start_background_scheduler,
)
from tests.pipelines.conftest import runs

EVERY_SECOND = """
pipelines:
  - id: test-tick
    description: Runs every second.
    owner: Tests
    schedule: {{second: "*"}}
    metrics: [claimant-rate]
    source: {{kind: file, path: "{folder}/*.csv"}}
    mapping:
      metric: claimant-rate
      area: E10000028
      period: {{column: Period}}
      value: Value
"""


def explode() -> None:
    """A job that raises outright, as a bug in a job would."""
    raise RuntimeError("boom")


def _wait_for(check: Callable[[], bool], seconds: float = 8.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _runs_of(engine: sa.Engine, pipeline_id: str) -> pd.DataFrame:
    frame = runs(engine)
    return frame[frame["pipeline_id"] == pipeline_id]


def test_jobstore_sits_beside_a_file_warehouse(tmp_path: Path) -> None:
    url = jobstore_url(f"duckdb:///{tmp_path}/pmf.duckdb")
    assert url == f"sqlite:///{tmp_path}/pmf-jobs.sqlite"


def test_cron_job_fires_and_a_failing_job_never_stops_the_scheduler(
    add_pipelines: Callable[..., Registry],
    config_copy: Path,
    drops: Path,
    engine: sa.Engine,
    db_url: str,
) -> None:
    (drops / "good").mkdir()
    (drops / "good" / "a.csv").write_text("Period,Value\nMar 2023,3.1\n")
    (drops / "broken").mkdir()
    (drops / "broken" / "a.csv").write_text("Nothing,Here\n1,2\n")
    add_pipelines(
        EVERY_SECOND.format(folder="good")
        + EVERY_SECOND.format(folder="broken")
        .replace("pipelines:\n", "")
        .replace("test-tick", "test-broken")
    )
    scheduler = start_background_scheduler(config_copy, db_url)
    try:
        scheduler.add_job(explode, "cron", second="*", id="explode")
        assert {JOB_PREFIX + "test-tick", JOB_PREFIX + "test-broken"} <= {
            j.id for j in scheduler.get_jobs()
        }
        fired = _wait_for(
            lambda: (
                len(_runs_of(engine, "test-tick")) >= 2
                and (_runs_of(engine, "test-broken")["status"] == "failed").sum() >= 2
            )
        )
        assert fired, runs(engine)[["pipeline_id", "status", "trigger"]]
        assert scheduler.running
    finally:
        scheduler.shutdown(wait=True)
    tick = _runs_of(engine, "test-tick")
    assert tick.iloc[0]["status"] == "succeeded" and tick.iloc[0]["trigger"] == "schedule"
    assert set(tick.iloc[1:]["status"]) == {"skipped_unchanged"}
    broken = _runs_of(engine, "test-broken").iloc[0]
    assert "has no column 'Period'" in broken["error"]


def test_jobs_persist_across_a_restart(
    add_pipelines: Callable[..., Registry],
    config_copy: Path,
    drops: Path,
    engine: sa.Engine,
    db_url: str,
) -> None:
    (drops / "good").mkdir()
    (drops / "good" / "a.csv").write_text("Period,Value\nMar 2023,3.1\n")
    add_pipelines(EVERY_SECOND.format(folder="good"))
    first = start_background_scheduler(config_copy, db_url, paused=True)
    first.shutdown(wait=True)
    assert runs(engine).empty

    # A new process: nothing is synced from YAML, the job comes back from the SQLite store
    second = build_scheduler(db_url)
    second.start(paused=True)
    try:
        restored = second.get_job(JOB_PREFIX + "test-tick")
        assert restored is not None and restored.args == (str(config_copy), db_url, "test-tick")
        second.resume()
        assert _wait_for(lambda: not _runs_of(engine, "test-tick").empty)
    finally:
        second.shutdown(wait=True)
    assert _runs_of(engine, "test-tick").iloc[0]["status"] == "succeeded"

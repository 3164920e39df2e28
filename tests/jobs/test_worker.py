"""The job queue and its worker on a real DuckDB file and a real PostgreSQL database: work asked
for on a page is done once, by one worker, and says how it ended."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from jobs.worker import JobWorker
from metrics.registry.loader import Registry, load_registry
from warehouse.jobs import (
    FAILED,
    PACK,
    PIPELINE_RUN,
    RUNNING,
    SUCCEEDED,
    abandon_running_jobs,
    claim_next,
    enqueue,
    read_job,
)
from warehouse.runs import run_history

PACK_PARAMS = {
    "kind": "committee",
    "id": "corporate-review",
    "format": "xlsx",
    "as_at": "2024-11-25",
}


def own_registry(config_copy: Path, tmp_path: Path) -> Registry:
    """The shipped config with reports written under this test's folder."""
    settings = config_copy / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f"\nreports_folder: {tmp_path / 'reports'}\n", encoding="utf-8")
    return load_registry(config_copy)


def test_a_queued_run_is_done_once_and_says_how_it_ended(
    engine: sa.Engine, registry: Registry
) -> None:
    job_id = enqueue(engine, PIPELINE_RUN, "demo-finance", "Jo Bloggs")
    worker = JobWorker(registry, engine, name="w1")
    assert worker.run_once() is True
    assert worker.run_once() is False  # nothing left: the job is not done twice
    job = read_job(engine, job_id)
    assert job is not None and job.finished and job.worker == "w1"
    runs = run_history(engine)
    assert runs["triggered_by"].tolist() == ["Jo Bloggs"]
    assert runs["trigger"].tolist() == ["dashboard"]
    ended = job.result if job.status == SUCCEEDED else job.error
    assert ended is not None and ended.startswith("demo-finance: ")
    assert f"(run {int(runs['run_id'].iloc[0])})" in ended


def test_a_pack_is_built_away_from_the_page_and_kept_for_download(
    engine: sa.Engine, config_copy: Path, tmp_path: Path
) -> None:
    registry = own_registry(config_copy, tmp_path)
    job_id = enqueue(engine, PACK, "corporate-review", "cllr-smith", PACK_PARAMS)
    JobWorker(registry, engine).run_once()
    job = read_job(engine, job_id)
    assert job is not None and job.status == SUCCEEDED, job
    made = json.loads(job.result or "")
    assert made["filename"] == "committee-corporate-review-2024-11-25.xlsx"
    path = Path(made["path"])
    assert path.parent == tmp_path / "reports" / "downloads" and path.name.startswith(f"{job_id}-")
    assert load_workbook(path).sheetnames[0]  # a real workbook


def test_a_pack_for_something_not_in_the_plan_fails_in_words(
    engine: sa.Engine, registry: Registry
) -> None:
    params = {**PACK_PARAMS, "id": "no-such-committee"}
    job_id = enqueue(engine, PACK, "no-such-committee", "cllr-smith", params)
    JobWorker(registry, engine).run_once()
    job = read_job(engine, job_id)
    assert job is not None and job.status == FAILED
    assert job.error == "There is no committee 'no-such-committee'."


def test_two_workers_never_take_the_same_job(engine: sa.Engine) -> None:
    made = {enqueue(engine, PIPELINE_RUN, f"p{n}", "jo") for n in range(30)}
    taken: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def take(name: str) -> None:
        try:
            while (job := claim_next(engine, name)) is not None:
                taken[name].append(job.id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    everything = taken["a"] + taken["b"]
    assert sorted(everything) == sorted(made)  # each job exactly once


def test_jobs_left_running_by_a_stopped_worker_are_failed_in_words(engine: sa.Engine) -> None:
    job_id = enqueue(engine, PIPELINE_RUN, "demo-finance", "jo")
    claimed = claim_next(engine, "gone:123")
    assert claimed is not None and claimed.status == RUNNING
    assert abandon_running_jobs(engine) == 1
    job = read_job(engine, job_id)
    assert job is not None and job.status == FAILED
    assert job.error == "The worker stopped before this finished; please ask again."


def test_the_worker_thread_takes_jobs_as_they_come(engine: sa.Engine, registry: Registry) -> None:
    worker = JobWorker(registry, engine).start()
    try:
        job_id = enqueue(engine, PIPELINE_RUN, "demo-finance", "jo")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job = read_job(engine, job_id)
            if job is not None and job.finished:
                break
            time.sleep(0.2)
        assert job is not None and job.finished
    finally:
        worker.stop()

"""Run pipelines on their cron schedules with APScheduler 3, from a persistent job store.

Jobs live in an SQLite file beside the warehouse (data/pmf-jobs.sqlite for data/pmf.duckdb),
so a restart keeps them and a run missed while the process was down still happens once
(coalesced, within the grace time). Each job is a plain module-level function taking plain
strings, which is what a persistent store can serialise.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from metrics.registry.loader import load_registry
from metrics.registry.yamlfile import ConfigError
from pipelines.config import Pipeline, load_pipelines
from pipelines.hooks import resolve_hook
from warehouse.engine import database_path, get_engine
from warehouse.schema import create_tables

LOG = logging.getLogger("pmf.scheduler")
JOBSTORE_ENV = "PMF_JOBSTORE_URL"
JOB_PREFIX = "pipeline:"
MISFIRE_GRACE_SECONDS = 3600
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}


def jobstore_url(database_url: str) -> str:
    """Where jobs are kept: $PMF_JOBSTORE_URL, else an SQLite file beside a file warehouse.

    A server database (PostgreSQL) keeps the jobs in its own `apscheduler_jobs` table.
    """
    configured = os.environ.get(JOBSTORE_ENV)
    if configured:
        return configured
    path = database_path(database_url)
    if path is None:
        return database_url
    return f"sqlite:///{path.resolve().parent / f'{path.stem}-jobs.sqlite'}"


def run_scheduled_pipeline(config_dir: str, database_url: str, pipeline_id: str) -> str:
    """The job APScheduler calls: run one pipeline, logging (never raising) any failure."""
    from pipelines.runner import run_pipeline

    try:
        registry = load_registry(config_dir)
        engine = get_engine(database_url)
        result = run_pipeline(
            registry, engine, pipeline_id, trigger="schedule", triggered_by="scheduler"
        )
    except (ConfigError, KeyError) as exc:
        # No run can be logged without a valid config; the scheduler's log is the record
        LOG.error("scheduled run of %s did not start: %s", pipeline_id, exc)
        return "failed"
    if not result.ok:
        LOG.warning("%s", result.summary())
    return result.status


def build_scheduler(
    database_url: str, *, jobstore: str | None = None, timezone: str = "Europe/London"
) -> BackgroundScheduler:
    """A background scheduler on the persistent job store, one pipeline run at a time."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=jobstore or jobstore_url(database_url))},
        # One worker: DuckDB takes one writer, and runs queue rather than collide
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults=JOB_DEFAULTS,
        timezone=timezone,
    )


def sync_jobs(
    scheduler: BackgroundScheduler,
    pipelines: dict[str, Pipeline],
    config_dir: str,
    database_url: str,
    timezone: str,
) -> list[str]:
    """Make the store hold one job per scheduled pipeline; return the job ids kept.

    A job whose schedule and arguments are unchanged is left alone, so a run missed while
    the process was down still fires once on start-up.
    """
    wanted = {}
    for pipeline in pipelines.values():
        if pipeline.schedule is not None:
            wanted[f"{JOB_PREFIX}{pipeline.id}"] = pipeline
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            LOG.info("removing job %s: its pipeline is gone or unscheduled", job.id)
            job.remove()
    for job_id, pipeline in wanted.items():
        assert pipeline.schedule is not None
        trigger = pipeline.schedule.trigger(timezone)
        # Absolute, so a restart from another working folder still finds the config
        args = [str(Path(config_dir).resolve()), database_url, pipeline.id]
        existing = scheduler.get_job(job_id)
        if (
            existing is not None
            and str(existing.trigger) == str(trigger)
            and existing.args == tuple(args)
        ):
            continue
        scheduler.add_job(
            run_scheduled_pipeline,
            trigger=trigger,
            args=args,
            id=job_id,
            name=f"pipeline {pipeline.id}",
            replace_existing=True,
        )
    return sorted(wanted)


# Jobs beyond the pipelines, named by import path (as the after-load hooks are) so that this
# package does not depend on the packs or the cycle: each is called as add(scheduler, config,
# url, tz)
EXTRA_JOBS: tuple[str, ...] = (
    "reports.scheduled:add_weekly_pack_job",
    "jobs.notify:add_email_job",
)


def start_background_scheduler(
    config_dir: str | Path,
    database_url: str,
    *,
    jobstore: str | None = None,
    paused: bool = False,
) -> BackgroundScheduler:
    """Start the scheduler in this process (the dashboard's, by default) and return it."""
    registry = load_registry(config_dir)
    create_tables(get_engine(database_url))
    timezone = str(registry.settings["timezone"])
    pipelines = load_pipelines(registry)
    scheduler = build_scheduler(database_url, jobstore=jobstore, timezone=timezone)
    # Start paused: the stored jobs must be readable before they are compared with the YAML
    scheduler.start(paused=True)
    try:
        ids = sync_jobs(scheduler, pipelines, str(config_dir), database_url, timezone)
        for path in EXTRA_JOBS:
            add_job: Any = resolve_hook(path)
            ids.append(str(add_job(scheduler, str(config_dir), database_url, timezone)))
    except Exception:
        scheduler.shutdown(wait=False)
        raise
    if not paused:
        scheduler.resume()
    LOG.info("scheduler started with %d job(s): %s", len(ids), ", ".join(ids))
    return scheduler

"""The job queue: work asked for on a page (a pipeline run, a pack) and done by a worker.

A web request only queues a job and returns; the worker (in `pmf serve`'s process on one
machine, in `pmf scheduler`'s with several web workers) claims it, reports progress and
records the result, and the page polls the row. On PostgreSQL several workers may claim at
once: `FOR UPDATE SKIP LOCKED` gives each job to exactly one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from warehouse.tables import jobs
from warehouse.transactions import retrying

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
JOB_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
FINISHED = (SUCCEEDED, FAILED)
PIPELINE_RUN, PACK = "pipeline_run", "pack"
JOB_KINDS = (PIPELINE_RUN, PACK)


@dataclass(frozen=True)
class Job:
    """One row of the queue."""

    id: int
    kind: str
    target_id: str
    params: dict[str, Any]
    requested_by: str
    requested_at: datetime
    status: str
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    progress: str | None
    result: str | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _job(row: Any) -> Job:
    values = dict(row._mapping)
    values["params"] = json.loads(values["params"]) if values["params"] else {}
    return Job(**values)


def enqueue(
    engine: sa.Engine,
    kind: str,
    target_id: str,
    requested_by: str,
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Queue a job; return its id."""
    if kind not in JOB_KINDS:
        raise ValueError(f"a job is one of {', '.join(JOB_KINDS)}, not {kind!r}")
    with engine.begin() as conn:
        job_id = conn.execute(
            jobs.insert()
            .values(
                kind=kind,
                target_id=target_id,
                params=json.dumps(params or {}, sort_keys=True, default=str),
                requested_by=requested_by,
                requested_at=now or datetime.now(),
                status=QUEUED,
            )
            .returning(jobs.c.id)
        ).scalar_one()
    return int(job_id)


def claim_next(engine: sa.Engine, worker: str, now: datetime | None = None) -> Job | None:
    """Take the oldest queued job for `worker` (it is then running); None if there is none."""
    # On DuckDB a thread that loses a race for the same job meets a conflict: look again
    return retrying(lambda: _claim(engine, worker, now))


def _claim(engine: sa.Engine, worker: str, now: datetime | None) -> Job | None:
    with engine.begin() as conn:
        oldest = (
            sa.select(jobs.c.id)
            .where(jobs.c.status == QUEUED)
            .order_by(jobs.c.requested_at, jobs.c.id)
            .limit(1)
        )
        if conn.dialect.name == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        job_id = conn.execute(oldest).scalar()
        if job_id is None:
            return None
        claimed = conn.execute(
            jobs.update()
            .where(jobs.c.id == job_id, jobs.c.status == QUEUED)
            .values(status=RUNNING, worker=worker, started_at=now or datetime.now())
        ).rowcount
        if claimed != 1:
            return None
        return _job(conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one())


def report_progress(engine: sa.Engine, job_id: int, progress: str) -> None:
    """Say how far a running job has got, in words for the page."""
    with engine.begin() as conn:
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(progress=progress))


def finish_job(
    engine: sa.Engine,
    job_id: int,
    *,
    result: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record how a job ended: its result, or (failed) the error."""
    with engine.begin() as conn:
        conn.execute(
            jobs.update()
            .where(jobs.c.id == job_id)
            .values(
                status=FAILED if error is not None else SUCCEEDED,
                result=result,
                error=error,
                finished_at=now or datetime.now(),
            )
        )


def read_job(engine: sa.Engine, job_id: int) -> Job | None:
    """One job, or None if there is no such job."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    return _job(row) if row is not None else None


def recent_jobs(engine: sa.Engine, limit: int = 20) -> list[Job]:
    """The newest jobs first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(jobs).order_by(jobs.c.requested_at.desc(), jobs.c.id.desc()).limit(limit)
        ).all()
    return [_job(row) for row in rows]


def abandon_running_jobs(engine: sa.Engine, worker: str | None = None) -> int:
    """Fail the jobs left running by a worker that stopped (all workers' when `worker` is None,
    as a worker starting alone finds them); return how many."""
    where = [jobs.c.status == RUNNING]
    if worker is not None:
        where.append(jobs.c.worker == worker)
    with engine.begin() as conn:
        return int(
            conn.execute(
                jobs.update()
                .where(*where)
                .values(
                    status=FAILED,
                    error="The worker stopped before this finished; please ask again.",
                    finished_at=datetime.now(),
                )
            ).rowcount
            or 0
        )


def waiting_too_long(job: Job, now: datetime, patience: timedelta) -> bool:
    """Whether a queued job has waited so long that no worker is likely taking jobs."""
    return job.status == QUEUED and now - job.requested_at > patience

"""The job worker: takes queued jobs (pipeline runs, packs) one at a time and does them.

It runs as a thread in `pmf serve`'s process on one machine (DuckDB) and in `pmf scheduler`'s
process in server mode, where the web workers only queue jobs. A job that fails records why;
the worker carries on with the next.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import date

import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.runner import run_pipeline
from reports.produce import FORMATS, produce, reports_folder
from reports.scope import ScopeError, resolve_scope
from warehouse.jobs import (
    PACK,
    PIPELINE_RUN,
    Job,
    abandon_running_jobs,
    claim_next,
    finish_job,
    report_progress,
)

LOG = logging.getLogger("pmf.jobs")
POLL_SECONDS = 1.0
DOWNLOADS = "downloads"  # under the reports folder: packs built for someone on a page


def worker_name() -> str:
    """This process, as the queue records who took a job."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobWorker:
    """Does queued jobs on a thread of its own until stopped."""

    def __init__(self, registry: Registry, engine: sa.Engine, name: str | None = None) -> None:
        self.registry = registry
        self.engine = engine
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> JobWorker:
        """Fail what a stopped worker left running, then take jobs on a daemon thread."""
        left = abandon_running_jobs(self.engine)
        if left:
            LOG.warning("%d job(s) left running by a stopped worker were marked failed", left)
        self._thread = threading.Thread(target=self._loop, name="pmf-jobs", daemon=True)
        self._thread.start()
        LOG.info("job worker %s taking jobs", self.name)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the job in hand (if any)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.run_once():
                    self._stop.wait(POLL_SECONDS)
            except Exception:  # noqa: BLE001 - the worker must outlive a lost connection
                LOG.exception("job worker: could not read the queue; trying again shortly")
                self._stop.wait(POLL_SECONDS * 5)

    def run_once(self) -> bool:
        """Do the oldest queued job, if there is one; say whether there was."""
        job = claim_next(self.engine, self.name)
        if job is None:
            return False
        LOG.info("job %d: %s %s for %s", job.id, job.kind, job.target_id, job.requested_by)
        try:
            if job.kind == PIPELINE_RUN:
                self._pipeline_run(job)
            elif job.kind == PACK:
                self._pack(job)
            else:
                finish_job(
                    self.engine, job.id, error=f"PMF does not know jobs of kind {job.kind!r}."
                )
        except Exception as exc:  # noqa: BLE001 - a failed job is recorded, never fatal
            LOG.exception("job %d failed", job.id)
            finish_job(self.engine, job.id, error=f"It could not be done: {type(exc).__name__}.")
        return True

    def _pipeline_run(self, job: Job) -> None:
        def say(words: str) -> None:
            report_progress(self.engine, job.id, words)

        result = run_pipeline(
            self.registry,
            self.engine,
            job.target_id,
            trigger="dashboard",
            triggered_by=job.requested_by,
            # Asked for on the page: read the file even if it has not changed
            force=bool(job.params.get("force", False)),
            progress=say,
        )
        if result.ok:
            finish_job(self.engine, job.id, result=result.summary())
        else:
            finish_job(self.engine, job.id, error=result.summary())

    def _pack(self, job: Job) -> None:
        params = job.params
        report_format = params.get("format")
        kind = str(params.get("kind"))
        if report_format not in FORMATS:
            finish_job(self.engine, job.id, error=f"A pack is one of {', '.join(FORMATS)}.")
            return
        try:
            scope = resolve_scope(self.registry, kind, job.target_id)
        except ScopeError:
            finish_job(self.engine, job.id, error=f"There is no {kind} '{job.target_id}'.")
            return
        as_at = date.fromisoformat(str(params.get("as_at")))
        filename = f"{scope.slug}-{as_at:%Y-%m-%d}.{report_format}"
        # The job id first, so two people's packs never share a file
        out = reports_folder(self.registry) / DOWNLOADS / f"{job.id}-{filename}"
        report_progress(self.engine, job.id, "Gathering the figures and drawing the charts")
        produced = produce(
            self.registry,
            self.engine,
            kind,
            job.target_id,
            as_at,
            report_format,
            out,
            trigger="dashboard",
        )
        finish_job(
            self.engine,
            job.id,
            result=json.dumps({"path": str(produced.path), "filename": filename}),
        )

"""The scheduler's process: the pipeline schedule and the job worker, run by whichever process
holds the scheduler's lock (warehouse.locks). Others stand by and take over if it goes.

`pmf scheduler` runs this on its own (server mode: PostgreSQL, several web workers that only
queue jobs); `pmf serve` runs it in a thread beside the dashboard on one machine.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from jobs.worker import JobWorker
from metrics.registry.loader import load_registry
from pipelines.scheduler import start_background_scheduler
from warehouse.engine import get_engine
from warehouse.locks import SchedulerLock

LOG = logging.getLogger("pmf.scheduler")
CHECK_SECONDS = 5.0  # how often the lock is checked, and a standby asks for it again


class SchedulerService:
    """Start it; it schedules and takes jobs while it holds the lock, and stands by otherwise."""

    def __init__(
        self,
        config_dir: str | Path,
        database_url: str,
        *,
        jobstore: str | None = None,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.config_dir = config_dir
        self.database_url = database_url
        self.jobstore = jobstore
        self.check_seconds = check_seconds
        self.engine = get_engine(database_url)
        self.lock = SchedulerLock(self.engine)
        self._scheduler: BackgroundScheduler | None = None
        self._worker: JobWorker | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._said_standby = False

    @property
    def active(self) -> bool:
        """Whether this process is the one scheduling and taking jobs."""
        return self._scheduler is not None

    def start(self) -> SchedulerService:
        """Take the lock now if it is free (a bad config fails here, in the caller); keep
        watching it on a daemon thread."""
        self._step()
        self._thread = threading.Thread(target=self._watch, name="pmf-scheduler", daemon=True)
        self._thread.start()
        return self

    def run_forever(self) -> None:
        """Run until interrupted (Ctrl+C or SIGTERM's KeyboardInterrupt)."""
        self.start()
        try:
            while not self._stop.is_set():
                time.sleep(0.5)
        except KeyboardInterrupt:
            LOG.info("stopping the scheduler")
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop scheduling and taking jobs, and let the lock go."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(self.check_seconds * 2)
        self._end()

    def _watch(self) -> None:
        while not self._stop.wait(self.check_seconds):
            try:
                self._step()
            except Exception:  # noqa: BLE001 - a database outage must not end the process
                LOG.exception("scheduler: could not check the lock; trying again shortly")
                self._end()

    def _step(self) -> None:
        if self.active:
            if not self.lock.held():
                LOG.warning("scheduler: the lock was lost; stopping until it can be taken again")
                self._end()
            return
        if self.lock.try_acquire():
            self._begin()
        elif not self._said_standby:
            LOG.info("scheduler: another PMF process holds the scheduler's lock; standing by")
            self._said_standby = True

    def _begin(self) -> None:
        registry = load_registry(self.config_dir)
        try:
            self._scheduler = start_background_scheduler(
                self.config_dir, self.database_url, jobstore=self.jobstore
            )
            self._worker = JobWorker(registry, self.engine).start()
        except Exception:
            self._end()
            raise
        self._said_standby = False
        LOG.info("scheduler: this process holds the lock; scheduling and taking jobs")

    def _end(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self.lock.release()

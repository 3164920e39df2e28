"""How a queued job (a pipeline run, a pack) is shown while the page waits for it."""

from __future__ import annotations

from datetime import datetime, timedelta

from dash import dcc
from dash.development.base_component import Component

from warehouse.jobs import FAILED, PIPELINE_RUN, QUEUED, RUNNING, Job, waiting_too_long

POLL_MS = 1500
# After this long in the queue the page says no worker seems to be taking jobs
PATIENCE = timedelta(seconds=45)


def job_poll(ident: str) -> list[Component]:
    """The store holding the job's id and the timer that polls it (off until a job is queued)."""
    return [
        dcc.Store(id=f"{ident}-job"),
        dcc.Interval(id=f"{ident}-poll", interval=POLL_MS, disabled=True),
    ]


def job_words(job: Job | None, what: str, now: datetime | None = None) -> str:
    """One sentence for the page: queued, how far it has got, or how it ended."""
    if job is None:
        return f"The {what} could not be found; please ask again."
    now = now or datetime.now()
    if job.status == QUEUED:
        if waiting_too_long(job, now, PATIENCE):
            return (
                f"The {what} is still waiting: no worker has taken it. Ask your PMF "
                "administrator whether the scheduler ('pmf scheduler') is running."
            )
        return f"Preparing the {what}: waiting for its turn. This page will say when it is done."
    if job.status == RUNNING:
        step = job.progress or "starting"
        return f"Preparing the {what}: {step[:1].lower()}{step[1:]}."
    if job.status == FAILED:
        return f"The {what} did not finish: {job.error}"
    return f"Done: {job.result}" if job.kind == PIPELINE_RUN else f"The {what} is ready."

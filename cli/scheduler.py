"""`pmf scheduler`: run the pipeline scheduler on its own."""

from __future__ import annotations

import logging

import click

from cli.console_log import console_logging
from cli.context import Context
from cli.times import when


@click.command("scheduler")
@click.option("--jobstore", default=None, help="SQLAlchemy URL of the job store.")
@click.option("--list", "list_jobs", is_flag=True, help="Show the scheduled jobs, then exit.")
@click.pass_obj
def scheduler_command(ctx: Context, jobstore: str | None, list_jobs: bool) -> None:
    """Run the pipeline schedule and the job worker on their own: with several web workers
    (server mode), or when the dashboard is started with --no-scheduler. On PostgreSQL only
    one scheduler works at a time; any other stands by and takes over if it stops."""
    from jobs.service import SchedulerService
    from pipelines.scheduler import jobstore_url, start_background_scheduler
    from warehouse.engine import get_engine
    from warehouse.recovery import abandon_unfinished_runs

    ctx.registry()
    console_logging(logging.INFO)
    store = jobstore or jobstore_url(ctx.database_url)
    if list_jobs:
        scheduler = start_background_scheduler(
            ctx.config_dir, ctx.database_url, jobstore=store, paused=True
        )
        for job in scheduler.get_jobs():
            click.echo(f"{job.id:34} next {when(job.next_run_time)}  {job.trigger}")
        scheduler.shutdown(wait=False)
        return
    click.echo(
        f"Scheduler running (schedule in {store}; it also does the runs and packs asked for "
        "on the dashboard's pages); press Ctrl+C to stop."
    )
    abandon_unfinished_runs(get_engine(ctx.database_url), ctx.database_url)
    SchedulerService(ctx.config_dir, ctx.database_url, jobstore=store).run_forever()

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
    """Run the pipeline scheduler on its own (when the dashboard is not running it)."""
    from pipelines.scheduler import jobstore_url, run_forever, start_background_scheduler

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
    click.echo(f"Scheduler running (jobs in {store}); press Ctrl+C to stop.")
    run_forever(ctx.config_dir, ctx.database_url, jobstore=store)

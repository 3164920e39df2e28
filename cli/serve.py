"""`pmf serve`: the dashboard, with the pipeline scheduler in the same process by default."""

from __future__ import annotations

import signal
import sys
import threading

import click

from cli.channel import Channel
from cli.context import Context, pass_context


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Dash debug mode (reloads on change).")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Run the pipeline scheduler and job worker in the dashboard's process.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Server mode: this many web worker processes (gunicorn) on PostgreSQL. The schedule "
    "and the job worker then run in 'pmf scheduler', started beside them.",
)
@pass_context
def serve(
    ctx: Context, host: str, port: int, debug: bool, scheduler: bool, workers: int | None
) -> None:
    """Serve the dashboard (the same as `python app.py`)."""
    ctx.registry()
    # The one import of app, here so that no other command loads the dashboard and its pages
    import app

    if workers is not None:
        app.serve_workers(host, port, workers, ctx.config_dir, ctx.database_url)
        return

    # Commands run beside the dashboard are handed to it once it holds the warehouse
    channel = Channel(click.get_current_context().find_root().command, ctx.database_url)
    _stop_on_sigterm()
    try:
        app.serve(
            host=host,
            port=port,
            debug=debug,
            config_dir=ctx.config_dir,
            database_url=ctx.database_url,
            scheduler=scheduler,
            on_ready=channel.start,
        )
    finally:
        channel.stop()


def _stop_on_sigterm() -> None:
    """A stop from the service manager (SIGTERM) ends the server the way Ctrl+C does, through
    its clean-up (the channel's socket is removed), with exit status 0."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))

"""`pmf evaluate`: run the performance engine over the warehouse."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import Context
from cli.errors import warehouse_errors
from metrics.engine.evaluate import evaluate
from pipelines.derived import update_derived


@click.command("evaluate")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Judge freshness and milestones as if today were this date (YYYY-MM-DD).",
)
@click.pass_obj
def evaluate_command(ctx: Context, as_of: datetime | None) -> None:
    """Work out derived measures again, recompute status, SPC, freshness and milestones;
    raise or clear flags."""
    registry = ctx.registry()
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        # A derived measure just added to the config has values as soon as it is evaluated
        for result in update_derived(registry, engine, trigger="evaluate", triggered_by="pmf"):
            click.echo(result.summary())
        summary = evaluate(registry, engine, today=as_of.date() if as_of else None)
        click.echo(str(summary))

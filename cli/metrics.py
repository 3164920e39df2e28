"""`pmf metrics`: look at the metric registry."""

from __future__ import annotations

from datetime import date

import click

from cli.context import Context, pass_context


@click.group("metrics")
def metrics_group() -> None:
    """Look at the metric registry."""


@metrics_group.command("list")
@click.option("--priority", default=None, help="Only metrics for this priority id.")
@click.option("--portfolio", default=None, help="Only metrics in this portfolio id.")
@pass_context
def metrics_list(ctx: Context, priority: str | None, portfolio: str | None) -> None:
    """List metrics with their priority, portfolio, frequency and target."""
    registry = ctx.registry()
    rows = [
        m
        for m in registry
        if (priority is None or m.priority == priority)
        and (portfolio is None or m.portfolio == portfolio)
    ]
    click.echo(f"{'id':36} {'priority':22} {'portfolio':22} {'freq':9} target")
    for m in rows:
        target = m.target_for(date.today())
        click.echo(
            f"{m.id:36} {m.priority or '-':22} {m.portfolio:22} {m.frequency:9} "
            f"{'-' if target is None else f'{target:g}'}"
        )
    click.echo(f"{len(rows)} metric(s)")

"""`pmf init-db`: create the warehouse tables (the same as `pmf db upgrade`)."""

from __future__ import annotations

import click

from cli.context import Context, pass_context
from cli.db import upgrade_command
from warehouse.schema import table_names


@click.command("init-db")
@pass_context
def init_db(ctx: Context) -> None:
    """Create the warehouse tables, or upgrade them (safe to run again): 'pmf db upgrade'."""
    click.get_current_context().invoke(upgrade_command)
    names = table_names()
    click.echo(f"{len(names)} tables: {', '.join(names)}.")

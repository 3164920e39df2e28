"""`pmf init-db`: create the warehouse tables (the same as `pmf db upgrade`)."""

from __future__ import annotations

import click

from cli.context import Context, pass_context
from cli.db import upgrade_sentence
from cli.errors import warehouse_errors
from warehouse.engine import get_engine
from warehouse.schema import table_names, upgrade


@click.command("init-db")
@pass_context
def init_db(ctx: Context) -> None:
    """Create the warehouse tables, or upgrade them (safe to run again): 'pmf db upgrade'."""
    with warehouse_errors(ctx.database_url):
        done = upgrade(get_engine(ctx.database_url))
    click.echo(upgrade_sentence(ctx.database_url, done.before, done.after, done.legacy))
    names = table_names()
    click.echo(f"{len(names)} tables: {', '.join(names)}.")

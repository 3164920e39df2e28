"""`pmf init-db`: create the warehouse tables."""

from __future__ import annotations

import click

from cli.context import Context, pass_context
from warehouse.engine import get_engine
from warehouse.tables import create_tables


@click.command("init-db")
@pass_context
def init_db(ctx: Context) -> None:
    """Create the warehouse tables (safe to run again)."""
    names = create_tables(get_engine(ctx.database_url))
    click.echo(f"Warehouse ready at {ctx.database_url}: {len(names)} tables ({', '.join(names)}).")

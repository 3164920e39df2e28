"""`pmf db`: the warehouse schema, by migration (upgrade, current, check)."""

from __future__ import annotations

import click

from cli.context import Context, pass_context
from cli.errors import fail, warehouse_errors
from warehouse.engine import get_engine
from warehouse.schema import differences, head, upgrade


@click.group("db")
def db_group() -> None:
    """The warehouse schema: create it, upgrade it, check it."""


@db_group.command("upgrade")
@pass_context
def upgrade_command(ctx: Context) -> None:
    """Create the schema, or upgrade it to this version of PMF (safe to run again)."""
    with warehouse_errors(ctx.database_url):
        done = upgrade(get_engine(ctx.database_url))
    click.echo(upgrade_sentence(ctx.database_url, done.before, done.after, done.legacy))


def upgrade_sentence(url: str, before: str | None, after: str, legacy: bool = False) -> str:
    """One line saying what an upgrade did."""
    if before == after:
        return f"Warehouse at {url} is up to date (schema {after})."
    if before is None and not legacy:
        return f"Warehouse created at {url} (schema {after})."
    start = "from before migrations" if legacy else f"from schema {before}"
    return f"Warehouse at {url} upgraded {start} to {after}; its data kept."


@db_group.command("current")
@pass_context
def current_command(ctx: Context) -> None:
    """Show the warehouse's schema revision and the newest this PMF knows."""
    from warehouse.schema import current

    with warehouse_errors(ctx.database_url):
        revision = current(get_engine(ctx.database_url))
    newest = head()
    if revision == newest:
        click.echo(f"Schema {revision} (the newest).")
    else:
        click.echo(f"Schema {revision or 'none'}; this PMF needs {newest}: run 'pmf db upgrade'.")


@db_group.command("check")
@pass_context
def check_command(ctx: Context) -> None:
    """Compare the warehouse with the tables PMF defines; exit 1 if they differ."""
    with warehouse_errors(ctx.database_url):
        found = differences(get_engine(ctx.database_url))
    if found:
        for line in found:
            click.echo(line, err=True)
        fail(f"{len(found)} difference(s) between the warehouse and this version of PMF.")
    click.echo("The warehouse matches this version of PMF.")


@db_group.command("copy")
@click.argument("target_url")
@pass_context
def copy_command(ctx: Context, target_url: str) -> None:
    """Copy the whole warehouse into an empty database at TARGET_URL (e.g. from the DuckDB
    file into PostgreSQL, to run in server mode). The warehouse itself is not changed."""
    from warehouse.transfer import TargetNotEmpty, copy_warehouse

    target = get_engine(target_url)
    shown = target.url.render_as_string(hide_password=True)
    if target_url == ctx.database_url:
        fail("The target is the warehouse itself: give another database's URL.")
    with warehouse_errors(ctx.database_url):
        try:
            copied = copy_warehouse(get_engine(ctx.database_url), target)
        except TargetNotEmpty as exc:
            fail(f"Nothing copied: {exc}. Copy into a new, empty database.")
    tables = sum(1 for n in copied.rows.values() if n)
    click.echo(f"Copied {copied.total} rows in {tables} tables to {shown}.")

"""`pmf backup FILE` and `pmf restore FILE`: a consistent copy of the DuckDB warehouse, and back.

`pmf backup` also works while the dashboard runs: the command is handed to it (cli/forward.py),
so the copy is made inside the process that holds the file. `pmf restore` never is: it refuses
while anything holds the warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.errors import fail, warehouse_errors
from warehouse.backup import (
    BackupError,
    NotAWarehouse,
    back_up,
    backend,
    holder,
    restore,
    wal_path,
)
from warehouse.engine import database_path, get_engine

SEE_DOCS = "see 'Backup and restore' in docs/operations.md"


def _warehouse_file(database_url: str, command: str, server_tool: str) -> Path:
    """The DuckDB file behind the URL, or exit 1 saying which tool a server database needs."""
    path = database_path(database_url)
    kind = backend(database_url)
    if path is None or kind != "duckdb":
        fail(
            f"'pmf {command}' works on a DuckDB warehouse file; this warehouse is a {kind} "
            f"database: use {server_tool} ({SEE_DOCS}). Nothing was written."
        )
    return Path(os.path.abspath(path))


def _size(size: int) -> str:
    """A file size in words, e.g. '12.3 MB'."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for larger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}"


def _absolute(file: Path) -> Path:
    """FILE as given, made absolute against the folder the command was run from."""
    return Path(os.path.abspath(file))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_context
def backup_command(ctx: Context, file: Path, force: bool) -> None:
    """Write a consistent copy of the DuckDB warehouse to FILE, also while the dashboard runs."""
    warehouse = _warehouse_file(ctx.database_url, "backup", "pg_dump")
    target = _absolute(file)
    if not warehouse.is_file():
        fail(f"There is no warehouse at {warehouse}: nothing to back up. Nothing was written.")
    if target == warehouse:
        fail(f"{target} is the warehouse itself: give another FILE. Nothing was written.")
    for existing in (target, wal_path(target)):
        if existing.exists() and not force:
            fail(f"{existing} already exists: give --force to replace it. Nothing was written.")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warehouse_errors(ctx.database_url):
            copied = back_up(get_engine(ctx.database_url), target)
    except (BackupError, OSError) as exc:
        fail(f"The backup to {target} failed: {exc}. Nothing was written under that name.")
    click.echo(
        f"Backed up the warehouse {warehouse} to {target}: {len(copied.rows)} tables, "
        f"{copied.total_rows:,} rows, {_size(copied.size)}."
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def restore_command(ctx: Context, file: Path) -> None:
    """Put the warehouse in FILE (made by 'pmf backup') in place; the current one is kept aside.

    Stop the dashboard first: a restore never runs beside it.
    """
    warehouse = _warehouse_file(ctx.database_url, "restore", "pg_restore")
    source = _absolute(file)
    held_by = holder(warehouse)
    if held_by is not None:
        fail(
            f"The warehouse {warehouse} is in use by another PMF process ({held_by}), most "
            "likely 'pmf serve': stop the dashboard first, then run 'pmf restore' again. "
            "Nothing was written."
        )
    if source == warehouse:
        fail(f"{source} is the warehouse itself: give the backup to restore. Nothing was written.")
    try:
        done = restore(source, warehouse)
    except NotAWarehouse as exc:
        fail(f"{exc} Nothing was restored.")
    except (BackupError, OSError) as exc:
        fail(f"The restore from {source} failed: {exc}. Nothing was restored.")
    kept = (
        f"the previous warehouse is kept as {done.kept_as}"
        if done.kept_as is not None
        else "there was no warehouse there before"
    )
    click.echo(
        f"Restored {source} to {warehouse} ({len(done.copied.rows)} tables, "
        f"{done.copied.total_rows:,} rows); {kept}."
    )

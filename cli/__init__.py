"""The `pmf` command line: one group, with each command (or group of commands) in its own module."""

from __future__ import annotations

from pathlib import Path

import click

from cli.backup import backup_command, restore_command
from cli.context import Context
from cli.cycle import cycle_group
from cli.db import db_group
from cli.demo_data import demo
from cli.errors import Commands
from cli.evaluate import evaluate_command
from cli.flags import flags_group
from cli.init_db import init_db
from cli.metrics import metrics_group
from cli.notify import notify_group
from cli.pipelines import pipelines_group
from cli.rejected import rejected_command
from cli.report import report_command
from cli.returns import returns_group
from cli.risks import risks_group
from cli.savings import savings_group
from cli.scheduler import scheduler_command
from cli.serve import serve
from cli.spc import spc_group
from cli.users import users_group
from cli.validate import schema, validate
from metrics.registry.loader import config_dir_from_env
from warehouse.engine import default_database_url


@click.group(cls=Commands)
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Config folder (default: $PMF_CONFIG or ./config).",
)
@click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL (default: $PMF_DATABASE_URL or data/pmf.duckdb).",
)
@click.pass_context
def main(ctx: click.Context, config_dir: Path | None, database_url: str | None) -> None:
    """PMF: the council's performance management framework."""
    config_dir = config_dir or config_dir_from_env()
    database_url = database_url or default_database_url()
    ctx.obj = Context(config_dir, database_url)


for command in (
    validate,
    schema,
    metrics_group,
    init_db,
    db_group,
    demo,
    serve,
    report_command,
    evaluate_command,
    flags_group,
    pipelines_group,
    rejected_command,
    scheduler_command,
    users_group,
    notify_group,
    spc_group,
    cycle_group,
    returns_group,
    savings_group,
    risks_group,
    backup_command,
    restore_command,
):
    main.add_command(command)

"""The `pmf` command line: one group, with each command (or group of commands) in its own module."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import Commands
from warehouse.engine import default_database_url

# Each command's module is imported only when the command is run (or help lists them all): a
# command handed to the running dashboard is relayed before any of them is imported, so the
# relaying process starts in a fraction of a second instead of importing the whole of PMF
COMMANDS = {
    "validate": ("cli.validate", "validate"),
    "schema": ("cli.validate", "schema"),
    "metrics": ("cli.metrics", "metrics_group"),
    "init-db": ("cli.init_db", "init_db"),
    "db": ("cli.db", "db_group"),
    "demo": ("cli.demo_data", "demo"),
    "serve": ("cli.serve", "serve"),
    "report": ("cli.report", "report_command"),
    "evaluate": ("cli.evaluate", "evaluate_command"),
    "flags": ("cli.flags", "flags_group"),
    "pipelines": ("cli.pipelines", "pipelines_group"),
    "rejected": ("cli.rejected", "rejected_command"),
    "scheduler": ("cli.scheduler", "scheduler_command"),
    "users": ("cli.users", "users_group"),
    "notify": ("cli.notify", "notify_group"),
    "spc": ("cli.spc", "spc_group"),
    "cycle": ("cli.cycle", "cycle_group"),
    "returns": ("cli.returns", "returns_group"),
    "savings": ("cli.savings", "savings_group"),
    "risks": ("cli.risks", "risks_group"),
    "backup": ("cli.backup", "backup_command"),
    "restore": ("cli.backup", "restore_command"),
}


@click.group(cls=Commands, lazy=COMMANDS)
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
    from cli.context import Context
    from metrics.registry.location import config_dir_from_env

    config_dir = config_dir or config_dir_from_env()
    database_url = database_url or default_database_url()
    ctx.obj = Context(config_dir, database_url)

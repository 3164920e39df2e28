"""The `pmf` command line: validate the registry, build the warehouse, load the demo, serve."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click

from metrics.jsonschema import stale_schemas, write_schemas
from metrics.registry import Registry, config_dir_from_env, load_registry
from metrics.yamlfile import ConfigError
from pipelines.config import validate_pipelines
from warehouse.engine import default_database_url, get_engine
from warehouse.tables import create_tables


@dataclass
class Context:
    """Options shared by every command."""

    config_dir: Path
    database_url: str

    def registry(self) -> Registry:
        """Load the registry, or exit 1 printing every problem."""
        try:
            return load_registry(self.config_dir)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(
                f"{len(exc.problems)} problem(s); run 'pmf validate' after fixing them.", err=True
            )
            sys.exit(1)


pass_context = click.make_pass_decorator(Context)


@click.group()
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


@main.command()
@click.option(
    "--schemas/--no-schemas", default=True, help="Also check the JSON schemas are up to date."
)
@pass_context
def validate(ctx: Context, schemas: bool) -> None:
    """Check the plan, metrics and pipelines; print every problem as file:line: field: message."""
    # Pipeline files are checked against the registry too (stage 2 needs both)
    problems = [str(p) for p in validate_pipelines(ctx.config_dir)]
    if schemas and (ctx.config_dir / "schemas").exists():
        problems += [
            f"{ctx.config_dir / 'schemas' / name}:1: (schema): out of date; run 'pmf schema'"
            for name in stale_schemas(ctx.config_dir / "schemas")
        ]
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    registry = load_registry(ctx.config_dir)
    click.echo(
        f"OK: {len(registry)} metrics, {len(registry.plan.priorities)} priorities, "
        f"{len(registry.plan.enablers)} enablers, {len(registry.pipelines)} pipelines."
    )


@main.command()
@pass_context
def schema(ctx: Context) -> None:
    """Regenerate the JSON schemas under config/schemas/ from the models."""
    for path in write_schemas(ctx.config_dir / "schemas"):
        click.echo(f"wrote {path}")


@main.group("metrics")
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


@main.command("init-db")
@pass_context
def init_db(ctx: Context) -> None:
    """Create the warehouse tables (safe to run again)."""
    names = create_tables(get_engine(ctx.database_url))
    click.echo(f"Warehouse ready at {ctx.database_url}: {len(names)} tables ({', '.join(names)}).")


@main.command()
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Pretend today is this date."
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the warehouse already has data.")
@pass_context
def demo(ctx: Context, as_of: datetime | None, if_empty: bool) -> None:
    """Load a deterministic, realistic demo history (7 years, county and districts)."""
    from demo.load import load_demo

    registry = ctx.registry()
    engine = get_engine(ctx.database_url)
    create_tables(engine)
    summary = load_demo(
        registry, engine, (as_of.date() if as_of else date.today()), if_empty=if_empty
    )
    click.echo(summary)
    from demo.officer import ensure_demo_officer

    password = ensure_demo_officer(engine)
    if password:
        click.echo(
            f"Demo sign-in for the performance team: user 'demo-officer', password '{password}' "
            "(shown once; 'pmf users add' makes real accounts)."
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Dash debug mode (reloads on change).")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Run the pipeline scheduler in the dashboard's process.",
)
@pass_context
def serve(ctx: Context, host: str, port: int, debug: bool, scheduler: bool) -> None:
    """Serve the dashboard (the same as `python app.py`)."""
    ctx.registry()
    import app

    app.serve(
        host=host,
        port=port,
        debug=debug,
        config_dir=ctx.config_dir,
        database_url=ctx.database_url,
        scheduler=scheduler,
    )


# Command groups from other packages are added below, one line each.
from reports.commands import report_command  # noqa: E402

main.add_command(report_command)

from metrics.commands import evaluate_command, flags_group  # noqa: E402
from pipelines.commands import pipelines_group, rejected_command, scheduler_command  # noqa: E402

main.add_command(evaluate_command)
main.add_command(flags_group)
main.add_command(pipelines_group)
main.add_command(rejected_command)
main.add_command(scheduler_command)

from access.commands import users_group  # noqa: E402

main.add_command(users_group)

if __name__ == "__main__":
    main()

"""`pmf validate` and `pmf schema`: check everything under config/, and write the JSON schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.schemas import stale_schemas, write_schemas
from metrics.registry.loader import load_registry
from pipelines.config import validate_pipelines


def config_problems(config_dir: Path, *, check_schemas: bool = True) -> list[str]:
    """Every problem in the plan, metrics, pipelines and JSON schemas, as file:line lines."""
    # Pipeline files are checked against the registry too (stage 2 needs both)
    problems = [str(p) for p in validate_pipelines(config_dir)]
    folder = config_dir / "schemas"
    if check_schemas and folder.exists():
        problems += [
            f"{folder / name}:1: (schema): out of date; run 'pmf schema'"
            for name in stale_schemas(folder)
        ]
    return problems


@click.command()
@click.option(
    "--schemas/--no-schemas", default=True, help="Also check the JSON schemas are up to date."
)
@pass_context
def validate(ctx: Context, schemas: bool) -> None:
    """Check the plan, metrics, pipelines and JSON schemas; print each problem as file:line."""
    problems = config_problems(ctx.config_dir, check_schemas=schemas)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    registry = load_registry(ctx.config_dir)
    click.echo(
        f"OK: {len(registry)} metrics, {len(registry.plan.priorities)} priorities, "
        f"{len(registry.plan.enablers)} enablers, {len(registry.pipelines)} pipelines, "
        f"{len(registry.finance.proposals)} savings proposals, {len(registry.finance.risks)} risks."
    )


@click.command()
@pass_context
def schema(ctx: Context) -> None:
    """Regenerate every JSON schema under config/schemas/ (metrics, plan, pipelines)."""
    for path in write_schemas(ctx.config_dir / "schemas"):
        click.echo(f"wrote {path}")

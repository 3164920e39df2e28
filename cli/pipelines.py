"""`pmf pipelines`: list, run and watch the data pipelines (config/pipelines/*.yaml)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from cli.caller import current
from cli.console_log import console_logging
from cli.context import Context
from cli.times import when
from cli.validate import schema, validate
from metrics.registry.loader import Registry
from metrics.registry.yamlfile import ConfigError


def _pipelines(ctx: Context, registry: Registry) -> dict[str, Any]:
    from pipelines.config import load_pipelines

    try:
        return load_pipelines(registry)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {ctx.config_dir / 'pipelines'}.", err=True)
        sys.exit(1)


@click.group("pipelines")
def pipelines_group() -> None:
    """Run and watch the data pipelines (config/pipelines/*.yaml)."""


@pipelines_group.command("list")
@click.pass_obj
def list_command(ctx: Context) -> None:
    """List pipelines: schedule, next run, last run, and metrics whose data is late."""
    from metrics.engine.freshness import FRESH, freshness
    from warehouse.runs import latest_period_by_metric, latest_runs

    registry = ctx.registry()
    pipelines = _pipelines(ctx, registry)
    engine = ctx.engine()
    latest = latest_runs(engine).set_index("pipeline_id")
    held = latest_period_by_metric(engine)
    zone = ZoneInfo(str(registry.settings["timezone"]))
    now = datetime.now(zone)
    click.echo(
        f"{'id':22} {'source':6} {'schedule':14} {'next run':16} {'last run':38} "
        "metrics (late: data not in by period end + lag_days)"
    )
    for pipeline in pipelines.values():
        schedule, upcoming = "by hand", "-"
        if pipeline.schedule is not None:
            schedule = pipeline.schedule.describe()
            upcoming = when(pipeline.schedule.trigger(str(zone)).get_next_fire_time(None, now))
        last = "never run"
        if pipeline.id in latest.index:
            row = latest.loc[pipeline.id]
            last = f"{row['status']} {when(row['started_at'])} (run {row['run_id']})"
        count = f"{len(pipeline.metrics)}" if pipeline.kind == "observations" else pipeline.kind
        late = [
            m
            for m in pipeline.metrics
            if registry.has_metric(m)
            and freshness(
                registry.metric(m).frequency, pipeline.lag_days, held.get(m), now.date()
            ).status
            != FRESH
        ]
        if late:
            count += f" ({', '.join(late)} late)" if len(late) <= 2 else f" ({len(late)} late)"
        click.echo(
            f"{pipeline.id:22} {pipeline.source.kind:6} {schedule:14} {upcoming:16} {last:38} "
            f"{count}"
        )
    click.echo(f"{len(pipelines)} pipeline(s); times are {zone}.")


@pipelines_group.command("run")
@click.argument("pipeline_ids", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="Run every pipeline.")
@click.option("--force", is_flag=True, help="Reload sources even if unchanged since last time.")
@click.option(
    "--drop-folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Read file drops from this folder instead of the drop_folder setting.",
)
@click.pass_obj
def run_command(
    ctx: Context,
    pipeline_ids: tuple[str, ...],
    run_all: bool,
    force: bool,
    drop_folder: Path | None,
) -> None:
    """Run pipelines now: pmf pipelines run ID [ID...] | --all. Exit 1 if any run failed."""
    from pipelines.runner import LOADED, call_hooks, run_pipeline

    if bool(pipeline_ids) == run_all:
        raise click.UsageError("name one or more pipeline ids, or give --all")
    console_logging()
    registry = ctx.registry()
    pipelines = _pipelines(ctx, registry)
    unknown = [p for p in pipeline_ids if p not in pipelines]
    if unknown:
        click.echo(
            f"No pipeline {', '.join(repr(u) for u in unknown)}. "
            f"Known pipelines: {', '.join(pipelines)}.",
            err=True,
        )
        sys.exit(2)
    engine = ctx.engine()
    from warehouse.recovery import abandon_unfinished_runs

    if current() is None:
        # Handed to the dashboard, whatever says `running` is running there now: leave it
        abandon_unfinished_runs(engine, ctx.database_url)
    chosen = list(pipelines) if run_all else list(pipeline_ids)
    results = []
    for number, pipeline_id in enumerate(chosen, start=1):
        click.echo(f"[{number}/{len(chosen)}] {pipeline_id}")
        results.append(
            run_pipeline(
                registry,
                engine,
                pipelines[pipeline_id],
                trigger="manual",
                triggered_by="pmf pipelines run",
                drop_folder=drop_folder,
                force=force,
                progress=lambda line: click.echo(f"  {line}"),
                hooks=False,
            )
        )
    loaded = [r for r in results if r.status in LOADED]
    if loaded:
        # Once for the batch: re-evaluating after each of a dozen pipelines would waste minutes
        call_hooks(registry, engine, loaded[-1], progress=lambda line: click.echo(f"  {line}"))
    failed = [r for r in results if not r.ok]
    rejected = sum(r.rows_rejected for r in results)
    click.echo(
        f"{len(results) - len(failed)} of {len(results)} run(s) finished, {len(failed)} failed"
        + (f"; {rejected} row(s) rejected (see `pmf rejected`)" if rejected else "")
        + "."
    )
    if failed:
        sys.exit(1)


@pipelines_group.command("history")
@click.argument("pipeline_id", required=False)
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
@click.pass_obj
def history_command(ctx: Context, pipeline_id: str | None, limit: int) -> None:
    """Show recent runs, newest first (optionally for one pipeline)."""
    from warehouse.runs import run_history

    runs = run_history(ctx.engine(), pipeline_id, limit)
    if runs.empty:
        click.echo("No runs yet." if pipeline_id is None else f"No runs of '{pipeline_id}' yet.")
        return
    click.echo(
        f"{'run':>5} {'pipeline':22} {'started':16} {'status':19} "
        f"{'read':>7} {'loaded':>7} {'restated':>8} {'same':>7} {'rejected':>8}"
    )
    for row in runs.itertuples():
        click.echo(
            f"{row.run_id:>5} {row.pipeline_id:22} {when(row.started_at):16} {row.status:19} "
            f"{row.rows_read:>7} {row.rows_loaded:>7} {row.rows_superseded:>8} "
            f"{row.rows_unchanged:>7} {row.rows_rejected:>8}"
        )
        if isinstance(row.error, str) and row.error:
            click.echo(f"{'':6}{row.error}")


@pipelines_group.command("validate")
@click.pass_context
def validate_command(click_ctx: click.Context) -> None:
    """The same as `pmf validate`: check the plan, metrics, pipelines and JSON schemas."""
    click_ctx.invoke(validate)


@pipelines_group.command("schema")
@click.pass_context
def schema_command(click_ctx: click.Context) -> None:
    """The same as `pmf schema`: write every JSON schema under config/schemas/."""
    click_ctx.invoke(schema)

"""The `pmf pipelines`, `pmf rejected` and `pmf scheduler` commands."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import click
import pandas as pd

from metrics.cells import safe_csv
from metrics.registry import Registry
from metrics.yamlfile import ConfigError

SCHEMA_NAME = "pipeline-file.schema.json"


class CliContext(Protocol):
    """What the `pmf` group hands every command (cli.Context), without importing cli."""

    config_dir: Path
    database_url: str

    def registry(self) -> Registry:
        """Load the registry, or exit printing every problem."""
        ...


class _SentenceOnly(logging.Formatter):
    """Log lines for the console: the message, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The message alone."""
        return record.getMessage()

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's own name)
        """Nothing: officers get the sentence, the traceback goes to the server log."""
        return ""


def _console_logging(level: int = logging.WARNING) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SentenceOnly())
    for name in ("pmf.pipelines", "pmf.scheduler"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


def _pipelines(ctx: CliContext, registry: Registry) -> dict[str, Any]:
    from pipelines.config import load_pipelines

    try:
        return load_pipelines(registry)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {ctx.config_dir / 'pipelines'}.", err=True)
        sys.exit(1)


def _engine(ctx: CliContext) -> Any:
    from warehouse.engine import get_engine
    from warehouse.tables import create_tables

    engine = get_engine(ctx.database_url)
    create_tables(engine)
    return engine


def _when(value: Any) -> str:
    if value is None or pd.isna(value):
        return "-"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


@click.group("pipelines")
def pipelines_group() -> None:
    """Run and watch the data pipelines (config/pipelines/*.yaml)."""


@pipelines_group.command("list")
@click.pass_obj
def list_command(ctx: CliContext) -> None:
    """List pipelines: schedule, next run, last run, and metrics whose data is late."""
    from metrics.freshness import FRESH, freshness
    from warehouse.runs import latest_period_by_metric, latest_runs

    registry = ctx.registry()
    pipelines = _pipelines(ctx, registry)
    engine = _engine(ctx)
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
            upcoming = _when(pipeline.schedule.trigger(str(zone)).get_next_fire_time(None, now))
        last = "never run"
        if pipeline.id in latest.index:
            row = latest.loc[pipeline.id]
            last = f"{row['status']} {_when(row['started_at'])} (run {row['run_id']})"
        count = f"{len(pipeline.metrics)}" if pipeline.kind == "observations" else "milestones"
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
    ctx: CliContext,
    pipeline_ids: tuple[str, ...],
    run_all: bool,
    force: bool,
    drop_folder: Path | None,
) -> None:
    """Run pipelines now: pmf pipelines run ID [ID...] | --all. Exit 1 if any run failed."""
    from pipelines.runner import LOADED, call_hooks, run_pipeline

    if bool(pipeline_ids) == run_all:
        raise click.UsageError("name one or more pipeline ids, or give --all")
    _console_logging()
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
    engine = _engine(ctx)
    from warehouse.recovery import abandon_unfinished_runs

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
def history_command(ctx: CliContext, pipeline_id: str | None, limit: int) -> None:
    """Show recent runs, newest first (optionally for one pipeline)."""
    from warehouse.runs import run_history

    runs = run_history(_engine(ctx), pipeline_id, limit)
    if runs.empty:
        click.echo("No runs yet." if pipeline_id is None else f"No runs of '{pipeline_id}' yet.")
        return
    click.echo(
        f"{'run':>5} {'pipeline':22} {'started':16} {'status':19} "
        f"{'read':>7} {'loaded':>7} {'restated':>8} {'same':>7} {'rejected':>8}"
    )
    for row in runs.itertuples():
        click.echo(
            f"{row.run_id:>5} {row.pipeline_id:22} {_when(row.started_at):16} {row.status:19} "
            f"{row.rows_read:>7} {row.rows_loaded:>7} {row.rows_superseded:>8} "
            f"{row.rows_unchanged:>7} {row.rows_rejected:>8}"
        )
        if isinstance(row.error, str) and row.error:
            click.echo(f"{'':6}{row.error}")


@pipelines_group.command("validate")
@click.pass_obj
def validate_command(ctx: CliContext) -> None:
    """Check the pipeline YAML against the registry; print every problem as file:line."""
    from pipelines.config import render_schema, validate_pipelines

    problems = [str(p) for p in validate_pipelines(ctx.config_dir)]
    schema = ctx.config_dir / "schemas" / SCHEMA_NAME
    if schema.parent.exists() and (
        not schema.exists() or schema.read_text(encoding="utf-8") != render_schema()
    ):
        problems.append(f"{schema}:1: (schema): out of date; run 'pmf pipelines schema'")
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("OK: every pipeline is valid.")


@pipelines_group.command("schema")
@click.pass_obj
def schema_command(ctx: CliContext) -> None:
    """Write config/schemas/pipeline-file.schema.json for editors."""
    from pipelines.config import render_schema

    path = ctx.config_dir / "schemas" / SCHEMA_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_schema(), encoding="utf-8")
    click.echo(f"wrote {path}")


@click.command("rejected")
@click.option("--run", "run_id", type=int, default=None, help="Run id (default: the latest).")
@click.option("--pipeline", "pipeline_id", default=None, help="Latest run of this pipeline.")
@click.option("--limit", default=50, show_default=True, help="Rows to print.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write every rejected row to this CSV, to send to whoever supplied the data.",
)
@click.pass_obj
def rejected_command(
    ctx: CliContext, run_id: int | None, pipeline_id: str | None, limit: int, csv_path: Path | None
) -> None:
    """Show rows a run quarantined: where each came from, why, and the raw record."""
    from warehouse.runs import get_run, latest_run_with_rejections, rejected_for_run

    engine = _engine(ctx)
    if run_id is None:
        run_id = latest_run_with_rejections(engine, pipeline_id)
        if run_id is None:
            click.echo("No rejected rows: every run so far loaded cleanly.")
            return
    run = get_run(engine, run_id)
    if run is None:
        click.echo(f"No run {run_id}; see `pmf pipelines history`.", err=True)
        sys.exit(2)
    rows = rejected_for_run(engine, run_id)
    click.echo(
        f"Run {run_id} of {run['pipeline_id']} ({run['status']}, {_when(run['started_at'])}): "
        f"{len(rows)} rejected row(s)."
    )
    for row in rows.head(limit).itertuples():
        for reason in str(row.reasons).splitlines():
            click.echo(f"  {reason}")
        click.echo(f"    raw: {row.raw_record}")
    if len(rows) > limit:
        click.echo(f"... and {len(rows) - limit} more (use --limit or --csv).")
    if csv_path is not None:
        # Raw records are whatever a source sent: written so no spreadsheet runs them
        columns = rows[["source_ref", "row_number", "reasons", "raw_record"]]
        Path(csv_path).write_text(safe_csv(columns), encoding="utf-8")
        click.echo(f"wrote {len(rows)} row(s) to {csv_path}")


@click.command("scheduler")
@click.option("--jobstore", default=None, help="SQLAlchemy URL of the job store.")
@click.option("--list", "list_jobs", is_flag=True, help="Show the scheduled jobs, then exit.")
@click.pass_obj
def scheduler_command(ctx: CliContext, jobstore: str | None, list_jobs: bool) -> None:
    """Run the pipeline scheduler on its own (when the dashboard is not running it)."""
    from pipelines.scheduler import jobstore_url, run_forever, start_background_scheduler

    ctx.registry()
    _console_logging(logging.INFO)
    store = jobstore or jobstore_url(ctx.database_url)
    if list_jobs:
        scheduler = start_background_scheduler(
            ctx.config_dir, ctx.database_url, jobstore=store, paused=True
        )
        for job in scheduler.get_jobs():
            click.echo(f"{job.id:34} next {_when(job.next_run_time)}  {job.trigger}")
        scheduler.shutdown(wait=False)
        return
    click.echo(f"Scheduler running (jobs in {store}); press Ctrl+C to stop.")
    run_forever(ctx.config_dir, ctx.database_url, jobstore=store)

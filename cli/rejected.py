"""`pmf rejected`: the rows a pipeline run quarantined, and why."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.context import Context
from cli.times import when
from metrics.cells import safe_csv


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
    ctx: Context, run_id: int | None, pipeline_id: str | None, limit: int, csv_path: Path | None
) -> None:
    """Show rows a run quarantined: where each came from, why, and the raw record."""
    from warehouse.runs import get_run, latest_run_with_rejections, rejected_for_run

    engine = ctx.engine()
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
        f"Run {run_id} of {run['pipeline_id']} ({run['status']}, {when(run['started_at'])}): "
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

"""`pmf report`: write a cabinet or committee pack as HTML, PDF or XLSX."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa

from cli.context import Context
from cli.errors import fail
from reports.charts import ChartError
from reports.pdf import PdfError
from reports.produce import FORMATS, Format, produce
from reports.scope import ScopeError


def _fail(message: str) -> NoReturn:
    fail(f"Error: {message}")


@click.command("report")
@click.option("--portfolio", default=None, help="A cabinet portfolio id, e.g. finance.")
@click.option("--committee", default=None, help="A select committee id, e.g. corporate-review.")
@click.option("--priority", default=None, help="A priority outcome id, e.g. jobs-growth.")
@click.option(
    "--period",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The pack is as at this date, YYYY-MM-DD (default: today).",
)
@click.option(
    "--format", "report_format", type=click.Choice(FORMATS), required=True, help="File type."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: the reports_folder setting, e.g. "
    "data/reports/portfolio-finance-2024-11-25.pdf).",
)
@click.option(
    "--public",
    is_flag=True,
    help="The published version: public measures only, small numbers shown as [c], "
    "no flags, milestones or internal commentary.",
)
@click.pass_obj
def report_command(
    ctx: Context,
    portfolio: str | None,
    committee: str | None,
    priority: str | None,
    period: datetime | None,
    report_format: Format,
    out: Path | None,
    public: bool,
) -> None:
    """Write the pack for one portfolio, committee or priority: summary, measures, appendix."""
    chosen = [
        (kind, ident)
        for kind, ident in (
            ("portfolio", portfolio),
            ("committee", committee),
            ("priority", priority),
        )
        if ident
    ]
    if len(chosen) != 1:
        _fail(
            "choose exactly one of --portfolio, --committee or --priority, "
            "e.g. 'pmf report --portfolio finance --format pdf'."
        )
    kind, ident = chosen[0]
    registry = ctx.registry()
    as_at = period.date() if period else date.today()
    try:
        engine = ctx.engine()
        produced = produce(
            registry, engine, kind, str(ident), as_at, report_format, out, public=public
        )
    except ScopeError as exc:
        _fail(str(exc))
    except (ChartError, PdfError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"could not write the pack: {exc}")
    except sa.exc.DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        _fail(
            f"the warehouse at {ctx.database_url} could not be read: {first}. If another PMF "
            "process (the dashboard) holds it, run the command there or stop that process."
        )
    else:
        click.echo(produced.summary())

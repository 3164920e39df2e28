"""`pmf cycle`: open a reporting cycle for a period, see where its returns stand, and close it.

Opening asks every manual measure's owner for a figure by the due date; closing locks the
period, after which a change is a restatement (`pmf returns restate`).
"""

from __future__ import annotations

import click
import pandas as pd

from cli.acting import COMMAND_LINE, day, officer, refused
from cli.context import Context, pass_context
from cli.errors import fail, warehouse_errors
from cycle.closing import close_cycle
from cycle.entry import ReturnRefused
from cycle.opening import CycleProblem, open_cycle
from cycle.status import as_csv_rows, completeness, cycle_status
from metrics.cells import safe_csv
from metrics.engine.period_codes import parse_period_code
from metrics.registry.loader import Registry
from metrics.words import LATE, plural, return_state_word


@click.group("cycle")
def cycle_group() -> None:
    """Open a reporting cycle, see where its returns stand, and close (lock) it."""


@cycle_group.command("open")
@click.argument("period")
@click.option("--due", required=True, help="When the figures are due, YYYY-MM-DD.")
@click.option("--by", "username", default=None, help="The officer opening it (default: pmf).")
@pass_context
def cycle_open(ctx: Context, period: str, due: str, username: str | None) -> None:
    """Open the cycle for PERIOD, such as 2026-10 or 2026-27-Q2: one return per manual
    measure and area, each asked of its owner by the due date."""
    registry = ctx.registry()
    due_date = day(due, "--due")
    assert due_date is not None
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        actor = officer(engine, username, "open a cycle")
        try:
            opened = open_cycle(registry, engine, period, due_date, opened_by=str(actor.username))
        except CycleProblem as exc:
            fail(str(exc))
    code = opened.period.code
    click.echo(
        f"Opened the cycle for {code}: {plural(opened.returns, 'return')} of "
        f"{plural(opened.measures, 'manual measure')}, due {opened.due:%d %b %Y}. "
        f"'pmf cycle status {code}' lists them."
    )


@cycle_group.command("status")
@click.argument("period", required=False)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv"]),
    default="table",
    help="A readable table (default), or CSV for a spreadsheet.",
)
@click.option("--as-of", "as_of", default=None, help="Judge lateness as at this day, YYYY-MM-DD.")
@pass_context
def cycle_status_command(ctx: Context, period: str | None, output: str, as_of: str | None) -> None:
    """Where each return of PERIOD stands (default: every open cycle), and how complete each
    directorate is."""
    registry = ctx.registry()
    today = day(as_of, "--as-of")
    periods = None
    if period is not None:
        try:
            periods = [parse_period_code(period).code]
        except ValueError as exc:
            fail(f"{exc}.")
    with warehouse_errors(ctx.database_url):
        frame = cycle_status(registry, ctx.engine(), periods, today=today)
    if periods is not None and frame.empty:
        fail(f"No cycle was opened for {periods[0]}; 'pmf cycle open {periods[0]} --due DATE'.")
    if output == "csv":
        click.echo(safe_csv(as_csv_rows(frame)), nl=False)
        return
    if frame.empty:
        click.echo("No cycle is open; 'pmf cycle open PERIOD --due DATE' opens one.")
        return
    _table(registry, frame)


def _table(registry: Registry, frame: pd.DataFrame) -> None:
    """Each cycle's returns, then the completeness summary by directorate."""
    for code, rows in frame.groupby("period", sort=False):
        closed = rows["cycle_closed_at"].notna().any()
        due = rows["due"].iloc[0]
        click.echo(
            f"Cycle {code} ({'closed' if closed else 'open'}, due {due:%d %b %Y}): "
            f"{plural(len(rows), 'return')}, {int(rows['returned'].sum())} returned, "
            f"{int(rows['approved'].sum())} approved, {int(rows['late'].sum())} late"
        )
        click.echo(f"  {'Measure':44} {'Area':24} {'Owner':15} {'Approver':15} State")
        for row in rows.to_dict("records"):
            name = str(row["metric_name"])
            name = name if len(name) <= 44 else name[:43] + "…"
            state = return_state_word(str(row["state"])) + (f"  {LATE}" if row["late"] else "")
            click.echo(
                f"  {name:44} {str(row['area_name'])[:24]:24} {row['owner']!s:15} "
                f"{row['approver']!s:15} {state}"
            )
        click.echo("")
    click.echo("Completeness by directorate")
    click.echo(f"  {'Directorate':40} {'Returns':>7} {'Returned':>9} {'Approved':>9} {'Late':>6}")
    for row in completeness(registry, frame, "directorate").to_dict("records"):
        click.echo(
            f"  {str(row['name'])[:40]:40} {int(row['returns']):>7} {row['returned']:>9.0%} "
            f"{row['approved']:>9.0%} {row['late']:>6.0%}"
        )


@cycle_group.command("close")
@click.argument("period")
@click.option("--by", "username", default=None, help="The officer closing it (default: pmf).")
@pass_context
def cycle_close(ctx: Context, period: str, username: str | None) -> None:
    """Close the cycle for PERIOD: every return is locked, and a later change is a
    restatement with a reason."""
    with warehouse_errors(ctx.database_url):
        engine = ctx.engine()
        viewer = officer(engine, username, "close a cycle")
        try:
            closed = close_cycle(engine, period, by=viewer)
        except CycleProblem as exc:
            fail(str(exc))
        except ReturnRefused as exc:
            refused(exc)
    without = (
        f", {closed.without_figure} of them without an approved figure"
        if closed.without_figure
        else ""
    )
    who = "" if viewer.username == COMMAND_LINE else f" by {viewer.display_name}"
    click.echo(
        f"Closed the cycle for {closed.period}{who}: {plural(closed.locked, 'return')} "
        f"locked{without}. A change now is a restatement ('pmf returns restate')."
    )

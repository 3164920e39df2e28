"""`pmf savings`: this year's savings proposals and the MTFS, as judged by the finance read model.

CSV is for the finance team's spreadsheets: money in whole pounds with no sign or commas,
statuses as their codes. The table is for reading: money as £1.2m, statuses in words.
"""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from cli.context import Context, pass_context
from cli.finance_options import AS_OF, FORMAT, known, lead, pounds, view_as_at
from metrics.cells import safe_csv
from metrics.engine.mtfs import MTFS_COLUMNS
from metrics.engine.savings import SAVING_STATUSES
from metrics.format import format_money
from metrics.words import plural, saving_status_word

SAVINGS_CSV_COLUMNS = ("id", "title", "portfolio", "planned", "forecast", "delivered", "status")
MONEY_COLUMNS = ("planned", "forecast", "delivered")


@click.group("savings")
def savings_group() -> None:
    """This year's savings proposals and the MTFS, with the status of each."""


@savings_group.command("list")
@FORMAT
@click.option("--directorate", default=None, help="Only this directorate's proposals (its id).")
@click.option("--portfolio", default=None, help="Only this portfolio's proposals (its id).")
@click.option(
    "--status",
    default=None,
    help=f"Only proposals with this status: {', '.join(SAVING_STATUSES)}.",
)
@AS_OF
@pass_context
def savings_list(
    ctx: Context,
    output: str,
    directorate: str | None,
    portfolio: str | None,
    status: str | None,
    as_of: str | None,
) -> None:
    """Every savings proposal this financial year: planned, forecast, delivered and status."""
    registry = ctx.registry()
    known(directorate, "--directorate", (d.id for d in registry.plan.directorates))
    known(portfolio, "--portfolio", (p.id for p in registry.plan.portfolios))
    known(status, "--status", SAVING_STATUSES)
    view = view_as_at(ctx, registry, as_of)
    rows = view.savings
    for column, value in (("directorate", directorate), ("portfolio", portfolio)):
        if value is not None:
            rows = rows[rows[column] == value]
    if status is not None:
        rows = rows[rows["status"] == status]
    if output == "csv":
        click.echo(safe_csv(savings_csv(rows)), nl=False)
        return
    _savings_table(rows, view.year)


def savings_csv(rows: pd.DataFrame) -> pd.DataFrame:
    """The judged proposals as the CSV's columns: whole pounds, an empty cell for no forecast."""
    records: list[dict[str, Any]] = [
        {
            "id": row["proposal_id"],
            "title": row["title"],
            "portfolio": row["portfolio"],
            **{c: pounds(row[c]) for c in MONEY_COLUMNS},
            "status": row["status"],
        }
        for row in rows.to_dict("records")
    ]
    frame = pd.DataFrame(records, columns=list(SAVINGS_CSV_COLUMNS))
    return frame.astype({c: "Int64" for c in MONEY_COLUMNS})


def _money(value: object) -> str:
    return format_money(pounds(value), "-")


def _savings_table(rows: pd.DataFrame, year: str) -> None:
    """One line per proposal, then the year's totals."""
    if rows.empty:
        click.echo(f"No savings proposals to show for {year}.")
        return
    click.echo(f"Savings {year}")
    click.echo(
        f"{lead('Id', 'Proposal', 'Portfolio')} {'Planned':>9} {'Forecast':>9} "
        f"{'Delivered':>9}  Status"
    )
    for row in rows.to_dict("records"):
        click.echo(
            f"{lead(row['proposal_id'], row['title'], row['portfolio'])} "
            f"{_money(row['planned']):>9} {_money(row['forecast']):>9} "
            f"{_money(row['delivered']):>9}  {saving_status_word(str(row['status']))}"
        )
    totals = {c: float(pd.to_numeric(rows[c], errors="coerce").sum()) for c in MONEY_COLUMNS}
    click.echo(
        f"  {'Total, ' + plural(len(rows), 'proposal'):78} {_money(totals['planned']):>9} "
        f"{_money(totals['forecast']):>9} {_money(totals['delivered']):>9}"
    )


@savings_group.command("mtfs")
@FORMAT
@AS_OF
@pass_context
def savings_mtfs(ctx: Context, output: str, as_of: str | None) -> None:
    """The MTFS by year: the gap, the savings planned, forecast and delivered, what is carried
    forward, the gap remaining, and both stress tests."""
    registry = ctx.registry()
    view = view_as_at(ctx, registry, as_of)
    frame = view.mtfs
    if output == "csv":
        money = [c for c in MTFS_COLUMNS if c not in ("year", "capital_receipts")]
        out = pd.DataFrame(
            [{"year": r["year"], **{c: pounds(r[c]) for c in money}} for r in _records(frame)],
            columns=["year", *money],
        )
        click.echo(safe_csv(out.astype({c: "Int64" for c in money})), nl=False)
        return
    if frame.empty:
        click.echo("No MTFS or savings plan is configured (config/mtfs.yaml, config/savings/).")
        return
    headings = (
        ("gap", "Gap"),
        ("planned", "Planned"),
        ("forecast", "Forecast"),
        ("delivered", "Delivered"),
        ("carried_forward", "Carried"),
        ("remaining_gap", "Remaining"),
        ("slip_gap", "If at risk slip"),
        ("on_track_gap", "On track only"),
    )
    mtfs = registry.finance.mtfs
    click.echo(mtfs.name if mtfs is not None else "Savings by year (no MTFS gap configured)")
    click.echo(f"  {'Year':8}" + "".join(f" {title:>15}" for _, title in headings))
    for row in _records(frame):
        mark = " <" if row["year"] == view.year else ""
        cells = "".join(f" {_money(row[c]):>15}" for c, _ in headings)
        click.echo(f"  {row['year']!s:8}{cells}{mark}")
    click.echo(
        "  '<' marks this year. 'If at risk slip': the gap left if every proposal at risk or "
        "that will not deliver slips a year; 'On track only': if only those on track or "
        "delivered count."
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]

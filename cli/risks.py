"""`pmf risks`: the risk register, each risk scored against the council's appetite."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from cli.context import Context, pass_context
from cli.finance_options import AS_OF, FORMAT, known, lead, view_as_at
from metrics.cells import safe_csv
from metrics.words import plural, risk_rating_word

RISKS_CSV_COLUMNS = (
    "id",
    "title",
    "category",
    "portfolio",
    "owner",
    "likelihood",
    "impact",
    "score",
    "rating",
    "appetite",
    "above_appetite",
    "review_date",
    "review_overdue",
)


@click.group("risks")
def risks_group() -> None:
    """The risk register, scored against the council's appetite."""


@risks_group.command("list")
@FORMAT
@click.option("--portfolio", default=None, help="Only this portfolio's risks (its id).")
@click.option("--above-appetite", is_flag=True, help="Only risks scored above the appetite.")
@click.option("--overdue", is_flag=True, help="Only risks whose review date has passed.")
@AS_OF
@pass_context
def risks_list(
    ctx: Context,
    output: str,
    portfolio: str | None,
    above_appetite: bool,
    overdue: bool,
    as_of: str | None,
) -> None:
    """Every risk, highest score first: score, rating, appetite and review state."""
    registry = ctx.registry()
    known(portfolio, "--portfolio", (p.id for p in registry.plan.portfolios))
    view = view_as_at(ctx, registry, as_of)
    rows = view.risks if portfolio is None else view.risks_for(portfolio=portfolio)
    if above_appetite:
        rows = rows[rows["above_appetite"].astype(bool)]
    if overdue:
        rows = rows[rows["review_overdue"].astype(bool)]
    if output == "csv":
        click.echo(safe_csv(risks_csv(rows)), nl=False)
        return
    _risks_table(rows)


def risks_csv(rows: pd.DataFrame) -> pd.DataFrame:
    """The judged risks as the CSV's columns: ratings as codes, yes/no as true/false."""
    records: list[dict[str, Any]] = [
        {
            "id": row["risk_id"],
            **{c: row[c] for c in RISKS_CSV_COLUMNS[1:] if c not in ("review_date",)},
            "review_date": row["review_date"].isoformat(),
            "above_appetite": bool(row["above_appetite"]),
            "review_overdue": bool(row["review_overdue"]),
        }
        for row in rows.to_dict("records")
    ]
    frame = pd.DataFrame(records, columns=list(RISKS_CSV_COLUMNS))
    return frame.astype({c: "Int64" for c in ("likelihood", "impact", "score", "appetite")})


def _risks_table(rows: pd.DataFrame) -> None:
    """One line per risk, then how many are above appetite or overdue for review."""
    if rows.empty:
        click.echo("No risks to show.")
        return
    click.echo(
        f"{lead('Id', 'Risk', 'Portfolio')} {'Score':>5} {'Rating':10} {'Appetite':>8}  Review"
    )
    for row in rows.to_dict("records"):
        above = " ABOVE" if row["above_appetite"] else ""
        review = f"{row['review_date']:%d %b %Y}"
        if row["review_overdue"]:
            review += f" OVERDUE by {plural(int(row['days_overdue']), 'day')}"
        click.echo(
            f"{lead(row['risk_id'], row['title'], row['portfolio'])} "
            f"{int(row['score']):>5} {risk_rating_word(str(row['rating'])):10} "
            f"{int(row['appetite']):>4}{above:6}  {review}"
        )
    above_count = int(rows["above_appetite"].astype(bool).sum())
    overdue_count = int(rows["review_overdue"].astype(bool).sum())
    click.echo(
        f"{plural(len(rows), 'risk')}: {above_count} above appetite, "
        f"{overdue_count} overdue for review"
    )

"""What the savings and risks commands share: the day judged, checked choices, CSV cells and
the first cells of a table row."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from datetime import date

import click
import sqlalchemy as sa

from cli.acting import day
from cli.context import Context
from cli.errors import fail, warehouse_errors
from metrics.readmodel.finance import FinanceView, finance_view
from metrics.registry.loader import Registry

FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv"]),
    default="table",
    help="A readable table (default), or CSV for a spreadsheet.",
)
AS_OF = click.option(
    "--as-of", "as_of", default=None, help="Judge as at this day, YYYY-MM-DD (default: today)."
)


def known(value: str | None, option: str, choices: Iterable[str]) -> None:
    """Refuse a value that is not one of `choices`, in one line with "did you mean"."""
    if value is None:
        return
    valid = sorted(set(choices))
    if value in valid:
        return
    close = difflib.get_close_matches(value, valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    fail(f"{option} '{value}' is not known.{hint} Use one of: {', '.join(valid) or '(none)'}.")


def view_as_at(ctx: Context, registry: Registry, as_of: str | None) -> FinanceView:
    """The internal finance view as at `--as-of` (today when it is not given)."""
    today = day(as_of, "--as-of") or date.today()
    with warehouse_errors(ctx.database_url):
        engine: sa.Engine = ctx.engine()
        return finance_view(registry, engine, today=today)


def pounds(value: object) -> int | None:
    """Money as whole pounds for a CSV cell; None (an empty cell) when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(round(float(value)))  # type: ignore[arg-type]


def lead(ref: object, title: object, portfolio: object) -> str:
    """A table line's first cells: the id, the title cut to fit, and the portfolio."""
    text = str(title)
    text = text if len(text) <= 44 else text[:43] + "…"
    return f"  {ref!s:10} {text:44} {str(portfolio)[:22]:22}"

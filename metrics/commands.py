"""`pmf evaluate` and `pmf flags`: run the performance engine and work corrective-action flags."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Protocol

import click
import sqlalchemy as sa

from metrics.evaluate import evaluate
from metrics.flag_rules import RULE_NAMES
from metrics.flags import FlagChange, FlagChangeError, change_flag, list_flags
from metrics.registry import Registry
from warehouse.engine import get_engine
from warehouse.flags import FLAG_STATUSES
from warehouse.tables import create_tables


class _Context(Protocol):
    """What these commands need from cli.Context (taken from click, so no import cycle)."""

    database_url: str

    def registry(self) -> Registry: ...


def _engine(ctx: _Context) -> sa.Engine:
    engine = get_engine(ctx.database_url)
    create_tables(engine)
    return engine


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@contextmanager
def _warehouse_errors(ctx: _Context) -> Iterator[None]:
    # A database error is the officer's to fix (usually an old file), so say so without a traceback
    try:
        yield
    except sa.exc.DBAPIError as exc:
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        _fail(
            f"The warehouse at {ctx.database_url} could not be used: {first_line}. "
            "If it was built by an older version of PMF, rebuild it "
            "(delete the file, then run 'pmf init-db' and 'pmf demo')."
        )


@click.command("evaluate")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Judge freshness and milestones as if today were this date (YYYY-MM-DD).",
)
@click.pass_obj
def evaluate_command(ctx: _Context, as_of: datetime | None) -> None:
    """Recompute status, SPC, freshness and milestones; raise or clear flags."""
    registry = ctx.registry()
    with _warehouse_errors(ctx):
        summary = evaluate(registry, _engine(ctx), today=as_of.date() if as_of else None)
        click.echo(str(summary))


@click.group("flags")
def flags_group() -> None:
    """List corrective-action flags and move them through their lifecycle."""


@flags_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only flags not yet resolved or closed.")
@click.option("--portfolio", default=None, help="Only this portfolio's metrics and milestones.")
@click.option("--overdue", is_flag=True, help="Only planned actions past their due date.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Today's date.")
@click.pass_obj
def flags_list(
    ctx: _Context, open_only: bool, portfolio: str | None, overdue: bool, as_of: datetime | None
) -> None:
    """List flags, newest first: id, status, rule, subject, owner and the reason."""
    registry = ctx.registry()
    if portfolio is not None and portfolio not in {p.id for p in registry.plan.portfolios}:
        known = ", ".join(p.id for p in registry.plan.portfolios)
        _fail(f"There is no portfolio '{portfolio}'; use one of {known}.")
    today = as_of.date() if as_of else date.today()
    with _warehouse_errors(ctx):
        frame = list_flags(
            registry,
            _engine(ctx),
            open_only=open_only,
            portfolio=portfolio,
            overdue_only=overdue,
            today=today,
        )
    for row in frame.itertuples(index=False):
        area = (
            f" ({registry.area_name(str(row.area_code))})" if isinstance(row.area_code, str) else ""
        )
        status = str(row.status) + (" OVERDUE" if row.action_overdue else "")
        rule = RULE_NAMES.get(str(row.rule), str(row.rule))
        click.echo(f"{row.id:>5}  {status:22} {rule:24} {row.subject_id}{area}")
        click.echo(f"       {row.detail}")
        if isinstance(row.action, str):
            click.echo(f"       Action: {row.action} (owner {row.owner}, due {row.due_date})")
    click.echo(f"{len(frame)} flag(s)")


@flags_group.command("update")
@click.argument("flag_id", type=int)
@click.option("--status", "to_status", required=True, type=click.Choice(FLAG_STATUSES))
@click.option("--by", "actor", required=True, help="Who is making the change.")
@click.option("--note", default=None, help="Why; required to resolve or close.")
@click.option("--action", default=None, help="The corrective action (for action_planned).")
@click.option("--owner", default=None, help="Who owns the action.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD.")
@click.pass_obj
def flags_update(
    ctx: _Context,
    flag_id: int,
    to_status: str,
    actor: str,
    note: str | None,
    action: str | None,
    owner: str | None,
    due: datetime | None,
) -> None:
    """Move a flag on: acknowledged, action_planned, resolved or closed."""
    change = FlagChange(
        to_status=to_status,
        actor=actor,
        note=note,
        action=action,
        owner=owner,
        due_date=due.date() if due else None,
    )
    try:
        with _warehouse_errors(ctx):
            flag = change_flag(_engine(ctx), flag_id, change)
    except FlagChangeError as exc:
        _fail(f"Flag not changed: {exc}.")
        return
    click.echo(f"Flag {flag_id} is now {flag['status']} (recorded as changed by {actor}).")

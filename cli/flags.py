"""`pmf flags`: list corrective-action flags and move them through their lifecycle."""

from __future__ import annotations

from datetime import date, datetime

import click

from cli.context import Context
from cli.errors import fail, warehouse_errors
from metrics.flags.lifecycle import FlagChange, FlagChangeError, change_flag, list_flags
from metrics.flags.rules import RULE_NAMES
from warehouse.flags import FLAG_STATUSES


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
    ctx: Context, open_only: bool, portfolio: str | None, overdue: bool, as_of: datetime | None
) -> None:
    """List flags, newest first: id, status, rule, subject, owner and the reason."""
    registry = ctx.registry()
    if portfolio is not None and portfolio not in {p.id for p in registry.plan.portfolios}:
        known = ", ".join(p.id for p in registry.plan.portfolios)
        fail(f"There is no portfolio '{portfolio}'; use one of {known}.")
    today = as_of.date() if as_of else date.today()
    with warehouse_errors(ctx.database_url):
        frame = list_flags(
            registry,
            ctx.engine(),
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
    ctx: Context,
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
        with warehouse_errors(ctx.database_url):
            flag = change_flag(ctx.engine(), flag_id, change)
    except FlagChangeError as exc:
        fail(f"Flag not changed: {exc}.")
    click.echo(f"Flag {flag_id} is now {flag['status']} (recorded as changed by {actor}).")

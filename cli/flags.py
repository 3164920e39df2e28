"""`pmf flags`: list corrective-action flags and move them through their lifecycle."""

from __future__ import annotations

from datetime import date, datetime

import click

from cli.context import Context
from cli.errors import fail, warehouse_errors
from metrics.flags.lifecycle import FlagChange, FlagChangeError, change_flag, list_flags
from metrics.flags.reasons import reason_words, reasons_of
from metrics.words import rule_word
from warehouse.flags import FLAG_STATUSES


@click.group("flags")
def flags_group() -> None:
    """List corrective-action flags and move them through their lifecycle."""


@flags_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only flags not yet resolved or closed.")
@click.option("--portfolio", default=None, help="Only this portfolio's metrics and milestones.")
@click.option("--overdue", is_flag=True, help="Only planned actions past their due date.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Today's date.")
@click.option("--why", is_flag=True, help="Under each flag, the sentence for every reason.")
@click.pass_obj
def flags_list(
    ctx: Context,
    open_only: bool,
    portfolio: str | None,
    overdue: bool,
    as_of: datetime | None,
    why: bool,
) -> None:
    """List flags, newest first, one line each: id, status, subject, reasons and any action."""
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
    for raw in frame.to_dict("records"):
        row = {str(k): v for k, v in raw.items()}
        area = row["area_code"]
        where = f" ({registry.area_name(str(area))})" if isinstance(area, str) else ""
        status = str(row["status"]) + (" OVERDUE" if row["action_overdue"] else "")
        reasons = reasons_of(row)
        held = reason_words(reasons) if reasons else f"cleared (was {rule_word(str(row['rule']))})"
        line = f"{row['id']:>5}  {status:22} {row['subject_id']}{where}: {held}"
        if isinstance(row["action"], str):
            line += f" | Action: {row['action']} (owner {row['owner']}, due {row['due_date']})"
        click.echo(line)
        if why:
            for reason in reasons or ():
                click.echo(f"       {rule_word(reason.rule)}: {reason.detail}")
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

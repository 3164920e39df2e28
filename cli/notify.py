"""`pmf notify send`: send the emails that are due (reminders, escalations, flag notices and the
weekly packs), or with --dry-run list them."""

from __future__ import annotations

import sys
from datetime import datetime

import click
import pandas as pd

from cli.caller import environment_variable
from cli.context import Context
from cli.errors import fail, warehouse_errors
from cycle.mail import SMTP_EXAMPLES, SMTP_URL_ENV, MailProblem
from cycle.notify import send_due
from metrics.words import email_status_word
from warehouse.notifications import NOTIFICATION_STATUSES, read_notifications


@click.group("notify")
def notify_group() -> None:
    """Email people what the reporting cycle asks of them (docs/operations.md, "Email")."""


@notify_group.command("send")
@click.option(
    "--dry-run", is_flag=True, help="List the emails that would go; send and record nothing."
)
@click.option(
    "--as-at",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Send what is due as at this date, YYYY-MM-DD (default: today).",
)
@click.pass_obj
def notify_send(ctx: Context, dry_run: bool, as_at: datetime | None) -> None:
    """Send every email that is due and was not sent before; each goes once, however often
    this runs. Needs PMF_SMTP_URL, e.g. smtp://user:password@mail.council.gov.uk:587."""
    smtp_url = environment_variable(SMTP_URL_ENV)
    if smtp_url is None and not dry_run:
        fail(
            f"{SMTP_URL_ENV} is not set, so no email can be sent: set it to the mail server, "
            f"e.g. {SMTP_EXAMPLES}; 'pmf notify send --dry-run' lists what would go."
        )
    registry = ctx.registry()
    try:
        with warehouse_errors(ctx.database_url):
            outcome = send_due(
                registry,
                ctx.engine(),
                today=as_at.date() if as_at else None,
                dry_run=dry_run,
                smtp_url=smtp_url,
            )
    except MailProblem as exc:
        fail(str(exc))
    verb = "Would send" if dry_run else "Sent"
    for notice in outcome.sent:
        click.echo(
            f"{verb} {notice.kind} to {notice.recipient} <{notice.address}>: {notice.subject}"
        )
    for skipped in outcome.skipped:
        click.echo(f"Skipped {skipped.kind} for {skipped.recipient}: {skipped.why}")
    for failed in outcome.failed:
        notice = failed.notice
        click.echo(
            f"Not sent: {notice.kind} to {notice.recipient} <{notice.address}>: {failed.error}; "
            "the next run tries again.",
            err=True,
        )
    for failed in outcome.uncertain:
        notice = failed.notice
        click.echo(
            f"May not have gone: {notice.kind} to {notice.recipient} <{notice.address}>: "
            f"{failed.error}. It is not sent again: check with {notice.recipient}.",
            err=True,
        )
    click.echo(outcome.summary())
    if not outcome.ok:
        sys.exit(1)


@notify_group.command("list")
@click.option(
    "--status",
    type=click.Choice(NOTIFICATION_STATUSES),
    default=None,
    help="Only emails in this state (failed: tried again next run).",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Only emails tried on or after this date, YYYY-MM-DD.",
)
@click.pass_obj
def notify_list(ctx: Context, status: str | None, since: datetime | None) -> None:
    """List the emails PMF has sent or tried to send, oldest first, with any error."""
    with warehouse_errors(ctx.database_url):
        frame = read_notifications(ctx.engine(), status=status, since=since)
    for row in frame.to_dict("records"):
        when = row["sent_at"] if pd.notna(row["sent_at"]) else row["created_at"]
        line = (
            f"{when:%Y-%m-%d %H:%M}  {row['status']:8} {row['kind']:16} "
            f"{row['recipient']} <{row['address']}>: {row['subject']}"
        )
        click.echo(line)
        if isinstance(row["error"], str) and row["error"]:
            click.echo(f"{'':19}{email_status_word(str(row['status']))}: {row['error']}")
    click.echo(f"{len(frame)} email(s)")

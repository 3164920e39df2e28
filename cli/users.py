"""`pmf users`: add, list, disable and update local accounts from the command line."""

from __future__ import annotations

import getpass
import sys

import click

from access.roles import ROLES
from access.users import add_user, disable_user, update_user
from cli.context import Context
from warehouse.users import list_users


def _actor() -> str:
    # Changes made at the command line are recorded against the operating-system account
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


@click.group("users")
def users_group() -> None:
    """Manage the people who can sign in to the dashboard."""


def _plan_portfolios(ctx: Context, portfolio: str | None) -> list[str]:
    # The plan is read only when a portfolio is given: it is what the portfolio is checked against
    return [p.id for p in ctx.registry().plan.portfolios] if portfolio else []


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--display-name", default=None, help="Name shown and recorded, e.g. 'Jo Bloggs'.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@click.option("--email", default=None, help="Where PMF's emails to them go.")
@click.option("--portfolio", default=None, help="The cabinet portfolio they hold, e.g. finance.")
@click.option(
    "--weekly-pack/--no-weekly-pack",
    default=False,
    help="Email them their portfolio's pack each week (needs --portfolio and --email).",
)
@click.pass_obj
def users_add(
    ctx: Context,
    name: str,
    role: str,
    display_name: str | None,
    password_stdin: bool,
    email: str | None,
    portfolio: str | None,
    weekly_pack: bool,
) -> None:
    """Add a local account; you are asked for its password twice."""
    portfolios = _plan_portfolios(ctx, portfolio)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = ctx.engine()
    try:
        add_user(
            engine,
            name,
            password,
            role,
            actor=_actor(),
            display_name=display_name,
            email=email,
            portfolio=portfolio,
            weekly_pack=weekly_pack,
            plan_portfolios=portfolios,
        )
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Added {name.strip().lower()} ({role}).")


@users_group.command("list")
@click.pass_obj
def users_list(ctx: Context) -> None:
    """List accounts with their role, whether they are enabled, and their email address."""
    engine = ctx.engine()
    frame = list_users(engine)
    click.echo(f"{'name':24} {'role':8} {'state':9} {'email':32} display name")
    for _, row in frame.iterrows():
        state = (
            "disabled"
            if row["disabled_at"] is not None and row["disabled_at"] == row["disabled_at"]
            else "enabled"
        )
        email = row["email"] if isinstance(row["email"], str) else "-"
        click.echo(
            f"{row['username']:24} {row['role']:8} {state:9} {email:32} {row['display_name']}"
        )
    click.echo(f"{len(frame)} user(s)")


@users_group.command("disable")
@click.argument("name")
@click.pass_obj
def users_disable(ctx: Context, name: str) -> None:
    """Disable an account: it cannot sign in, and any open session ends."""
    engine = ctx.engine()
    try:
        disable_user(engine, name.strip().lower(), actor=_actor())
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Disabled {name.strip().lower()}.")


@users_group.command("update")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None, help="A new role.")
@click.option(
    "--password-stdin", is_flag=True, help="Read a new password from standard input (scripts)."
)
@click.option("--new-password", is_flag=True, help="Be asked for a new password.")
@click.option("--enable", is_flag=True, help="Let a disabled account sign in again.")
@click.option("--email", default=None, help="A new email address ('' removes it).")
@click.option("--portfolio", default=None, help="The portfolio they hold ('' removes it).")
@click.option(
    "--weekly-pack/--no-weekly-pack",
    default=None,
    help="Start or stop emailing them their portfolio's pack each week.",
)
@click.pass_obj
def users_update(
    ctx: Context,
    name: str,
    role: str | None,
    password_stdin: bool,
    new_password: bool,
    enable: bool,
    email: str | None,
    portfolio: str | None,
    weekly_pack: bool | None,
) -> None:
    """Change an account's role, password, email, portfolio or weekly pack, or enable it."""
    portfolios = _plan_portfolios(ctx, portfolio)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif new_password:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    engine = ctx.engine()
    try:
        changes = update_user(
            engine,
            name.strip().lower(),
            actor=_actor(),
            role=role,
            password=password,
            enable=enable,
            email=email,
            portfolio=portfolio,
            weekly_pack=weekly_pack,
            plan_portfolios=portfolios,
        )
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Updated {name.strip().lower()}: {'; '.join(changes)}.")

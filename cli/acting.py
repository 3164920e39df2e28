"""Who a reporting-cycle command acts as, and how its refusals are printed.

`--by USER` names an enabled account, checked as the dashboard checks a signed-in person.
Without it, the cycle's own commands act as the command line itself: whoever can run `pmf` on
the server is the performance team.
"""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import click
import sqlalchemy as sa

from access.identity import Viewer
from access.users import LocalPasswordProvider
from cli.errors import fail
from cycle.entry import ReturnRefused

COMMAND_LINE = "pmf (command line)"
# The option each field of a refusal was typed in
OPTIONS = {
    "value": "--value",
    "numerator": "--numerator",
    "denominator": "--denominator",
    "commentary": "--commentary",
    "note": "--note",
    "reason": "--reason",
}


def command_line() -> Viewer:
    """The command line as the performance team (an officer)."""
    return Viewer(COMMAND_LINE, COMMAND_LINE, "officer")


def account(engine: sa.Engine, username: str) -> Viewer:
    """The enabled account `--by` names, or one line saying there is none."""
    viewer = LocalPasswordProvider(engine).load(username.strip().lower())
    if viewer is None:
        fail(
            f"There is no enabled account '{username}'; give the user name of the person "
            "doing this ('pmf users list' shows them)."
        )
    return viewer


def officer(engine: sa.Engine, username: str | None, doing: str) -> Viewer:
    """The officer `--by` names (the command line when none is named), or one line saying
    that account is not in the performance team."""
    if username is None:
        return command_line()
    viewer = account(engine, username)
    if not viewer.can("manage_cycle"):
        fail(
            f"'{viewer.username}' is a {viewer.role} account; only the performance team (an "
            f"officer or admin account) can {doing}."
        )
    return viewer


def refused(exc: ReturnRefused, prefix: str = "") -> NoReturn:
    """Print each refused field on a line of its own (the option it was given in first)."""
    for name, message in exc.fields.items():
        where = f"{OPTIONS.get(name, name)}: " if name else ""
        click.echo(f"{prefix}{where}{message}", err=True)
    raise SystemExit(1)


def day(text: str | None, option: str) -> date | None:
    """A date given as YYYY-MM-DD, or one line saying how to write it."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-15.")

"""Ending a command with a sentence the officer can act on, never a traceback."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import click
import sqlalchemy as sa

from cli.forward import hand_over
from warehouse.engine import held_elsewhere, in_use_message


def fail(message: str) -> NoReturn:
    """Print the message on standard error and exit 1."""
    click.echo(message, err=True)
    sys.exit(1)


@contextmanager
def warehouse_errors(database_url: str) -> Iterator[None]:
    """Turn a database error into a sentence: it is the officer's to fix, usually an old file."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        holder = held_elsewhere(exc)
        if holder is not None:
            fail(in_use_message(database_url, holder))
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        fail(
            f"The warehouse at {database_url} could not be used: {first_line}. "
            "If it was made by an older version of PMF, run 'pmf db upgrade' "
            "(it keeps the data); to go back to a known state, 'pmf restore FILE'."
        )


class Commands(click.Group):
    """The `pmf` group: a command run while the dashboard holds the DuckDB file is handed to
    the dashboard (cli/forward.py); if none answers, a command refused because another process
    holds the warehouse ends in one sentence, whichever command it was."""

    def __init__(
        self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})  # name: (module, attribute), imported when first asked

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, in order."""
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command called `cmd_name`, its module imported now if not yet."""
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute = self.lazy[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, in the dashboard if it holds the warehouse; a warehouse held by a
        process that does not answer becomes one line and exit 1."""
        if self.callback is not None:
            ctx.invoke(self.callback, **ctx.params)  # the settings, to know which warehouse
        handed = hand_over(ctx, [*ctx._protected_args, *ctx.args])
        if handed is not None:
            ctx.exit(handed)
        try:
            return super().invoke(ctx)
        except Exception as exc:
            holder = held_elsewhere(exc)
            if holder is None:
                raise
            url = getattr(ctx.obj, "database_url", "the warehouse")
            fail(in_use_message(str(url), holder))

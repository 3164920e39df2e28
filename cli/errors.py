"""Ending a command with a sentence the officer can act on, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
import sqlalchemy as sa


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
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        fail(
            f"The warehouse at {database_url} could not be used: {first_line}. "
            "If it was built by an older version of PMF, rebuild it "
            "(delete the file, then run 'pmf init-db' and 'pmf demo')."
        )

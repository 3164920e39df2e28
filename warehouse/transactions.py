"""Connections handed to code that groups several warehouse writes (or reads) into one unit.

A caller outside the warehouse decides where a transaction begins and ends; the statements
inside it are still warehouse functions that take the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose writes commit together when the block ends, or not at all."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for several reads in a row, closed when the block ends."""
    with engine.connect() as conn:
        yield conn

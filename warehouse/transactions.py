"""Connections handed to code that groups several warehouse writes (or reads) into one unit.

A caller outside the warehouse decides where a transaction begins and ends; the statements
inside it are still warehouse functions that take the connection.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")
CONFLICT_ATTEMPTS = 10


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


def conflicted(exc: BaseException) -> bool:
    """Whether `exc` is DuckDB refusing the second of two transactions that changed one row.

    DuckDB does not wait for a row another transaction holds: it fails the later one at once
    ("Conflict on update", "Conflict on tuple deletion"). Doing the work again is the answer.
    """
    return isinstance(exc, sa.exc.DBAPIError) and "TransactionContext Error: Conflict" in str(exc)


def retrying(work: Callable[[], T], attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Do `work` (one whole transaction), again after a short pause if it met a conflict."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa.exc.DBAPIError as exc:
            if not conflicted(exc) or attempt == attempts:
                raise
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")

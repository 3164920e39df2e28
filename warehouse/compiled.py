"""Queries asked on every request, compiled to SQL once for each kind of database.

SQLAlchemy keeps compiled statements for most databases, but not for DuckDB (its dialect says
it cannot), so a query asked on every request was compiled anew each time: several
milliseconds of Python around a query DuckDB answers in under one. The few such queries (the
session check, the version markers) are compiled here once per dialect and sent as SQL text
with their parameters; the answer is the same, only the compiling is saved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class Compiled:
    """A statement's SQL for one dialect, and how to pass its parameters."""

    sql: str
    defaults: Mapping[str, Any]  # parameters given in the statement itself (a LIMIT)
    order: tuple[str, ...] | None  # the parameters' order, for drivers that number them

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for `values` (by name), defaults filled in."""
        given = {**self.defaults, **values}
        if self.order is not None:
            return tuple(given[name] for name in self.order)
        return given


# Keyed by the statement (module-level constants only) and the dialect; SQL text, never data
_COMPILED: dict[tuple[int, str, str], Compiled] = {}
_LOCK = threading.Lock()


def compiled(statement: ClauseElement, dialect: sa.Dialect) -> Compiled:
    """`statement` compiled for `dialect`, once."""
    key = (id(statement), dialect.name, dialect.driver)
    found = _COMPILED.get(key)
    if found is None:
        done = statement.compile(dialect=dialect)
        order = getattr(done, "positiontup", None)  # set by SQL compilers for numbered styles
        found = Compiled(
            sql=done.string,
            defaults=dict(done.params),
            order=tuple(order) if order is not None else None,
        )
        with _LOCK:
            found = _COMPILED.setdefault(key, found)
    return found


def execute(conn: sa.Connection, statement: ClauseElement, **values: Any) -> CursorResult[Any]:
    """Run a statement kept at module level, compiled once, with `values` for its bind
    parameters."""
    done = compiled(statement, conn.dialect)
    parameters = done.parameters(values)
    if not parameters:
        return conn.exec_driver_sql(done.sql)
    return conn.exec_driver_sql(done.sql, parameters)


S = TypeVar("S", bound=ClauseElement)

# Statements whose shape depends on how many values they name, built once per shape
_SHAPES: dict[Hashable, Any] = {}


def kept_statement(shape: Hashable, build: Callable[[], S]) -> S:
    """The statement `build` makes for `shape` (a key naming everything its SQL depends on),
    made once and kept, so that it is compiled once (`compiled` keys by statement). For reads
    whose lists of values vary in length only: a few shapes each, never dropped."""
    found = _SHAPES.get(shape)
    if found is None:
        with _LOCK:
            found = _SHAPES.setdefault(shape, build())
    return found


@overload
def numbered(name: str, count: int) -> list[sa.ColumnElement[Any]]: ...
@overload
def numbered(name: str, count: None) -> None: ...
@overload
def numbered(name: str, count: int | None) -> list[sa.ColumnElement[Any]] | None: ...
def numbered(name: str, count: int | None) -> list[sa.ColumnElement[Any]] | None:
    """`count` bind parameters named name_0, name_1, ... (None for None): a list of values,
    each a parameter of its own, for a kept statement's `IN`. No values at all is `IN
    (NULL)`, which no row matches: SQL has no empty list, and SQLAlchemy's own stand-in for
    one is only written out when the query is compiled afresh with its values."""
    if count is None:
        return None
    if count == 0:
        return [sa.null()]
    return [sa.bindparam(f"{name}_{n}") for n in range(count)]


def numbered_values(name: str, values: Sequence[Any] | None) -> dict[str, Any]:
    """The values for `numbered(name, len(values))`, by parameter name."""
    return {f"{name}_{n}": value for n, value in enumerate(values or ())}

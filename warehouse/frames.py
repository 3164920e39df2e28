"""Run a SQLAlchemy query into a DataFrame, natively on DuckDB (many times faster per row).

`read_frame` compiles its query on every call. `frame_of` and `native_frame_of` run a
statement kept at module level, with `sa.bindparam` placeholders, compiled once for each kind
of database (warehouse.compiled): the reads a page asks on every view, whose shape never
changes with the data.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.compiled import compiled


def _duckdb(conn: sa.Connection) -> Any:
    """DuckDB's own connection under `conn`, or None on another database."""
    raw: Any = conn.connection.driver_connection
    return raw if conn.dialect.name == "duckdb" and hasattr(raw, "execute") else None


def read_frame(conn: sa.Connection, query: sa.Select[Any]) -> pd.DataFrame:
    """The query's rows as a DataFrame; values are always bound parameters, never pasted in."""
    raw = _duckdb(conn)
    if raw is None:
        return pd.read_sql(query, conn)
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    values = [params[name] for name in (compiled.positiontup or [])]
    return raw.execute(compiled.string, values).df()


def frame_of(conn: sa.Connection, statement: sa.Select[Any], **values: Any) -> pd.DataFrame:
    """The rows of a statement kept at module level, with `values` for its bind parameters,
    framed as `pd.read_sql_query` frames them (the same columns, dtypes and values).

    On DuckDB the rows are fetched from the driver and framed by pandas as read_sql_query
    frames them, at a fraction of its cost per read (DuckDB's own frames type dates, NULLs
    and empty results otherwise); elsewhere read_sql_query runs the statement, and
    SQLAlchemy keeps it compiled.
    """
    raw = _duckdb(conn)
    if raw is None:
        return pd.read_sql_query(statement, conn, params=values)
    done = compiled(statement, conn.dialect)
    cursor = raw.execute(done.sql, done.parameters(values))
    columns = [column[0] for column in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        return no_rows(columns)
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)


# A frame of no rows for each shape, made once: most of a drill-down's small reads (its
# flags, comments, rebases) find nothing, and making the empty frame (or adding columns to
# it) cost more than asking the database
_NO_ROWS: dict[Hashable, pd.DataFrame] = {}


def no_rows(columns: Sequence[str]) -> pd.DataFrame:
    """As read_sql_query frames no rows (a column of objects each), a copy of its own."""
    key = tuple(columns)
    return _made_once(("columns", key), lambda: pd.DataFrame(columns=list(key)))


def no_rows_with(frame: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """`frame.assign(**columns)` for a frame of no rows (each of `columns` empty too), made
    once for each shape (the frame's columns and types, the names and types added), a copy
    of its own."""
    if not frame.empty:
        raise ValueError("no_rows_with is for a frame of no rows")
    shape = (
        tuple(frame.columns),
        tuple(str(kind) for kind in frame.dtypes),
        tuple(
            (name, str(getattr(values, "dtype", type(values)))) for name, values in columns.items()
        ),
    )
    return _made_once(("with", shape), lambda: frame.assign(**columns))


def _made_once(key: Hashable, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    made = _NO_ROWS.get(key)
    if made is None:
        made = _NO_ROWS[key] = make()
    return made.copy()


def native_frame_of(conn: sa.Connection, statement: sa.Select[Any], **values: Any) -> pd.DataFrame:
    """The rows of a statement kept at module level, with `values` for its bind parameters,
    framed as `read_frame` frames them: as DuckDB itself does there (from its numpy columns,
    `frame_of_arrays`, which costs less than its own `.df()` for a measure's few thousand
    rows), by read_sql_query elsewhere."""
    arrays = native_arrays_of(conn, statement, **values)
    if arrays is None:
        return pd.read_sql_query(statement, conn, params=values)
    return frame_of_arrays(arrays)


def native_arrays_of(
    conn: sa.Connection, statement: sa.Select[Any], **values: Any
) -> dict[str, Any] | None:
    """The rows of a statement kept at module level as DuckDB hands them to numpy, a column
    each (a column holding a NULL as a masked array), or None on another database."""
    raw = _duckdb(conn)
    if raw is None:
        return None
    done = compiled(statement, conn.dialect)
    arrays: dict[str, Any] = raw.execute(done.sql, done.parameters(values)).fetchnumpy()
    return arrays


def frame_of_arrays(arrays: dict[str, Any]) -> pd.DataFrame:
    """Columns from `native_arrays_of`, framed as DuckDB's own `.df()` frames the same rows,
    without `.df()`'s cost in a frame of few rows and many columns: a NULL integer or
    true/false in pandas' nullable column of its kind, a NULL string None (as pandas then
    frames it: missing in a column of strings, None in a column of nothing else), a NULL
    number or time as pandas makes a masked one (NaN, NaT)."""
    columns: dict[str, Any] = {}
    for name, values in arrays.items():
        if not isinstance(values, np.ma.MaskedArray):
            columns[name] = values
            continue
        mask = np.ma.getmaskarray(values)
        data = values.data
        kind = data.dtype.kind
        if kind == "b":
            columns[name] = pd.arrays.BooleanArray(data, mask)
        elif kind in "iu":
            columns[name] = pd.arrays.IntegerArray(data, mask)
        elif kind == "O":
            strings = data.copy()
            strings[mask] = None
            columns[name] = strings
        else:
            columns[name] = values
    return pd.DataFrame(columns)


def in_key_order(frame: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """`frame` in the order of its `key` columns (strings, compared as DuckDB's binary ORDER
    BY compares them): the frame itself when its rows already are, as a table stored in that
    order reads back, else its rows sorted (stably) by the key."""
    if len(frame) < 2:
        return frame
    # Each row against the one before: in order when some key column is greater and every
    # column before it equal, or when every column is equal
    equal = np.ones(len(frame) - 1, dtype=bool)  # equal in every column so far
    greater = np.zeros(len(frame) - 1, dtype=bool)  # greater in a column, equal before it
    for column in key:
        values = frame[column].to_numpy(dtype=object)
        greater |= equal & (values[1:] > values[:-1])
        equal &= values[1:] == values[:-1]
    if bool(np.all(greater | equal)):
        return frame
    return frame.sort_values(list(key), kind="stable").reset_index(drop=True)

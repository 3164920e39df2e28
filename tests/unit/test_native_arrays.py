"""DuckDB's columns fetched as numpy arrays and framed by `frame_of_arrays` give exactly the
frame DuckDB's own `.df()` gives for the same rows: every kind of column the warehouse holds,
with NULLs here and there, throughout a column, and in no row at all."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest

from warehouse.frames import frame_of_arrays

ROWS = [
    "(1, 10, true, DATE '2024-01-01', 'a', 1.5, TIMESTAMP '2024-01-01 10:00')",
    "(NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    "(3, 30, false, DATE '2024-02-01', 'c', 2.5, TIMESTAMP '2024-01-02 10:00')",
]

ASKED = [
    "SELECT * FROM t",  # NULLs in some rows
    "SELECT * FROM t WHERE i = 1",  # none
    "SELECT * FROM t WHERE i IS NULL",  # NULL throughout
    "SELECT * FROM t WHERE i = 99",  # no rows
    "SELECT * FROM t ORDER BY i NULLS FIRST",
    "SELECT s, count(*) AS n, sum(f) AS total, max(d) AS latest FROM t GROUP BY s ORDER BY s",
]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (i INTEGER, bi BIGINT, b BOOLEAN, d DATE, s VARCHAR, f DOUBLE, "
        "ts TIMESTAMP)"
    )
    con.execute("INSERT INTO t VALUES " + ", ".join(ROWS))
    yield con
    con.close()


@pytest.mark.parametrize("sql", ASKED)
def test_arrays_frame_as_duckdb_frames_them(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    own = con.execute(sql).df()
    framed = frame_of_arrays(con.execute(sql).fetchnumpy())
    pd.testing.assert_frame_equal(framed, own, check_exact=True)
    for column in own.columns:  # missing alike: None where DuckDB gives None, NaN where NaN
        assert [type(v) for v in framed[column]] == [type(v) for v in own[column]], column

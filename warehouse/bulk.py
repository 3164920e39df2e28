"""Fast bulk reads for the performance engine: every current value, in series order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.tables import observations

SERIES_COLUMNS = ["metric_id", "area_code", "period_start", "value"]


def current_values(engine: sa.Engine) -> pd.DataFrame:
    """Current own-area values (no benchmark rows), ordered by metric, area and period.

    `period_start` comes back as datetime64. On DuckDB each series comes back as one row of
    lists, so its metric and area are read once rather than once per figure, and they are
    categorical columns; elsewhere they are text.
    """
    o = observations
    current = (o.c.superseded_at.is_(None), o.c.is_benchmark.is_(False))
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        if conn.dialect.name == "duckdb" and hasattr(raw, "execute"):
            frame = _series_lists(conn, raw, current)
        else:
            query = (
                sa.select(o.c.metric_id, o.c.area_code, o.c.period_start, o.c.value)
                .where(*current)
                .order_by(o.c.metric_id, o.c.area_code, o.c.period_start)
            )
            frame = pd.read_sql_query(query, conn)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["value"] = frame["value"].astype("float64")
    return frame[SERIES_COLUMNS]


def _series_lists(conn: sa.Connection, raw: Any, current: tuple[Any, ...]) -> pd.DataFrame:
    """current_values on DuckDB: one query, one row per series with its dates and values."""
    o = observations
    # NULL becomes NaN inside the lists, as it does in a column of a DataFrame
    value = sa.func.coalesce(o.c.value, sa.cast(sa.literal("NaN"), sa.Double))
    query = (
        sa.select(
            o.c.metric_id,
            o.c.area_code,
            sa.func.list(sa.text("period_start ORDER BY period_start")).label("starts"),
            sa.func.list(sa.literal_column(_ordered(conn, value))).label("values"),
        )
        .where(*current)
        .group_by(o.c.metric_id, o.c.area_code)
        .order_by(o.c.metric_id, o.c.area_code)
    )
    sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
    found = raw.execute(sql).fetchnumpy()
    starts, values = found["starts"].tolist(), found["values"].tolist()
    lengths = np.array([len(s) for s in starts], dtype=np.int64)
    return pd.DataFrame(
        {
            "metric_id": _repeated(found["metric_id"], lengths),
            "area_code": _repeated(found["area_code"], lengths),
            "period_start": np.concatenate(starts) if starts else np.array([], "datetime64[us]"),
            "value": np.concatenate(values) if values else np.array([], dtype=float),
        }
    )


def _ordered(conn: sa.Connection, value: Any) -> str:
    compiled = value.compile(conn, compile_kwargs={"literal_binds": True})
    return f"{compiled} ORDER BY period_start"


def _repeated(keys: Any, lengths: np.ndarray) -> pd.Categorical:
    """Each series' key repeated for its rows, as codes: far cheaper than a string per row."""
    categories, codes = np.unique(np.asarray(keys, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(np.repeat(codes, lengths), categories=pd.Index(categories))


def fetch_baseline(engine: sa.Engine) -> int:
    """Fetch the same rows as `current_values` with nothing else done: the benchmark's yardstick."""
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        frame = raw.execute(
            "SELECT metric_id, area_code, period_start, value FROM observations "
            "WHERE superseded_at IS NULL AND NOT is_benchmark "
            "ORDER BY metric_id, area_code, period_start"
        ).df()
    return len(frame)

"""The status snapshot: one row per metric and area, written by the engine, read by pages."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.compiled import execute, kept_statement, numbered, numbered_values
from warehouse.engine import database_path
from warehouse.frames import frame_of_arrays, in_key_order, native_arrays_of
from warehouse.tables import (
    commentary,
    flag_events,
    flags,
    milestones,
    observations,
    pipeline_runs,
    report_runs,
    savings_delivery,
    status_snapshot,
)
from warehouse.write_watch import WATCH

SNAPSHOT_COLUMNS = [c.name for c in status_snapshot.columns]


def replace_snapshot(conn: sa.Connection, frame: pd.DataFrame, *, computed_at: datetime) -> int:
    """Replace the whole snapshot inside the caller's transaction; return the rows written.

    Readers never see half a snapshot: the delete and the insert commit together.
    """
    rows = frame.assign(computed_at=computed_at)[SNAPSHOT_COLUMNS]
    conn.execute(status_snapshot.delete())
    if rows.empty:
        return 0
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "duckdb" and hasattr(raw, "register"):
        # DuckDB reads the DataFrame directly; executemany would be far slower
        raw.register("snapshot_frame", rows)
        try:
            columns = ", ".join(SNAPSHOT_COLUMNS)
            # Stored in the order it is read in: DuckDB hands rows back in the order they were
            # inserted, so `read_snapshot` has nothing to sort (see `in_key_order`)
            conn.exec_driver_sql(
                f"INSERT INTO status_snapshot ({columns}) SELECT {columns} FROM snapshot_frame "
                f"ORDER BY {', '.join(SNAPSHOT_KEY)}"
            )
        finally:
            raw.unregister("snapshot_frame")
    else:
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        conn.execute(status_snapshot.insert(), [{str(k): v for k, v in r.items()} for r in records])
    return len(rows)


# A snapshot row's key, the order it is read in
SNAPSHOT_KEY = ("metric_id", "area_code")

# Columns of type DATE: read as `datetime.date` (None when empty) on every backend
DATE_COLUMNS = [c.name for c in status_snapshot.columns if isinstance(c.type, sa.Date)]
INTEGER_COLUMNS = [c.name for c in status_snapshot.columns if isinstance(c.type, sa.Integer)]


def read_snapshot(
    engine: sa.Engine,
    metric_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The snapshot, optionally for some metrics or areas, ordered by metric and area."""
    metrics = None if metric_ids is None else list(metric_ids)
    areas = None if area_codes is None else list(area_codes)
    with engine.connect() as conn:
        # On DuckDB the rows come back in the order `replace_snapshot` stored them, already
        # the key's: sorting them again costs more than the read, so the order is checked
        # instead (and only rows out of it sorted). Elsewhere the database sorts, in its own
        # collation, as ever
        ordered = conn.dialect.name != "duckdb"
        # Natively on DuckDB: every page view after a pipeline run reads it
        query, values = _kept_query(metrics, areas, ordered)
        arrays = native_arrays_of(conn, query, **values)
        if arrays is None:
            return _typed(pd.read_sql_query(query, conn, params=values))
    return in_key_order(_framed(arrays), SNAPSHOT_KEY)


def _framed(arrays: dict[str, Any]) -> pd.DataFrame:
    """DuckDB's columns, made what pages read (dates as `datetime.date` and None, counts as
    int64) and then framed: changing a column of a frame already made costs more than
    reading the few hundred rows."""
    for column in DATE_COLUMNS:
        arrays[column] = _day_objects(arrays[column])
    for column in INTEGER_COLUMNS:
        if not isinstance(arrays[column], np.ma.MaskedArray):
            arrays[column] = arrays[column].astype("int64")
    return frame_of_arrays(arrays)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read by pandas, its dates as `datetime.date` and its counts as int64."""
    for column in DATE_COLUMNS:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = _as_dates(frame[column])
    for column in INTEGER_COLUMNS:
        if pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = frame[column].astype("int64")
    return frame


def _snapshot_query(
    metric_ids: Sequence[object] | None,
    area_codes: Sequence[object] | None,
    ordered: bool = True,
) -> sa.Select[Any]:
    """The snapshot's rows for these metrics and areas (each None: all), in metric and area
    order if `ordered`; the values may be bound parameters."""
    s = status_snapshot
    query = sa.select(s)
    if ordered:
        query = query.order_by(*(s.c[name] for name in SNAPSHOT_KEY))
    if metric_ids is not None:
        query = query.where(s.c.metric_id.in_(list(metric_ids)))
    if area_codes is not None:
        query = query.where(s.c.area_code.in_(list(area_codes)))
    return query


def _kept_query(
    metric_ids: list[str] | None, area_codes: list[str] | None, ordered: bool
) -> tuple[sa.Select[Any], dict[str, str]]:
    """The snapshot's query for these metrics and areas (each None: all), with each value a
    parameter of its own, and the values: the query is built once for each number of metrics
    and areas and kept, so it is compiled once (warehouse.compiled)."""
    metrics = None if metric_ids is None else len(metric_ids)
    areas = None if area_codes is None else len(area_codes)
    query = kept_statement(
        ("snapshot", metrics, areas, ordered),
        lambda: _snapshot_query(numbered("metric", metrics), numbered("area", areas), ordered),
    )
    return query, numbered_values("metric", metric_ids) | numbered_values("area", area_codes)


def _as_dates(column: pd.Series) -> pd.Series:
    """A datetime column as `datetime.date` objects and None, as pandas reads a DATE itself."""
    days = _day_objects(column.to_numpy(dtype="datetime64[D]"))
    return pd.Series(days, index=column.index, name=column.name, dtype=object)


def _day_objects(values: np.ndarray) -> np.ndarray:
    """Datetimes as `datetime.date` objects, None where there is none (NaT, or masked where
    DuckDB's numpy columns hold a NULL)."""
    # numpy makes each day a `datetime.date` and NaT None
    days = np.ma.getdata(values).astype("datetime64[D]").astype(object)
    if isinstance(values, np.ma.MaskedArray):
        days[np.ma.getmaskarray(values)] = None
    return days


def snapshot_computed_at(engine: sa.Engine) -> datetime | None:
    """When the snapshot was last computed, or None if it never has been."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(status_snapshot.c.computed_at))).scalar()
    return value if isinstance(value, datetime) else None


def _union(aggregates: list[tuple[sa.Table, Any]]) -> sa.CompoundSelect:
    parts: list[sa.Select[Any]] = [
        sa.select(
            sa.literal_column(str(n)).label("k"), sa.cast(aggregate, sa.String).label("v")
        ).select_from(table)
        for n, (table, aggregate) in enumerate(aggregates)
    ]
    return sa.union_all(*parts).order_by("k")


def _version(engine: sa.Engine, query: sa.CompoundSelect) -> tuple[object, ...]:
    with engine.connect() as conn:
        return tuple(value for _, value in execute(conn, query).tuples())


def _snapshot_markers() -> list[tuple[sa.Table, Any]]:
    return [
        (status_snapshot, sa.func.count()),
        (status_snapshot, sa.func.max(status_snapshot.c.computed_at)),
        (pipeline_runs, sa.func.max(pipeline_runs.c.run_id)),
        (pipeline_runs, sa.func.max(pipeline_runs.c.finished_at)),
        # The newest figure's key: a figure loaded some other way is seen too (an index or
        # DuckDB's own statistics answer it without reading the figures)
        (observations, sa.func.max(observations.c.id)),
    ]


# Where the newest figure's key sits among the markers
_NEWEST_FIGURE = len(_snapshot_markers()) - 1


def figures_loaded(engine: sa.Engine) -> bool:
    """Whether any figure has ever been loaded, read from the page version (the newest
    figure's key is None only while there is none): no query of its own on a DuckDB file."""
    return page_version(engine)[_NEWEST_FIGURE] is not None


def snapshot_version(engine: sa.Engine) -> tuple[object, ...]:
    """A marker that changes whenever the snapshot or the figures behind it may have changed:
    the snapshot's size and latest computation, and the latest pipeline run. Small tables only,
    so it is cheap to ask on every page load, however many figures the warehouse holds.

    It is the first markers of `page_version`, so a page load asks one query for both (and on
    a DuckDB file, none until this process next writes)."""
    return page_version(engine)[: len(_snapshot_markers())]


def page_version(engine: sa.Engine) -> tuple[object, ...]:
    """A marker that changes whenever anything a page shows may have changed: the snapshot
    and the figures (as `snapshot_version`), flags and their history, commentary, milestones,
    packs and savings delivery returns. One query over small tables; on a DuckDB file, asked
    again only after a write."""
    if not _sole_writer(engine):
        # Another process (a web worker, the scheduler) may write at any moment: always ask
        return _version(engine, _PAGE_VERSION)
    mark = WATCH.mark()
    if mark is not None:
        with _KEPT_LOCK:
            kept = _KEPT_VERSIONS.get(engine)
        if kept is not None and kept[0] == mark:
            return kept[1]
    version = _version(engine, _PAGE_VERSION)
    # Kept only if no write began or was going on while it was asked
    if mark is not None and WATCH.mark() == mark:
        with _KEPT_LOCK:
            _KEPT_VERSIONS[engine] = (mark, version)
    return version


def _sole_writer(engine: sa.Engine) -> bool:
    # A DuckDB file is opened by one process at a time, and every write to it in this process
    # goes through SQLAlchemy, where warehouse.write_watch sees it
    url = engine.url.render_as_string(hide_password=True)
    return engine.dialect.name == "duckdb" and database_path(url) is not None


# The last version asked of each engine's DuckDB file, with the write mark it was asked under
_KEPT_VERSIONS: weakref.WeakKeyDictionary[sa.Engine, tuple[int, tuple[object, ...]]] = (
    weakref.WeakKeyDictionary()
)
_KEPT_LOCK = threading.Lock()


# Built and compiled once: asked on every page load
_SNAPSHOT_VERSION = _union(_snapshot_markers())
_PAGE_VERSION = _union(
    [
        *_snapshot_markers(),
        (flags, sa.func.count()),
        (flags, sa.func.max(flags.c.updated_at)),
        (flag_events, sa.func.max(flag_events.c.id)),
        (commentary, sa.func.max(commentary.c.id)),
        (milestones, sa.func.count()),
        (milestones, sa.func.max(milestones.c.updated_at)),
        (report_runs, sa.func.max(report_runs.c.id)),
        (savings_delivery, sa.func.max(savings_delivery.c.id)),
    ]
)

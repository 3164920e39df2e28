"""Load observations with revision history, and read them back as DataFrames."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from warehouse.compiled import kept_statement, numbered, numbered_values
from warehouse.frames import native_frame_of, read_frame
from warehouse.tables import observations

OBSERVATION_COLUMNS = [
    "metric_id",
    "area_code",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "is_benchmark",
    "source_ref",
]
KEY = ["metric_id", "area_code", "period_start"]
FIGURES = ["value", "numerator", "denominator"]
DATES = ("period_start", "period_end")
INCOMING_FRAME = "incoming_frame"


@dataclass(frozen=True)
class LoadCounts:
    """What one load did: new rows, rows that replaced a restated value, and rows unchanged."""

    loaded: int
    superseded: int
    unchanged: int


def _staging_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "staging_observations",
        metadata,
        sa.Column("metric_id", sa.String(80)),
        sa.Column("area_code", sa.String(16)),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("value", sa.Double),
        sa.Column("numerator", sa.Double),
        sa.Column("denominator", sa.Double),
        sa.Column("is_benchmark", sa.Boolean),
        sa.Column("source_ref", sa.Text),
        prefixes=["TEMPORARY"],
    )


def load_observations(
    conn: sa.Connection, frame: pd.DataFrame, *, run_id: int | None, now: datetime
) -> LoadCounts:
    """Load validated rows inside the caller's transaction.

    A row identical to the current value changes nothing; a changed value supersedes the
    current row (kept, with `superseded_at` set) and becomes current. Keys must be unique.
    """
    if frame.empty:
        return LoadCounts(0, 0, 0)
    incoming = _normalise(frame)
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "duckdb" and hasattr(raw, "register"):
        return _merge_frame(conn, raw, incoming, run_id, now)
    staging = _staging_table(sa.MetaData())
    # The inspector cannot see temporary tables, so drop with IF EXISTS rather than checkfirst
    conn.execute(sa.schema.DropTable(staging, if_exists=True))
    conn.execute(sa.schema.CreateTable(staging))
    try:
        _fill_staging(conn, staging, incoming)
        return _merge(conn, staging, run_id, now)
    finally:
        conn.execute(sa.schema.DropTable(staging, if_exists=True))


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in OBSERVATION_COLUMNS:
        if column in frame:
            out[column] = frame[column]
        else:
            out[column] = False if column == "is_benchmark" else None
    for column in FIGURES:
        if not pd.api.types.is_float_dtype(out[column]):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ("period_start", "period_end"):
        # Kept as datetime64: python date objects cost a second per million rows to build
        out[column] = pd.to_datetime(out[column])
    if not pd.api.types.is_bool_dtype(out["is_benchmark"]):
        out["is_benchmark"] = out["is_benchmark"].fillna(False).astype(bool)
    if not pd.api.types.is_string_dtype(out["source_ref"]) or out["source_ref"].isna().all():
        out["source_ref"] = out["source_ref"].astype("string").astype(object)
    return out.reset_index(drop=True)


def _fill_staging(conn: sa.Connection, staging: sa.Table, incoming: pd.DataFrame) -> None:
    portable = incoming.copy()
    for column in ("period_start", "period_end"):
        portable[column] = portable[column].dt.date
    records = [
        {str(k): v for k, v in row.items()}
        for row in portable.astype(object).where(portable.notna(), None).to_dict("records")
    ]
    conn.execute(staging.insert(), records)


def _same_key(a: sa.FromClause, b: sa.FromClause) -> sa.ColumnElement[bool]:
    return sa.and_(*(a.c[k] == b.c[k] for k in KEY))


def _same_figures(a: sa.FromClause, b: sa.FromClause) -> sa.ColumnElement[bool]:
    return sa.and_(*(a.c[f].is_not_distinct_from(b.c[f]) for f in FIGURES))


def _current_within(table: sa.FromClause, first: date, last: date) -> sa.ColumnElement[bool]:
    """Rows of `table` (observations or an alias of it) current and in periods `first`-`last`."""
    return sa.and_(table.c.superseded_at.is_(None), table.c.period_start.between(first, last))


def _merge(conn: sa.Connection, staging: sa.Table, run_id: int | None, now: datetime) -> LoadCounts:
    current = observations.alias("cur")
    is_current = current.c.superseded_at.is_(None)
    unchanged_match = sa.exists().where(
        _same_key(current, staging), is_current, _same_figures(current, staging)
    )
    # The rows deleted from staging are exactly the unchanged ones: one pass, not two
    unchanged = conn.execute(sa.delete(staging).where(unchanged_match)).rowcount

    superseded = conn.execute(
        sa.update(observations)
        .where(
            observations.c.superseded_at.is_(None),
            sa.exists().where(_same_key(staging, observations)),
        )
        .values(superseded_at=now)
    ).rowcount
    columns = [staging.c[c] for c in OBSERVATION_COLUMNS]
    select = sa.select(
        *columns,
        sa.literal(run_id, sa.Integer).label("run_id"),
        sa.literal(now, sa.DateTime).label("loaded_at"),
    )
    # Every row left in staging is loaded. Counted, not taken from the INSERT's rowcount, which
    # PostgreSQL's driver reports as -1 for an INSERT ... SELECT that fills a sequence key
    loaded = conn.execute(sa.select(sa.func.count()).select_from(staging)).scalar_one()
    conn.execute(
        observations.insert().from_select([*OBSERVATION_COLUMNS, "run_id", "loaded_at"], select)
    )
    return LoadCounts(int(loaded), int(superseded or 0), int(unchanged or 0))


def _merge_frame(
    conn: sa.Connection, raw: Any, incoming: pd.DataFrame, run_id: int | None, now: datetime
) -> LoadCounts:
    """The merge of `_merge`, on DuckDB: it reads the DataFrame where it lies (`raw` is the
    connection's DuckDB connection), with no staging copy to fill and empty again."""
    starts = incoming["period_start"]
    first, last = pd.Timestamp(starts.min()).date(), pd.Timestamp(starts.max()).date()
    # Only stored rows within the incoming periods can share a key: saying so lets DuckDB skip
    # the rest of the table by its blocks' ranges, so a load costs what it brings, not what is
    # already stored (a file of older years into a national warehouse, or this month's figures)
    stored = sa.select(sa.literal(1)).where(_current_within(observations, first, last))
    # With nothing current in those periods (history further back, or a first load) every row
    # is new: each is given its id now, and no join hashes every incoming key to find nothing
    # (Fetched to the end: DuckDB takes no other work on the connection while a result is open)
    every_row_new = not conn.execute(stored.limit(1)).all()
    if every_row_new:
        incoming["id"] = _next_ids(conn, len(incoming))
    raw.register(INCOMING_FRAME, incoming)
    try:
        return _merge_registered(conn, len(incoming), first, last, every_row_new, run_id, now)
    finally:
        raw.unregister(INCOMING_FRAME)


def _next_ids(conn: sa.Connection, count: int) -> np.ndarray:
    """`count` ids from the observations' sequence, drawn at once.

    Drawn in the INSERT, one row at a time, they would hold every row up behind the sequence;
    given beforehand, DuckDB inserts on all its threads. Only a load in which every row is new
    draws them so, so no id is spent on a row that is not stored (a reload of unchanged rows
    would spend one a row otherwise, and the ids are 32-bit).
    """
    sequence = observations.c.id.default
    assert isinstance(sequence, sa.Sequence)
    drawn = sa.select(sequence.next_value().label("id")).select_from(sa.func.range(count))
    return read_frame(conn, drawn)["id"].to_numpy(dtype=np.int64)


def _merge_registered(
    conn: sa.Connection,
    rows: int,
    first: date,
    last: date,
    every_row_new: bool,
    run_id: int | None,
    now: datetime,
) -> LoadCounts:
    """Merge the registered frame of `rows` rows, whose periods run from `first` to `last`; when
    every row is new its ids are in the frame."""
    columns = [*OBSERVATION_COLUMNS, "id"] if every_row_new else OBSERVATION_COLUMNS
    frame = sa.table(INCOMING_FRAME, *(sa.column(c) for c in columns))
    # The frame holds datetime64 periods; as DATE they compare and store like the table's
    incoming = sa.select(
        *(sa.cast(frame.c[c], sa.Date).label(c) if c in DATES else frame.c[c] for c in columns)
    ).subquery("incoming")
    select = sa.select(
        *(incoming.c[c] for c in columns),
        sa.literal(run_id, sa.Integer).label("run_id"),
        sa.literal(now, sa.DateTime).label("loaded_at"),
    )
    superseded = 0
    if not every_row_new:
        # Joins, not EXISTS: DuckDB would first gather the incoming keys for a correlated
        # subquery
        superseded = conn.execute(
            sa.update(observations)
            .where(
                _current_within(observations, first, last),
                _same_key(incoming, observations),
                sa.not_(_same_figures(incoming, observations)),
            )
            .values(superseded_at=now)
        ).rowcount
        # Only an unchanged row is still current under an incoming key: every other is loaded
        current = observations.alias("cur")
        select = select.select_from(
            incoming.outerjoin(
                current,
                sa.and_(_same_key(current, incoming), _current_within(current, first, last)),
            )
        ).where(current.c.id.is_(None))
    else:
        # Ordered by their ids, drawn in the file's order, the rows are stored in that order
        # (a file by measure puts each measure's rows in few of the table's blocks) and DuckDB
        # inserts them on all its threads; unordered, it would insert on one to keep the order
        select = select.order_by(incoming.c.id)
    loaded = conn.execute(
        observations.insert().from_select([*columns, "run_id", "loaded_at"], select)
    ).rowcount
    # DuckDB counts the rows an INSERT ... SELECT wrote (PostgreSQL's driver says -1)
    return LoadCounts(int(loaded), int(superseded or 0), rows - int(loaded))


def has_observations(engine: sa.Engine) -> bool:
    """Whether any figure has ever been loaded (an empty warehouse has nothing to judge)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(observations.c.id).limit(1)).first() is not None


def current_observations(
    engine: sa.Engine,
    metric_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
    *,
    include_benchmark: bool = False,
    since: date | None = None,
) -> pd.DataFrame:
    """Current (not superseded) observations, ordered by metric, area and period."""
    metrics = None if metric_ids is None else list(metric_ids)
    areas = None if area_codes is None else list(area_codes)
    with engine.connect() as conn:
        # Asked on every view of a measure: a statement kept for each number of measures and
        # areas, compiled once (warehouse.compiled), its values bound; on DuckDB the columns
        # every row shares are not fetched (`_filled`)
        constants = _constants(conn, metrics, None if include_benchmark else False)
        metric_count = None if metrics is None else len(metrics)
        area_count = None if areas is None else len(areas)
        query = kept_statement(
            (
                "current_observations",
                metric_count,
                area_count,
                include_benchmark,
                since is not None,
                tuple(constants),
            ),
            lambda: _current_query(
                numbered("metric", metric_count),
                numbered("area", area_count),
                include_benchmark,
                sa.bindparam("since", type_=sa.Date) if since is not None else None,
                leave_out=constants,
            ),
        )
        values = numbered_values("metric", metrics) | numbered_values("area", areas)
        frame = native_frame_of(conn, query, **values, **({"since": since} if since else {}))
    frame = _filled(frame, OBSERVATION_READ, constants)
    return _as_datetimes(frame, ("period_start", "period_end", "loaded_at"))


# The columns `current_observations` reads, in order: those loaded, with when each row was
# loaded just before where it came from
OBSERVATION_READ = (*OBSERVATION_COLUMNS[:-1], "loaded_at", OBSERVATION_COLUMNS[-1])


def _current_query(
    metric_ids: Sequence[object] | None,
    area_codes: Sequence[object] | None,
    include_benchmark: bool,
    since: object | None,
    leave_out: Collection[str] = (),
) -> sa.Select[Any]:
    """`current_observations`' query (each of metric_ids, area_codes and since None: all),
    without the columns in `leave_out`; the values may be bound parameters."""
    o = observations
    query = sa.select(*(o.c[name] for name in OBSERVATION_READ if name not in leave_out)).where(
        o.c.superseded_at.is_(None)
    )
    if metric_ids is not None:
        query = query.where(o.c.metric_id.in_(list(metric_ids)))
    if area_codes is not None:
        query = query.where(o.c.area_code.in_(list(area_codes)))
    if not include_benchmark:
        query = query.where(o.c.is_benchmark.is_(False))
    if since is not None:
        query = query.where(o.c.period_start >= since)
    return query.order_by(o.c.metric_id, o.c.area_code, o.c.period_start)


def _constants(
    conn: sa.Connection, metrics: list[str] | None, is_benchmark: bool | None
) -> dict[str, object]:
    """The columns every row of a read of these measures shares, by name: the measure when
    there is one, whether rows are benchmark rows when only one kind is read. On DuckDB
    alone, where turning a column of the same string, row after row, into Python strings is
    most of what a national measure's read costs; other databases read every column."""
    if conn.dialect.name != "duckdb":
        return {}
    constants: dict[str, object] = {}
    if metrics is not None and len(metrics) == 1:
        constants["metric_id"] = metrics[0]
    if is_benchmark is not None:
        constants["is_benchmark"] = is_benchmark
    return constants


def _filled(
    frame: pd.DataFrame, columns: Sequence[str], constants: Mapping[str, object]
) -> pd.DataFrame:
    """`frame`, read without the `constants` columns, with each put back in its place among
    `columns`: a string typed as the frame's area codes are (as the database would have given
    it), a flag as booleans."""
    for name in sorted(constants, key=columns.index):
        value = constants[name]
        column: Any
        if isinstance(value, bool):
            column = np.full(len(frame), value, dtype=bool)
        else:
            # The one string object, referred to from every row: np.full would make a string
            # for each row, a tenth of a national measure's read
            column = np.empty(len(frame), dtype=object)
            column.fill(value)
            if frame["area_code"].dtype != object:
                column = pd.array(column, dtype=frame["area_code"].dtype)
        frame.insert(columns.index(name), name, column)
    return frame


def _as_datetimes(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`frame` with these columns as datetimes (DuckDB gives them so already: left alone)."""
    for column in columns:
        if not pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = pd.to_datetime(frame[column])
    return frame


# What `benchmark_figures` reads of each row
BENCHMARK_COLUMNS = (
    "metric_id",
    "area_code",
    "period_start",
    "period_end",
    "value",
    "is_benchmark",
)


def benchmark_figures(engine: sa.Engine, metric_ids: Sequence[str]) -> pd.DataFrame:
    """Other councils' current figures for these measures, with only what a comparison reads
    (measure, area, period, value): a national measure has tens of thousands, so the columns
    it never reads are left behind.

    Every comparison numbers, ranks and sorts the rows itself, so on DuckDB they come in the
    order they were loaded (sorting them was a fifth of the read); elsewhere, as
    `current_observations` orders them."""
    o = observations
    codes = list(metric_ids)

    def query(names: Sequence[object], leave_out: Collection[str], ordered: bool) -> sa.Select[Any]:
        query = (
            sa.select(*(o.c[name] for name in BENCHMARK_COLUMNS if name not in leave_out))
            .where(o.c.superseded_at.is_(None), o.c.is_benchmark.is_(True))
            .where(o.c.metric_id.in_(list(names)))
        )
        return query.order_by(o.c.metric_id, o.c.area_code, o.c.period_start) if ordered else query

    with engine.connect() as conn:
        # Kept for each number of measures, compiled once (warehouse.compiled); on DuckDB the
        # columns every row shares are not fetched (`_filled`)
        constants = _constants(conn, codes, True)
        ordered = conn.dialect.name != "duckdb"
        kept = kept_statement(
            ("benchmark_figures", len(codes), tuple(constants), ordered),
            lambda: query(numbered("metric", len(codes)), constants, ordered),
        )
        frame = native_frame_of(conn, kept, **numbered_values("metric", codes))
    frame = _filled(frame, BENCHMARK_COLUMNS, constants)
    return _as_datetimes(frame, ("period_start", "period_end"))


def _codes(codes: Sequence[str]) -> sa.BindParameter[Any]:
    """Codes bound as one array, for `column == sa.any_(...)`: a whole register's measures
    are one parameter to bind and plan, not hundreds (each one slows the statement)."""
    array: Any = sa.ARRAY(sa.String)
    return sa.bindparam("codes", value=list(codes), type_=array)


# The columns `periods_with_small_figures` reads, with the types of a frame of none
SMALL_ROWS = {
    "metric_id": "str",
    "area_code": "str",
    "period_start": "datetime64[us]",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "is_benchmark": "bool",
}


def periods_with_small_figures(
    engine: sa.Engine, metric_ids: Sequence[str], below: float
) -> pd.DataFrame:
    """Every current own-area row in a (metric, period) where some figure or numerator is
    below `below`: the only periods in which anything can be hidden from the public."""
    o = observations
    own = sa.and_(o.c.superseded_at.is_(None), o.c.is_benchmark.is_(False))
    is_small = sa.or_(o.c.value < below, o.c.numerator < below)
    small = (
        sa.select(o.c.metric_id, o.c.period_start)
        .where(own, is_small, o.c.metric_id == sa.any_(_codes(metric_ids)))
        .distinct()
        .subquery()
    )
    query = (
        sa.select(*(o.c[name] for name in SMALL_ROWS))
        .join(
            small,
            sa.and_(small.c.metric_id == o.c.metric_id, small.c.period_start == o.c.period_start),
        )
        .where(own)
        .order_by(o.c.metric_id, o.c.area_code, o.c.period_start)
    )
    # Whether any own figure at all is small, asked first (a filtered scan, without the list
    # of measures): where none is, no period can hide anything, and nothing is joined or read
    anywhere = sa.select(o.c.id).where(own, is_small)
    with engine.connect() as conn:
        if conn.execute(anywhere.limit(1)).first() is None:
            return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in SMALL_ROWS.items()})
        frame = read_frame(conn, query)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def revision_history(
    engine: sa.Engine, metric_id: str, area_code: str | None = None
) -> pd.DataFrame:
    """Every row ever loaded for a metric, superseded ones included, newest first."""
    o = observations
    query = sa.select(o).where(o.c.metric_id == metric_id)
    if area_code is not None:
        query = query.where(o.c.area_code == area_code)
    query = query.order_by(o.c.area_code, o.c.period_start.desc(), o.c.loaded_at.desc())
    with engine.connect() as conn:
        return read_frame(conn, query)


# A drill-down's restated values, asked on every view: compiled once (warehouse.compiled)
_RESTATED = (
    sa.select(observations)
    .where(
        observations.c.metric_id == sa.bindparam("metric_id"),
        observations.c.superseded_at.is_not(None),
    )
    .order_by(
        observations.c.superseded_at.desc(),
        observations.c.area_code,
        observations.c.period_start.desc(),
    )
)


def restated_values(engine: sa.Engine, metric_id: str) -> pd.DataFrame:
    """Only the values of a metric that were later restated, newest restatement first."""
    with engine.connect() as conn:
        return native_frame_of(conn, _RESTATED, metric_id=metric_id)


def observation_count(engine: sa.Engine, *, current_only: bool = True) -> int:
    """How many observation rows are stored."""
    query = sa.select(sa.func.count()).select_from(observations)
    if current_only:
        query = query.where(observations.c.superseded_at.is_(None))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())

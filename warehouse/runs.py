"""The pipeline run log, quarantined rows and the source files seen, written and read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import observations, pipeline_runs, rejected_rows, source_files

RUN_STATUSES = (
    "running",
    "succeeded",
    "partially_rejected",
    "failed",
    "skipped_unchanged",
    "abandoned",  # still running when its process stopped; see warehouse.recovery
)
REJECTED_COLUMNS = ["source_ref", "row_number", "raw_record", "reasons"]


@dataclass(frozen=True)
class SourceState:
    """What was last recorded about one source: its content hash and HTTP validators."""

    content_hash: str
    etag: str | None
    last_modified: str | None


def start_run(
    engine: sa.Engine,
    pipeline_id: str,
    *,
    trigger: str,
    triggered_by: str | None,
    now: datetime,
) -> int:
    """Open a run in its own transaction, so it is logged even if the load later fails."""
    with engine.begin() as conn:
        run_id = conn.execute(
            pipeline_runs.insert()
            .values(
                pipeline_id=pipeline_id,
                trigger=trigger,
                triggered_by=triggered_by,
                started_at=now,
                status="running",
            )
            .returning(pipeline_runs.c.run_id)
        ).scalar_one()
    return int(run_id)


def finish_run(conn: sa.Connection, run_id: int, **values: Any) -> None:
    """Record a run's outcome (status, row counts, error) inside the caller's transaction."""
    status = values.get("status")
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; use one of {', '.join(RUN_STATUSES)}")
    values.setdefault("finished_at", datetime.now())
    conn.execute(pipeline_runs.update().where(pipeline_runs.c.run_id == run_id).values(**values))


def note_run_error(engine: sa.Engine, run_id: int, error: str) -> None:
    """Add an error to a finished run (an after-load hook that failed), in its own transaction."""
    with engine.begin() as conn:
        conn.execute(
            pipeline_runs.update().where(pipeline_runs.c.run_id == run_id).values(error=error)
        )


def record_rejected(
    conn: sa.Connection, frame: pd.DataFrame, *, run_id: int, pipeline_id: str, now: datetime
) -> int:
    """Store quarantined rows (source_ref, row_number, raw_record, reasons); return how many."""
    if frame.empty:
        return 0
    rows = frame[REJECTED_COLUMNS].copy()
    rows["row_number"] = pd.to_numeric(rows["row_number"], errors="coerce").astype("Int64")
    rows["run_id"] = run_id
    rows["pipeline_id"] = pipeline_id
    rows["rejected_at"] = pd.Timestamp(now)
    _bulk_insert(conn, rejected_rows, rows.reset_index(drop=True), "rejected_rows_id_seq")
    return len(rows)


def _bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, sequence: str) -> None:
    raw: Any = conn.connection.driver_connection
    columns = list(frame.columns)
    if conn.dialect.name == "duckdb" and hasattr(raw, "register"):
        # executemany on DuckDB manages about a thousand rows a second; a scan is instant
        raw.register("bulk_frame", frame)
        try:
            names = ", ".join(columns)
            conn.exec_driver_sql(
                f"INSERT INTO {table.name} (id, {names}) "
                f"SELECT nextval('{sequence}'), {names} FROM bulk_frame"
            )
        finally:
            raw.unregister("bulk_frame")
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), [{str(k): v for k, v in r.items()} for r in records])


def latest_source(conn: sa.Connection, pipeline_id: str, source_ref: str) -> SourceState | None:
    """The last state recorded for a source of a pipeline, or None if never loaded."""
    row = conn.execute(
        sa.select(source_files.c.content_hash, source_files.c.etag, source_files.c.last_modified)
        .where(source_files.c.pipeline_id == pipeline_id, source_files.c.source_ref == source_ref)
        .order_by(source_files.c.seen_at.desc(), source_files.c.id.desc())
        .limit(1)
    ).first()
    return SourceState(row[0], row[1], row[2]) if row else None


def record_source(
    conn: sa.Connection,
    pipeline_id: str,
    source_ref: str,
    state: SourceState,
    *,
    run_id: int,
    now: datetime,
) -> None:
    """Remember that a source with this content was loaded by a run."""
    conn.execute(
        source_files.insert().values(
            pipeline_id=pipeline_id,
            source_ref=source_ref,
            content_hash=state.content_hash,
            etag=state.etag,
            last_modified=state.last_modified,
            run_id=run_id,
            seen_at=now,
        )
    )


def run_history(engine: sa.Engine, pipeline_id: str | None = None, limit: int = 50) -> pd.DataFrame:
    """The most recent runs, newest first, optionally for one pipeline."""
    query = sa.select(pipeline_runs)
    if pipeline_id is not None:
        query = query.where(pipeline_runs.c.pipeline_id == pipeline_id)
    query = query.order_by(pipeline_runs.c.run_id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def latest_runs(engine: sa.Engine) -> pd.DataFrame:
    """The latest run of each pipeline, plus when each last loaded successfully."""
    runs = pipeline_runs
    last = (
        sa.select(runs.c.pipeline_id, sa.func.max(runs.c.run_id).label("run_id"))
        .group_by(runs.c.pipeline_id)
        .subquery()
    )
    loaded = (
        sa.select(runs.c.pipeline_id, sa.func.max(runs.c.finished_at).label("last_loaded_at"))
        .where(runs.c.status.in_(["succeeded", "partially_rejected"]))
        .group_by(runs.c.pipeline_id)
        .subquery()
    )
    query = (
        sa.select(runs, loaded.c.last_loaded_at)
        .join(last, last.c.run_id == runs.c.run_id)
        .outerjoin(loaded, loaded.c.pipeline_id == runs.c.pipeline_id)
        .order_by(runs.c.pipeline_id)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def rejected_for_run(engine: sa.Engine, run_id: int, limit: int | None = None) -> pd.DataFrame:
    """The rows a run quarantined, in source order."""
    query = (
        sa.select(rejected_rows)
        .where(rejected_rows.c.run_id == run_id)
        .order_by(rejected_rows.c.source_ref, rejected_rows.c.row_number, rejected_rows.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def latest_run_with_rejections(engine: sa.Engine, pipeline_id: str | None = None) -> int | None:
    """The id of the most recent run that quarantined rows, if any."""
    query = sa.select(sa.func.max(rejected_rows.c.run_id))
    if pipeline_id is not None:
        query = query.where(rejected_rows.c.pipeline_id == pipeline_id)
    with engine.connect() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def latest_period_by_metric(engine: sa.Engine) -> dict[str, date]:
    """The start of the latest period held for each metric (the council's own rows only)."""
    query = (
        sa.select(observations.c.metric_id, sa.func.max(observations.c.period_start))
        .where(observations.c.superseded_at.is_(None), observations.c.is_benchmark.is_(False))
        .group_by(observations.c.metric_id)
    )
    with engine.connect() as conn:
        return {str(m): d for m, d in conn.execute(query)}


def get_run(engine: sa.Engine, run_id: int) -> dict[str, Any] | None:
    """One run's log entry as a dict, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(pipeline_runs).where(pipeline_runs.c.run_id == run_id)).first()
    return dict(row._mapping) if row else None


def last_run_that_read(engine: sa.Engine, pipeline_id: str, before_run_id: int) -> int | None:
    """The latest run of a pipeline, before `before_run_id`, that read a source file: the run
    whose rows (and rejections) still stand when a later run skips the unchanged file."""
    query = sa.select(sa.func.max(source_files.c.run_id)).where(
        source_files.c.pipeline_id == pipeline_id, source_files.c.run_id < before_run_id
    )
    with engine.connect() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None

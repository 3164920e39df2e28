"""The pack run log: one row for every pack produced, by hand or on schedule."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import observations, report_runs, status_snapshot

RUNNING, SUCCEEDED, FAILED, ABANDONED = "running", "succeeded", "failed", "abandoned"
REPORT_RUN_STATUSES = (RUNNING, SUCCEEDED, FAILED, ABANDONED)


def start_report_run(
    engine: sa.Engine,
    *,
    kind: str,
    target_id: str,
    report_format: str,
    as_at: date,
    trigger: str,
    now: datetime | None = None,
) -> int:
    """Open a run in its own transaction, so a pack that later fails is still logged."""
    with engine.begin() as conn:
        run_id = conn.execute(
            report_runs.insert()
            .values(
                kind=kind,
                target_id=target_id,
                format=report_format,
                as_at=as_at,
                trigger=trigger,
                started_at=now or datetime.now(),
                status=RUNNING,
            )
            .returning(report_runs.c.id)
        ).scalar_one()
    return int(run_id)


def finish_report_run(
    engine: sa.Engine,
    run_id: int,
    *,
    status: str,
    path: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record how a run ended: the file written, or the error."""
    if status not in (SUCCEEDED, FAILED):
        raise ValueError(f"a run finishes as '{SUCCEEDED}' or '{FAILED}', not {status!r}")
    with engine.begin() as conn:
        conn.execute(
            report_runs.update()
            .where(report_runs.c.id == run_id)
            .values(status=status, path=path, error=error, finished_at=now or datetime.now())
        )


def report_run_history(engine: sa.Engine, limit: int = 50) -> pd.DataFrame:
    """The most recent pack runs, newest first."""
    query = sa.select(report_runs).order_by(report_runs.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def data_version(engine: sa.Engine) -> tuple[object, ...]:
    """A marker that changes whenever the figures a pack reads change: loads, restatements,
    removals and evaluations (row count and latest times, as a tuple to compare or hash)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.max(observations.c.loaded_at),
                sa.func.max(observations.c.superseded_at),
                sa.select(sa.func.max(status_snapshot.c.computed_at)).scalar_subquery(),
            ).select_from(observations)
        ).one()
    return tuple(row)

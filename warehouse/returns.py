"""Reporting cycles, data returns and their audit trail: the SQL, and nothing else.

Which moves are allowed, and who may make them, is decided in `cycle`; these functions store
and read what it decided, each change with its event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from warehouse.tables import data_returns, return_cycles, return_events


def find_cycle(conn: sa.Connection, period: str) -> dict[str, Any] | None:
    """The cycle for a period code, or None if it was never opened."""
    row = (
        conn.execute(
            sa.select(return_cycles)
            .where(return_cycles.c.period == period)
            .order_by(return_cycles.c.id.desc())
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def insert_cycle(conn: sa.Connection, values: dict[str, Any]) -> int:
    """Store a new cycle; returns its id."""
    return int(
        conn.execute(
            return_cycles.insert().values(**values).returning(return_cycles.c.id)
        ).scalar_one()
    )


def insert_returns(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Store new returns; returns their ids in the order given."""
    return [
        int(
            conn.execute(
                data_returns.insert().values(**row).returning(data_returns.c.id)
            ).scalar_one()
        )
        for row in rows
    ]


def close_cycle(conn: sa.Connection, cycle_id: int, closed_by: str, now: datetime) -> None:
    """Mark a cycle closed."""
    conn.execute(
        return_cycles.update()
        .where(return_cycles.c.id == cycle_id)
        .values(closed_by=closed_by, closed_at=now)
    )


def cycles(engine: sa.Engine, *, open_only: bool = False) -> pd.DataFrame:
    """Every cycle (or only the open ones), newest period first."""
    query = sa.select(return_cycles).order_by(
        return_cycles.c.period_start.desc(), return_cycles.c.period
    )
    if open_only:
        query = query.where(return_cycles.c.closed_at.is_(None))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def read_returns(
    engine: sa.Engine,
    *,
    periods: Iterable[str] | None = None,
    open_only: bool = False,
    owner: str | None = None,
    approver: str | None = None,
) -> pd.DataFrame:
    """Returns with their cycle's open/closed state, by period, measure and area."""
    query = sa.select(data_returns, return_cycles.c.closed_at.label("cycle_closed_at")).join(
        return_cycles, return_cycles.c.id == data_returns.c.cycle_id
    )
    if periods is not None:
        query = query.where(data_returns.c.period.in_(list(periods)))
    if open_only:
        query = query.where(return_cycles.c.closed_at.is_(None))
    if owner is not None:
        query = query.where(data_returns.c.owner == owner)
    if approver is not None:
        query = query.where(data_returns.c.approver == approver)
    query = query.order_by(
        data_returns.c.period_start,
        data_returns.c.period,
        data_returns.c.metric_id,
        data_returns.c.area_code,
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def find_return(
    conn: sa.Connection, period: str, metric_id: str, area_code: str
) -> dict[str, Any] | None:
    """One return with its cycle's closed time, or None."""
    row = (
        conn.execute(
            sa.select(data_returns, return_cycles.c.closed_at.label("cycle_closed_at"))
            .join(return_cycles, return_cycles.c.id == data_returns.c.cycle_id)
            .where(
                data_returns.c.period == period,
                data_returns.c.metric_id == metric_id,
                data_returns.c.area_code == area_code,
            )
            .order_by(data_returns.c.id.desc())
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def period_of_return(engine: sa.Engine, return_id: int) -> str | None:
    """The period code of the return with this id, or None if there is none."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(data_returns.c.period).where(data_returns.c.id == return_id)
        ).scalar_one_or_none()
    return None if found is None else str(found)


def update_return(conn: sa.Connection, return_id: int, values: dict[str, Any]) -> None:
    """Change stored fields of one return."""
    conn.execute(data_returns.update().where(data_returns.c.id == return_id).values(**values))


def change_return(
    engine: sa.Engine, row: dict[str, Any], changes: dict[str, Any], **event: Any
) -> None:
    """Change one return and add the step to its audit trail, in one transaction.

    `event` holds the step's actor, kind, states, value, note and time; which return it is
    about comes from `row`.
    """
    with engine.begin() as conn:
        if changes:
            update_return(conn, int(row["id"]), changes)
        record_event(
            conn,
            return_id=int(row["id"]),
            period=row["period"],
            metric_id=row["metric_id"],
            area_code=row["area_code"],
            **event,
        )


def lock_returns(
    conn: sa.Connection, cycle_id: int, by: str, now: datetime
) -> list[dict[str, Any]]:
    """Lock every return of a cycle; returns them as they were before."""
    before = [
        dict(r)
        for r in conn.execute(
            sa.select(data_returns).where(data_returns.c.cycle_id == cycle_id)
        ).mappings()
    ]
    conn.execute(
        data_returns.update()
        .where(data_returns.c.cycle_id == cycle_id)
        .values(state="locked", updated_by=by, updated_at=now)
    )
    return before


def record_event(conn: sa.Connection, **values: Any) -> None:
    """Add one step to the cycle's audit trail."""
    conn.execute(return_events.insert().values(**values))


def read_events(
    engine: sa.Engine,
    *,
    metric_id: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """The audit trail, newest first, filtered by measure, person and dates (inclusive)."""
    query = sa.select(return_events)
    if metric_id:
        query = query.where(return_events.c.metric_id == metric_id)
    if actor:
        query = query.where(return_events.c.actor == actor)
    if since is not None:
        query = query.where(
            return_events.c.event_at >= datetime.combine(since, datetime.min.time())
        )
    if until is not None:
        query = query.where(
            return_events.c.event_at
            < datetime.combine(until, datetime.min.time()) + pd.Timedelta(days=1)
        )
    query = query.order_by(return_events.c.event_at.desc(), return_events.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def event_actors(engine: sa.Engine) -> list[str]:
    """Everyone who appears in the audit trail, for a filter's choices."""
    with engine.connect() as conn:
        return [
            str(a)
            for a in conn.execute(
                sa.select(return_events.c.actor).distinct().order_by(return_events.c.actor)
            ).scalars()
        ]

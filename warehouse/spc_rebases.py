"""Store and read rebases: a measure's SPC limits worked out afresh from a period on.

Each is recorded with who and why. A rebase is withdrawn (who and when), never deleted, so
a chart or pack made before the withdrawal can be made again as it stood.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.frames import frame_of, no_rows
from warehouse.tables import spc_rebases

REBASE_COLUMNS = [
    "id",
    "metric_id",
    "area_code",
    "period_start",
    "reason",
    "recorded_by",
    "recorded_at",
    "withdrawn_by",
    "withdrawn_at",
]


class RebaseNotFound(LookupError):
    """No rebase has this id, or it was already withdrawn."""


def insert_rebase(
    engine: sa.Engine,
    *,
    metric_id: str,
    area_code: str,
    period_start: date,
    reason: str,
    recorded_by: str,
    now: datetime | None = None,
) -> int:
    """Store one rebase (checked by the caller) and return its id."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                spc_rebases.insert()
                .values(
                    metric_id=metric_id,
                    area_code=area_code,
                    period_start=period_start,
                    reason=reason,
                    recorded_by=recorded_by,
                    recorded_at=now or datetime.now(),
                )
                .returning(spc_rebases.c.id)
            ).scalar_one()
        )


def withdraw_rebase(
    engine: sa.Engine, rebase_id: int, *, withdrawn_by: str, now: datetime | None = None
) -> dict[str, object]:
    """Mark a rebase withdrawn; RebaseNotFound if there is no such rebase still in force."""
    table = spc_rebases
    with engine.begin() as conn:
        changed = conn.execute(
            table.update()
            .where(table.c.id == rebase_id, table.c.withdrawn_at.is_(None))
            .values(withdrawn_by=withdrawn_by, withdrawn_at=now or datetime.now())
        ).rowcount
        row = conn.execute(sa.select(table).where(table.c.id == rebase_id)).mappings().first()
    if row is None:
        raise RebaseNotFound(f"There is no rebase with the id {rebase_id}.")
    if not changed and row["withdrawn_at"] is not None:
        raise RebaseNotFound(
            f"Rebase {rebase_id} was already withdrawn by {row['withdrawn_by']} "
            f"on {row['withdrawn_at']:%d %b %Y}."
        )
    return dict(row)


def read_rebases(
    engine: sa.Engine,
    metric_ids: Sequence[str] | None = None,
    *,
    in_force_at: datetime | None = None,
    include_withdrawn: bool = False,
) -> pd.DataFrame:
    """Rebases in the order recorded: those in force now (or recorded and not yet
    withdrawn at `in_force_at`), or every one ever recorded with `include_withdrawn`."""
    table = spc_rebases
    if metric_ids is not None and len(metric_ids) == 1 and in_force_at is not None:
        with engine.connect() as conn:
            frame = frame_of(
                conn, _IN_FORCE_FOR_ONE, metric_id=metric_ids[0], in_force_at=in_force_at
            )
        return _framed(frame)
    query = sa.select(*(table.c[name] for name in REBASE_COLUMNS))
    if metric_ids is not None:
        query = query.where(table.c.metric_id.in_(list(metric_ids)))
    if in_force_at is not None:
        query = query.where(
            table.c.recorded_at < in_force_at,
            sa.or_(table.c.withdrawn_at.is_(None), table.c.withdrawn_at >= in_force_at),
        )
    elif not include_withdrawn:
        query = query.where(table.c.withdrawn_at.is_(None))
    query = query.order_by(table.c.id)
    with engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    return _framed(frame)


_IN_FORCE_AT = sa.bindparam("in_force_at", type_=sa.DateTime)
# One measure's rebases at a moment, asked on every view of its drill-down: compiled once
# (warehouse.compiled)
_IN_FORCE_FOR_ONE = (
    sa.select(*(spc_rebases.c[name] for name in REBASE_COLUMNS))
    .where(
        spc_rebases.c.metric_id == sa.bindparam("metric_id"),
        spc_rebases.c.recorded_at < _IN_FORCE_AT,
        sa.or_(spc_rebases.c.withdrawn_at.is_(None), spc_rebases.c.withdrawn_at >= _IN_FORCE_AT),
    )
    .order_by(spc_rebases.c.id)
)


def _framed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rebases as read, with every column even when there are none, and dates as dates."""
    if frame.empty:
        return no_rows(REBASE_COLUMNS)
    frame["period_start"] = [pd.Timestamp(v).date() for v in frame["period_start"]]
    return frame

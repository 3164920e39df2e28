"""Store and read programme milestones (one current row per milestone id)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from warehouse.compiled import execute
from warehouse.frames import frame_of
from warehouse.tables import milestones

MILESTONE_COLUMNS = [
    "id",
    "title",
    "programme",
    "priority",
    "enabler",
    "portfolio",
    "owner",
    "baseline_date",
    "forecast_date",
    "completed_date",
    "status_note",
]


def upsert_milestones(
    conn: sa.Connection, frame: pd.DataFrame, *, run_id: int | None, source_ref: str, now: datetime
) -> tuple[int, int]:
    """Insert new milestones and update changed ones inside the caller's transaction.

    Returns (inserted, updated). Milestones absent from the frame are left as they are:
    a tracker that drops a row must not silently delete a commitment.
    """
    existing = {
        row.id: row
        for row in conn.execute(
            sa.select(milestones).where(milestones.c.id.in_(frame["id"].tolist()))
        )
    }
    inserted = updated = 0
    for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        values = {c: record.get(c) for c in MILESTONE_COLUMNS}
        values.update(run_id=run_id, source_ref=source_ref, updated_at=now)
        current = existing.get(values["id"])
        if current is None:
            conn.execute(milestones.insert().values(**values))
            inserted += 1
        elif any(getattr(current, c) != values[c] for c in MILESTONE_COLUMNS):
            conn.execute(
                milestones.update().where(milestones.c.id == values["id"]).values(**values)
            )
            updated += 1
    return inserted, updated


# Asked on every view of the overview: compiled once (warehouse.compiled)
_EVERY_MILESTONE = sa.select(milestones).order_by(
    milestones.c.programme, milestones.c.baseline_date
)


def read_milestones(engine: sa.Engine) -> pd.DataFrame:
    """Every milestone, ordered by programme and baseline date."""
    with engine.connect() as conn:
        return frame_of(conn, _EVERY_MILESTONE)


# Asked on every officer's view of the overview: compiled once (warehouse.compiled)
_MILESTONE_DATES = sa.select(
    milestones.c.id,
    milestones.c.baseline_date,
    milestones.c.forecast_date,
    milestones.c.completed_date,
).order_by(milestones.c.programme, milestones.c.baseline_date)


def milestone_dates(engine: sa.Engine) -> list[tuple[str, date, date | None, date | None]]:
    """Every milestone's id with its baseline, forecast and completed dates, as plain tuples in
    `read_milestones`' order: all its status is judged on, without a frame's cost."""
    with engine.connect() as conn:
        return [tuple(row) for row in execute(conn, _MILESTONE_DATES)]
